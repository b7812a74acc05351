// The event path's schedule: every interval, poll each home realm's admin events and sync the users
// they name (services/sync-events). One poller per home at a time across broker replicas (a short
// Redis lock, like the LOGOUT-event poller's); a failing home is logged and tried again next round,
// the others go on.
import type { Logger } from 'pino';
import { trustEdges } from '../core/federation/trust.ts';
import { pollSyncEvents, type SyncEventDeps } from '../services/sync-events.ts';
import type { PollerHandle } from './logout-poller.ts';

export type SyncEventPollerHandle = PollerHandle;

export function startSyncEventPoller(deps: SyncEventDeps, logger: Logger, intervalMs: number): PollerHandle {
  const homes = [...new Set(trustEdges(deps.spec).map((e) => e.home))];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const round = async () => {
    await Promise.all(homes.map(async (home) => {
      const lock = `sync-event-lock/${home}`;
      try {
        // Long enough for a slow batch; released at once when done.
        if (!(await deps.store.claimOnce(lock, Math.max(30, Math.ceil((intervalMs * 10) / 1000))))) return;
        try {
          const result = await pollSyncEvents(deps, home);
          if (result.handled + result.changes > 0 || !result.done) logger.info({ cloud: home, ...result }, 'home admin events synced');
        } finally {
          await deps.store.release(lock);
        }
      } catch (error) {
        logger.warn({ cloud: home, code: (error as { code?: string }).code, message: (error as Error).message }, 'home admin event poll failed; retrying next round');
      }
    }));
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => { running = round().finally(schedule); }, intervalMs);
  };
  running = round().finally(schedule);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
