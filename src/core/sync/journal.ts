// The sync effect journal's entries (docs/sync.md, "Removal effects"): which entry a user's changes
// need, reading a stored entry back (validated: a journal is outside data), and the targets a run
// makes of the entries an interrupted run left. Pure.
import { BrokerError } from '../errors.ts';
import type { PendingEffects, RemovalEffect, SyncChange, SyncSystem, SyncTarget } from './model.ts';
import { isEffect } from './model.ts';

/** The journal entry of one user's changes in a target, or undefined when they carry no effect. */
export function pendingEffectsOf(home: string, system: SyncSystem, changes: readonly SyncChange[]): PendingEffects | undefined {
  const effects = changes.filter(isEffect);
  const first = effects[0];
  return first && { key: `${system}:${first.userId}`, home, system, effects };
}

/** The entry stored under `key` in `cloud`'s journal, or ERR_SYNC_JOURNAL_INVALID naming the cloud, the key and the problem. */
export function readPendingEffects(cloud: string, key: string, stored: string): PendingEffects {
  const entry = parsePendingEffects(stored);
  if (typeof entry === 'string') {
    throw new BrokerError('ERR_SYNC_JOURNAL_INVALID', `the sync effect journal of cloud ${cloud} holds an entry "${key}" that cannot be read back (${entry}); check its effects by hand, then delete the field`, { details: { cloud, key } });
  }
  return entry;
}

/** The stored entry, checked field by field; a string naming the first problem when it is not one. */
function parsePendingEffects(stored: string): PendingEffects | string {
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return 'not JSON';
  }
  const entry = value as Partial<PendingEffects> | null;
  if (typeof entry !== 'object' || entry === null) return 'not an object';
  if (typeof entry.key !== 'string' || typeof entry.home !== 'string') return 'key and home must be strings';
  if (entry.system !== 'keycloak' && entry.system !== 'keystone') return `system must be keycloak or keystone, not ${String(entry.system)}`;
  if (!Array.isArray(entry.effects) || entry.effects.length === 0) return 'effects must be a non-empty list';
  for (const [i, e] of (entry.effects as unknown[]).entries()) {
    const problem = effectProblem(e, entry.system);
    if (problem) return `effects[${i}]: ${problem}`;
  }
  return entry as PendingEffects;
}

function effectProblem(value: unknown, system: SyncSystem): string | undefined {
  const e = value as Partial<RemovalEffect> | null;
  if (typeof e !== 'object' || e === null) return 'not an object';
  const ops = system === 'keystone' ? ['revokeTokens', 'deleteApplicationCredentials'] : ['endSessions'];
  if (e.system !== system || typeof e.op !== 'string' || !ops.includes(e.op)) return `op must be one of ${ops.join(', ')} in ${system}`;
  if (typeof e.userId !== 'string' || typeof e.username !== 'string' || typeof e.reason !== 'string') return 'userId, username and reason must be strings';
  return undefined;
}

/** One target per home and system of `partner` with the effects interrupted runs left, first in their lane. */
export function recoveredTargets(partner: string, entries: readonly PendingEffects[]): SyncTarget[] {
  const byTarget = new Map<string, SyncTarget & { changes: SyncChange[] }>();
  for (const entry of entries) {
    const id = `${entry.home}/${entry.system}`;
    const target = byTarget.get(id) ?? { home: entry.home, partner, system: entry.system, changes: [], observedUsers: 0, observedMemberships: 0 };
    byTarget.set(id, target);
    target.changes.push(...entry.effects.map((e) => ({ ...e, reason: `${e.reason} (left undone by an interrupted run)` })));
  }
  return [...byTarget.values()];
}
