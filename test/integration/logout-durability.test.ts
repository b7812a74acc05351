// Durable, at-least-once logout delivery on the real test bed. cloud-b goes away for the broker: its
// Keycloak and its Keystone are reached through proxies that are stopped (the browser and the checks go
// straight to them, so people can log in there and the test can look):
// - alice of cloud-a holds brokered sessions in cloud-b and cloud-c (Chromium) and a Keystone token in
//   each; while cloud-b is down the reachable targets are delivered and cloud-b's are retried; after it
//   returns, both cloud-b targets are delivered within 5 s: no session of hers left, the token answers 401;
// - 50 logout events survive a Redis restart (AOF) and a broker crash (SIGKILL) mid-fan-out while
//   cloud-b is down; two of the users hold brokered cloud-b sessions and Keystone tokens: every target
//   of every event is delivered, none is lost, their cloud-b sessions are gone and their tokens refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import pino from 'pino';
import { composeLogout, type ComposedLogout } from '../../src/cli/logout-compose.ts';
import { adminLogout } from '../../src/services/logout/admin.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { report, startBroker, waitFor, type BrokerProcess } from '../support/broker-process.ts';
import { DEMO_SPEC, fedbroker, writeSpecVariant } from '../support/federation.ts';
import { adminJson, deleteUserIfPresent, jsonBody } from '../support/keycloak-admin.ts';
import { sessionCount } from '../support/sessions.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { loadTestbed, passwordGrantToken, userPassword } from '../support/testbed.ts';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext } from '../support/browser.ts';
import { brokeredLogin, partnerToken } from '../support/brokered-login.ts';
import { keystoneFederatedToken, keystoneTokenUse } from '../support/keystone-federated.ts';
import { validateSpec } from '../../src/core/federation/validate.ts';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';

const PROXY_PORT = 18543;
const KEYSTONE_PROXY_PORT = 18544;
/** The users of the 50 who also log into cloud-b in the browser and get a Keystone token there. */
const BROWSER_USERS = 2;
const root = new URL('../..', import.meta.url).pathname;
const USERS = Array.from({ length: 50 }, (_, i) => `lt-user-${String(i).padStart(2, '0')}`);

/** The demo spec with cloud-b's Keycloak and Keystone reached through the proxies. */
const variant = writeSpecVariant('logout-cloud-b-proxied', (doc) => {
  const cloudB = doc.clouds.find((c: { alias: string }) => c.alias === 'cloud-b');
  cloudB.keycloak.url = `https://127.0.0.1:${PROXY_PORT}`;
  cloudB.keystone.url = `https://127.0.0.1:${KEYSTONE_PROXY_PORT}`;
});

/** A brokered login of cloud-a's `user` into each partner (a browser context each), with the Keystone token of each. */
async function loginInto(browser: Browser, user: string, password: string, partners: readonly string[]): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  for (const partner of partners) {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await brokeredLogin(page, { partner, home: 'cloud-a', user, password });
      tokens[partner] = await keystoneFederatedToken(partner, (await partnerToken(page, partner, 'openstack')).access_token);
      assert.equal(await keystoneTokenUse(partner, tokens[partner]), 200, `${user}'s Keystone token works in ${partner}`);
    } finally {
      await context.close();
    }
  }
  return tokens;
}

function redisScript(action: 'up' | 'down'): void {
  execFileSync('bash', [`${root}scripts/testbed/redis.sh`, action], { stdio: 'pipe' });
}

async function composeClient(): Promise<ComposedLogout> {
  const result = validateSpec(parse(readFileSync(variant, 'utf8')));
  if (!result.ok) throw new Error('variant spec invalid');
  return composeLogout(result.spec, dirname(variant), { redisUrl: loadTestbed().redis.url, logger: pino({ level: 'silent' }) });
}

