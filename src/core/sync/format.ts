// How a sync run is shown: per partner cloud and system (and the home whose users it is), what is
// added, removed and changed, each with its reason; then the brake's findings. Pure text and JSON.
import { isBrokerError } from '../errors.ts';
import type { BrakeFinding } from './brake.ts';
import { isEffect, isRemoval, type SyncChange, type SyncTarget } from './model.ts';

export interface FormattedFailure { readonly cloud: string; readonly system?: string; readonly part: string; readonly home?: string; readonly code: string; readonly message: string }

/** A failure of a run (a home, a partner system, a write, a lease) as shown: its code, never a stack. */
export function formatFailure(f: { readonly cloud: string; readonly system?: string; readonly part: string; readonly home?: string; readonly error: unknown }): FormattedFailure {
  return { cloud: f.cloud, ...(f.system !== undefined && { system: f.system }), part: f.part, ...(f.home !== undefined && { home: f.home }),
    code: isBrokerError(f.error) ? f.error.code : 'ERR_INTERNAL', message: f.error instanceof Error ? f.error.message : String(f.error) };
}

export function describeChange(change: SyncChange): string {
  switch (change.op) {
    case 'createUser': return `create user ${change.user.username} linked to ${change.user.identityProvider}`;
    case 'createFederatedUser': return `create federated user ${change.uniqueId}`;
    case 'addMembership': return `add ${change.username} to ${change.group}`;
    case 'removeMembership': return `remove ${change.username} from ${change.group}`;
    case 'enableUser': return `enable user ${change.username}`;
    case 'disableUser': return `disable user ${change.username}`;
    case 'deleteUser': return `delete user ${change.username}`;
    case 'linkUser': return `link user ${change.username} to ${change.identityProvider} again`;
    case 'deleteFederatedUser': return `delete federated user ${change.username}`;
    case 'revokeTokens': return `revoke the live tokens of ${change.username}`;
    case 'deleteApplicationCredentials': return `delete the application credentials of ${change.username}`;
    case 'endSessions': return `end the sessions of ${change.username}`;
  }
}

/** Effects (revocations, ended sessions) are counted on their own: they are neither additions nor removals. */
export function changeKind(change: Pick<SyncChange, 'op'>): 'added' | 'removed' | 'changed' | 'effect' {
  // The kind depends on the operation alone (a change's JSON carries it too).
  const { op } = change;
  const asChange = change as SyncChange;
  if (isEffect(asChange)) return 'effect';
  if (isRemoval(asChange)) return op === 'disableUser' ? 'changed' : 'removed';
  return op === 'enableUser' ? 'changed' : 'added';
}

export interface SyncSummary { added: number; removed: number; changed: number; effects: number }

export function summarize(targets: readonly { readonly changes: readonly Pick<SyncChange, 'op'>[] }[]): SyncSummary {
  const out = { added: 0, removed: 0, changed: 0, effects: 0 };
  for (const c of targets.flatMap((t) => t.changes)) {
    const kind = changeKind(c);
    if (kind === 'effect') out.effects += 1;
    else out[kind] += 1;
  }
  return out;
}

function counts(s: SyncSummary): string {
  return `${s.added} added, ${s.removed} removed, ${s.changed} changed${s.effects > 0 ? `, ${s.effects} effects` : ''}`;
}

function failureLine(f: FormattedFailure): string {
  if (f.part === 'home') return `home ${f.cloud} could not be read; its users are left as they are`;
  if (f.part === 'journal') return `cloud ${f.cloud}: its removal effect journal could not be used; users whose removals carry effects were left as they are`;
  if (f.part === 'lease') return `cloud ${f.cloud} ${f.code === 'ERR_SYNC_BUSY' ? 'is synced by another broker process; left to it' : 'stopped writing: its sync lease is not held'}`;
  return `${f.system ?? 'cloud'} of ${f.cloud}${f.home ? ` (users of ${f.home})` : ''} ${f.part === 'apply' ? 'refused a change' : 'could not be read; not synced'}`;
}

