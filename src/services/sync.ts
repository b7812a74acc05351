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
import { recoveredTargets } from '../core/sync/journal.ts';
import { diffKeystone, observedKeystoneMemberships } from '../core/sync/keystone.ts';
import type { HomeUser, SyncChange, SyncSystem, SyncTarget } from '../core/sync/model.ts';
import { diffPartnerRealm, mirroredGroups, observedMembershipCount } from '../core/sync/partner-realm.ts';
import { orphanTargets } from './sync-orphans.ts';
import { keystoneOfUsers, partnerRealmOfUsers } from '../core/sync/targeted.ts';
import type { HomeDirectoryPort, KeystoneSyncPort, PartnerRealmSyncPort } from '../ports.ts';
import { applyTargets, type WriteGuard } from './sync-apply.ts';
import { busy, SyncLeases, type SyncLeaseDeps } from './sync-lease.ts';
import { PartnerReads } from './sync-reads.ts';

export { SYNC_APPLY_CONCURRENCY } from './sync-apply.ts';

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
  /**
   * lease: ERR_SYNC_BUSY (another process syncs the cloud), ERR_SYNC_LEASE_LOST, or Redis unreachable;
   * journal: the removal effect journal could not be read (ERR_SYNC_JOURNAL_INVALID, Redis unreachable) or
   * written (then the users whose changes carry effects were left as they are).
   */
  readonly part: 'home' | 'partner' | 'apply' | 'lease' | 'journal';
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
  return leasedRun(spec, deps, options, wanted, async (held, reads) => {
    const edges = trustEdges(spec).filter((e) => held.has(e.partner));
    const homes = await readHomes(spec, deps, [...new Set(edges.map((e) => e.home))], reads.failures);
    return [...await computeTargets(spec, deps, edges, homes, reads),
      ...await orphanTargets(spec, deps, wanted.filter((c) => held.has(c)), reads)];
  });
}

/** Takes the leases of `clouds` (a writing run), computes the targets in those held, stops at the brake, applies, releases. */
export async function leasedRun(spec: FederationSpec, deps: SyncDeps, options: SyncOptions, clouds: readonly string[],
  compute: (held: ReadonlySet<string>, reads: PartnerReads) => Promise<SyncTarget[]>): Promise<SyncReport> {
  const failures: SyncFailure[] = [];
  const dryRun = options.dryRun === true;
  if (!dryRun && !deps.leases) throw new BrokerError('ERR_CONFIG_INVALID', 'a sync that writes needs the lease store (Redis): one sync per cloud at a time');
  const leases = dryRun ? undefined : new SyncLeases(deps.leases as SyncLeaseDeps);
  try {
    const held = leases ? await takeLeases(leases, clouds, failures) : new Set(clouds);
    const recovered = await pendingEffectTargets(deps, [...held], failures);
    const targets = [...recovered, ...await compute(held, new PartnerReads(failures))];
    const brake = brakeFindings(spec, targets);
    const stoppedByBrake = brake.length > 0 && options.confirm !== true;
    const guard: WriteGuard | undefined = leases && { leases, journal: (deps.leases as SyncLeaseDeps).journal, signal: options.signal, stopped: false };
    const applied = !guard || stoppedByBrake ? [] : await applyTargets(spec, deps, targets, failures, guard);
    return { targets, failures, brake, stoppedByBrake, dryRun, stopped: guard?.stopped === true, applied };
  } finally {
    await leases?.releaseAll();
  }
}

