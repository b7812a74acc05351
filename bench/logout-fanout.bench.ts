// Logout fan-out latency on the real test bed: from an admin logout at home to the last target
// confirmed (the event's report), p50/p99, for the 3-cloud demo federation and for 20 realms
// (17 throw-away realms created and removed here), next to one plain Keycloak admin round trip.
// Composed as `serve` composes it, warm-up included (realm keys, admin tokens), so the figures are
// those of a running broker. Per phase: start (resolve the subject at home, record the event,
// enqueue its deliveries), the first and the last target confirmed after the event was received,
// and the deliveries that needed more than one attempt (retries and their backoff).
//   node --import tsx bench/logout-fanout.bench.ts [iterations]
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';
import { parse } from 'yaml';
import { composeLogout } from '../src/cli/logout-compose.ts';
import { validateSpec } from '../src/core/federation/validate.ts';
import { adminLogout, logoutReport } from '../src/services/logout/admin.ts';
import { deliverLogout } from '../src/services/logout/deliver.ts';
import { warmUpLogout } from '../src/services/logout/warm-up.ts';
import { writeSpecVariant } from '../test/support/federation.ts';
import { keycloakAdminFetch, loadTestbed, passwordGrantToken, userPassword } from '../test/support/testbed.ts';

const N = Number(process.argv[2] ?? 30);
const EXTRA = Array.from({ length: 17 }, (_, i) => `bench-logout-${String(i).padStart(2, '0')}`);

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

async function run(label: string, specFile: string): Promise<void> {
  const result = validateSpec(parse(readFileSync(specFile, 'utf8')));
  if (!result.ok) throw new Error(`${label}: invalid spec ${JSON.stringify(result.problems.slice(0, 3))}`);
  const composed = await composeLogout(result.spec, dirname(specFile), { redisUrl: loadTestbed().redis.url, logger: pino({ level: 'silent' }), keepTokensFresh: true });
  const warm = await warmUpLogout(composed.deps);
  if (warm.some((w) => !w.ok)) throw new Error(`${label}: warm-up failed: ${JSON.stringify(warm.filter((w) => !w.ok))}`);
  composed.queue.process((job, attempt) => deliverLogout(composed.deps, job, attempt));
  const latencies: number[] = [];
  const phases = { start: [] as number[], first: [] as number[], last: [] as number[], retried: 0, slowest: new Map<string, number>() };
  try {
    for (let i = 0; i < N; i += 1) {
      await passwordGrantToken('cloud-a', 'alice', userPassword('cloud-a', 'alice'));
      const t0 = performance.now();
      const { eventId } = await adminLogout(composed.deps, 'cloud-a', 'alice');
      phases.start.push(Math.round(performance.now() - t0));
      const giveUp = Date.now() + 60_000;
      for (;;) {
        const r = await logoutReport(composed.deps, eventId);
        if (Date.now() > giveUp) throw new Error(`${label}: ${eventId} not delivered after 60 s: ${JSON.stringify(r.deliveries.filter((d) => d.status !== 'delivered'))}`);
        if (r.outcome === 'delivered') {
          latencies.push(r.latencyMs ?? NaN);
          const times = r.deliveries.map((d) => d.latencyMs ?? NaN);
          phases.first.push(Math.min(...times));
          phases.last.push(Math.max(...times));
          phases.retried += r.deliveries.filter((d) => d.attempts > 1).length;
          const slow = r.deliveries.reduce((a, b) => ((b.latencyMs ?? 0) > (a.latencyMs ?? 0) ? b : a));
          const key = `${slow.system}/${slow.cloud}`;
          phases.slowest.set(key, (phases.slowest.get(key) ?? 0) + 1);
          break;
        }
        if (r.outcome === 'failed') throw new Error(`${eventId} failed`);
        await new Promise((res) => setTimeout(res, 5));
      }
      await new Promise((res) => setTimeout(res, 31_000 / N > 1100 ? 1100 : 50)); // subject coalescing window is per pending event only
    }
  } finally {
    await composed.close();
  }
  const targets = result.spec.clouds.length + result.spec.clouds.filter((c) => c.keystone).length;
  console.log(`${label.padEnd(34)} targets=${String(targets).padEnd(3)} n=${latencies.length}  p50=${pct(latencies, 50)} ms  p99=${pct(latencies, 99)} ms  max=${Math.max(...latencies)} ms`);
  const line = (name: string, v: number[]) => `${name} p50=${pct(v, 50)} p99=${pct(v, 99)} ms`;
  console.log(`  phases: ${line('start (subject, event, enqueue)', phases.start)}; ${line('first target', phases.first)}; ${line('last target', phases.last)}`);
  console.log(`  deliveries with more than one attempt: ${phases.retried}; slowest target per logout: ${[...phases.slowest].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(', ')}`);
}

