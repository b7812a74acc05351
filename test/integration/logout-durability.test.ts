// Durable, at-least-once logout delivery on the real test bed:
// - a target that is unreachable (cloud-b's Keycloak behind a proxy that is stopped) is retried and
//   delivered within 5 s after it returns;
// - 50 logout events survive a Redis restart (AOF) and a broker crash (SIGKILL) mid-fan-out: every
//   target of every event is delivered, none is lost.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import pino from 'pino';
import { composeLogout, type ComposedLogout } from '../../src/cli/logout-compose.ts';
import { adminLogout } from '../../src/services/logout/admin.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { report, startBroker, waitFor, type BrokerProcess } from '../support/broker-process.ts';
import { writeSpecVariant } from '../support/federation.ts';
import { adminJson, deleteUserIfPresent, jsonBody } from '../support/keycloak-admin.ts';
import { sessionCount } from '../support/sessions.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { loadTestbed, passwordGrantToken } from '../support/testbed.ts';
import { validateSpec } from '../../src/core/federation/validate.ts';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';

const PROXY_PORT = 18543;
const root = new URL('../..', import.meta.url).pathname;
const USERS = Array.from({ length: 50 }, (_, i) => `lt-user-${String(i).padStart(2, '0')}`);

/** The demo spec with cloud-b's Keycloak reached through the proxy. */
const variant = writeSpecVariant('logout-cloud-b-proxied', (doc) => {
  doc.clouds.find((c: { alias: string }) => c.alias === 'cloud-b').keycloak.url = `https://127.0.0.1:${PROXY_PORT}`;
});

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
  let broker: BrokerProcess | undefined;

  before(async () => {
    assert.ok(exampleSpec());
    for (const username of USERS) {
      await deleteUserIfPresent('cloud-a', username);
      await adminJson('/admin/realms/cloud-a/users', jsonBody({ username, enabled: true, email: `${username}@a.example`, firstName: 'L', lastName: 'T',
        credentials: [{ type: 'password', value: `${username}-pw`, temporary: false }] }));
    }
  });
  after(async () => {
    await broker?.stop();
    await proxy.stop();
    for (const username of USERS) await deleteUserIfPresent('cloud-a', username);
  });

  it('retries a target that is down and delivers within 5 s after it returns', async () => {
    await proxy.stop();
    broker = await startBroker(variant);
    await passwordGrantToken('cloud-a', USERS[0]!, `${USERS[0]}-pw`);
    const client = await composeClient();
    try {
      const { eventId } = await adminLogout(client.deps, 'cloud-a', USERS[0]!);
      const b = broker;
      await waitFor('cloud-b retrying', async () => {
        const r = await report(b, eventId);
        const d = r.deliveries.find((x) => x.system === 'keycloak' && x.cloud === 'cloud-b');
        return d && d.status === 'retrying' && d.attempts >= 2;
      }, 10_000);
      // The reachable targets are delivered meanwhile (in parallel; under load they may finish after cloud-b's second try).
      await waitFor('cloud-a delivered', async () => {
        const d = (await report(b, eventId)).deliveries.find((x) => x.system === 'keycloak' && x.cloud === 'cloud-a');
        return d?.status === 'delivered';
      }, 10_000);
      assert.equal(await sessionCount('cloud-a', USERS[0]!), 0, 'the reachable targets were delivered meanwhile');
      await new Promise((r) => setTimeout(r, 3000));
      const returnedAt = Date.now();
      await proxy.start();
      const r = await waitFor('delivered', async () => { const x = await report(b, eventId); return x.outcome === 'delivered' && x; }, 10_000);
      const d = r.deliveries.find((x) => x.system === 'keycloak' && x.cloud === 'cloud-b') as unknown as { deliveredAt: number; attempts: number };
      assert.ok(d.deliveredAt - returnedAt <= 5000, `delivered ${d.deliveredAt - returnedAt} ms after cloud-b returned`);
      assert.ok(d.attempts >= 3, `attempts ${d.attempts}`);
    } finally {
      await client.close();
      await broker.stop();
      broker = undefined;
    }
  });

  it('50 events: Redis restarted and the broker killed mid-fan-out, no logout is lost', async () => {
    await proxy.stop();
    for (const u of USERS) await passwordGrantToken('cloud-a', u, `${u}-pw`);
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
    redisScript('down');
    redisScript('up');
    await b1.kill();
    broker = await startBroker(variant);
    await proxy.start();
    const b2 = broker;
    await waitFor('every event delivered', async () => {
      const reports = await Promise.all(ids.map((id) => report(b2, id)));
      return reports.every((r) => r.outcome === 'delivered') && reports;
    }, 30_000, 250);
    for (const u of USERS) assert.equal(await sessionCount('cloud-a', u), 0, u);
  });
});
