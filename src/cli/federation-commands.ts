// `fedbroker plan`, `apply` and `status`: the admin's onboarding loop (docs/design.md §4).
import { createInterface } from 'node:readline/promises';
import { BrokerError } from '../core/errors.ts';
import { isEmptyPlan, type Change, type Plan } from '../core/plan/diff.ts';
import { formatPlan, planToJson } from '../core/plan/format.ts';
import { outcomesByPart, summarizeError, type PartOutcome } from '../services/apply-report.ts';
import { applyReachable, planReachable, type ApplyProgress, type ApplyReport, type UnreachablePart } from '../services/onboarding.ts';
import { federationStatus } from '../services/status.ts';
import { composeOnboarding } from './compose.ts';
import { loadValidSpec } from './load.ts';
import { EXIT, printJson, type OutputFormat } from './output.ts';

export interface PlanOptions { output: OutputFormat; detailedExitcode?: boolean }
export interface ApplyOptions { output: OutputFormat; yes?: boolean }

export async function planCommand(file: string, opts: PlanOptions): Promise<number> {
  const loaded = await loadValidSpec(file, opts.output);
  if ('exitCode' in loaded) return loaded.exitCode;
  const deps = await composeOnboarding(loaded.spec, loaded.baseDir);
  const { plan, unreachable } = await planReachable(loaded.spec, deps);
  const parts = unreachable.map(unreachableToJson);
  if (opts.output === 'json') printJson({ ...(planToJson(plan) as object), unreachable: parts });
  else printPlan(plan, parts);
  if (parts.length > 0) return EXIT.PARTIAL;
  return opts.detailedExitcode && !isEmptyPlan(plan) ? EXIT.CHANGES_PRESENT : EXIT.OK;
}

/** An unreachable part as printed: where, and the error's code and message (never its details or cause). */
export function unreachableToJson(u: UnreachablePart): { system: string; cloud: string; part: string; scope?: string; code: string; message: string } {
  return { system: u.system, cloud: u.cloud, part: u.part, ...(u.scope !== undefined && { scope: u.scope }), ...summarizeError(u.error) };
}

/** Plans what is reachable, shows it like `plan`, applies every change that can be, reports each part. */
export async function applyCommand(file: string, opts: ApplyOptions): Promise<number> {
  const loaded = await loadValidSpec(file, opts.output);
  if ('exitCode' in loaded) return loaded.exitCode;
  const deps = await composeOnboarding(loaded.spec, loaded.baseDir);
  const human = opts.output !== 'json';
  try {
    const reachable = await planReachable(loaded.spec, deps);
    const { plan, unreachable } = reachable;
    const parts = unreachable.map(unreachableToJson);
    if (human) printPlan(plan, parts);
    if (isEmptyPlan(plan)) {
      if (!human) printJson({ applied: 0, failed: 0, notAttempted: 0, total: 0, summary: plan.summary, unreachable: parts, parts: [] });
      return parts.length > 0 ? EXIT.PARTIAL : EXIT.OK;
    }
    if (!opts.yes && !(await confirm())) {
      if (!process.stdin.isTTY) throw new BrokerError('ERR_CONFIRMATION_REQUIRED', 'apply needs --yes when it cannot ask on a terminal');
      console.error('Apply cancelled; nothing was changed.');
      return EXIT.FAILED;
    }
    const report = await applyReachable(reachable, deps, (event) => { if (human && event.status !== 'start') console.log(describeStep(event)); });
    const byPart = outcomesByPart(loaded.spec, deps.systems.map((s) => s.description), report, unreachable);
    if (human) printApplyReport(report, byPart, parts.length);
    else printJson({ applied: report.applied, failed: report.failed, notAttempted: report.notAttempted, total: report.total, summary: plan.summary, unreachable: parts, parts: byPart });
    return applyExitCode(report, parts.length);
  } catch (error) {
    if (human) console.error('Apply stopped. Every step is idempotent: fix the cause and run apply again to finish.');
    throw error;
  }
}

