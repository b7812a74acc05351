// `fedbroker sync` (docs/sync.md, docs/design.md §5): one full run of role sync. Read every home's
// users, observe each partner system, compute the named changes, stop at the brake, then apply.
// A home that cannot be read is left out whole (never "users gone"); a partner system that cannot be
// read or fails while writing is reported and the others go on. A writing run holds each partner
// cloud's lease (./sync-lease.ts) and checks it before every write: a cloud another process syncs is
// reported busy, a cloud whose lease is lost stops writing at once.
import { BrokerError } from '../core/errors.ts';
import { trustEdges } from '../core/federation/trust.ts';
import type { CloudSpec, FederationSpec } from '../core/federation/schema.ts';
import { groupsReferenced } from '../core/render/keycloak/index.ts';
import { domainScopedName } from '../core/render/keystone/names.ts';
import { policyGroups } from '../core/render/keystone/policy-groups.ts';
import { brakeFindings, type BrakeFinding } from '../core/sync/brake.ts';
import { withKeystoneRemovalEffects, withRealmRemovalEffects } from '../core/sync/effects.ts';
import { diffKeystone, observedKeystoneMemberships } from '../core/sync/keystone.ts';
import type { HomeUser, SyncChange, SyncSystem, SyncTarget } from '../core/sync/model.ts';
import { diffPartnerRealm, mirroredGroups, observedMembershipCount } from '../core/sync/partner-realm.ts';
import { orphanTargets } from './sync-orphans.ts';
import { keystoneOfUsers, partnerRealmOfUsers } from '../core/sync/targeted.ts';
import type { HomeDirectoryPort, KeystoneSyncPort, PartnerRealmSyncPort } from '../ports.ts';
import { busy, SyncLeases, type SyncLeaseDeps } from './sync-lease.ts';

export interface SyncDeps {
  homeDirectory(cloud: string): HomeDirectoryPort;
  partnerRealm(cloud: string): PartnerRealmSyncPort;
  /** undefined when the cloud has no Keystone. */
  keystone(cloud: string): KeystoneSyncPort | undefined;
  /** The per-cloud leases; a writing run refuses to start without them (a dry run takes none). */
  readonly leases?: SyncLeaseDeps;
}

export interface SyncOptions {
  /** Only these partner clouds (default: all). */
  readonly clouds?: readonly string[];
  readonly dryRun?: boolean;
  /** Run even when the brake finds too many removals. */
  readonly confirm?: boolean;
  /** Aborted: the run stops before its next write (serve on SIGTERM); the write under way finishes. */
  readonly signal?: AbortSignal;
}

/** A home or a partner system that could not be read or written; its part of the run is left as it is. */
export interface SyncFailure {
  readonly cloud: string;
  /** Absent for a lease failure, which is the whole cloud's. */
  readonly system?: SyncSystem;
  /** lease: ERR_SYNC_BUSY (another process syncs the cloud), ERR_SYNC_LEASE_LOST, or Redis unreachable. */
  readonly part: 'home' | 'partner' | 'apply' | 'lease';
  readonly home?: string;
  readonly error: unknown;
}

export interface AppliedChange { readonly change: SyncChange; readonly error?: unknown }

export interface SyncReport {
  readonly targets: readonly SyncTarget[];
  readonly failures: readonly SyncFailure[];
  readonly brake: readonly BrakeFinding[];
  /** true when the brake stopped the run before any write. */
  readonly stoppedByBrake: boolean;
  readonly dryRun: boolean;
  /** true when the signal stopped the run before it had made every change. */
  readonly stopped: boolean;
  /** Per target (same order): each change with its error when it failed; empty for a dry run or a braked run. */
  readonly applied: readonly (readonly AppliedChange[])[];
}