describe('logout delivery survives outages', () => {
  const proxy = new TcpProxy(PROXY_PORT, 18443);
  const keystoneProxy = new TcpProxy(KEYSTONE_PROXY_PORT, Number(new URL(loadTestbed().clouds['cloud-b']!.keystone.url).port));
  const cloudBDown = async () => { await proxy.stop(); await keystoneProxy.stop(); };
  const cloudBBack = async () => { await proxy.start(); await keystoneProxy.start(); };
  let broker: BrokerProcess | undefined;
  let browser: Browser;
  const timings: Record<string, number> = {};

  before(async () => {
    assert.ok(exampleSpec());
    // The brokered logins need the demo federation in place (on a fresh test bed nothing is applied yet).
    const apply = fedbroker('apply', DEMO_SPEC, '--yes');
    assert.equal(apply.status, 0, apply.stderr);
    for (const username of USERS) {
      await deleteUserIfPresent('cloud-a', username);
      for (const partner of ['cloud-b', 'cloud-c']) await deleteUserIfPresent(partner, `cloud-a.${username}`);
      // Members of p1, so that Keystone's mapping gives them a federated login.
      await adminJson('/admin/realms/cloud-a/users', jsonBody({ username, enabled: true, email: `${username}@a.example`, firstName: 'L', lastName: 'T',
        groups: ['/projects/p1/members'], credentials: [{ type: 'password', value: `${username}-pw`, temporary: false }] }));
    }
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await broker?.stop();
    await cloudBDown();
    for (const username of USERS) {
      await deleteUserIfPresent('cloud-a', username);
      for (const partner of ['cloud-b', 'cloud-c']) await deleteUserIfPresent(partner, `cloud-a.${username}`);
    }
    console.log(`logout durability timings (ms): ${JSON.stringify(timings)}`);
  });

  it('retries the targets of a cloud that is down (Keycloak and Keystone) and delivers within 5 s after it returns', async () => {
    await cloudBDown();
    let started = Date.now();
    const tokens = await loginInto(browser, 'alice', userPassword('cloud-a', 'alice'), ['cloud-b', 'cloud-c']);
    timings['browser-logins-alice'] = Date.now() - started;
    assert.ok(await sessionCount('cloud-b', 'cloud-a.alice') > 0 && await sessionCount('cloud-c', 'cloud-a.alice') > 0, 'alice has brokered sessions in cloud-b and cloud-c');
    broker = await startBroker(variant);
    const client = await composeClient();
    try {
      started = Date.now();
      const { eventId } = await adminLogout(client.deps, 'cloud-a', 'alice');
      const b = broker;
      const delivery = async (target: string) => (await report(b, eventId)).deliveries.find((x) => `${x.system}/${x.cloud}` === target);
      await waitFor('both cloud-b targets retrying', async () => {
        const [k, s] = [await delivery('keycloak/cloud-b'), await delivery('keystone/cloud-b')];
        return k?.status === 'retrying' && k.attempts >= 2 && s?.status === 'retrying' && s.attempts >= 2;
      }, 10_000);
      // The reachable targets are delivered meanwhile (in parallel; under load they may finish after cloud-b's second try).
      await waitFor('the reachable targets delivered', async () => {
        const r = await report(b, eventId);
        return r.deliveries.filter((x) => x.cloud !== 'cloud-b').every((x) => x.status === 'delivered');
      }, 10_000);
      timings['reachable-targets-delivered'] = Date.now() - started;
      assert.equal(await sessionCount('cloud-a', 'alice'), 0, 'home sessions ended meanwhile');
      assert.equal(await sessionCount('cloud-c', 'cloud-a.alice'), 0, 'cloud-c sessions ended meanwhile');
      assert.equal(await keystoneTokenUse('cloud-c', tokens['cloud-c']!), 401, 'cloud-c\'s Keystone token revoked meanwhile');
      assert.ok(await sessionCount('cloud-b', 'cloud-a.alice') > 0, 'cloud-b is down for the broker: her session there is still there');
      assert.equal(await keystoneTokenUse('cloud-b', tokens['cloud-b']!), 200, 'and her cloud-b Keystone token still works');
      await new Promise((r) => setTimeout(r, 3000));
      const returnedAt = Date.now();
      await cloudBBack();
      const r = await waitFor('delivered', async () => { const x = await report(b, eventId); return x.outcome === 'delivered' && x; }, 10_000);
      for (const target of ['keycloak/cloud-b', 'keystone/cloud-b']) {
        const d = r.deliveries.find((x) => `${x.system}/${x.cloud}` === target) as unknown as { deliveredAt: number; attempts: number; status: string; detail: string };
        assert.equal(d.status, 'delivered', target);
        assert.ok(d.deliveredAt - returnedAt <= 5000, `${target} delivered ${d.deliveredAt - returnedAt} ms after cloud-b returned`);
        assert.ok(d.attempts >= 3, `${target} attempts ${d.attempts}`);
        timings[`${target}-after-return`] = d.deliveredAt - returnedAt;
      }
      assert.match(r.deliveries.find((x) => x.system === 'keystone' && x.cloud === 'cloud-b')?.detail ?? '', /1 federated user\(s\) revoked/);
      assert.equal(await sessionCount('cloud-b', 'cloud-a.alice'), 0, 'her cloud-b session ended after the return');
      assert.equal(await keystoneTokenUse('cloud-b', tokens['cloud-b']!), 401, 'her cloud-b Keystone token is refused after the return');
    } finally {
      await client.close();
      await broker.stop();
      broker = undefined;
    }
  });

  it('50 events: Redis restarted and the broker killed mid-fan-out while cloud-b is down, no logout is lost', async () => {
    await cloudBDown();
    let started = Date.now();
    const browserUsers = USERS.slice(0, BROWSER_USERS);
    const tokens = new Map<string, Record<string, string>>();
    for (const u of browserUsers) tokens.set(u, await loginInto(browser, u, `${u}-pw`, ['cloud-b']));
    timings['browser-logins-50-events'] = Date.now() - started;
    for (const u of USERS.slice(BROWSER_USERS)) await passwordGrantToken('cloud-a', u, `${u}-pw`);
    for (const u of browserUsers) assert.ok(await sessionCount('cloud-b', `cloud-a.${u}`) > 0, `${u} has a brokered session in cloud-b`);
    broker = await startBroker(variant);
    const client = await composeClient();
    const ids: string[] = [];
    try {
      for (const u of USERS) ids.push((await adminLogout(client.deps, 'cloud-a', u)).eventId);
    } finally {
      await client.close();
    }
    const b1 = broker;
    await waitFor('home sessions ended while cloud-b is down', async () => (await Promise.all(USERS.slice(0, 5).map((u) => sessionCount('cloud-a', u)))).every((n) => n === 0), 15_000);
    for (const u of browserUsers) {
      assert.ok(await sessionCount('cloud-b', `cloud-a.${u}`) > 0, `${u}'s cloud-b session waits for cloud-b`);
      assert.equal(await keystoneTokenUse('cloud-b', tokens.get(u)!['cloud-b']!), 200, `${u}'s cloud-b token waits for cloud-b`);
    }
    redisScript('down');
    redisScript('up');
    await b1.kill();
    broker = await startBroker(variant);
    started = Date.now();
    await cloudBBack();
    const b2 = broker;
    const reports = await waitFor('every event delivered', async () => {
      const all = await Promise.all(ids.map((id) => report(b2, id)));
      return all.every((r) => r.outcome === 'delivered') && all;
    }, 30_000, 250);
    timings['50-events-delivered-after-return'] = Date.now() - started;
    for (const r of reports) assert.equal(r.deliveries.length, 6, 'every target of every event');
    for (const u of USERS) assert.equal(await sessionCount('cloud-a', u), 0, u);
    for (const u of browserUsers) {
      assert.equal(await sessionCount('cloud-b', `cloud-a.${u}`), 0, `${u}'s cloud-b session ended`);
      assert.equal(await keystoneTokenUse('cloud-b', tokens.get(u)!['cloud-b']!), 401, `${u}'s cloud-b Keystone token refused`);
    }
  });
});
