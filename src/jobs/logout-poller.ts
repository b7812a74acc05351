// The catch-all schedule: every interval, poll each realm's LOGOUT events (services/logout/poll).
// One poller per cloud at a time across broker replicas (a short Redis lock); a failing cloud is
// logged and tried again next round, the others go on.
import type { Logger } from 'pino';
import type { LogoutDeps } from '../services/logout/deps.ts';
import { pollLogoutEvents } from '../services/logout/poll.ts';
import { startLockedRounds, type PollerHandle } from './locked-rounds.ts';

export type { PollerHandle } from './locked-rounds.ts';

export function startLogoutPoller(deps: LogoutDeps, logger: Logger, intervalMs: number): PollerHandle {
  return startLockedRounds({
    keys: deps.spec.clouds.map((c) => c.alias), intervalMs, store: deps.store, lockOf: (cloud) => `poll-lock/${cloud}`,
    lockTtlSeconds: Math.max(5, Math.ceil((intervalMs * 10) / 1000)),
    work: async (cloud) => {
      const result = await pollLogoutEvents(deps, cloud);
      if (result.started + result.coalesced + result.failed > 0) logger.info({ cloud, ...result }, 'logout events polled');
    },
    onError: (cloud, error) => logger.warn({ cloud, code: (error as { code?: string }).code, message: (error as Error).message }, 'logout event poll failed; retrying next round'),
  });
}
