// Acceptance of decision 0006 (no chained brokering), in Chromium on the real test bed. The demo
// federation is a full mesh, so cloud-c's login page (reached from cloud-b) also offers "Cloud A".
// A user of cloud-a must not come out of that as `cloud-c.cloud-a.alice` with home_cloud=cloud-c
// in cloud-b: a token from A can never claim to be from C (DESIGN §2).
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHAINED_ARRIVAL_MESSAGE, HOME_CLIENT_EXIT_MESSAGE } from '../../src/core/render/keycloak/login-flow.ts';
import { launchBrowser, newContext } from '../support/browser.ts';
import { brokeredLogin, loginThrough } from '../support/brokered-login.ts';
import { DEMO_SPEC, fedbroker } from '../support/federation.ts';
import { adminJson, deleteUserIfPresent, findUser } from '../support/keycloak-admin.ts';
import { testbedCloud, userPassword } from '../support/testbed.ts';

const CHAINED_USER = 'cloud-c.cloud-a.alice';
const alice = { user: 'alice', password: userPassword('cloud-a', 'alice') };

async function sessionsOf(realm: string, username: string): Promise<unknown[]> {
  const user = await findUser(realm, username);
  return user ? adminJson<unknown[]>(`/admin/realms/${realm}/users/${user.id}/sessions`) : [];
}

/** The browser holds no session in `realm`: its account console asks for a login again. */
async function assertNoBrowserSession(page: Page, realm: string): Promise<void> {
  await page.goto(`${testbedCloud(realm).issuer}/account`);
  await page.locator('#social-cloud-a').waitFor({ timeout: 30_000 });
  assert.match(page.url(), new RegExp(`/realms/${realm}/protocol/openid-connect/auth`));
}

describe('chained brokering is refused (decision 0006)', () => {
  let browser: Browser;
  let context: BrowserContext;

  before(async () => {
    const apply = fedbroker('apply', DEMO_SPEC, '--yes');
    assert.equal(apply.status, 0, apply.stderr);
    browser = await launchBrowser();
  });
  beforeEach(async () => { await deleteUserIfPresent('cloud-b', CHAINED_USER); });
  after(async () => {
    // A refused user may be left in cloud-b (see the second test); its e-mail (alice@a.example) would
    // stop cloud-a.alice's own first login there with "Account already exists".
    await deleteUserIfPresent('cloud-b', CHAINED_USER);
    await browser?.close();
  });

  it('cloud-b → Cloud C → Cloud A as alice of cloud-a: cloud-c refuses, cloud-b sees nothing', async () => {
    context = await newContext(browser);
    try {
      const page = await context.newPage();
      await loginThrough(page, { partner: 'cloud-b', through: ['cloud-c', 'cloud-a'], ...alice, screenshots: 'chained-b-c-a' });
      await page.getByText(HOME_CLIENT_EXIT_MESSAGE).waitFor({ timeout: 30_000 });
      assert.match(page.url(), /\/realms\/cloud-c\/login-actions\/post-broker-login/, 'the error page is cloud-c\'s');
      assert.doesNotMatch(page.url(), /\/realms\/cloud-b\/account/);
      assert.equal(await findUser('cloud-b', CHAINED_USER), undefined, `no ${CHAINED_USER} in cloud-b`);
      await assertNoBrowserSession(page, 'cloud-b');
    } finally {
      await context.close();
    }
  });

  it('with a session at cloud-c as cloud-a.alice, choosing Cloud C at cloud-b: cloud-b refuses, no session, no token', async () => {
    context = await newContext(browser);
    try {
      const page = await context.newPage();
      // A legitimate login of alice (cloud-a) into cloud-c leaves a cloud-c session: no password asked at cloud-c next time.
      await brokeredLogin(page, { partner: 'cloud-c', home: 'cloud-a', ...alice });
      await page.goto(`${testbedCloud('cloud-b').issuer}/account`);
      await page.click('#social-cloud-c');
      await page.getByText(CHAINED_ARRIVAL_MESSAGE).waitFor({ timeout: 30_000 });
      assert.match(page.url(), /\/realms\/cloud-b\/login-actions\/post-broker-login/, 'the error page is cloud-b\'s');

      // Keycloak has created the user and its link before the post-broker-login flow ran; it has no session.
      const chained = await findUser('cloud-b', CHAINED_USER);
      assert.ok(chained, 'Keycloak leaves the refused user behind (documented in docs/keycloak-notes.md)');
      assert.deepEqual(chained.attributes?.['upstream_home_cloud'], ['cloud-a']);
      assert.deepEqual(await sessionsOf('cloud-b', CHAINED_USER), [], 'no session in cloud-b');
      const issued = await adminJson<unknown[]>(`/admin/realms/cloud-b/events?user=${chained.id}&type=LOGIN&type=CODE_TO_TOKEN&type=REFRESH_TOKEN`);
      assert.deepEqual(issued, [], 'no login and no token for the refused user');
      await assertNoBrowserSession(page, 'cloud-b');
      // Each further attempt is refused again (the link exists now: the flow runs on every login).
      await page.click('#social-cloud-c');
      await page.getByText(CHAINED_ARRIVAL_MESSAGE).waitFor({ timeout: 30_000 });
      assert.deepEqual(await sessionsOf('cloud-b', CHAINED_USER), []);
    } finally {
      await context.close();
    }
  });

  it('the plan stays empty after the refusals (nothing the broker owns was touched)', () => {
    assert.match(fedbroker('plan', DEMO_SPEC).stdout, /No changes/);
  });
});
