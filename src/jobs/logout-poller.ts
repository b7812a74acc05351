// The catch-all schedule: every interval, poll each realm's LOGOUT events (services/logout/poll).
// One poller per cloud at a time across broker replicas (a short Redis lock); a failing cloud is
// logged and tried again next round, the others go on.
import type { Logger } from 'pino';
import type { LogoutDeps } from '../services/logout/deps.ts';
import { pollLogoutEvents } from '../services/logout/poll.ts';

export interface PollerHandle { stop(): Promise<void> }

export function startLogoutPoller(deps: LogoutDeps, logger: Logger, intervalMs: number): PollerHandle {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const round = async () => {
    await Promise.all(deps.spec.clouds.map(async (cloud) => {
      const lock = `poll-lock/${cloud.alias}`;
      try {
        if (!(await deps.store.claimOnce(lock, Math.max(5, Math.ceil((intervalMs * 10) / 1000))))) return;
        try {
          const result = await pollLogoutEvents(deps, cloud.alias);
          if (result.started + result.coalesced + result.failed > 0) logger.info({ cloud: cloud.alias, ...result }, 'logout events polled');
        } finally {
          await deps.store.release(lock);
        }
      } catch (error) {
        logger.warn({ cloud: cloud.alias, code: (error as { code?: string }).code, message: (error as Error).message }, 'logout event poll failed; retrying next round');
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
