// A cloud admin ends a user's sessions in her own cloud only, on the real test bed (docs/logout.md,
// "In one cloud only"). alice of cloud-a logs into cloud-b and cloud-c in Chromium and holds a
// federated Keystone token in each. Then:
//   1. cloud-c's admin (carol of cloud-c, a real token of cloud-c's realm) ends alice's sessions in
//      cloud-c through the admin API: cloud-c's sessions are gone and its Keystone token is refused,
//      while her home session, her cloud-b session and her cloud-b Keystone token stay, no global
//      fan-out starts, and cloud-c's identity provider cloud-a hands logouts over again afterwards
//      (and still logs her in: its client secret survived);
//   2. cloud-b's admin is refused for cloud-c (403 ERR_FORBIDDEN_CLOUD);
//   3. `fedbroker logout <spec> cloud-a:alice --cloud cloud-a` ends her home sessions only: her cloud-b
//      session stays (the logout tokens cloud-a sends for the ended sessions are joined, not fanned out).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, newContext } from '../support/browser.ts';
import { brokeredLogin, partnerToken } from '../support/brokered-login.ts';
import { report, startBroker, waitFor, type BrokerProcess } from '../support/broker-process.ts';
import { DEMO_SPEC, fedbroker } from '../support/federation.ts';
import { adminJson, grantRealmRole } from '../support/keycloak-admin.ts';
import { keystoneFederatedToken, keystoneTokenUse } from '../support/keystone-federated.ts';
import { sessionIds } from '../support/sessions.ts';
import { keycloakAdminFetch, loadTestbed, passwordGrantToken, testbedCloud, testbedFetch, userPassword } from '../support/testbed.ts';

const CLOUD_ADMIN_ROLE = 'fedbroker-test-cloud-admin';
const PARTNERS = ['cloud-b', 'cloud-c'] as const;
/** How long the other clouds are watched for a late effect (a hand-over would end the home session within ~100 ms). */
const WATCH_MS = 2500;

