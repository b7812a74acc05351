// Role sync at scale on the real test bed (docs/sync.md): N home users in realm cloud-a spread over
// the policy groups, synced into cloud-b and cloud-c. Prints, in one run: the first sync (time,
// writes, writes/s) next to the floor — the same create calls of the same adapters at the same
// concurrency, the lanes side by side as in a run, timed on a sample; a no-drift sync (must be 0 writes); a 1 % change through
// a full run (writes = exactly the changes) and through the event path; the same 1 % change by a naive
// per-user loop; the deprovisioning latency of the event path over 20 trials. Users are
// `bench-<tag>-*`, seeded with one partial import, and removed at the end through sync itself.
//   node --import tsx bench/role-sync.bench.ts [users=10000]
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { closeRedis, connectRedis } from '../src/adapters/redis/logout-store.ts';
import { composeSync, redisSyncLeases } from '../src/cli/sync-compose.ts';
import { domainScopedName } from '../src/core/render/keystone/names.ts';
import { policyGroups } from '../src/core/render/keystone/policy-groups.ts';
import { runSync, SYNC_APPLY_CONCURRENCY, type SyncReport } from '../src/services/sync.ts';
import { EXAMPLE_SPEC_PATH, exampleSpec } from '../test/support/example-federation.ts';
import { adminJson, jsonBody } from '../test/support/keycloak-admin.ts';
import { scopeSyncDeps, writeCounter } from '../test/support/scoped-sync.ts';
import { loadTestbed } from '../test/support/testbed.ts';
import { eventDeps, followEvents, percentile, POLL_INTERVAL_MS, startCheckpoint } from './role-sync/event-path.ts';
import { naiveLoop } from './role-sync/naive.ts';

const N = Number(process.argv[2] ?? 10_000);
const HOME = 'cloud-a';
const PARTNERS = ['cloud-b', 'cloud-c'];
const P1 = '/projects/p1/members';
const ADMINS = '/projects/p1/admins';
const tag = randomBytes(3).toString('hex');
const name = (i: number) => `bench-${tag}-${String(i).padStart(5, '0')}`;
/** Every fourth user: p1 members, p1 admins, both, none. */
const groupsOf = (i: number) => [[P1], [ADMINS], [P1, ADMINS], []][i % 4]!;
const spec = exampleSpec((doc) => { doc.sync = { brake: { maxRemovalPercent: 100, minRemovals: 1_000_000 } }; });

const counter = writeCounter();
const redis = await connectRedis(loadTestbed().redis.url);
const real = await composeSync(spec, dirname(EXAMPLE_SPEC_PATH), { onRequest: counter.onRequest, leases: redisSyncLeases(redis) });
const deps = scopeSyncDeps(real, (u) => u.includes(`bench-${tag}-`));
const row = (label: string, ms: number, writes: number, extra = '') =>
  console.log(`${label.padEnd(40)} ${(ms / 1000).toFixed(1).padStart(8)} s  writes=${String(writes).padStart(6)}  ${(writes / (ms / 1000)).toFixed(0).padStart(5)} writes/s  ${extra}`);

async function timedSync(): Promise<{ ms: number; writes: number; report: SyncReport }> {
  counter.reset();
  const t = performance.now();
  const report = await runSync(spec, deps, { clouds: PARTNERS, confirm: true });
  if (report.failures.length > 0) throw new Error(`sync failed: ${report.failures.map((f) => `${f.cloud} ${f.system} ${f.part}: ${String(f.error)}`).join('; ')}`);
  return { ms: performance.now() - t, writes: counter.writes(), report };
}

const changeCount = (r: SyncReport) => r.targets.reduce((n, t) => n + t.changes.length, 0);

/**
 * Ms per write of each kind in each lane (partner/system), at the sync's concurrency and with the
 * sync's lanes running side by side as in a run (src/services/sync-apply.ts), on a sample of throw-away
 * users made and removed here (not the bench's). Keys are "<partner>/<system> <op>".
 */