/** 0 all applied; 5 partial (something failed, waited or was unreachable, others applied); 7 nothing could be applied. */
export function applyExitCode(report: ApplyReport, unreachable: number): number {
  if (report.applied === 0 && report.failed + report.notAttempted > 0) return EXIT.NOTHING_APPLIED;
  return report.failed + report.notAttempted + unreachable > 0 ? EXIT.PARTIAL : EXIT.OK;
}

function printPlan(plan: Plan, parts: readonly ReturnType<typeof unreachableToJson>[]): void {
  process.stdout.write(formatPlan(plan));
  if (parts.length > 0) console.log(`Partial plan: ${parts.length} part(s) could not be read and are not planned (see stderr).`);
  for (const p of parts) console.error(`Not planned: ${p.system} of ${p.cloud}${p.scope ? ` (${p.scope})` : ''}${p.part === 'metadata' ? ' (its identity-provider metadata; the partner realms keep its identity providers as they are)' : ''}: ${p.code}: ${p.message}`);
}

function describeStep(event: Parameters<ApplyProgress>[0]): string {
  const at = `[${event.step}/${event.total}] ${describe(event.change)}`;
  if (event.status === 'failed') { const e = summarizeError(event.error); return `${at}: failed: ${e.code}: ${e.message}`; }
  if (event.status === 'notAttempted') return `${at}: not attempted (waits for ${event.waitsFor})`;
  return `${at}: done`;
}

function printApplyReport(report: ApplyReport, byPart: readonly PartOutcome[], unreachable: number): void {
  if (report.failed + report.notAttempted + unreachable === 0) { console.log(`Apply complete: ${report.applied} change(s) applied.`); return; }
  console.log(`Apply partial: ${report.applied} applied, ${report.failed} failed, ${report.notAttempted} not attempted of ${report.total} change(s); ${unreachable} part(s) not planned.`);
  for (const p of byPart) {
    console.log(`  ${p.cloud} ${p.system}: ${p.applied.length} applied, ${p.failed.length} failed, ${p.notAttempted.length} not attempted${p.unreachable.length ? ', unreachable' : ''} (${p.condition.type} ${p.condition.status} ${p.condition.reason}: ${p.condition.message})`);
  }
  console.error('Every step is idempotent: once the failed parts are back, run apply again to finish.');
}

export async function statusCommand(file: string, opts: { output: OutputFormat }): Promise<number> {
  const loaded = await loadValidSpec(file, opts.output);
  if ('exitCode' in loaded) return loaded.exitCode;
  const deps = await composeOnboarding(loaded.spec, loaded.baseDir);
  const conditions = await federationStatus(loaded.spec, deps);
  if (opts.output === 'json') printJson({ conditions });
  else {
    const rows = conditions.map((c) => [c.cloud, c.type, c.status, c.reason, c.message]);
    const widths = [0, 1, 2, 3].map((i) => Math.max(...[['CLOUD', 'CONDITION', 'STATUS', 'REASON'][i]!.length, ...rows.map((r) => r[i]!.length)]));
    for (const r of [['CLOUD', 'CONDITION', 'STATUS', 'REASON', 'MESSAGE'], ...rows]) console.log(r.map((v, i) => (i < 4 ? v.padEnd(widths[i]!) : v)).join('  '));
  }
  if (conditions.some((c) => c.status === 'False')) return EXIT.FAILED;
  return conditions.some((c) => c.reason === 'Unreachable') ? EXIT.PARTIAL : EXIT.OK;
}

function describe(change: Change): string {
  const a = change.desired ?? change.observed;
  const mark = { create: '+', update: '~', delete: '-', noop: ' ', conflict: '!' }[change.action];
  return `${mark} ${a?.system} ${a?.cloud} ${a?.kind} ${a?.name}`;
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