/** Targets of the removal effects interrupted runs left in the journal of `clouds` (each first in its lane); an unreadable journal is reported. */
async function pendingEffectTargets(deps: SyncDeps, clouds: readonly string[], failures: SyncFailure[]): Promise<SyncTarget[]> {
  const journal = deps.leases?.journal;
  if (!journal) return [];
  const perCloud = await Promise.all(clouds.map(async (cloud) => {
    try {
      return recoveredTargets(cloud, await journal.pending(cloud));
    } catch (error) {
      failures.push({ cloud, part: 'journal', error });
      return [];
    }
  }));
  return perCloud.flat();
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

/** The targets of `edges` (same order); partners are observed at the same time, a partner's edges one after the other. */
export async function computeTargets(spec: FederationSpec, deps: SyncDeps, edges: readonly { home: string; partner: string }[], homes: Map<string, HomeUser[]>,
  reads: PartnerReads, scope?: UserScope): Promise<SyncTarget[]> {
  const clouds = new Map(spec.clouds.map((c) => [c.alias, c]));
  const perEdge: SyncTarget[][] = edges.map(() => []);
  await Promise.all([...new Set(edges.map((e) => e.partner))].map(async (partnerAlias) => {
    for (const [i, edge] of edges.entries()) {
      const users = homes.get(edge.home);
      if (edge.partner !== partnerAlias || !users) continue;
      const home = clouds.get(edge.home) as CloudSpec;
      const partner = clouds.get(edge.partner) as CloudSpec;
      const out = perEdge[i] as SyncTarget[];
      const realm = await reads.readPartner(partner.alias, 'keycloak', home.alias, () => partnerRealmTarget(spec, deps, home, partner, users, scope));
      if (realm) out.push(realm);
      const keystone = deps.keystone(partner.alias);
      if (!keystone || !partner.keystone) continue;
      const ks = await reads.readPartner(partner.alias, 'keystone', home.alias, () => keystoneTarget(spec, keystone, reads, home, partner, users, scope));
      if (ks) out.push(ks);
    }
  }));
  return perEdge.flat();
}

async function partnerRealmTarget(spec: FederationSpec, deps: SyncDeps, home: CloudSpec, partner: CloudSpec, users: readonly HomeUser[], scope?: UserScope): Promise<SyncTarget> {
  const paths = mirroredGroups(spec, home.alias, partner.alias).map((m) => m.path);
  const port = deps.partnerRealm(partner.alias);
  const realm = partner.keycloak.realm;
  const observed = scope
    ? await port.observeUsers(realm, spec.metadata.name, home.alias, paths, { homeSubs: [...scope.homeSubs], names: [...scope.names] })
    : { ...await port.observe(realm, spec.metadata.name, home.alias, paths), userCount: undefined };
  const seen = scope ? partnerRealmOfUsers(observed, scope.homeSubs, scope.names) : observed;
  for (const u of scope ? seen.users : []) scope?.names.add(u.username);
  return { home: home.alias, partner: partner.alias, system: 'keycloak', changes: withRealmRemovalEffects(diffPartnerRealm(spec, home, partner, users, seen)),
    // The event path observes only some users: its brake share is taken against all members of the home's
    // mirrored groups (groups of that home alone, so they are its brokered users but for any added by hand).
    observedUsers: observed.userCount ?? observed.users.length,
    observedMemberships: scope ? observed.groups.reduce((n, g) => n + g.memberIds.length, 0) : observedMembershipCount(observed) };
}

async function keystoneTarget(spec: FederationSpec, keystone: KeystoneSyncPort, reads: PartnerReads, home: CloudSpec, partner: CloudSpec, users: readonly HomeUser[], scope?: UserScope): Promise<SyncTarget> {
  const groups = policyGroups(spec, home.alias, partner).map((pg) => domainScopedName(pg.group.domain, pg.group.name));
  const [observedUsers, observedGroups] = await Promise.all([reads.keystoneUsers(partner.alias, keystone), keystone.observeGroups(spec.metadata.name, groups)]);
  const observed = { users: observedUsers, groups: observedGroups };
  const counts = observedKeystoneMemberships(spec, home.alias, observed);
  const seen = scope ? keystoneOfUsers(observed, scope.names) : observed;
  return { home: home.alias, partner: partner.alias, system: 'keystone', changes: withKeystoneRemovalEffects(diffKeystone(spec, home, partner, users, seen)),
    observedUsers: counts.users, observedMemberships: counts.memberships };
}

/** true when nothing would be written. */
export function isInSync(report: SyncReport): boolean {
  return report.targets.every((t) => t.changes.length === 0);
}