async function floor(sample: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const phase = async (key: string, users: { username: string; id: string; ksId: string }[], f: (u: { username: string; id: string; ksId: string }) => Promise<void>) => {
    let next = 0;
    const t = performance.now();
    await Promise.all(Array.from({ length: SYNC_APPLY_CONCURRENCY }, async () => { while (next < users.length) await f(users[next++]!); }));
    out.set(key, (performance.now() - t) / sample);
  };
  await Promise.all(PARTNERS.map(async (partner) => {
    const realm = real.partnerRealm(partner);
    const keystone = real.keystone(partner)!;
    const group = await adminJson<{ id: string }>(`/admin/realms/${partner}/group-by-path/cloud-a:${P1.split('/').map(encodeURIComponent).join('/')}`);
    const ksGroup = (await keystone.observeGroups(spec.metadata.name, ['fed-cloud-a/p1-members']))[0]!;
    const users = Array.from({ length: sample }, (_, i) => ({ username: `cloud-a.benchfloor-${tag}-${i}`, id: '', ksId: '' }));
    await Promise.all([
      (async () => {
        await phase(`${partner}/keycloak createUser`, users, async (u) => { u.id = await realm.createUser(partner, { username: u.username, enabled: true, identityProvider: HOME, linkUserId: `floor-${u.username}`, linkUserName: u.username, attributes: {} }); });
        await phase(`${partner}/keycloak addMembership`, users, (u) => realm.addMembership(partner, u.id, group.id));
      })(),
      (async () => {
        await phase(`${partner}/keystone createFederatedUser`, users, async (u) => { u.ksId = await keystone.createFederatedUser(u.username); });
        await phase(`${partner}/keystone addMembership`, users, (u) => keystone.addMembership(u.ksId, ksGroup.id));
      })(),
    ]);
    for (const u of users) { await realm.deleteUser(partner, u.id); await keystone.deleteUser(u.ksId); }
  }));
  return out;
}

/** The floor of a run's changes: each lane's changes at its measured ms per write, the lanes side by side (the slowest lane). */
function floorMs(report: SyncReport, perOp: Map<string, number>): number {
  const lanes = new Map<string, number>();
  for (const t of report.targets) {
    for (const c of t.changes) lanes.set(`${t.partner}/${t.system}`, (lanes.get(`${t.partner}/${t.system}`) ?? 0) + (perOp.get(`${t.partner}/${c.system} ${c.op}`) ?? 0));
  }
  return Math.max(0, ...lanes.values());
}

async function seed(): Promise<Map<string, string>> {
  for (let start = 0; start < N; start += 500) {
    const users = Array.from({ length: Math.min(500, N - start) }, (_, k) => start + k).map((i) => ({ username: name(i), enabled: true, email: `${name(i)}@a.example`, firstName: 'Bench', lastName: String(i), groups: groupsOf(i) }));
    await adminJson(`/admin/realms/${HOME}/partialImport`, jsonBody({ ifResourceExists: 'SKIP', users }));
  }
  const ids = new Map<string, string>();
  for (let first = 0; ; first += 500) {
    const page = await adminJson<{ id: string; username: string }[]>(`/admin/realms/${HOME}/users?briefRepresentation=true&search=${encodeURIComponent(`bench-${tag}-`)}&first=${first}&max=500`);
    for (const u of page) ids.set(u.username, u.id);
    if (page.length < 500) break;
  }
  if (ids.size !== N) throw new Error(`seeded ${ids.size} of ${N} users`);
  return ids;
}

/** Takes 1 % of the users (every 100th, starting at `offset`; or just `only`) out of their home groups; returns the memberships removed. The offsets 0, 4 and 8 make changes of the same size (p1 members only). */
async function onePercentChange(ids: Map<string, string>, offset: number, only?: readonly number[]): Promise<number> {
  const groupIds = new Map<string, string>();
  for (const path of [P1, ADMINS]) groupIds.set(path, (await adminJson<{ id: string }>(`/admin/realms/${HOME}/group-by-path${path}`)).id);
  let removed = 0;
  for (const i of only ?? Array.from({ length: Math.ceil((N - offset) / 100) }, (_, k) => offset + k * 100)) {
    for (const path of groupsOf(i)) { await adminJson(`/admin/realms/${HOME}/users/${ids.get(name(i))}/groups/${groupIds.get(path)}`, { method: 'DELETE' }); removed += 1; }
  }
  return removed;
}

