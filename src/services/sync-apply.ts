// Applying a run's changes (docs/sync.md, "Applying"). Each partner system (a cloud's realm, a cloud's
// Keystone) is one lane; lanes run at the same time, since they are different servers or independent
// parts of one. Within a lane the targets go one after the other, and within a target the changes of
// one user go in order (a membership needs the user its creation made), up to SYNC_APPLY_CONCURRENCY
// users at once. Before every write: the signal (stop before the next write) and the cloud's lease (a
// lost lease ends that cloud's part of the run: nothing more is sent there; writes already sent, at
// most one per user in flight, finish).
import { BrokerError } from '../core/errors.ts';
import type { CloudSpec, FederationSpec } from '../core/federation/schema.ts';
import type { SyncChange, SyncTarget } from '../core/sync/model.ts';
import { inPool } from '../core/pool.ts';
import { pendingEffectsOf } from '../core/sync/journal.ts';
import type { KeystoneSyncPort, SyncEffectJournal } from '../ports.ts';
import type { AppliedChange, SyncDeps, SyncFailure } from './sync.ts';
import type { SyncLeases } from './sync-lease.ts';

/** Users whose changes are applied at the same time, per lane (the floor in bench/role-sync is measured at the same). */
export const SYNC_APPLY_CONCURRENCY = 8;

export interface WriteGuard { readonly leases: SyncLeases; readonly journal: SyncEffectJournal; readonly signal: AbortSignal | undefined; stopped: boolean }

/** Applies every target; answers, per target (same order), each change with its error when it failed. */
export async function applyTargets(spec: FederationSpec, deps: SyncDeps, targets: readonly SyncTarget[], failures: SyncFailure[], guard: WriteGuard): Promise<AppliedChange[][]> {
  const clouds = new Map(spec.clouds.map((c) => [c.alias, c]));
  const out: AppliedChange[][] = targets.map((t) => new Array<AppliedChange>(t.changes.length));
  const lanes = new Map<string, number[]>();
  targets.forEach((t, i) => lanes.set(`${t.partner}/${t.system}`, [...(lanes.get(`${t.partner}/${t.system}`) ?? []), i]));
  await Promise.all([...lanes.values()].map(async (lane) => {
    for (const i of lane) {
      const target = targets[i] as SyncTarget;
      await applyTarget(deps, target, (clouds.get(target.partner) as CloudSpec).keycloak.realm, out[i] as AppliedChange[], failures, guard);
    }
  }));
  return out;
}

/**
 * A user's changes that carry removal effects are journaled first (./sync-lease.ts's journal): the entry is
 * recorded before her first write and cleared when all her changes are done, so a run killed between a
 * removal and its effects leaves them to the next run. A journal that cannot be written leaves her as she
 * is (the other users' changes go on).
 */
async function applyTarget(deps: SyncDeps, target: SyncTarget, realm: string, done: AppliedChange[], failures: SyncFailure[], guard: WriteGuard): Promise<void> {
  const created = new Map<string, string>();
  await inPool(changesByUser(target.changes), SYNC_APPLY_CONCURRENCY, async (indexes) => {
    const pending = pendingEffectsOf(target.home, target.system, indexes.map((i) => target.changes[i] as SyncChange));
    if (pending && !(await journaled(guard, target, failures, () => guard.journal.record(target.partner, pending)))) return;
    let allDone = true;
    for (const i of indexes) {
      const change = target.changes[i] as SyncChange;
      if (!(await mayWrite(guard, target.partner, failures))) return;
      try {
        await applyChange(deps, target, realm, change, created);
        done[i] = { change };
      } catch (error) {
        allDone = false;
        done[i] = { change, error };
        if (!failures.some((f) => f.part === 'apply' && f.cloud === target.partner && f.system === target.system && f.home === target.home)) {
          failures.push({ cloud: target.partner, system: target.system, part: 'apply', home: target.home, error });
        }
      }
    }
    if (pending && allDone) await journaled(guard, target, failures, () => guard.journal.clear(target.partner, pending.key));
  });
}

/** false (reported once per cloud) when the journal write fails. */
async function journaled(guard: WriteGuard, target: SyncTarget, failures: SyncFailure[], write: () => Promise<void>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (!failures.some((f) => f.part === 'journal' && f.cloud === target.partner)) failures.push({ cloud: target.partner, part: 'journal', error });
    return false;
  }
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
    case 'linkUser': await partner.linkUser(realm, change.userId, { identityProvider: change.identityProvider, userId: change.linkUserId, userName: change.linkUserName }); return;
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
