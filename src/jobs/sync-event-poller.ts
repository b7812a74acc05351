// The event path's schedule: every interval, poll each home realm's admin events and sync the users
// they name (services/sync-events). One poller per home at a time across broker replicas (a short
// Redis lock, like the LOGOUT-event poller's); a failing home is logged and tried again next round,
// the others go on.
import type { Logger } from 'pino';
import { trustEdges } from '../core/federation/trust.ts';
import { pollSyncEvents, type SyncEventDeps } from '../services/sync-events.ts';
import { startLockedRounds, type PollerHandle } from './locked-rounds.ts';

export type SyncEventPollerHandle = PollerHandle;

export function startSyncEventPoller(deps: SyncEventDeps, logger: Logger, intervalMs: number): PollerHandle {
  return startLockedRounds({
    keys: [...new Set(trustEdges(deps.spec).map((e) => e.home))], intervalMs, store: deps.store, lockOf: (home) => `sync-event-lock/${home}`,
    // Long enough for a slow batch; released at once when done.
    lockTtlSeconds: Math.max(30, Math.ceil((intervalMs * 10) / 1000)),
    work: async (home) => {
      const result = await pollSyncEvents(deps, home);
      if (result.handled + result.changes > 0 || !result.done) logger.info({ cloud: home, ...result }, 'home admin events synced');
    },
    onError: (home, error) => logger.warn({ cloud: home, code: (error as { code?: string }).code, message: (error as Error).message }, 'home admin event poll failed; retrying next round'),
  });
}
