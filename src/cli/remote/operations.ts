// sync, logout, logout status and audit against a running broker (--server): the broker runs the
// operation (a sync run, a queued logout) and keeps its report; the CLI follows it and shows it with
// the printers the local commands use. The spec argument is not needed (the broker has its own).
import type { AuditRecord } from '../../core/audit/record.ts';
import { BrokerError, ERROR_CODES, type ErrorCode } from '../../core/errors.ts';
import type { DeliveryReport } from '../../core/logout/report.ts';
import type { SyncRunJson } from '../../core/sync/format.ts';
import { printAuditRecords } from '../audit-output.ts';
import { printLogoutReport, printLogoutStarted } from '../logout-output.ts';
import type { OutputFormat } from '../output.ts';
import { parseSubjectArgument } from '../subject-arg.ts';
import { printSyncRun } from '../sync-output.ts';
import type { BrokerApiClient } from './api-client.ts';
import { withBroker } from './connection.ts';
import type { RemoteOptions } from './options.ts';

type Output = { output: OutputFormat } & RemoteOptions;

/** How often a run or a logout report is asked for while it is under way. */
export const POLL_INTERVAL_MS = 250;
/** A sync run is followed this long at most (the broker keeps running it; its report stays at /sync/{id}). */
const SYNC_WAIT_MS = 3_600_000;

interface SyncRun { id: string; status: 'running' | 'done' | 'failed'; result?: SyncRunJson & { changeErrors?: number }; error?: { code: string; message: string } }

export async function syncRemote(opts: Output & { cloud?: string[]; dryRun?: boolean; confirm?: boolean }): Promise<number> {
  return withBroker(opts, async (api) => {
    const started = await api.post<{ syncId: string }>('/sync', { ...(opts.cloud && { clouds: opts.cloud }), dryRun: opts.dryRun === true, confirm: opts.confirm === true });
    const run = await followSync(api, started.syncId);
    if (run.status === 'failed' || !run.result) {
      const code = run.error && Object.hasOwn(ERROR_CODES, run.error.code) ? run.error.code as ErrorCode : 'ERR_INTERNAL';
      throw new BrokerError(code, `sync run ${run.id} failed on the broker: ${run.error?.message ?? 'no report'}`, { details: { syncId: run.id } });
    }
    // The same JSON as a local run; the run's id in front. (changeErrors is the API's count of failed changes.)
    const { changeErrors: _count, ...result } = run.result;
    return printSyncRun(opts.output === 'json' ? { syncId: run.id, ...result } as SyncRunJson : result, opts.output);
  });
}

async function followSync(api: BrokerApiClient, id: string): Promise<SyncRun> {
  for (const until = Date.now() + SYNC_WAIT_MS; ; await pause()) {
    const run = await api.get<SyncRun>(`/sync/${encodeURIComponent(id)}`);
    if (run.status !== 'running') return run;
    if (Date.now() > until) throw new BrokerError('ERR_HTTP_TIMEOUT', `sync run ${id} is still running on the broker; its report will be at GET /api/v1/sync/${id}`, { details: { syncId: id } });
  }
}

/** `logout [spec] who`: with --server a single argument is the person. --wait follows the delivery report. */
export async function logoutRemote(spec: string | undefined, who: string | undefined, opts: Output & { wait?: string; cloud?: string }): Promise<number> {
  const subject = parseSubjectArgument(who ?? spec);
  return withBroker(opts, async (api) => {
    const path = opts.cloud === undefined ? '/logout' : `/clouds/${encodeURIComponent(opts.cloud)}/logout`;
    const started = await api.post<{ eventId: string; coalesced: boolean }>(path, { subject: `${subject.homeCloud}:${subject.username}` });
    let report: DeliveryReport | undefined;
    const waitMs = Number(opts.wait ?? 0) * 1000;
    for (const until = Date.now() + waitMs; waitMs > 0 && Date.now() < until; await pause()) {
      report = await api.get<DeliveryReport>(`/logout/events/${encodeURIComponent(started.eventId)}`);
      if (report.outcome !== 'pending') break;
    }
    return printLogoutStarted(started, report, opts.output);
  });
}

export async function logoutStatusRemote(eventId: string, opts: Output): Promise<number> {
  return withBroker(opts, async (api) => printLogoutReport(await api.get<DeliveryReport>(`/logout/events/${encodeURIComponent(eventId)}`), opts.output));
}

export async function auditRemote(opts: Output & { since?: string; cloud?: string; correlationId?: string; limit?: string }): Promise<number> {
  return withBroker(opts, async (api) => {
    const { records } = await api.get<{ records: AuditRecord[] }>('/audit', { since: opts.since, cloud: opts.cloud, correlationId: opts.correlationId, limit: opts.limit });
    return printAuditRecords(records, opts.output);
  });
}

function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
}
