// The role-sync job of `serve` (docs/sync.md "The job in serve"): a full sync every interval, the
// first one soon after start; runs never overlap in one process (the next is scheduled when the last
// has ended, start to start); each run's report is one audit line. Across processes the per-cloud
// leases keep syncs of one cloud apart. stop() aborts the run under way before its next write and
// waits for it.
import type { Logger } from 'pino';
import { isBrokerError } from '../core/errors.ts';
import { formatFailure, summarize } from '../core/sync/format.ts';
import type { AuditLog, CorrelationScope, IdSource } from '../ports.ts';
import type { SyncReport } from '../services/sync.ts';

/** The first run starts this long after start (or after one interval when that is shorter). */
export const FIRST_SYNC_DELAY_MS = 2000;

export interface SyncJobOptions {
  /** Start to start, in ms; > 0. */
  readonly intervalMs: number;
  readonly firstRunDelayMs?: number;
  /** Each run under its correlation id (its calls carry it). */
  readonly correlation?: CorrelationScope;
}

export interface SyncJobHandle {
  /** Aborts the run under way (it stops before its next write), waits for it, schedules no more. */
  stop(): Promise<void>;
}

export function startSyncJob(run: (signal: AbortSignal) => Promise<SyncReport>, audit: AuditLog, logger: Logger, ids: IdSource, options: SyncJobOptions): SyncJobHandle {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const once = async () => {
    const correlationId = ids.newId();
    const started = Date.now();
    try {
      const report = await (options.correlation ? options.correlation.run(correlationId, () => run(abort.signal)) : run(abort.signal));
      audit.record({ action: 'sync.run', correlationId, ...runEntry(report), durationMs: Date.now() - started });
    } catch (error) {
      audit.record({ action: 'sync.run', correlationId, outcome: 'error', code: isBrokerError(error) ? error.code : 'ERR_INTERNAL', durationMs: Date.now() - started });
      logger.warn({ correlationId, message: error instanceof Error ? error.message : String(error) }, 'sync run failed; trying again next interval');
    }
    return Date.now() - started;
  };
  const schedule = (delayMs: number) => {
    if (abort.signal.aborted) return;
    timer = setTimeout(() => { running = once().then((took) => schedule(Math.max(0, options.intervalMs - took))); }, delayMs);
  };
  schedule(Math.min(options.firstRunDelayMs ?? FIRST_SYNC_DELAY_MS, options.intervalMs));
  return {
    async stop() {
      abort.abort();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/** The audit fields of one run: outcome, totals, writes made, and every failure with its code (never a secret). */
export function runEntry(report: SyncReport): Record<string, unknown> {
  const applied = report.applied.flat();
  const failures = report.failures.map(formatFailure);
  const outcome = report.stoppedByBrake ? 'braked' : report.stopped ? 'stopped'
    : failures.length > 0 ? 'partial' : 'applied';
  return {
    outcome, summary: summarize(report.targets), writes: applied.filter((a) => a.error === undefined).length, failedChanges: applied.filter((a) => a.error !== undefined).length,
    failures, ...(report.brake.length > 0 && { brake: report.brake }),
    drift: driftOf(report.targets),
  };
}

/** Changes the run found per partner cloud and system (every home together): its drift, for metrics and audit. */
function driftOf(targets: SyncReport['targets']): { cloud: string; system: string; changes: number }[] {
  const byPart = new Map<string, { cloud: string; system: string; changes: number }>();
  for (const t of targets) {
    const key = `${t.partner}/${t.system}`;
    const part = byPart.get(key) ?? { cloud: t.partner, system: t.system, changes: 0 };
    byPart.set(key, { ...part, changes: part.changes + t.changes.length });
  }
  return [...byPart.values()].sort((a, b) => (a.cloud + a.system).localeCompare(b.cloud + b.system));
}
