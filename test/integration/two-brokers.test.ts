// Two brokers on one Redis (more than one `serve`, as a Deployment with two replicas runs them).
// Broker A (port 17443) and broker B (17444) serve the demo federation. The home cloud-a's Keycloak is
// reached through a slow proxy (every request chunk waits), so deliveries are still in flight when A is
// killed; cloud-b is away for the brokers at first, so its targets are being retried. Then:
// - 50 admin logouts: A is killed (SIGKILL) mid-fan-out and started again; every target of every event
//   is delivered; none twice in effect: each user's home sessions were ended by exactly one Keycloak
//   logout call (counted in the realm's admin events), no target is recorded as delivered twice, and a
//   delivery A held when it died was handed back and done by a living broker;
// - Redis is killed (SIGKILL, append-only file with fsync every second) while logouts are being
//   accepted: every logout accepted before or after the kill is still there and delivered. The figures
//   (accepted per second, accepted in the last second before the kill) are printed;
// - while Redis is stopped, each broker's /readyz answers 503 (its /healthz stays 200), then 200 again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { composeLogout, type ComposedLogout } from '../../src/cli/logout-compose.ts';
import { adminLogout } from '../../src/services/logout/admin.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { report, startBroker, waitFor, type BrokerProcess } from '../support/broker-process.ts';
import { DEMO_SPEC, fedbroker, SPEC_DIR, writeSpecVariant } from '../support/federation.ts';
import { adminJson, deleteUserIfPresent, findUser, jsonBody } from '../support/keycloak-admin.ts';
import { sessionCount } from '../support/sessions.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { loadTestbed, passwordGrantToken, testbedDir, testbedFetch } from '../support/testbed.ts';

const SLOW_HOME_PORT = 18545;
const CLOUD_B_KEYCLOAK_PORT = 18546;
const CLOUD_B_KEYSTONE_PORT = 18547;
/** Each request chunk to cloud-a's Keycloak waits this long: a delivery takes about half a second. */
const SLOW_MS = 120;
const root = new URL('../..', import.meta.url).pathname;
const USERS = Array.from({ length: 50 }, (_, i) => `hb-user-${String(i).padStart(2, '0')}`);
const TARGETS_PER_EVENT = 6;

const variant = writeSpecVariant('two-brokers', (doc) => {
  const cloudA = doc.clouds.find((c: { alias: string }) => c.alias === 'cloud-a');
  cloudA.keycloak.url = `https://127.0.0.1:${SLOW_HOME_PORT}`;
  const cloudB = doc.clouds.find((c: { alias: string }) => c.alias === 'cloud-b');
  cloudB.keycloak.url = `https://127.0.0.1:${CLOUD_B_KEYCLOAK_PORT}`;
  cloudB.keystone.url = `https://127.0.0.1:${CLOUD_B_KEYSTONE_PORT}`;
});

interface AuditLine { action: string; eventId?: string; target?: string; attempt?: number; detail?: string }

/** `logout.delivered` lines per "<event>|<target>", over the logs of every broker process. */
function deliveredLines(brokers: readonly BrokerProcess[]): Map<string, { broker: number; line: AuditLine }[]> {
  const byTarget = new Map<string, { broker: number; line: AuditLine }[]>();
  brokers.forEach((b, broker) => {
    for (const line of b.audit() as AuditLine[]) {
      if (line.action !== 'logout.delivered') continue;
      const key = `${line.eventId}|${line.target}`;
      byTarget.set(key, [...(byTarget.get(key) ?? []), { broker, line }]);
    }
  });
  return byTarget;
}

/** The `users/<id>/logout` admin events of cloud-a since `sinceMs`, per user id. */
async function homeLogoutCalls(sinceMs: number): Promise<Map<string, number>> {
  const events = await adminJson<{ time: number; resourcePath: string }[]>('/admin/realms/cloud-a/admin-events?operationTypes=ACTION&resourceTypes=USER&first=0&max=5000');
  const calls = new Map<string, number>();
  for (const e of events) {
    const m = /^users\/([^/]+)\/logout$/.exec(e.resourcePath);
    if (m && e.time >= sinceMs) calls.set(m[1]!, (calls.get(m[1]!) ?? 0) + 1);
  }
  return calls;
}

function redisPid(): number {
  return Number(readFileSync(join(testbedDir(), 'run', 'redis.pid'), 'utf8').trim());
}

function redisCli(...args: string[]): string {
  const url = new URL(loadTestbed().redis.url);
  return execFileSync('redis-cli', ['-h', url.hostname, '-p', url.port, ...args], { encoding: 'utf8' }).trim();
}

