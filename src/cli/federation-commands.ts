// `fedbroker plan`, `apply` and `status`: the admin's onboarding loop (docs/design.md §4).
import { createInterface } from 'node:readline/promises';
import { BrokerError, isBrokerError } from '../core/errors.ts';
import { isEmptyPlan, type Change } from '../core/plan/diff.ts';
import { formatPlan, planToJson } from '../core/plan/format.ts';
import { applyPlan, planFederation, planReachable, type UnreachablePart } from '../services/onboarding.ts';
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
  else {
    process.stdout.write(formatPlan(plan));
    if (parts.length > 0) console.log(`Partial plan: ${parts.length} part(s) could not be read and are not planned (see stderr).`);
    for (const p of parts) console.error(`Not planned: ${p.system} of ${p.cloud}${p.scope ? ` (${p.scope})` : ''}${p.part === 'metadata' ? ' (its identity-provider metadata; the partner realms keep its identity providers as they are)' : ''}: ${p.code}: ${p.message}`);
  }
  if (parts.length > 0) return EXIT.PARTIAL;
  return opts.detailedExitcode && !isEmptyPlan(plan) ? EXIT.CHANGES_PRESENT : EXIT.OK;
}

/** An unreachable part as printed: where, and the error's code and message (never its details or cause). */
export function unreachableToJson(u: UnreachablePart): { system: string; cloud: string; part: string; scope?: string; code: string; message: string } {
  return {
    system: u.system, cloud: u.cloud, part: u.part, ...(u.scope !== undefined && { scope: u.scope }),
    code: isBrokerError(u.error) ? u.error.code : 'ERR_INTERNAL', message: u.error instanceof Error ? u.error.message : String(u.error),
  };
}

export async function applyCommand(file: string, opts: ApplyOptions): Promise<number> {
  const loaded = await loadValidSpec(file, opts.output);
  if ('exitCode' in loaded) return loaded.exitCode;
  const deps = await composeOnboarding(loaded.spec, loaded.baseDir);
  try {
    const plan = await planFederation(loaded.spec, deps);
    const human = opts.output !== 'json';
    if (human) process.stdout.write(formatPlan(plan));
    if (isEmptyPlan(plan)) {
      if (!human) printJson({ applied: 0, summary: plan.summary });
      return EXIT.OK;
    }
    if (!opts.yes && !(await confirm())) {
      if (!process.stdin.isTTY) throw new BrokerError('ERR_CONFIRMATION_REQUIRED', 'apply needs --yes when it cannot ask on a terminal');
      console.error('Apply cancelled; nothing was changed.');
      return EXIT.FAILED;
    }
    const report = await applyPlan(plan, deps, ({ step, total, change, status }) => {
      if (human && status === 'done') console.log(`[${step}/${total}] ${describe(change)}: done`);
    });
    if (human) console.log(`Apply complete: ${report.applied} change(s) applied.`);
    else printJson({ applied: report.applied, summary: plan.summary });
    return EXIT.OK;
  } catch (error) {
    if (opts.output !== 'json') console.error('Apply stopped. Every step is idempotent: fix the cause and run apply again to finish.');
    throw error;
  }
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
