/**
 * The user's own door: Horizon of cloud-b (Debian's openstack-dashboard, Zed, in the test bed) with
 * WebSSO through Keystone's federation route. A home user of cloud-a in /projects/p1/members picks the
 * federated login, chooses her home cloud on cloud-b's sign-in page, types her home password, and lands
 * in Horizon with project p1 and exactly the roles the policy grants her there:
 * - on her very first login, with nothing made for her before (Keystone's mapping makes her user);
 * - on her very first login after role sync pre-provisioned her: Horizon uses the Keystone user sync made.
 * Fresh users per run, removed afterwards. Screenshots under test-results/.
 * Needs the test bed with Horizon (scripts/testbed/horizon.sh); fails loudly without it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { runSync } from '../../src/services/sync.ts';
import { ARTEFACTS, launchBrowser, newContext } from '../support/browser.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { adminJson, deleteUserIfPresent, findUser, jsonBody } from '../support/keycloak-admin.ts';
import { keystoneAdminApi } from '../support/keystone-testbed.ts';
import { scopedRealSync } from '../support/scoped-sync.ts';
import { startBroker, waitFor, type BrokerProcess } from '../support/broker-process.ts';
import { partnerToken } from '../support/brokered-login.ts';
import { DEMO_SPEC } from '../support/federation.ts';
import { keystoneFederatedToken, keystoneTokenUse } from '../support/keystone-federated.ts';
import { sessionCount } from '../support/sessions.ts';
import { loadTestbed, testbedCloud } from '../support/testbed.ts';

const PARTNER = 'cloud-b';
const P1 = '/projects/p1/members';
const tag = randomBytes(3).toString('hex');
const fresh = { name: `hz-${tag}`, password: `pw-${randomBytes(8).toString('hex')}` };
const provisioned = { name: `hzpre-${tag}`, password: `pw-${randomBytes(8).toString('hex')}` };

async function createHomeUser(user: { name: string; password: string }): Promise<void> {
  await adminJson('/admin/realms/cloud-a/users', jsonBody({ username: user.name, enabled: true, email: `${user.name}@a.example`, firstName: 'Horizon', lastName: 'User',
    credentials: [{ type: 'password', value: user.password, temporary: false }] }));
  const home = (await findUser('cloud-a', user.name))!;
  const group = await adminJson<{ id: string }>(`/admin/realms/cloud-a/group-by-path${P1}`);
  await adminJson(`/admin/realms/cloud-a/users/${home.id}/groups/${group.id}`, { method: 'PUT' });
}

async function keystoneUserIds(name: string): Promise<string[]> {
  const api = await keystoneAdminApi(PARTNER);
  const users = (await api.get(`/v3/users?idp_id=keycloak&protocol_id=openid&unique_id=${encodeURIComponent(`cloud-a.${name}`)}`))['users'] as { id: string }[];
  return [...new Set(users.map((u) => u.id))];
}

async function p1Roles(userId: string): Promise<string[]> {
  const api = await keystoneAdminApi(PARTNER);
  const assignments = (await api.get(`/v3/role_assignments?user.id=${userId}&effective&include_names`))['role_assignments'] as { scope?: { project?: { name: string } }; role: { name: string } }[];
  return assignments.filter((a) => a.scope?.project?.name === 'p1').map((a) => a.role.name).sort();
}

describe('Horizon of cloud-b through WebSSO', () => {
  loadTestbed();
  const horizon = testbedCloud(PARTNER).horizon?.url;
  if (!horizon) throw new Error('the test bed runs no Horizon for cloud-b: scripts/testbed/up.sh starts it (horizon.sh)');
  let browser: Browser;
  let broker: BrokerProcess;
  let freshPage: Page;

  /** The WebSSO login as she does it, in a fresh browser; resolves on the Horizon page she lands on. */
  async function signIn(user: { name: string; password: string }, shots: string): Promise<Page> {
    const page = await (await newContext(browser)).newPage();
    const shot = async (step: string) => { mkdirSync(ARTEFACTS, { recursive: true }); await page.screenshot({ path: `${ARTEFACTS}horizon-${shots}-${step}.png`, fullPage: true }); };
    // Horizon sends her straight to the federated login: cloud-b's sign-in page, one button per home.
    await page.goto(`${horizon}/auth/login/`);
    await page.locator('#social-cloud-a').waitFor({ timeout: 30_000 });
    await shot('2-cloud-b-sign-in');
    await page.click('#social-cloud-a');
    await typeHomePassword(page, user);
    await shot('3-horizon');
    return page;
  }

  /** At her home's password page: types it, and waits for Horizon. */
  async function typeHomePassword(page: Page, user: { name: string; password: string }): Promise<void> {
    await page.locator('#username').waitFor();
    assert.match(page.url(), /\/realms\/cloud-a\//, 'her home\'s password page');
    await page.fill('#username', user.name);
    await page.fill('#password', user.password);
    await page.click('#kc-login');
    await page.waitForURL(`${horizon}/**`, { timeout: 60_000 });
    assert.ok(!page.url().includes('/auth/login'), page.url());
  }

  /** The projects Horizon lists for her (Identity → Projects), with the ids it shows. */
  async function projectsShown(page: Page): Promise<string[][]> {
    await page.goto(`${horizon}/identity/`);
    await page.locator('table#tenants').waitFor({ timeout: 30_000 }).catch(async (error: Error) => {
      throw new Error(`${error.message}: Horizon shows ${page.url()}:\n${(await page.locator('body').innerText()).slice(0, 500)}`);
    });
    return page.locator('table#tenants tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '').filter((t) => t !== '')));
  }

  async function assertSeesP1(page: Page, user: string): Promise<void> {
    const projects = await projectsShown(page);
    assert.deepEqual(projects.map((cells) => cells[0]), ['p1']);
    const p1 = ((await (await keystoneAdminApi(PARTNER)).get('/v3/projects?name=p1'))['projects'] as { id: string }[])[0]!;
    assert.ok(projects[0]!.includes(p1.id), `Horizon shows cloud-b's p1 (${p1.id}): ${projects[0]!.join(' | ')}`);
    assert.match(await page.locator('.dropdown.user-menu, #profile_editor_switcher').first().innerText(), new RegExp(`cloud-a\\.${user}`));
    // The roles of the token Horizon holds for her in p1: the ones its application-credential form offers.
    await page.goto(`${horizon}/identity/application_credentials/create/`);
    const roles = await page.locator('select#id_roles option').allInnerTexts();
    // The policy grants member; Keystone's default roles make member imply reader.
    assert.deepEqual(roles.map((r) => r.trim()).sort(), ['member', 'reader']);
  }

  before(async () => {
    await createHomeUser(fresh);
    await createHomeUser(provisioned);
    browser = await launchBrowser();
    // The logout hub: a logout in one realm reaches every realm and Keystone.
    broker = await startBroker(DEMO_SPEC);
  });

  after(async () => {
    await browser?.close();
    await broker?.stop();
    const api = await keystoneAdminApi(PARTNER);
    for (const user of [fresh, provisioned]) {
      await deleteUserIfPresent('cloud-a', user.name);
      await deleteUserIfPresent(PARTNER, `cloud-a.${user.name}`);
      for (const id of await keystoneUserIds(user.name)) await api.send('DELETE', `/v3/users/${id}`);
    }
  });

  it('her very first login, nothing made for her before: Horizon shows p1 with the policy\'s roles', async () => {
    assert.deepEqual(await keystoneUserIds(fresh.name), [], 'no Keystone user before her first login');
    const page = await signIn(fresh, 'first');
    freshPage = page;
    await assertSeesP1(page, fresh.name);
    const ids = await keystoneUserIds(fresh.name);
    assert.equal(ids.length, 1, ids.join(', '));
    // Her roles came with the login (mapped groups, not persisted: default_authorization_ttl = 0).
    assert.deepEqual(await p1Roles(ids[0]!), []);
  });

  it('pre-provisioned by role sync: her first login shows p1, on the Keystone user sync made', async () => {
    const sync = await scopedRealSync(exampleSpec(), (name) => name.includes(provisioned.name));
    try {
      const report = await runSync(exampleSpec(), sync.deps, { clouds: [PARTNER] });
      assert.deepEqual(report.failures, []);
    } finally {
      await sync.close();
    }
    const before = await keystoneUserIds(provisioned.name);
    assert.equal(before.length, 1, 'sync made her Keystone user');
    assert.deepEqual(await p1Roles(before[0]!), ['member', 'reader']);
    const page = await signIn(provisioned, 'preprovisioned');
    await assertSeesP1(page, provisioned.name);
    assert.deepEqual(await keystoneUserIds(provisioned.name), before, 'the login landed on the user sync made');
  });

  it('Horizon Sign Out: no session of hers in any realm, her Keystone token refused, and the next login asks for her home password', async () => {
    const page = freshPage;
    const downstream = `cloud-a.${fresh.name}`;
    const token = await keystoneFederatedToken(PARTNER, (await partnerToken(page, PARTNER)).access_token);
    assert.equal(await keystoneTokenUse(PARTNER, token), 200);
    assert.ok(await sessionCount('cloud-a', fresh.name) > 0 && await sessionCount(PARTNER, downstream) > 0, 'sessions at home and in cloud-b before');
    await page.goto(`${horizon}/identity/`);
    await page.locator('.dropdown.user-menu a.dropdown-toggle, #profile_editor_switcher a.dropdown-toggle').first().click();
    const t0 = Date.now();
    await page.getByRole('link', { name: 'Sign Out' }).click();
    // Horizon → cloud-b's end of session, which she confirms → Horizon → the federated login again:
    // cloud-b's sign-in page.
    await page.locator('#kc-logout').click();
    await page.locator('#social-cloud-a').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${ARTEFACTS}horizon-signout-1-signed-out.png`, fullPage: true });
    const state = async () => ({ home: await sessionCount('cloud-a', fresh.name), partner: await sessionCount(PARTNER, downstream),
      other: await sessionCount('cloud-c', downstream), token: await keystoneTokenUse(PARTNER, token) });
    await waitFor('no session of hers in any realm, her cloud-b token refused', async () => {
      const now = await state();
      return now.home === 0 && now.partner === 0 && now.other === 0 && now.token === 401;
    }, 15_000, 200).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await state())}\n${broker.logs().slice(-3000)}`);
    });
    console.log(`Horizon sign-out: sessions ended and Keystone token refused ${Date.now() - t0} ms after the click`);
    await page.click('#social-cloud-a');
    await page.locator('#password').waitFor({ timeout: 30_000 });
    assert.match(page.url(), /\/realms\/cloud-a\//, 'her home asks for her password again');
    await page.screenshot({ path: `${ARTEFACTS}horizon-signout-2-home-password.png`, fullPage: true });
  });

  it('a logout at her home ends her Horizon session: Horizon sends her to sign in, and her home asks for her password', async () => {
    const page = freshPage;
    // Keystone records a revocation to the second: a token issued in the same second as the previous
    // test's revocation would count as revoked. She signs in again a second later.
    await new Promise((r) => setTimeout(r, 1100));
    await typeHomePassword(page, fresh);
    await assertSeesP1(page, fresh.name);
    // She signs out at cloud-a, her home (its end-of-session page, confirmed).
    await page.goto(`${testbedCloud('cloud-a').issuer}/protocol/openid-connect/logout`);
    await page.locator('#kc-logout').click();
    const t0 = Date.now();
    await waitFor('her cloud-b session ended by the broker', async () => await sessionCount(PARTNER, `cloud-a.${fresh.name}`) === 0, 15_000, 200);
    // The realm's back-channel logout ended Horizon's OIDC session (and Keystone's WebSSO session):
    // Horizon's next page is cloud-b's sign-in page, not the dashboard.
    await waitFor('Horizon sends her to sign in', async () => {
      await page.goto(`${horizon}/identity/`);
      return page.url().startsWith(`${testbedCloud(PARTNER).issuer}/`);
    }, 15_000, 500).catch((error: Error) => { throw new Error(`${error.message} (at ${page.url()})\n${broker.logs().slice(-3000)}`); });
    console.log(`logout at home: Horizon session ended ${Date.now() - t0} ms after her cloud-a sign-out`);
    await page.locator('#social-cloud-a').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${ARTEFACTS}horizon-home-logout-1-sign-in.png`, fullPage: true });
    await page.click('#social-cloud-a');
    await page.locator('#password').waitFor({ timeout: 30_000 });
    assert.match(page.url(), /\/realms\/cloud-a\//, 'her home asks for her password again');
    await page.screenshot({ path: `${ARTEFACTS}horizon-home-logout-2-home-password.png`, fullPage: true });
  });
});
