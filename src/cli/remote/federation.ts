// validate, plan, apply, status and explain against a running broker (--server): the spec is read
// and checked here as locally (same problems, same exit 3), then the broker's admin API does the
// work; its answers are shown by the very printers the local commands use (../*-output.ts).
import type { Explanation } from '../../services/explain.ts';
import type { Condition } from '../../services/status.ts';
import { readSpecFile } from '../../adapters/federation-file.ts';
import { BrokerError } from '../../core/errors.ts';
import { printExplanation, readClaims } from '../explain-output.ts';
import {
  applyExitCode, confirmApply, emptyApplyJson, isEmptyPlanJson, planExitCode, printApplyReport, printPlan, printStatus,
  type ApplyOutputJson, type PlanOutputJson,
} from '../federation-output.ts';
import { loadValidSpec } from '../load.ts';
import { EXIT, type OutputFormat } from '../output.ts';
import { parseSubjectArgument } from '../subject-arg.ts';
import { printValidSummary, validateCommand, type SpecSummary } from '../validate.ts';
import type { BrokerApiClient } from './api-client.ts';
import { withBroker } from './connection.ts';
import type { RemoteOptions } from './options.ts';
import { printSpecRefused } from './spec-refused.ts';

type Output = { output: OutputFormat } & RemoteOptions;

export async function validateRemote(file: string, opts: Output): Promise<number> {
  const { result } = await readSpecFile(file);
  // Problems found here are shown exactly as local validate shows them (with their lines).
  if (!result.ok) return validateCommand(file, opts.output);
  return withBroker(opts, async (api) => {
    const answer = await specCall(file, opts.output, () => api.post<{ summary: SpecSummary }>('/validate', { spec: result.spec }));
    return typeof answer === 'number' ? answer : printValidSummary(file, answer.summary, opts.output);
  });
}

export async function planRemote(file: string, opts: Output & { detailedExitcode?: boolean }): Promise<number> {
  const loaded = await loadValidSpec(file, opts.output);
  if ('exitCode' in loaded) return loaded.exitCode;
  return withBroker(opts, async (api) => {
    const plan = await specCall(file, opts.output, () => api.post<PlanOutputJson>('/plan', { spec: loaded.spec }));
    if (typeof plan === 'number') return plan;
    printPlan(plan, opts.output);
    if (opts.output !== 'json') printPlanId(plan, api);
    return planExitCode(plan, opts.detailedExitcode);
  });
}

/** `apply --plan-id ID`: exactly that stored plan. `apply SPEC`: plan it on the broker, show, ask (or --yes), apply that plan. */
export async function applyRemote(file: string | undefined, opts: Output & { yes?: boolean; planId?: string }): Promise<number> {
  if ((file === undefined) === (opts.planId === undefined)) {
    throw new BrokerError('ERR_USAGE', 'apply with --server takes a spec file or --plan-id <id>, exactly one of them', { details: { reason: file === undefined ? 'neither' : 'both' } });
  }
  if (opts.planId !== undefined) {
    const planId = opts.planId;
    return withBroker(opts, async (api) => showApplied(await api.post<ApplyOutputJson>('/apply', { planId }), opts.output));
  }
  const loaded = await loadValidSpec(file!, opts.output);
  if ('exitCode' in loaded) return loaded.exitCode;
  const human = opts.output !== 'json';
  return withBroker(opts, async (api) => {
    const plan = await specCall(file!, opts.output, () => api.post<PlanOutputJson>('/plan', { spec: loaded.spec }));
    if (typeof plan === 'number') return plan;
    if (human) { printPlan(plan, 'human'); printPlanId(plan, api); }
    if (isEmptyPlanJson(plan)) {
      if (!human) printApplyReport({ planId: plan.planId, ...emptyApplyJson(plan) } as ApplyOutputJson, 'json');
      return plan.unreachable.length > 0 ? EXIT.PARTIAL : EXIT.OK;
    }
    if (!(await confirmApply(opts.yes))) return EXIT.FAILED;
    try {
      return showApplied(await api.post<ApplyOutputJson>('/apply', { planId: plan.planId }), opts.output);
    } catch (error) {
      if (human) console.error('Apply stopped. Every step is idempotent: fix the cause and run apply again to finish.');
      throw error;
    }
  });
}

function showApplied(report: ApplyOutputJson, format: OutputFormat): number {
  printApplyReport(report, format);
  return applyExitCode(report, report.unreachable.length);
}

export function printPlanId(plan: PlanOutputJson, api: BrokerApiClient): void {
  console.log(`Plan id: ${plan.planId} (kept until ${plan.expiresAt}); apply exactly this plan with: fedbroker apply --server ${api.server} --plan-id ${plan.planId}`);
}

/** The spec argument is not needed: the broker reports on its current spec. */
export async function statusRemote(opts: Output & { cloud?: string }): Promise<number> {
  return withBroker(opts, async (api) => printStatus((await api.get<{ conditions: Condition[] }>('/status', { cloud: opts.cloud })).conditions, opts.output));
}

/** `explain [spec] who` or `--claims FILE`: with --server a single argument is the person; the spec is not needed. */
export async function explainRemote(spec: string | undefined, who: string | undefined, opts: Output & { claims?: string }): Promise<number> {
  const person = who ?? (opts.claims ? undefined : spec);
  const subject = opts.claims ? undefined : parseSubjectArgument(person, ', or pass --claims <file>');
  const claims = opts.claims ? await readClaims(opts.claims) : undefined;
  return withBroker(opts, async (api) => {
    const body = subject ? { subject: `${subject.homeCloud}:${subject.username}` } : { claims };
    printExplanation(await api.post<Explanation>('/explain', body), opts.output);
    return EXIT.OK;
  });
}

/** A call that posts a spec: the broker's ERR_SPEC_INVALID is shown like local spec problems (exit 3). */
async function specCall<T>(file: string, format: OutputFormat, call: () => Promise<T>): Promise<T | number> {
  try {
    return await call();
  } catch (error) {
    return printSpecRefused(file, error, format);
  }
}
