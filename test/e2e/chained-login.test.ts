// Acceptance of decision 0006 (no chained brokering), in Chromium on the real test bed. The demo
// federation is a full mesh, so cloud-c's login page (reached from cloud-b) also offers "Cloud A".
// A user of cloud-a must not come out of that as `cloud-c.cloud-a.alice` with home_cloud=cloud-c
// in cloud-b: a token from A can never claim to be from C (docs/design.md §2).
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHAINED_ARRIVAL_MESSAGE, EXISTING_ACCOUNT_MESSAGE, HOME_CLIENT_EXIT_MESSAGE } from '../../src/core/render/keycloak/login-flow.ts';
import { launchBrowser, newContext } from '../support/browser.ts';
import { brokeredLogin, loginThrough } from '../support/brokered-login.ts';
import { DEMO_SPEC, fedbroker } from '../support/federation.ts';
import { adminJson, deleteUserIfPresent, federatedIdentities, findUser } from '../support/keycloak-admin.ts';
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
    await deleteUserIfPresent('cloud-c', 'cloud-a.cloud-b.alice');
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

  it('cloud-c → Cloud A → Cloud B as alice of cloud-b (OIDC home): cloud-a refuses, cloud-c sees nothing', async () => {
    await deleteUserIfPresent('cloud-c', 'cloud-a.cloud-b.alice');
    context = await newContext(browser);
    try {
      const page = await context.newPage();
      await loginThrough(page, { partner: 'cloud-c', through: ['cloud-a', 'cloud-b'], user: 'alice', password: userPassword('cloud-b', 'alice') });
      await page.getByText(HOME_CLIENT_EXIT_MESSAGE).waitFor({ timeout: 30_000 });
      assert.match(page.url(), /\/realms\/cloud-a\/login-actions\/post-broker-login/, 'the error page is cloud-a\'s');
      assert.equal(await findUser('cloud-c', 'cloud-a.cloud-b.alice'), undefined, 'no cloud-a.cloud-b.alice in cloud-c');
      await assertNoBrowserSession(page, 'cloud-c');
    } finally {
      await context.close();
    }
  });

  /** A legitimate login of alice (cloud-a) into cloud-c: the browser then holds a cloud-c session, and cloud-c asks no password next time. */
  async function sessionAtCloudC(page: Page): Promise<void> {
    await brokeredLogin(page, { partner: 'cloud-c', home: 'cloud-a', ...alice });
  }

  it('with a session at cloud-c as cloud-a.alice, when cloud-b knows cloud-a.alice: refused at first login, never linked', async () => {
    if (!(await findUser('cloud-b', 'cloud-a.alice'))) {
      const setup = await newContext(browser);
      try { await brokeredLogin(await setup.newPage(), { partner: 'cloud-b', home: 'cloud-a', ...alice }); } finally { await setup.close(); }
    }
    const before = await findUser('cloud-b', 'cloud-a.alice');
    assert.ok(before);
    context = await newContext(browser);
    try {
      const page = await context.newPage();
      await sessionAtCloudC(page);
      await page.goto(`${testbedCloud('cloud-b').issuer}/account`);
      await page.click('#social-cloud-c');
      // The chained identity carries alice's e-mail: Keycloak's default flow would offer to link it to cloud-a.alice.
      await page.getByText(EXISTING_ACCOUNT_MESSAGE).waitFor({ timeout: 30_000 });
      assert.match(page.url(), /\/realms\/cloud-b\/login-actions\/first-broker-login/);
      assert.equal(await findUser('cloud-b', CHAINED_USER), undefined, 'nothing was created');
      const after = await findUser('cloud-b', 'cloud-a.alice');
      assert.deepEqual(after?.attributes, before.attributes, 'cloud-a.alice is untouched (no FORCE mapper ran on it)');
      assert.deepEqual((await federatedIdentities('cloud-b', before.id)).map((f) => f.identityProvider), ['cloud-a'], 'no link to cloud-c');
      await assertNoBrowserSession(page, 'cloud-b');
    } finally {
      await context.close();
    }
  });

  it('with a session at cloud-c as cloud-a.alice, when cloud-b does not know alice: cloud-b refuses, no session, no token', async () => {
    await deleteUserIfPresent('cloud-b', 'cloud-a.alice');
    context = await newContext(browser);
    try {
      const page = await context.newPage();
      await sessionAtCloudC(page);
      await page.goto(`${testbedCloud('cloud-b').issuer}/account`);
      await page.click('#social-cloud-c');
      await page.getByText(CHAINED_ARRIVAL_MESSAGE).waitFor({ timeout: 30_000 });
      assert.match(page.url(), /\/realms\/cloud-b\/login-actions\/post-broker-login/, 'the error page is cloud-b\'s');

      // Keycloak created the user and its link before the post-broker-login flow ran; it got no session and no token.
      const chained = await findUser('cloud-b', CHAINED_USER);
      assert.ok(chained, 'Keycloak leaves the refused user behind (docs/keycloak-notes.md)');
      assert.deepEqual(chained.attributes?.['upstream_home_cloud'], ['cloud-a']);
      assert.deepEqual(await sessionsOf('cloud-b', CHAINED_USER), [], 'no session in cloud-b');
      const issued = await adminJson<unknown[]>(`/admin/realms/cloud-b/events?user=${chained.id}&type=LOGIN&type=CODE_TO_TOKEN&type=REFRESH_TOKEN`);
      assert.deepEqual(issued, [], 'no login and no token for the refused user');
      await assertNoBrowserSession(page, 'cloud-b');
      // The link exists now, and the flow runs on every login: a second attempt is refused the same way.
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