/** The roles the test bed gives the broker's client `fedbroker` in each federation realm (scripts/testbed/broker-identities.py). */
const BROKER_REALM_ROLES = ['manage-realm', 'manage-events', 'manage-clients', 'manage-identity-providers', 'manage-users'];

async function adminJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await keycloakAdminFetch(path, { ...init, headers: { 'Content-Type': 'application/json', ...init.headers } });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A throw-away realm is managed by the broker's own least-privilege client, as the demo realms are. */
async function grantBrokerRoles(realm: string): Promise<void> {
  const [client] = await adminJson<{ id: string }[]>('/admin/realms/master/clients?clientId=fedbroker');
  const user = await adminJson<{ id: string }>(`/admin/realms/master/clients/${client!.id}/service-account-user`);
  const [mgmt] = await adminJson<{ id: string }[]>(`/admin/realms/master/clients?clientId=${realm}-realm`);
  const roles = (await adminJson<{ id: string; name: string }[]>(`/admin/realms/master/clients/${mgmt!.id}/roles`)).filter((r) => BROKER_REALM_ROLES.includes(r.name));
  await adminJson(`/admin/realms/master/users/${user.id}/role-mappings/clients/${mgmt!.id}`, { method: 'POST', body: JSON.stringify(roles) });
}

async function adminRoundTrip(): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < N; i += 1) {
    const t = performance.now();
    const res = await keycloakAdminFetch('/admin/realms/cloud-a/users?username=alice&exact=true');
    await res.text();
    times.push(Math.round(performance.now() - t));
  }
  console.log(`${'one Keycloak admin round trip'.padEnd(34)}               n=${N}  p50=${pct(times, 50)} ms  p99=${pct(times, 99)} ms`);
}

const only = process.env['BENCH_ONLY'];
await adminRoundTrip();
if (only !== '20') await run('3 clouds (demo federation)', writeSpecVariant('bench-3', () => {}));
if (only === '3') process.exit(0);
console.log(`creating ${EXTRA.length} realms`);
try {
  for (const realm of EXTRA) {
    await keycloakAdminFetch(`/admin/realms/${realm}`, { method: 'DELETE' });
    const res = await keycloakAdminFetch('/admin/realms', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ realm, enabled: true, eventsEnabled: true }) });
    if (res.status !== 201) throw new Error(`create realm ${realm}: ${res.status} ${await res.text()}`);
    await grantBrokerRoles(realm);
  }
  const spec20 = writeSpecVariant('bench-20', (doc) => {
    const a = doc.clouds[0];
    for (const realm of EXTRA) doc.clouds.push({ alias: realm, displayName: realm, homeProtocol: 'oidc', keycloak: { ...a.keycloak, realm } });
  });
  await run('20 realms (17 without Keystone)', spec20);
} finally {
  for (const realm of EXTRA) await keycloakAdminFetch(`/admin/realms/${realm}`, { method: 'DELETE' });
}
process.exit(0);