describe('two brokers share one Redis', () => {
  const slowHome = new TcpProxy(SLOW_HOME_PORT, 18443, '127.0.0.1', { delayMs: SLOW_MS });
  const cloudBKeycloak = new TcpProxy(CLOUD_B_KEYCLOAK_PORT, 18443);
  const cloudBKeystone = new TcpProxy(CLOUD_B_KEYSTONE_PORT, Number(new URL(loadTestbed().clouds['cloud-b']!.keystone.url).port));
  const brokers: BrokerProcess[] = [];
  let client: ComposedLogout | undefined;
  const figures: Record<string, number | string> = {};

  before(async () => {
    assert.ok(exampleSpec());
    const apply = fedbroker('apply', DEMO_SPEC, '--yes');
    assert.equal(apply.status, 0, apply.stderr);
    await Promise.all(USERS.map(async (username) => {
      await deleteUserIfPresent('cloud-a', username);
      await adminJson('/admin/realms/cloud-a/users', jsonBody({ username, enabled: true, email: `${username}@a.example`, firstName: 'H', lastName: 'B',
        credentials: [{ type: 'password', value: `${username}-pw`, temporary: false }] }));
    }));
    // One home session each (the client is the demo spec's: it reaches every cloud directly).
    for (const u of USERS) await passwordGrantToken('cloud-a', u, `${u}-pw`);
    client = await composeLogout(exampleSpec(), SPEC_DIR, { redisUrl: loadTestbed().redis.url, logger: pino({ level: 'silent' }) });
    await slowHome.start();
  });
  after(async () => {
    await client?.close();
    for (const b of brokers) await b.stop();
    await Promise.all([slowHome.stop(), cloudBKeycloak.stop(), cloudBKeystone.stop()]);
    await Promise.all(USERS.map((u) => deleteUserIfPresent('cloud-a', u)));
    console.log(`two-broker figures: ${JSON.stringify(figures)}`);
  });

  it('50 logouts while broker A is killed mid-fan-out and restarted: every target delivered, none twice in effect', async () => {
    const startedAt = Date.now();
    const a1 = await startBroker(variant, ['--listen', '127.0.0.1:17443']);
    brokers.push(a1);
    const b = await startBroker(variant, ['--listen', '127.0.0.1:17444']);
    brokers.push(b);
    const ids = await Promise.all(USERS.map(async (u) => (await adminLogout(client!.deps, 'cloud-a', u)).eventId));
    assert.equal(new Set(ids).size, USERS.length, 'one event per user');
    const homeTarget = (r: Awaited<ReturnType<typeof report>>) => r.deliveries.find((d) => d.system === 'keycloak' && d.cloud === 'cloud-a');
    // Kill A while home deliveries are under way (some done, others still running or waiting).
    const doneAtKill = await waitFor('some home deliveries done', async () => {
      const done = (await Promise.all(ids.map((id) => report(b, id)))).filter((r) => homeTarget(r)?.status === 'delivered').length;
      return done >= 5 && done;
    }, 30_000, 100);
    await a1.kill();
    figures['home-deliveries-done-when-A-was-killed'] = doneAtKill;
    const a2 = await startBroker(variant, ['--listen', '127.0.0.1:17443']);
    brokers.push(a2);
    await new Promise((r) => setTimeout(r, 1000));
    await cloudBKeycloak.start();
    await cloudBKeystone.start();
    const reports = await waitFor('every target of every event delivered', async () => {
      const all = await Promise.all(ids.map((id) => report(b, id)));
      return all.every((r) => r.outcome === 'delivered') && all;
    }, 90_000, 250);
    figures['all-delivered-after-ms'] = Date.now() - startedAt;

    for (const r of reports) {
      assert.equal(r.deliveries.length, TARGETS_PER_EVENT, 'every target of the event');
      assert.ok(r.deliveries.every((d) => d.status === 'delivered'), JSON.stringify(r.deliveries));
    }
    for (const u of USERS) assert.equal(await sessionCount('cloud-a', u), 0, `${u}'s home session ended`);

    // Once in effect: exactly one Keycloak logout call per user (a delivery done again after the kill
    // finds no session left to end and calls nothing), and no target recorded as delivered twice.
    const calls = await homeLogoutCalls(startedAt - 1000);
    for (const u of USERS) {
      const user = await findUser('cloud-a', u);
      assert.equal(calls.get(user!.id) ?? 0, 1, `Keycloak logout calls for ${u}`);
    }
    const delivered = deliveredLines(brokers);
    const twice = [...delivered.entries()].filter(([, lines]) => lines.length > 1);
    assert.deepEqual(twice, [], 'no target recorded as delivered twice');
    const byBroker = [0, 1, 2].map((i) => [...delivered.values()].filter((lines) => lines[0]!.broker === i).length);
    figures['targets'] = ids.length * TARGETS_PER_EVENT;
    figures['delivered-by-A-before-kill'] = byBroker[0]!;
    figures['delivered-by-B'] = byBroker[1]!;
    figures['delivered-by-A-restarted'] = byBroker[2]!;
    figures['audit-lines-lost-with-A'] = ids.length * TARGETS_PER_EVENT - delivered.size;

    // What A held when it died went on elsewhere: cloud-b targets A had tried were delivered by B or the
    // restarted A, and deliveries in flight at the kill were handed back (stalled) and done again.
    const triedByA = new Set(a1.audit().filter((l) => l.action === 'logout.retrying').map((l) => `${l['eventId']}|${l['target']}`));
    const finishedElsewhere = [...triedByA].filter((key) => delivered.get(key)?.some((x) => x.broker !== 0));
    assert.ok(triedByA.size > 0, 'A had tried cloud-b targets before it was killed');
    assert.equal(finishedElsewhere.length, triedByA.size, 'every target A had tried was delivered by a living broker');
    const handedBack = [b, a2].map((x) => (x.logs().match(/handed back by a stopped broker/g) ?? []).length).reduce((x, y) => x + y, 0);
    figures['retried-by-A-then-delivered-elsewhere'] = finishedElsewhere.length;
    figures['in-flight-at-kill-handed-back'] = handedBack;
    const redoneWithoutEffect = [...delivered.values()].filter((lines) => lines[0]!.broker !== 0 && lines[0]!.line.target === 'keycloak/cloud-a' && /^0 session\(s\)/.test(lines[0]!.line.detail ?? '')).length;
    figures['home-deliveries-redone-without-effect'] = redoneWithoutEffect;
    assert.ok(handedBack > 0, 'A held deliveries when it was killed, and another broker took them over');
  });

  it('Redis killed (SIGKILL) while logouts are accepted: no accepted logout is lost', async () => {
    assert.equal(brokers.length, 3);
    const b = brokers[1]!;
    const appendonly = redisCli('CONFIG', 'GET', 'appendonly').split('\n')[1];
    const appendfsync = redisCli('CONFIG', 'GET', 'appendfsync').split('\n')[1];
    assert.equal(appendonly, 'yes');
    figures['redis-appendfsync'] = appendfsync ?? '?';
    const accepted: { id: string; at: number }[] = [];
    const refused: string[] = [];
    let stop = false;
    let next = 0;
    const logoutLoop = async () => {
      while (!stop) {
        const u = USERS[next++ % USERS.length]!;
        try {
          accepted.push({ id: (await adminLogout(client!.deps, 'cloud-a', u)).eventId, at: Date.now() });
        } catch (error) {
          refused.push((error as { code?: string }).code ?? 'no code');
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const loops = [logoutLoop(), logoutLoop(), logoutLoop(), logoutLoop()];
    await new Promise((r) => setTimeout(r, 2000));
    const killedAt = Date.now();
    process.kill(redisPid(), 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    execFileSync('bash', [`${root}scripts/testbed/redis.sh`, 'up'], { stdio: 'pipe' });
    figures['redis-down-ms'] = Date.now() - killedAt;
    await new Promise((r) => setTimeout(r, 2000));
    stop = true;
    await Promise.all(loops);
    const ids = [...new Set(accepted.map((x) => x.id))];
    assert.ok(accepted.filter((x) => x.at < killedAt).length > 0 && accepted.filter((x) => x.at > killedAt).length > 0, 'logouts were accepted before and after the kill');
    const missing: string[] = [];
    const reports = await waitFor('every accepted logout delivered', async () => {
      missing.length = 0;
      const all = await Promise.all(ids.map(async (id) => report(b, id).catch(() => { missing.push(id); return undefined; })));
      if (missing.length > 0) throw new Error(`accepted logouts lost after the Redis kill: ${missing.length} of ${ids.length}`);
      return all.every((r) => r?.outcome === 'delivered') && all;
    }, 60_000, 250);
    assert.equal(reports.length, ids.length);
    figures['accepted'] = accepted.length;
    figures['accepted-events'] = ids.length;
    figures['accepted-per-second'] = Math.round(accepted.filter((x) => x.at < killedAt).length / 2);
    figures['accepted-in-the-last-second-before-the-kill'] = accepted.filter((x) => x.at >= killedAt - 1000 && x.at < killedAt).length;
    figures['refused-while-down'] = refused.length;
    figures['lost'] = 0;
  });

  it('while Redis is down, /readyz of both brokers says 503 and /healthz stays 200; both are ready again once it is back', async () => {
    const status = async (b: BrokerProcess, path: string) => (await testbedFetch(`${b.url}${path}`)).status;
    const living = [brokers[1]!, brokers[2]!];
    for (const b of living) assert.equal(await status(b, '/readyz'), 200);
    execFileSync('bash', [`${root}scripts/testbed/redis.sh`, 'down'], { stdio: 'pipe' });
    try {
      for (const b of living) {
        await waitFor('readyz 503 while Redis is down', async () => (await status(b, '/readyz')) === 503, 5_000, 100);
        assert.equal(await status(b, '/healthz'), 200, 'liveness does not depend on Redis');
      }
    } finally {
      execFileSync('bash', [`${root}scripts/testbed/redis.sh`, 'up'], { stdio: 'pipe' });
    }
    for (const b of living) await waitFor('readyz 200 once Redis is back', async () => (await status(b, '/readyz')) === 200, 10_000, 100);
  });
});
