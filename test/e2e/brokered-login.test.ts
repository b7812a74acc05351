// Acceptance of onboarding (Keycloak mesh): real people log into partner clouds with home
// credentials in Chromium, over an OIDC edge and a SAML edge, after `fedbroker apply`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { CHAINED_ARRIVAL_MESSAGE } from '../../src/core/render/keycloak/login-flow.ts';
import { launchBrowser, newContext } from '../support/browser.ts';
import { brokeredLogin, jwtClaims, loginThrough, partnerToken } from '../support/brokered-login.ts';
import { DEMO_SPEC, fedbroker } from '../support/federation.ts';
import { adminJson, clientByClientId, deleteUserIfPresent, federatedIdentities, findUser, jsonBody } from '../support/keycloak-admin.ts';
import { userPassword } from '../support/testbed.ts';

async function loginAndToken(browser: Browser, partner: string, home: string, user: string, screenshots?: string) {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    await brokeredLogin(page, { partner, home, user, password: userPassword(home, user), ...(screenshots && { screenshots }) });
    return jwtClaims((await partnerToken(page, partner)).access_token);
  } finally {
    await context.close();
  }
}

describe('brokered logins across the demo federation', () => {
  let browser: Browser;

  before(async () => {
    const apply = fedbroker('apply', DEMO_SPEC, '--yes');
    assert.equal(apply.status, 0, apply.stderr);
    // cloud-c.cloud-a.alice: a refused chained login (chained-login.test.ts) may leave it, and its e-mail is cloud-a.alice's.
    for (const u of ['cloud-a.alice', 'cloud-c.alice', 'cloud-c.cloud-a.alice']) await deleteUserIfPresent('cloud-b', u);
    browser = await launchBrowser();
  });
  after(async () => { await browser?.close(); });

  it('alice of cloud-a logs into cloud-b (OIDC) and becomes cloud-a.alice with namespaced groups', async () => {
    const claims = await loginAndToken(browser, 'cloud-b', 'cloud-a', 'alice', 'oidc-cloud-a-into-cloud-b');
    assert.equal(claims['preferred_username'], 'cloud-a.alice');
    assert.equal(claims['home_cloud'], 'cloud-a');
    assert.ok((claims['groups'] as string[]).includes('/cloud-a:/projects/p1/members'), JSON.stringify(claims['groups']));
    assert.equal(claims['iss'], 'https://127.0.0.1:18443/realms/cloud-b');
    const user = await findUser('cloud-b', 'cloud-a.alice');
    assert.ok(user);
    assert.deepEqual(user.attributes?.['home_cloud'], ['cloud-a']);
    assert.deepEqual((await federatedIdentities('cloud-b', user.id)).map((f) => [f.identityProvider, f.userName]), [['cloud-a', 'alice']]);
  });

  it('alice of cloud-c logs into cloud-b over SAML and is a different user from cloud-a.alice', async () => {
    const claims = await loginAndToken(browser, 'cloud-b', 'cloud-c', 'alice', 'saml-cloud-c-into-cloud-b');
    assert.equal(claims['preferred_username'], 'cloud-c.alice');
    assert.equal(claims['home_cloud'], 'cloud-c');
    assert.ok((claims['groups'] as string[]).includes('/cloud-c:/projects/p1/members'), JSON.stringify(claims['groups']));
    assert.ok(!(claims['groups'] as string[]).some((g) => g.startsWith('/cloud-a:')));
    const fromC = await findUser('cloud-b', 'cloud-c.alice');
    const fromA = await findUser('cloud-b', 'cloud-a.alice');
    assert.ok(fromC && fromA);
    assert.notEqual(fromC.id, fromA.id);
    assert.deepEqual(fromC.attributes?.['home_cloud'], ['cloud-c']);
  });

  it('a home_cloud claim sent by the home does not change the stamped home cloud', async () => {
    const client = await clientByClientId('cloud-a', 'fed-cloud-b');
    const spoofMapper = { name: 'spoof-home-cloud', protocol: 'openid-connect', protocolMapper: 'oidc-hardcoded-claim-mapper',
      config: { 'claim.name': 'home_cloud', 'claim.value': 'cloud-c', 'jsonType.label': 'String', 'id.token.claim': 'true', 'access.token.claim': 'true', 'userinfo.token.claim': 'true' } };
    await adminJson(`/admin/realms/cloud-a/clients/${client.id}/protocol-mappers/models`, jsonBody(spoofMapper));
    try {
      const claims = await loginAndToken(browser, 'cloud-b', 'cloud-a', 'alice');
      assert.equal(claims['home_cloud'], 'cloud-a');
      assert.deepEqual((await findUser('cloud-b', 'cloud-a.alice'))?.attributes?.['home_cloud'], ['cloud-a']);
      const plan = JSON.parse(fedbroker('plan', DEMO_SPEC, '-o', 'json').stdout);
      const drift = plan.changes.find((c: { cloud: string; kind: string; name: string }) => c.cloud === 'cloud-a' && c.kind === 'client' && c.name === 'fed-cloud-b');
      assert.ok(drift, 'the hand-made mapper on a broker client shows as drift');
      assert.deepEqual(drift.fieldChanges.map((f: { path: string }) => f.path), ['protocolMappers[spoof-home-cloud]']);
    } finally {
      assert.equal(fedbroker('apply', DEMO_SPEC, '--yes').status, 0);
    }
    assert.match(fedbroker('plan', DEMO_SPEC).stdout, /No changes/);
  });

  it('a home_cloud attribute set at home marks alice as a guest there: cloud-b refuses her and stamps nothing (decision 0006)', async () => {
    const alice = await findUser('cloud-a', 'alice');
    assert.ok(alice);
    const setHomeCloud = (value: string[]) => adminJson(`/admin/realms/cloud-a/users/${alice.id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...alice, attributes: { ...alice.attributes, home_cloud: value } }) });
    await setHomeCloud(['cloud-c']);
    try {
      const context = await newContext(browser);
      try {
        const page = await context.newPage();
        await loginThrough(page, { partner: 'cloud-b', through: ['cloud-a'], user: 'alice', password: userPassword('cloud-a', 'alice') });
        await page.getByText(CHAINED_ARRIVAL_MESSAGE).waitFor({ timeout: 30_000 });
      } finally {
        await context.close();
      }
      assert.deepEqual((await findUser('cloud-b', 'cloud-a.alice'))?.attributes?.['home_cloud'], ['cloud-a']);
    } finally {
      await setHomeCloud([]);
    }
    const claims = await loginAndToken(browser, 'cloud-b', 'cloud-a', 'alice');
    assert.equal(claims['home_cloud'], 'cloud-a', 'alice, local at home again, logs in as before');
    assert.equal((await findUser('cloud-b', 'cloud-a.alice'))?.attributes?.['upstream_home_cloud'], undefined, 'the FORCE mapper removed the upstream mark');
  });
});
