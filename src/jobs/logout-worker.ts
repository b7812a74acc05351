// The logout workers of one broker process: warm up (every realm's keys, every Keystone admin
// token; best effort), then deliver queued logouts (services/logout/deliver) and, when the interval
// is not 0, poll every realm's LOGOUT events (./logout-poller.ts). The CLI starts them and stops them.
import type { Logger } from 'pino';
import { deliverLogout } from '../services/logout/deliver.ts';
import type { LogoutDeps } from '../services/logout/deps.ts';
import { warmUpLogout } from '../services/logout/warm-up.ts';
import { startLogoutPoller, type PollerHandle } from './logout-poller.ts';

export interface LogoutWorkerOptions {
  /** LOGOUT-event poll interval in ms; 0 disables the poller. */
  readonly pollIntervalMs: number;
}

export interface LogoutWorkerHandle {
  /** Stops the poller (waits for a running round); the queue's workers stop when the queue is closed. */
  stop(): Promise<void>;
}

export async function startLogoutWorkers(deps: LogoutDeps, logger: Logger, options: LogoutWorkerOptions): Promise<LogoutWorkerHandle> {
  for (const result of await warmUpLogout(deps)) {
    if (!result.ok) logger.warn({ target: result.target, code: result.code }, 'warm-up failed; the first logout for it will fetch again');
  }
  // A logout event's correlation id is its id: every call of its deliveries carries it (X-Correlation-Id).
  const scope = deps.correlation;
  deps.queue.process((job, attempt) => (scope ? scope.run(job.eventId, () => deliverLogout(deps, job, attempt)) : deliverLogout(deps, job, attempt)));
  const poller: PollerHandle | undefined = options.pollIntervalMs > 0 ? startLogoutPoller(deps, logger, options.pollIntervalMs) : undefined;
  return { stop: async () => { await poller?.stop(); } };
}
