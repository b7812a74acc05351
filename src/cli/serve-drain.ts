// How `fedbroker serve` stops on SIGTERM/SIGINT (src/jobs/drain.ts): the listener takes no new
// connection and answers the requests under way; the LOGOUT and admin-event pollers and the sync job
// stop after their round (the sync job aborts before its next write); the delivery workers take no new
// job and finish theirs. All of that within the grace period (FEDBROKER_SHUTDOWN_GRACE_MS, default
// 20 s, below Kubernetes' default 30 s); then what is still running is cut (connections closed,
// unfinished deliveries handed back to the queue), and the clients are closed.
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { drain, type DrainResult, type DrainStep } from '../jobs/drain.ts';

/** Default grace period of the stop (ms): fits Kubernetes' default terminationGracePeriodSeconds (30) with room for the exit. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 20_000;

export interface ServeParts {
  readonly server: Server;
  /** The pollers and the sync job: each stops after (or aborts) its round. */
  readonly jobs: readonly DrainStep[];
  readonly queue: { drain(graceMs: number): Promise<boolean> };
  /** Clients and connections, closed last in this order. */
  readonly release: readonly DrainStep[];
}

export async function drainServe(parts: ServeParts, graceMs: number, logger: Logger): Promise<DrainResult> {
  const deadline = Date.now() + graceMs;
  const result = await drain({
    finish: [
      { name: 'http', run: () => closeServer(parts.server) },
      ...parts.jobs,
      { name: 'deliveries', run: async () => { if (!await parts.queue.drain(Math.max(0, deadline - Date.now()))) throw new Error('deliveries still running: handed back to the queue'); } },
    ],
    force: [{ name: 'http connections', run: async () => { parts.server.closeAllConnections(); } }],
    release: parts.release,
  }, graceMs, { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => { setTimeout(resolve, ms).unref(); }) });
  const fields = { drained: result.drained, late: result.late, failed: result.failed, durationMs: result.durationMs, graceMs };
  if (result.drained) logger.info(fields, 'fedbroker stopped');
  else logger.warn(fields, 'fedbroker stopped; some work was cut at the end of the grace period');
  return result;
}

/**
 * Stops listening and resolves once every connection is gone: idle keep-alive connections are closed
 * at once and again as requests under way are answered, so no client waits for its keep-alive timeout.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    sweep.unref();
    server.close((error) => { clearInterval(sweep); if (error) reject(error); else resolve(); });
    server.closeIdleConnections();
  });
}