export async function runSync(spec: FederationSpec, deps: SyncDeps, options: SyncOptions = {}): Promise<SyncReport> {
  const wanted = spec.clouds.map((c) => c.alias).filter((c) => !options.clouds || options.clouds.includes(c));
  return leasedRun(spec, deps, options, wanted, async (held, failures) => {
    const edges = trustEdges(spec).filter((e) => held.has(e.partner));
    const homes = await readHomes(spec, deps, [...new Set(edges.map((e) => e.home))], failures);
    return [...await computeTargets(spec, deps, edges, homes, failures),
      ...await orphanTargets(spec, deps, wanted.filter((c) => held.has(c)), failures)];
  });
}

/** Takes the leases of `clouds` (a writing run), computes the targets in those held, stops at the brake, applies, releases. */
export async function leasedRun(spec: FederationSpec, deps: SyncDeps, options: SyncOptions, clouds: readonly string[],
  compute: (held: ReadonlySet<string>, failures: SyncFailure[]) => Promise<SyncTarget[]>): Promise<SyncReport> {
  const failures: SyncFailure[] = [];
  const dryRun = options.dryRun === true;
  if (!dryRun && !deps.leases) throw new BrokerError('ERR_CONFIG_INVALID', 'a sync that writes needs the lease store (Redis): one sync per cloud at a time');
  const leases = dryRun ? undefined : new SyncLeases(deps.leases as SyncLeaseDeps);
  try {
    const held = leases ? await takeLeases(leases, clouds, failures) : new Set(clouds);
    const targets = await compute(held, failures);
    const brake = brakeFindings(spec, targets);
    const stoppedByBrake = brake.length > 0 && options.confirm !== true;
    const guard: WriteGuard | undefined = leases && { leases, signal: options.signal, stopped: false };
    const applied = !guard || stoppedByBrake ? [] : await applyTargets(spec, deps, targets, failures, guard);
    return { targets, failures, brake, stoppedByBrake, dryRun, stopped: guard?.stopped === true, applied };
  } finally {
    await leases?.releaseAll();
  }
}

/** The clouds whose lease this run took; the others are reported (busy, or Redis unreachable) and left out. */
async function takeLeases(leases: SyncLeases, clouds: readonly string[], failures: SyncFailure[]): Promise<Set<string>> {
  const held = new Set<string>();
  await Promise.all(clouds.map(async (cloud) => {
    try {
      if (await leases.acquire(cloud)) held.add(cloud);
      else failures.push({ cloud, part: 'lease', error: busy(cloud) });
    } catch (error) {
      failures.push({ cloud, part: 'lease', error });
    }
  }));
  return held;
}

/** The users a targeted run looks at (./sync-targeted.ts): partner users by their home_sub, and by name (grows as partner realms name deleted users). */
export interface UserScope { readonly homeSubs: ReadonlySet<string>; readonly names: Set<string> }

/** Home group paths sync reads: every group policy names for users of `home` in any partner. */
export function homeGroupPaths(spec: FederationSpec, home: string): string[] {
  return [...new Set(spec.clouds.filter((c) => c.alias !== home).flatMap((p) => groupsReferenced(spec.policy, home, p.alias)))].sort();
}

async function readHomes(spec: FederationSpec, deps: SyncDeps, homes: readonly string[], failures: SyncFailure[]): Promise<Map<string, HomeUser[]>> {
  const out = new Map<string, HomeUser[]>();
  await Promise.all(homes.map(async (home) => {
    try {
      out.set(home, await deps.homeDirectory(home).users(homeGroupPaths(spec, home)));
    } catch (error) {
      failures.push({ cloud: home, system: 'keycloak', part: 'home', error });
    }
  }));
  return out;
}

