// Revoking a Keystone user's live tokens, shared by the logout fan-out (../logout/keystone-revocation.ts)
// and role sync (./sync.ts). Measured on the test bed's Keystone Zed (docs/logout.md): disabling a
// user makes Keystone record a revocation event for the user id (every token issued up to that second
// is refused, 401 on use; OS-REVOKE is read-only, so this is the way in); enabling it again at once
// keeps the user, its id and its persisted memberships and role assignments. While disabled the user
// carries the marker attribute `fedbroker_revoking`, so a retry after a crash between the two PATCHes
// re-enables it; a user someone else disabled (no marker) is left alone (its tokens are refused anyway).
import { path, type KeystoneRest } from './rest.ts';

/** Set on a user while the broker has it disabled for a revocation (Keystone keeps extra attributes; `-` would become `_`). */
export const REVOKING_MARKER = 'fedbroker_revoking';

export interface RevocableUser { id: string; enabled?: boolean; [REVOKING_MARKER]?: string | null }

/** Disables and enables the user again; false when it was left alone (disabled by someone else). */
export async function revokeUserTokens(rest: KeystoneRest, user: RevocableUser, object: string, now: () => number): Promise<boolean> {
  const userPath = path`/users/${user.id}`;
  const ours = typeof user[REVOKING_MARKER] === 'string';
  if (user.enabled === false && !ours) return false;
  if (user.enabled !== false) {
    await rest.call(userPath, { method: 'PATCH', object, allowNotFound: true, body: { user: { enabled: false, [REVOKING_MARKER]: new Date(now()).toISOString() } } });
  }
  await rest.call(userPath, { method: 'PATCH', object, allowNotFound: true, body: { user: { enabled: true, [REVOKING_MARKER]: null } } });
  return true;
}
