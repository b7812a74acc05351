// `fedbroker plan`, `apply` and `status`: the admin's onboarding loop (docs/design.md §4). Against a
// running broker (--server) the same commands are ./remote/federation.ts, with the same output.
import { BrokerError } from '../core/errors.ts';
import type { Change } from '../core/plan/diff.ts';
import { planToJson } from '../core/plan/format.ts';
import { outcomesByPart, summarizeError, unreachableToJson } from '../services/apply-report.ts';
import { applyReachable, planReachable, type ApplyProgress } from '../services/onboarding.ts';
import { federationStatus } from '../services/status.ts';
import { openCliAudit } from './cli-audit.ts';
import { composeOnboarding } from './compose.ts';
import { applyExitCode, confirmApply, emptyApplyJson, isEmptyPlanJson, planExitCode, printApplyReport, printPlan, printStatus, type PlanOutputJson } from './federation-output.ts';
import { loadValidSpec } from './load.ts';
import { EXIT, type OutputFormat } from './output.ts';

export { applyExitCode } from './federation-output.ts';

export interface PlanOptions { output: OutputFormat; detailedExitcode?: boolean }
export interface ApplyOptions { output: OutputFormat; yes?: boolean }

export async function planCommand(file: string, opts: PlanOptions): Promise<number> {
  const loaded = await loadValidSpec(file, opts.output);
  if ('exitCode' in loaded) return loaded.exitCode;
  const deps = await composeOnboarding(loaded.spec, loaded.baseDir);
  const { plan, unreachable } = await planReachable(loaded.spec, deps);
  const json: PlanOutputJson = { ...planToJson(plan), unreachable: unreachable.map(unreachableToJson) };
  printPlan(json, opts.output);
  return planExitCode(json, opts.detailedExitcode);
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
    const json: PlanOutputJson = { ...planToJson(plan), unreachable: unreachable.map(unreachableToJson) };
    if (human) printPlan(json, 'human');
    if (isEmptyPlanJson(json)) {
      if (!human) printApplyReport(emptyApplyJson(json), 'json');
      return json.unreachable.length > 0 ? EXIT.PARTIAL : EXIT.OK;
    }
    if (!(await confirmApply(opts.yes))) return EXIT.FAILED;
    const audit = await openCliAudit('apply');
    const clouds = [...new Set(plan.changes.flatMap((c) => { const o = c.desired ?? c.observed; return o && c.action !== 'noop' ? [o.cloud] : []; }))].sort();
    console.error(`audit run id: ${audit.runId}`);
    const report = await applyReachable(reachable, deps, (event) => { if (human && event.status !== 'start') console.log(describeStep(event)); })
      .catch(async (error: unknown) => {
        audit.record('cli.apply.failed', { spec: file, clouds, outcome: 'failed', error: summarizeError(error) });
        await audit.close();
        throw error;
      });
    audit.record('cli.apply', { spec: file, clouds, summary: plan.summary, applied: report.applied, failed: report.failed, notAttempted: report.notAttempted, unreachable: unreachable.length, outcome: report.failed + report.notAttempted > 0 ? 'failed' : 'ok' });
    await audit.close();
    const parts = outcomesByPart(loaded.spec, deps.systems.map((s) => s.description), report, unreachable);
    printApplyReport({ applied: report.applied, failed: report.failed, notAttempted: report.notAttempted, total: report.total, summary: plan.summary, unreachable: json.unreachable, parts }, opts.output);
    return applyExitCode(report, json.unreachable.length);
  } catch (error) {
    if (human) console.error('Apply stopped. Every step is idempotent: fix the cause and run apply again to finish.');
    throw error;
  }
}

function describeStep(event: Parameters<ApplyProgress>[0]): string {
  const at = `[${event.step}/${event.total}] ${describe(event.change)}`;
  if (event.status === 'failed') { const e = summarizeError(event.error); return `${at}: failed: ${e.code}: ${e.message}`; }
  if (event.status === 'notAttempted') return `${at}: not attempted (waits for ${event.waitsFor})`;
  return `${at}: done`;
}

/** Every cloud's conditions, or only those of --cloud (a cloud of the spec, else ERR_NOT_FOUND as the API answers). */
export async function statusCommand(file: string, opts: { output: OutputFormat; cloud?: string }): Promise<number> {
  const loaded = await loadValidSpec(file, opts.output);
  if ('exitCode' in loaded) return loaded.exitCode;
  const { cloud } = opts;
  if (cloud !== undefined && !loaded.spec.clouds.some((c) => c.alias === cloud)) throw new BrokerError('ERR_NOT_FOUND', `cloud ${cloud} is not in the spec`, { details: { cloud } });
  const deps = await composeOnboarding(loaded.spec, loaded.baseDir);
  const conditions = await federationStatus(loaded.spec, deps);
  return printStatus(cloud === undefined ? conditions : conditions.filter((c) => c.cloud === cloud), opts.output);
}

function describe(change: Change): string {
  const a = change.desired ?? change.observed;
  const mark = { create: '+', update: '~', delete: '-', noop: ' ', conflict: '!' }[change.action];
  return `${mark} ${a?.system} ${a?.cloud} ${a?.kind} ${a?.name}`;
}