export async function computeTargets(spec: FederationSpec, deps: SyncDeps, edges: readonly { home: string; partner: string }[], homes: Map<string, HomeUser[]>,
  failures: SyncFailure[], scope?: UserScope): Promise<SyncTarget[]> {
  const clouds = new Map(spec.clouds.map((c) => [c.alias, c]));
  const targets: SyncTarget[] = [];
  for (const edge of edges) {
    const users = homes.get(edge.home);
    if (!users) continue;
    const home = clouds.get(edge.home) as CloudSpec;
    const partner = clouds.get(edge.partner) as CloudSpec;
    const realm = await observeTarget(failures, partner.alias, 'keycloak', home.alias, () => partnerRealmTarget(spec, deps, home, partner, users, scope));
    if (realm) targets.push(realm);
    const keystone = deps.keystone(partner.alias);
    if (!keystone || !partner.keystone) continue;
    const ks = await observeTarget(failures, partner.alias, 'keystone', home.alias, () => keystoneTarget(spec, keystone, home, partner, users, scope));
    if (ks) targets.push(ks);
  }
  return targets;
}

async function observeTarget(failures: SyncFailure[], cloud: string, system: SyncSystem, home: string, read: () => Promise<SyncTarget>): Promise<SyncTarget | undefined> {
  if (failures.some((f) => f.cloud === cloud && f.system === system && f.part === 'partner')) return undefined;
  try {
    return await read();
  } catch (error) {
    failures.push({ cloud, system, part: 'partner', home, error });
    return undefined;
  }
}

async function partnerRealmTarget(spec: FederationSpec, deps: SyncDeps, home: CloudSpec, partner: CloudSpec, users: readonly HomeUser[], scope?: UserScope): Promise<SyncTarget> {
  const paths = mirroredGroups(spec, home.alias, partner.alias).map((m) => m.path);
  const observed = await deps.partnerRealm(partner.alias).observe(partner.keycloak.realm, spec.metadata.name, home.alias, paths);
  const seen = scope ? partnerRealmOfUsers(observed, scope.homeSubs, scope.names) : observed;
  for (const u of scope ? seen.users : []) scope?.names.add(u.username);
  return { home: home.alias, partner: partner.alias, system: 'keycloak', changes: withRealmRemovalEffects(diffPartnerRealm(spec, home, partner, users, seen)),
    observedUsers: observed.users.length, observedMemberships: observedMembershipCount(observed) };
}

async function keystoneTarget(spec: FederationSpec, keystone: KeystoneSyncPort, home: CloudSpec, partner: CloudSpec, users: readonly HomeUser[], scope?: UserScope): Promise<SyncTarget> {
  const groups = policyGroups(spec, home.alias, partner).map((pg) => domainScopedName(pg.group.domain, pg.group.name));
  const observed = await keystone.observe(spec.metadata.name, groups);
  const counts = observedKeystoneMemberships(spec, home.alias, observed);
  const seen = scope ? keystoneOfUsers(observed, scope.names) : observed;
  return { home: home.alias, partner: partner.alias, system: 'keystone', changes: withKeystoneRemovalEffects(diffKeystone(spec, home, partner, users, seen)),
    observedUsers: counts.users, observedMemberships: counts.memberships };
}

/** Users whose changes are applied at the same time, per target (the floor in bench/role-sync is measured at the same). */
export const SYNC_APPLY_CONCURRENCY = 8;

interface WriteGuard { readonly leases: SyncLeases; readonly signal: AbortSignal | undefined; stopped: boolean }

/**
 * Targets one after the other; within a target, the changes of one user in order (a membership needs
 * the user its creation made), up to SYNC_APPLY_CONCURRENCY users at once. Before every write: the
 * signal (stop before the next write) and the cloud's lease (a lost lease ends that cloud's part of
 * the run: nothing more is sent there; writes already sent, at most one per user in flight, finish).
 */
async function applyTargets(spec: FederationSpec, deps: SyncDeps, targets: readonly SyncTarget[], failures: SyncFailure[], guard: WriteGuard): Promise<AppliedChange[][]> {
  const clouds = new Map(spec.clouds.map((c) => [c.alias, c]));
  const out: AppliedChange[][] = [];
  for (const target of targets) {
    const done: AppliedChange[] = new Array<AppliedChange>(target.changes.length);
    out.push(done);
    const created = new Map<string, string>();
    const realm = (clouds.get(target.partner) as CloudSpec).keycloak.realm;
    await inPool(changesByUser(target.changes), SYNC_APPLY_CONCURRENCY, async (indexes) => {
      for (const i of indexes) {
        const change = target.changes[i] as SyncChange;
        if (!(await mayWrite(guard, target.partner, failures))) return;
        try {
          await applyChange(deps, target, realm, change, created);
          done[i] = { change };
        } catch (error) {
          done[i] = { change, error };
          if (!failures.some((f) => f.part === 'apply' && f.cloud === target.partner && f.system === target.system && f.home === target.home)) {
            failures.push({ cloud: target.partner, system: target.system, part: 'apply', home: target.home, error });
          }
        }
      }
    });
  }
  return out;
}

