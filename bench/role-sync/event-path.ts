// The event path in the role-sync bench: the broker's own poll of a home realm's admin events and the
// targeted sync it runs (services/sync-events), driven here the way `serve` drives it, one poll per
// interval, with the bench's scoped adapters and a checkpoint of its own in Redis.
import pino from 'pino';
import { RedisLogoutStore, type RedisClient } from '../../src/adapters/redis/logout-store.ts';
import type { ComposedSync } from '../../src/cli/sync-compose.ts';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import { DEFAULT_SYNC_EVENT_INTERVAL_MS } from '../../src/cli/serve.ts';
import type { SyncDeps } from '../../src/services/sync.ts';
import { pollSyncEvents, type SyncEventDeps } from '../../src/services/sync-events.ts';

export const POLL_INTERVAL_MS = DEFAULT_SYNC_EVENT_INTERVAL_MS;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function eventDeps(spec: FederationSpec, scoped: SyncDeps, real: ComposedSync, redis: RedisClient, tag: string): SyncEventDeps {
  const logger = pino({ level: 'silent' });
  return { ...scoped, adminEvents: (cloud) => real.adminEvents(cloud), spec, store: new RedisLogoutStore(redis, `fedbroker:bench-sync-${tag}`),
    clock: { now: () => new Date() }, audit: { record: (entry) => logger.info(entry) } };
}

/** Starts the checkpoint at the present: events before it are not the bench's to handle. */
export async function startCheckpoint(deps: SyncEventDeps, home: string): Promise<void> {
  await pollSyncEvents(deps, home);
}

/**
 * Polls as `serve` does (first tick anywhere in the interval, then one per interval) until the
 * events of a change finished at `since` are handled — a poll that applied changes, then one that
 * finds nothing new; returns ms from `since` to the end of the last poll that applied changes.
 */
export async function followEvents(deps: SyncEventDeps, home: string, since: number, random: () => number): Promise<{ ms: number; changes: number }> {
  await sleep(random() * POLL_INTERVAL_MS);
  let changes = 0;
  let last = since;
  for (;;) {
    if (performance.now() - since > 60_000) throw new Error(`event path: nothing applied within 60 s (${changes} changes)`);
    const result = await pollSyncEvents(deps, home);
    if (!result.done) throw new Error(`event path: a poll of ${home} failed (${JSON.stringify(result)})`);
    if (result.changes > 0) { changes += result.changes; last = performance.now(); } else if (changes > 0 && result.handled === 0) break;
    await sleep(POLL_INTERVAL_MS);
  }
  return { ms: last - since, changes };
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