describe('a cloud admin ends a user\'s sessions in her own cloud only', { timeout: 240_000 }, () => {
  let browser: Browser;
  let broker: BrokerProcess;
  const contexts: BrowserContext[] = [];
  const pages = {} as Record<(typeof PARTNERS)[number], Page>;
  const keystone = {} as Record<(typeof PARTNERS)[number], string>;

  const api = async (method: 'GET' | 'POST', path: string, token: string, body?: unknown) => {
    const res = await testbedFetch(`${broker.url}${path}`, {
      method, headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) as Record<string, unknown> : {}, text };
  };
  const adminToken = async (cloud: string) => (await passwordGrantToken(cloud, 'carol', userPassword(cloud, 'carol'))).access_token;
  const sessionsOfAlice = async () => ({
    'cloud-a': await sessionIds('cloud-a', 'alice'), 'cloud-b': await sessionIds('cloud-b', 'cloud-a.alice'), 'cloud-c': await sessionIds('cloud-c', 'cloud-a.alice'),
  });
  const globalFanouts = (from: number, except: string) => broker.audit().slice(from)
    .filter((e) => e.action === 'logout.started' && e.homeCloud === 'cloud-a' && e.eventId !== except);

  before(async () => {
    for (const cloud of ['cloud-b', 'cloud-c']) await grantRealmRole(cloud, CLOUD_ADMIN_ROLE, 'carol');
    const apply = fedbroker('apply', DEMO_SPEC, '--yes');
    assert.equal(apply.status, 0, apply.stderr);
    const config = join(mkdtempSync(join(tmpdir(), 'fedbroker-one-cloud-')), 'api.yaml');
    // Nobody holds the federation-admin role here: only the cloud admins act.
    writeFileSync(config, JSON.stringify({ audience: 'openstack', cloudAdminRole: CLOUD_ADMIN_ROLE,
      federationAdmin: { role: 'fedbroker-test-federation-admin', issuers: [testbedCloud('cloud-a').issuer] } }));
    broker = await startBroker(DEMO_SPEC, ['--api-config', config, '--poll-interval', '250']);
    browser = await launchBrowser();
    for (const partner of PARTNERS) {
      const context = await newContext(browser);
      contexts.push(context);
      pages[partner] = await context.newPage();
      await brokeredLogin(pages[partner], { partner, home: 'cloud-a', user: 'alice', password: userPassword('cloud-a', 'alice') });
      keystone[partner] = await keystoneFederatedToken(partner, (await partnerToken(pages[partner], partner, 'openstack')).access_token);
      assert.equal(await keystoneTokenUse(partner, keystone[partner]), 200, `alice's Keystone token works in ${partner}`);
    }
  });

  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await broker?.stop();
    for (const cloud of ['cloud-b', 'cloud-c']) await keycloakAdminFetch(`/admin/realms/${cloud}/roles/${CLOUD_ADMIN_ROLE}`, { method: 'DELETE' });
  });

  it('cloud-c\'s admin: cloud-c\'s sessions and Keystone token end; her home, cloud-b and their tokens stay; the hand-over is back on and still logs her in', async () => {
    const before = await sessionsOfAlice();
    for (const cloud of ['cloud-a', 'cloud-b', 'cloud-c'] as const) assert.ok(before[cloud].length > 0, `alice has a session in ${cloud}: ${JSON.stringify(before)}`);
    const from = broker.audit().length;
    const adminC = await adminToken('cloud-c');
    const started = await api('POST', '/api/v1/clouds/cloud-c/logout', adminC, { subject: 'cloud-a:alice' });
    assert.equal(started.status, 202, started.text);
    const eventId = String(started.body['eventId']);
    const delivered = await waitFor('the one-cloud report delivered', async () => {
      const r = await api('GET', `/api/v1/logout/events/${eventId}`, adminC);
      return r.body['outcome'] === 'delivered' && r.body;
    }, 15_000, 100);
    assert.equal(delivered['onlyCloud'], 'cloud-c');
    const deliveries = delivered['deliveries'] as { system: string; cloud: string; detail?: string }[];
    assert.deepEqual(deliveries.map((d) => `${d.system}/${d.cloud}`).sort(), ['keycloak/cloud-c', 'keystone/cloud-c']);
    assert.match(deliveries.find((d) => d.system === 'keycloak')?.detail ?? '', /[1-9]\d* session\(s\) of 1 user\(s\) ended \(in this realm only/);
    assert.deepEqual((await sessionIds('cloud-c', 'cloud-a.alice')).filter((s) => before['cloud-c'].includes(s)), [], 'her cloud-c sessions are gone');
    assert.equal(await keystoneTokenUse('cloud-c', keystone['cloud-c']), 401, 'her cloud-c Keystone token is refused');

    // Whatever a hand-over to the home would have caused shows within this time.
    await new Promise((r) => setTimeout(r, WATCH_MS));
    const now = await sessionsOfAlice();
    assert.deepEqual(before['cloud-a'].filter((s) => !now['cloud-a'].includes(s)), [], 'her home sessions all stay');
    assert.deepEqual(before['cloud-b'].filter((s) => !now['cloud-b'].includes(s)), [], 'her cloud-b session stays');
    assert.equal(await keystoneTokenUse('cloud-b', keystone['cloud-b']), 200, 'her cloud-b Keystone token still works');
    assert.deepEqual(globalFanouts(from, eventId), [], 'no global fan-out started');

    const idp = await adminJson<{ config: Record<string, string> }>('/admin/realms/cloud-c/identity-provider/instances/cloud-a');
    assert.equal(idp.config['backchannelSupported'], 'true', 'the hand-over is on again');
    const plan = fedbroker('plan', DEMO_SPEC);
    assert.equal(plan.status, 0, plan.stderr);
    assert.match(plan.stdout, /No changes/);
    // A fresh browser: the home asks for the password, and cloud-c's identity provider trades the code with its secret.
    const context = await newContext(browser);
    contexts.push(context);
    await brokeredLogin(await context.newPage(), { partner: 'cloud-c', home: 'cloud-a', user: 'alice', password: userPassword('cloud-a', 'alice') });
    assert.ok((await sessionIds('cloud-c', 'cloud-a.alice')).length > 0, 'alice logs into cloud-c again');
  });

  it('cloud-b\'s admin may not end sessions in cloud-c: 403 ERR_FORBIDDEN_CLOUD, nothing ended', async () => {
    const before = await sessionIds('cloud-c', 'cloud-a.alice');
    const refused = await api('POST', '/api/v1/clouds/cloud-c/logout', await adminToken('cloud-b'), { subject: 'cloud-a:alice' });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body['code'], 'ERR_FORBIDDEN_CLOUD');
    assert.deepEqual(await sessionIds('cloud-c', 'cloud-a.alice'), before);
  });

  it('`fedbroker logout --cloud cloud-a`: her home sessions end, her cloud-b session stays (the echoes are joined)', async () => {
    const before = await sessionsOfAlice();
    assert.ok(before['cloud-a'].length > 0 && before['cloud-b'].length > 0, JSON.stringify(before));
    const from = broker.audit().length;
    const cli = fedbroker('logout', DEMO_SPEC, 'cloud-a:alice', '--cloud', 'cloud-a', '--redis', loadTestbed().redis.url, '-o', 'json');
    assert.equal(cli.status, 0, cli.stderr);
    const { eventId } = JSON.parse(cli.stdout) as { eventId: string };
    const r = await waitFor('report delivered', async () => { const x = await report(broker, eventId); return x.outcome === 'delivered' && x; }, 15_000, 100);
    assert.deepEqual(r.deliveries.map((d) => `${d.system}/${d.cloud}`).sort(), ['keycloak/cloud-a', 'keystone/cloud-a']);
    assert.deepEqual((await sessionIds('cloud-a', 'alice')).filter((s) => before['cloud-a'].includes(s)), [], 'her home sessions are gone');
    await new Promise((res) => setTimeout(res, WATCH_MS));
    const left = await sessionIds('cloud-b', 'cloud-a.alice');
    assert.deepEqual(before['cloud-b'].filter((s) => !left.includes(s)), [], 'her cloud-b session stays');
    assert.equal(await keystoneTokenUse('cloud-b', keystone['cloud-b']), 200, 'her cloud-b Keystone token still works');
    assert.deepEqual(globalFanouts(from, eventId), [], 'no global fan-out started');
    const joined = broker.audit().slice(from).filter((e) => e.action === 'logout.coalesced' && e.eventId === eventId);
    console.log(`one-cloud logout at home: ${joined.length} echo(es) joined the event (${joined.map((e) => `${String(e.source)}@${String(e.cloud)}`).join(', ')})`);
    assert.ok(joined.length > 0, 'cloud-a\'s logout tokens for the ended sessions joined the event');
  });
});
