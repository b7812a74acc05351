// Logout fan-out latency on the real test bed: from an admin logout at home to the last target
// confirmed (the event's report), p50/p99, for the 3-cloud demo federation and for 20 realms
// (17 throw-away realms created and removed here), next to one plain Keycloak admin round trip.
//   node --import tsx bench/logout-fanout.bench.ts [iterations]
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';
import { parse } from 'yaml';
import { composeLogout } from '../src/cli/logout-compose.ts';
import { validateSpec } from '../src/core/federation/validate.ts';
import { adminLogout, logoutReport } from '../src/services/logout/admin.ts';
import { deliverLogout } from '../src/services/logout/deliver.ts';
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
  composed.queue.process((job, attempt) => deliverLogout(composed.deps, job, attempt));
  const latencies: number[] = [];
  try {
    for (let i = 0; i < N; i += 1) {
      await passwordGrantToken('cloud-a', 'alice', userPassword('cloud-a', 'alice'));
      const { eventId } = await adminLogout(composed.deps, 'cloud-a', 'alice');
      for (;;) {
        const r = await logoutReport(composed.deps, eventId);
        if (r.outcome === 'delivered') { latencies.push(r.latencyMs ?? NaN); break; }
        if (r.outcome === 'failed') throw new Error(`${eventId} failed`);
        await new Promise((res) => setTimeout(res, 5));
      }
      await new Promise((res) => setTimeout(res, 31_000 / N > 1100 ? 1100 : 50)); // subject coalescing window is per pending event only
    }
  } finally {
    await composed.close();
  }
  const targets = result.spec.clouds.length + result.spec.clouds.filter((c) => c.keystone).length;
  console.log(`${label.padEnd(34)} targets=${String(targets).padEnd(3)} n=${latencies.length}  p50=${pct(latencies, 50)} ms  p99=${pct(latencies, 99)} ms`);
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

await adminRoundTrip();
await run('3 clouds (demo federation)', writeSpecVariant('bench-3', () => {}));
try {
  for (const realm of EXTRA) {
    await keycloakAdminFetch(`/admin/realms/${realm}`, { method: 'DELETE' });
    const res = await keycloakAdminFetch('/admin/realms', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ realm, enabled: true, eventsEnabled: true }) });
    if (res.status !== 201) throw new Error(`create realm ${realm}: ${res.status} ${await res.text()}`);
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
