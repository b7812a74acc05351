// The event path of role sync (docs/sync.md, "The event path"): read a home realm's admin events
// from the durable checkpoint on, keep those that name a home user (not the broker's own writes),
// run a targeted sync for just those users (same diff, same brake), audit each event and each
// change, then move the checkpoint past the batch. A home that cannot be read, or a partner change
// that failed, leaves the checkpoint where it was: the next tick reads the same events again (every
// step is idempotent). A batch the brake stops is reported and passed on to the full sync
// (`fedbroker sync --confirm`). The first poll of a home starts at the present (no history).
import { isBrokerError } from '../core/errors.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import { judgeEvent, type HomeAdminEvent } from '../core/sync/admin-events.ts';
import { describeChange } from '../core/sync/format.ts';
import type { AuditLog, Clock, EventCheckpoint, HomeAdminEventsPort, SyncEventStore } from '../ports.ts';
import type { SyncDeps, SyncReport } from './sync.ts';
import { runTargetedSync } from './sync-targeted.ts';

export interface SyncEventDeps extends SyncDeps {
  readonly spec: FederationSpec;
  adminEvents(cloud: string): HomeAdminEventsPort;
  readonly store: SyncEventStore;
  readonly clock: Clock;
  readonly audit: AuditLog;
}

export interface SyncEventResult {
  /** Events that named a home user. */
  readonly handled: number;
  /** The broker's own writes and events about anything else. */
  readonly ignored: number;
  /** Changes applied (or tried) for those users. */
  readonly changes: number;
  readonly stoppedByBrake: boolean;
  /** false when the checkpoint stayed (home unreadable, a change failed): retried next tick. */
  readonly done: boolean;
}

const PAGE = 100;
/** At most this many events per tick; the rest follow on the next one. */
const MAX_BATCH = 1000;

export async function pollSyncEvents(deps: SyncEventDeps, home: string): Promise<SyncEventResult> {
  const realm = deps.spec.clouds.find((c) => c.alias === home)?.keycloak.realm ?? home;
  const none = { handled: 0, ignored: 0, changes: 0, stoppedByBrake: false, done: true };
  const start = await deps.store.checkpoint(home);
  if (!start) {
    await deps.store.saveCheckpoint(home, { time: deps.clock.now().getTime(), ids: [] });
    return none;
  }
  const batch = await readBatch(deps.adminEvents(home), realm, start);
  if (batch.length === 0) return none;
  const own = await deps.adminEvents(home).ownAdminUserId();
  const verdicts = batch.map((event) => ({ event, verdict: judgeEvent(event, new Set(own ? [own] : [])) }));
  const ids = [...new Set(verdicts.flatMap(({ verdict }) => (verdict.relevant ? [verdict.userId] : [])))];
  const report = ids.length > 0 ? await runTargetedSync(deps.spec, deps, home, ids) : undefined;
  const done = report === undefined || report.failures.length === 0;
  audit(deps, home, verdicts, report, done);
  if (done) await deps.store.saveCheckpoint(home, advance(start, batch));
  return {
    handled: verdicts.filter((v) => v.verdict.relevant).length, ignored: verdicts.filter((v) => !v.verdict.relevant).length,
    changes: report?.applied.reduce((n, a) => n + a.length, 0) ?? 0, stoppedByBrake: report?.stoppedByBrake ?? false, done,
  };
}

/** The events after the checkpoint, oldest first (the checkpoint's own ids at its time are skipped). */
async function readBatch(port: HomeAdminEventsPort, realm: string, checkpoint: EventCheckpoint): Promise<HomeAdminEvent[]> {
  const out: HomeAdminEvent[] = [];
  for (let first = 0; out.length < MAX_BATCH; first += PAGE) {
    const page = await port.adminEvents(realm, checkpoint.time, first, PAGE);
    out.push(...page.filter((e) => e.time > checkpoint.time || (e.time === checkpoint.time && !checkpoint.ids.includes(e.id))));
    if (page.length < PAGE) break;
  }
  return out.sort((a, b) => a.time - b.time);
}

function advance(checkpoint: EventCheckpoint, batch: readonly HomeAdminEvent[]): EventCheckpoint {
  let next = checkpoint;
  for (const e of batch) next = e.time > next.time ? { time: e.time, ids: [e.id] } : { time: next.time, ids: [...next.ids, e.id] };
  return next;
}

function audit(deps: SyncEventDeps, home: string, verdicts: readonly { event: HomeAdminEvent; verdict: ReturnType<typeof judgeEvent> }[], report: SyncReport | undefined, done: boolean): void {
  for (const { event, verdict } of verdicts) {
    if (!verdict.relevant) continue;
    deps.audit.record({ action: 'sync.event', correlationId: `admin-event:${home}:${event.id}`, cloud: home, realmEvent: event.id, eventTime: event.time,
      operationType: event.operationType, resourceType: event.resourceType, homeUserId: verdict.userId, what: verdict.what });
  }
  if (!report) return;
  const correlationId = `sync-events:${home}:${verdicts[0]?.event.id ?? ''}`;
  report.targets.forEach((target, i) => {
    target.changes.forEach((change, j) => {
      const error = report.applied[i]?.[j]?.error;
      deps.audit.record({ action: 'sync.change', correlationId, cloud: target.partner, system: target.system, home, op: change.op, change: describeChange(change), reason: change.reason,
        result: report.stoppedByBrake ? 'braked' : error === undefined ? 'applied' : 'failed', ...(error !== undefined && { code: isBrokerError(error) ? error.code : 'ERR_INTERNAL' }) });
    });
  });
  for (const b of report.brake) deps.audit.record({ action: 'sync.brake', correlationId, cloud: b.partner, system: b.system, home, what: b.what, removals: b.removals, observed: b.observed });
  for (const f of report.failures) {
    deps.audit.record({ action: 'sync.failed', correlationId, cloud: f.cloud, system: f.system, part: f.part, home, retry: !done,
      code: isBrokerError(f.error) ? f.error.code : 'ERR_INTERNAL', message: f.error instanceof Error ? f.error.message : String(f.error) });
  }
}
