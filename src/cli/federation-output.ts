// How plan, apply and status show their results, locally and against a running broker
// (./remote): the same functions over the same JSON, so both print the same text and exit the same.
import { createInterface } from 'node:readline/promises';
import { BrokerError } from '../core/errors.ts';
import { formatPlanJson, type PlanJson } from '../core/plan/format.ts';
import type { PartOutcome, UnreachableJson } from '../services/apply-report.ts';
import type { Condition } from '../services/status.ts';
import { EXIT, printJson, type OutputFormat } from './output.ts';

/** `plan -o json` and the body of POST /api/v1/plan (which adds planId and expiresAt). */
export type PlanOutputJson = PlanJson & { unreachable: UnreachableJson[]; planId?: string; expiresAt?: string };

/** `apply -o json` and the body of POST /api/v1/apply (which adds planId). */
export interface ApplyOutputJson {
  planId?: string;
  applied: number;
  failed: number;
  notAttempted: number;
  total: number;
  summary: PlanJson['summary'];
  unreachable: UnreachableJson[];
  parts: PartOutcome[];
}

export function isEmptyPlanJson(plan: PlanJson): boolean {
  const s = plan.summary;
  return s.create + s.update + s.delete + s.conflict === 0;
}

/** The plan as `plan` shows it: the changes (or its JSON), what could not be read on stderr. */
export function printPlan(plan: PlanOutputJson, format: OutputFormat): void {
  if (format === 'json') { printJson(plan); return; }
  process.stdout.write(formatPlanJson(plan));
  const parts = plan.unreachable;
  if (parts.length > 0) console.log(`Partial plan: ${parts.length} part(s) could not be read and are not planned (see stderr).`);
  for (const p of parts) console.error(`Not planned: ${p.system} of ${p.cloud}${p.scope ? ` (${p.scope})` : ''}${p.part === 'metadata' ? ' (its identity-provider metadata; the partner realms keep its identity providers as they are)' : ''}: ${p.code}: ${p.message}`);
}

/** 0 nothing unreachable (4 with --detailed-exitcode when there are changes); 5 partial. */
export function planExitCode(plan: PlanOutputJson, detailedExitcode: boolean | undefined): number {
  if (plan.unreachable.length > 0) return EXIT.PARTIAL;
  return detailedExitcode && !isEmptyPlanJson(plan) ? EXIT.CHANGES_PRESENT : EXIT.OK;
}

/** What apply reports for an empty plan: nothing to do. */
export function emptyApplyJson(plan: PlanOutputJson): ApplyOutputJson {
  return { applied: 0, failed: 0, notAttempted: 0, total: 0, summary: plan.summary, unreachable: plan.unreachable, parts: [] };
}

/** 0 all applied; 5 partial (something failed, waited or was unreachable, others applied); 7 nothing could be applied. */
export function applyExitCode(report: Pick<ApplyOutputJson, 'applied' | 'failed' | 'notAttempted'>, unreachable: number): number {
  if (report.applied === 0 && report.failed + report.notAttempted > 0) return EXIT.NOTHING_APPLIED;
  return report.failed + report.notAttempted + unreachable > 0 ? EXIT.PARTIAL : EXIT.OK;
}

/** The apply report after the steps ran: complete, or partial with each part's outcome. */
export function printApplyReport(report: ApplyOutputJson, format: OutputFormat): void {
  if (format === 'json') { printJson(report); return; }
  const unreachable = report.unreachable.length;
  if (report.failed + report.notAttempted + unreachable === 0) { console.log(`Apply complete: ${report.applied} change(s) applied.`); return; }
  console.log(`Apply partial: ${report.applied} applied, ${report.failed} failed, ${report.notAttempted} not attempted of ${report.total} change(s); ${unreachable} part(s) not planned.`);
  for (const p of report.parts) {
    console.log(`  ${p.cloud} ${p.system}: ${p.applied.length} applied, ${p.failed.length} failed, ${p.notAttempted.length} not attempted${p.unreachable.length ? ', unreachable' : ''} (${p.condition.type} ${p.condition.status} ${p.condition.reason}: ${p.condition.message})`);
  }
  console.error('Every step is idempotent: once the failed parts are back, run apply again to finish.');
}

/** The conditions as a table (or `{conditions}`); exit 1 when one is False, 5 when a cloud was unreachable. */
export function printStatus(conditions: readonly Condition[], format: OutputFormat): number {
  if (format === 'json') printJson({ conditions });
  else {
    const rows = conditions.map((c) => [c.cloud, c.type, c.status, c.reason, c.message]);
    const widths = [0, 1, 2, 3].map((i) => Math.max(...[['CLOUD', 'CONDITION', 'STATUS', 'REASON'][i]!.length, ...rows.map((r) => r[i]!.length)]));
    for (const r of [['CLOUD', 'CONDITION', 'STATUS', 'REASON', 'MESSAGE'], ...rows]) console.log(r.map((v, i) => (i < 4 ? v.padEnd(widths[i]!) : v)).join('  '));
  }
  if (conditions.some((c) => c.status === 'False')) return EXIT.FAILED;
  return conditions.some((c) => c.reason === 'Unreachable') ? EXIT.PARTIAL : EXIT.OK;
}

/**
 * Without --yes, asks on the terminal: true when the answer is "yes"; any other answer is false (the
 * command exits 1, nothing changed). Not a terminal: ERR_CONFIRMATION_REQUIRED (exit 2).
 */
export async function confirmApply(yes: boolean | undefined): Promise<boolean> {
  if (yes || (await confirm())) return true;
  if (!process.stdin.isTTY) throw new BrokerError('ERR_CONFIRMATION_REQUIRED', 'apply needs --yes when it cannot ask on a terminal');
  console.error('Apply cancelled; nothing was changed.');
  return false;
}

async function confirm(): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question('Apply these changes? Only "yes" is accepted: ')).trim() === 'yes';
  } finally {
    rl.close();
  }
}