/** One change of a run as JSON (`fedbroker sync -o json`, GET /api/v1/sync/{id}). */
export interface SyncChangeJson { readonly op: SyncChange['op']; readonly description: string; readonly reason: string; readonly applied: boolean; readonly failed?: true }
export interface SyncTargetJson {
  readonly home: string; readonly cloud: string; readonly system: string;
  readonly observedUsers: number; readonly observedMemberships: number; readonly changes: readonly SyncChangeJson[];
}
export interface SyncRunJson {
  readonly dryRun: boolean; readonly stopped: boolean; readonly stoppedByBrake: boolean; readonly summary: SyncSummary;
  readonly brake: readonly BrakeFinding[]; readonly failures: readonly FormattedFailure[]; readonly targets: readonly SyncTargetJson[];
}

/** A run's report (its targets, and per target each change's outcome in `applied`) as JSON. */
export function syncRunToJson(report: {
  readonly dryRun: boolean; readonly stopped: boolean; readonly stoppedByBrake: boolean; readonly targets: readonly SyncTarget[]; readonly brake: readonly BrakeFinding[];
  readonly failures: readonly Parameters<typeof formatFailure>[0][]; readonly applied: readonly (readonly { readonly error?: unknown }[])[];
}): SyncRunJson {
  return {
    dryRun: report.dryRun, stopped: report.stopped, stoppedByBrake: report.stoppedByBrake, summary: summarize(report.targets), brake: report.brake, failures: report.failures.map(formatFailure),
    targets: report.targets.map((t, i) => ({ home: t.home, cloud: t.partner, system: t.system, observedUsers: t.observedUsers, observedMemberships: t.observedMemberships,
      changes: t.changes.map((c, j) => {
        const outcome = report.applied[i]?.[j];
        return { op: c.op, description: describeChange(c), reason: c.reason, applied: outcome !== undefined && outcome.error === undefined, ...(outcome?.error !== undefined && { failed: true as const }) };
      }) })),
  };
}

export function formatSync(input: { targets: readonly SyncTarget[]; brake: readonly BrakeFinding[]; failures: readonly FormattedFailure[]; dryRun: boolean; stoppedByBrake: boolean; stopped?: boolean }): string {
  const targets = input.targets.map((t) => ({ home: t.home, cloud: t.partner, system: t.system, changes: t.changes.map((c) => ({ op: c.op, description: describeChange(c), reason: c.reason })) }));
  return formatSyncJson({ ...input, targets });
}

/** A run as people read it, from its JSON (made here, or received from a broker's API). */
export function formatSyncJson(input: {
  targets: readonly (Pick<SyncTargetJson, 'home' | 'cloud' | 'system'> & { readonly changes: readonly Pick<SyncChangeJson, 'op' | 'description' | 'reason'>[] })[];
  brake: readonly BrakeFinding[]; failures: readonly FormattedFailure[]; dryRun: boolean; stoppedByBrake: boolean; stopped?: boolean;
}): string {
  const lines: string[] = [];
  for (const t of input.targets) {
    const s = summarize([t]);
    lines.push(`${t.cloud} ${t.system} (users of ${t.home}): ${counts(s)}`);
    const mark = { added: '+', removed: '-', changed: '~', effect: '!' } as const;
    for (const c of t.changes) lines.push(`  ${mark[changeKind(c)]} ${c.description}  (${c.reason})`);
  }
  for (const b of input.brake) {
    lines.push(`Brake: ${b.partner} ${b.system} would lose ${b.removals} of ${b.observed} ${b.what} of ${b.home} (more than ${b.limitPercent} %).`);
  }
  for (const f of input.failures) {
    lines.push(`Not synced: ${failureLine(f)}: ${f.code}: ${f.message}`);
  }
  const total = summarize(input.targets);
  const outcome = input.stoppedByBrake ? 'stopped by the brake before writing; run again with --confirm to apply'
    : input.dryRun ? 'dry run, nothing written' : input.stopped ? 'stopped before the next write (shutdown); the next run finishes it' : 'applied';
  lines.push(`Sync: ${counts(total)}; ${outcome}.`);
  return `${lines.join('\n')}\n`;
}