/** false when the run must not send its next write into `cloud`: stopped by the signal, or the cloud's lease is lost (reported once). */
async function mayWrite(guard: WriteGuard, cloud: string, failures: SyncFailure[]): Promise<boolean> {
  if (guard.signal?.aborted) { guard.stopped = true; return false; }
  const leaseFailed = () => failures.some((f) => f.part === 'lease' && f.cloud === cloud);
  if (leaseFailed()) return false;
  try {
    await guard.leases.check(cloud);
    return true;
  } catch (error) {
    if (!leaseFailed()) failures.push({ cloud, part: 'lease', error });
    return false;
  }
}

/** Indexes of the changes, grouped by the user they are about, in order. */
function changesByUser(changes: readonly SyncChange[]): number[][] {
  const groups = new Map<string, number[]>();
  changes.forEach((c, i) => {
    const user = c.op === 'createUser' ? c.user.username : c.op === 'createFederatedUser' ? c.uniqueId : c.username;
    groups.set(user, [...(groups.get(user) ?? []), i]);
  });
  return [...groups.values()];
}

async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => { while (next < items.length) await work(items[next++] as T); };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/** One change; `created` maps the names of users this run created to their ids (memberships that follow need them). */
async function applyChange(deps: SyncDeps, target: SyncTarget, realm: string, change: SyncChange, created: Map<string, string>): Promise<void> {
  if (change.system === 'keystone') {
    const keystone = deps.keystone(target.partner) as KeystoneSyncPort;
    if (change.op === 'createFederatedUser') created.set(change.uniqueId, await keystone.createFederatedUser(change.uniqueId));
    else if (change.op === 'addMembership') await keystone.addMembership(userIdOf(change, created), change.groupId);
    else if (change.op === 'removeMembership') await keystone.removeMembership(userIdOf(change, created), change.groupId);
    else if (change.op === 'deleteFederatedUser') await keystone.deleteUser(change.userId);
    else if (change.op === 'revokeTokens') await keystone.revokeTokens(change.userId);
    else if (change.op === 'deleteApplicationCredentials') await keystone.deleteApplicationCredentials(change.userId);
    return;
  }
  const partner = deps.partnerRealm(target.partner);
  switch (change.op) {
    case 'createUser': created.set(change.user.username, await partner.createUser(realm, change.user)); return;
    case 'addMembership': await partner.addMembership(realm, userIdOf(change, created), change.groupId); return;
    case 'removeMembership': await partner.removeMembership(realm, userIdOf(change, created), change.groupId); return;
    case 'enableUser': await partner.setEnabled(realm, change.userId, true); return;
    case 'disableUser': await partner.setEnabled(realm, change.userId, false); return;
    case 'deleteUser': await partner.deleteUser(realm, change.userId); return;
    case 'endSessions': await partner.endSessions(realm, change.userId); return;
    default: return;
  }
}

function userIdOf(change: SyncChange & { username: string; userId?: string }, created: Map<string, string>): string {
  const id = change.userId ?? created.get(change.username);
  if (id === undefined) {
    throw new BrokerError('ERR_INTERNAL', `user ${change.username} does not exist: its creation failed earlier in this run`, { details: { object: `user ${change.username}` } });
  }
  return id;
}

/** true when nothing would be written. */
export function isInSync(report: SyncReport): boolean {
  return report.targets.every((t) => t.changes.length === 0);
}
