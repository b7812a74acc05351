// The effects of a removal (docs/sync.md, "Removal effects"). A removed membership does not end what
// the user holds already: in a partner Keystone her live tokens keep their roles until they expire
// and her application credentials keep authenticating, so both go after the removal; in a partner
// realm a user disabled or deleted at home keeps her sessions, so they are ended. Effects are derived
// from the removals of the same run only: a run without removals has none, so a run without drift
// still makes no write, and a re-run after the removal does not revoke again. Pure.
import type { RemovalEffect, SyncChange } from './model.ts';

/** The Keystone changes followed, per user with a removed membership, by revoking her tokens and deleting her application credentials. */
export function withKeystoneRemovalEffects(changes: readonly SyncChange[]): SyncChange[] {
  const effects: RemovalEffect[] = [];
  const done = new Set<string>();
  for (const change of changes) {
    if (change.system !== 'keystone' || change.op !== 'removeMembership' || change.userId === undefined || done.has(change.userId)) continue;
    done.add(change.userId);
    const because = `${change.username} lost ${change.group} (${change.reason})`;
    effects.push(
      { op: 'revokeTokens', system: 'keystone', username: change.username, userId: change.userId, reason: `${because}: her live tokens carry its roles` },
      { op: 'deleteApplicationCredentials', system: 'keystone', username: change.username, userId: change.userId, reason: `${because}: her application credentials keep its roles` },
    );
  }
  // After every removal: a token issued between a revocation and a later removal would keep the role.
  return [...changes, ...effects];
}

/** The partner-realm changes with her sessions ended after a user is disabled and before she is deleted. */
export function withRealmRemovalEffects(changes: readonly SyncChange[]): SyncChange[] {
  const out: SyncChange[] = [];
  for (const change of changes) {
    if (change.system === 'keycloak' && change.op === 'deleteUser') {
      // Deleting a user drops her sessions without telling the clients; a logout first notifies them.
      out.push({ op: 'endSessions', system: 'keycloak', username: change.username, userId: change.userId, reason: `before deleting: ${change.reason}` });
      out.push(change);
    } else if (change.system === 'keycloak' && change.op === 'disableUser') {
      // Disabled first, so that no new session starts between the two.
      out.push(change);
      out.push({ op: 'endSessions', system: 'keycloak', username: change.username, userId: change.userId, reason: change.reason });
    } else {
      out.push(change);
    }
  }
  return out;
}
