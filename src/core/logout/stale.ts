// Stale logouts (docs/logout.md "Stale logouts"): a logout ends only what started before it. The time a
// logout happened comes from its source (a realm event's time, a logout token's iat, the admin's command),
// never from when the broker got to deliver it, so a logout replayed after a long outage does not end
// the sessions the user opened since. Pure: times go in, decisions come out.

/** A Keycloak user session as logout needs it. */
export interface RealmSession {
  readonly id: string;
  /** When the session started, ms since epoch (Keycloak's clock; Keycloak keeps whole seconds). */
  readonly startedAt: number;
}

/** The time a back-channel logout token reports (its iat, seconds) in ms. */
export function logoutTimeOfToken(iatSeconds: number): number {
  return iatSeconds * 1000;
}

/**
 * Did a session start before the logout? Compared in whole seconds, because Keycloak records session
 * starts and token iat in seconds: a session started in the same second as the logout counts as
 * before it (ending one session too many is safe; keeping one the user ended is not).
 */
export function startedBeforeLogout(startedAt: number, loggedOutAt: number): boolean {
  return Math.floor(startedAt / 1000) <= Math.floor(loggedOutAt / 1000);
}

export interface SessionSplit {
  /** Sessions that started before the logout: they end. */
  readonly end: readonly string[];
  /** Sessions started after it (the user logged in again): they stay. */
  readonly keep: readonly string[];
}

export function sessionsToEnd(sessions: readonly RealmSession[], loggedOutAt: number): SessionSplit {
  return {
    end: sessions.filter((s) => startedBeforeLogout(s.startedAt, loggedOutAt)).map((s) => s.id),
    keep: sessions.filter((s) => !startedBeforeLogout(s.startedAt, loggedOutAt)).map((s) => s.id),
  };
}

/**
 * A target that cannot end tokens selectively (Keystone: disabling the user revokes every token she
 * holds) is revoked unless the user has logged in since the logout: a session of hers in that cloud's
 * realm started after it. Then the logout is stale for that target and it is skipped, because revoking
 * would also end what she started since.
 */
export type WholesaleRevocation =
  | { readonly revoke: true }
  | { readonly revoke: false; readonly loggedInAgainAt: number };

export function wholesaleRevocation(loggedOutAt: number, sessionsInRealm: readonly RealmSession[]): WholesaleRevocation {
  const since = sessionsInRealm.filter((s) => !startedBeforeLogout(s.startedAt, loggedOutAt));
  if (since.length === 0) return { revoke: true };
  return { revoke: false, loggedInAgainAt: Math.min(...since.map((s) => s.startedAt)) };
}

/**
 * May a later signal for the same subject join an event still under way? Only when it reports a logout
 * no later (in whole seconds) than the event's: the event ends the sessions started before its own
 * time, so a signal of a later logout would miss those started in between; it starts its own fan-out.
 */
export function coversLogoutAt(eventLoggedOutAt: number, signalLoggedOutAt: number): boolean {
  return Math.floor(signalLoggedOutAt / 1000) <= Math.floor(eventLoggedOutAt / 1000);
}
