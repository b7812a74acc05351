// The sync lease's timing (docs/sync.md "The lease"), pure: times are ms since epoch passed in.
// A process trusts its lease locally only until the TTL counted from the moment it SENT the last
// successful acquire or renew, less a safety margin (the answer may have come late, clocks of the
// broker and Redis run at slightly different rates); before each write it also asks Redis.

/** Production time-to-live of a sync lease: a process killed mid-sync blocks the next run at most this long. */
export const DEFAULT_SYNC_LEASE_TTL_MS = 30_000;

/** Smallest TTL accepted (tests shorten it); below this, renewals would race a loaded event loop. */
export const MIN_SYNC_LEASE_TTL_MS = 1000;

/** How often a holder renews: three chances before the lease would expire. */
export function renewEveryMs(ttlMs: number): number {
  return Math.max(100, Math.floor(ttlMs / 3));
}

/** The last moment a lease confirmed at `confirmedSentAt` may still be used for a write. */
export function trustedUntil(confirmedSentAt: number, ttlMs: number): number {
  return confirmedSentAt + ttlMs - Math.max(200, Math.floor(ttlMs / 5));
}

/** The Redis lease name of a partner cloud (the adapter puts it under its prefix, fedbroker:sync:lease). */
export function syncLeaseName(cloud: string): string {
  return cloud;
}