loadTestbed();
console.log(`role sync bench: ${N} users in ${HOME}, partners ${PARTNERS.join(', ')}, changes of up to ${SYNC_APPLY_CONCURRENCY} users at once`);
let t = performance.now();
const ids = await seed();
console.log(`seeded ${N} home users in ${((performance.now() - t) / 1000).toFixed(1)} s (partial import, not counted)`);
try {
  const perOp = await floor(Math.max(20, Math.min(100, Math.round(N / 50))));
  const first = await timedSync();
  const floorOfFirst = floorMs(first.report, perOp);
  row('first sync', first.ms, first.writes, `floor ${(floorOfFirst / 1000).toFixed(1)} s, the slowest lane (${[...perOp].map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ')}) → ${(first.ms / floorOfFirst).toFixed(2)}× the floor (goal ≤ 1.5×)`);
  const noDrift = await timedSync();
  row('no-drift sync', noDrift.ms, noDrift.writes, `changes=${changeCount(noDrift.report)} (goal ≤ 30 s, 0 writes)`);
  const removedA = await onePercentChange(ids, 0);
  const full = await timedSync();
  row('1 % change, full run', full.ms, full.writes, `${removedA} home memberships removed → ${changeCount(full.report)} changes (goal ≤ 10 s, writes = changes)`);
  const events = eventDeps(spec, deps, real, redis, tag);
  await startCheckpoint(events, HOME);
  counter.reset();
  const removedC = await onePercentChange(ids, 4);
  const viaEvents = await followEvents(events, HOME, performance.now(), Math.random);
  row('1 % change, event path', viaEvents.ms, counter.writes(), `${removedC} home memberships removed → ${viaEvents.changes} changes, incl. revocations (goal ≤ 10 s); time from the last home change, polls every ${POLL_INTERVAL_MS} ms`);
  const removedB = await onePercentChange(ids, 8);
  const keystoneGroupIds = new Map(await Promise.all(PARTNERS.map(async (p) => {
    const groups = policyGroups(spec, HOME, spec.clouds.find((c) => c.alias === p)!).map((pg) => domainScopedName(pg.group.domain, pg.group.name));
    return [p, new Map((await real.keystone(p)!.observe(spec.metadata.name, groups)).groups.map((g) => [g.name, g.id]))] as const;
  })));
  t = performance.now();
  const naiveWrites = await naiveLoop(spec, real, { home: HOME, partners: PARTNERS, users: ids, keystoneGroupIds });
  const naiveMs = performance.now() - t;
  row('1 % change, naive per-user loop', naiveMs, naiveWrites, `${removedB} home memberships removed; full run is ${(naiveMs / full.ms).toFixed(1)}× faster (goal ≥ 10×)`);
  const latencies: number[] = [];
  const trialUsers = Array.from({ length: N }, (_, i) => i).filter((i) => ![0, 4, 8].includes(i % 100) && groupsOf(i).length > 0).slice(0, 20);
  for (const i of trialUsers) {
    await onePercentChange(ids, i, [i]);
    latencies.push((await followEvents(events, HOME, performance.now(), Math.random)).ms);
  }
  console.log(`${'deprovisioning latency (event path)'.padEnd(40)} n=${latencies.length}  p50=${(percentile(latencies, 50) / 1000).toFixed(2)} s  p99=${(percentile(latencies, 99) / 1000).toFixed(2)} s  (home change → last partner revoked; goal p99 ≤ 10 s)`);
} finally {
  // Clean up through sync: the users go at home, the next run deletes what it made for them.
  t = performance.now();
  for (const id of ids.values()) await adminJson(`/admin/realms/${HOME}/users/${id}`, { method: 'DELETE' });
  const cleanup = await timedSync();
  row('clean-up sync (home users deleted)', cleanup.ms, cleanup.writes, `home deletes took ${((performance.now() - t - cleanup.ms) / 1000).toFixed(1)} s`);
  await real.close();
  await closeRedis(redis);
}
