// The outcome of an apply per cloud and system, as `fedbroker apply` reports it: the changes applied,
// failed (code and message, never details or causes) and not attempted (with what they wait for), the
// parts that could not be read, and the system's status condition as the apply leaves it. A part's
// condition carries only its own errors: one that waits for another cloud names that part, not its error.
import { isBrokerError } from '../core/errors.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import type { SystemDescription } from '../core/systems/model.ts';
import type { ApplyReport, StepOutcome } from './onboarding.ts';
import type { Condition } from './status.ts';
import type { UnreachablePart } from './systems/model.ts';

export interface ErrorSummary { readonly code: string; readonly message: string }

/** An unreachable part as shown (CLI and API): where, and the error's code and message (never its details or cause). */
export interface UnreachableJson { system: string; cloud: string; part: string; scope?: string; code: string; message: string }

export function unreachableToJson(u: UnreachablePart): UnreachableJson {
  return { system: u.system, cloud: u.cloud, part: u.part, ...(u.scope !== undefined && { scope: u.scope }), ...summarizeError(u.error) };
}

export interface PartOutcome {
  readonly cloud: string;
  readonly system: string;
  readonly applied: readonly string[];
  readonly failed: readonly ({ readonly key: string } & ErrorSummary)[];
  readonly notAttempted: readonly { readonly key: string; readonly waitsFor: string }[];
  readonly unreachable: readonly ({ readonly scope?: string } & ErrorSummary)[];
  readonly condition: Condition;
}

/** One entry per system the spec configures in each cloud, in spec and registry order. */
export function outcomesByPart(spec: FederationSpec, systems: readonly SystemDescription[], report: ApplyReport, unreachable: readonly UnreachablePart[]): PartOutcome[] {
  return spec.clouds.flatMap((cloud) => systems.filter((s) => s.configuredIn(cloud)).map((system) => {
    const mine = (o: StepOutcome) => { const a = o.change.desired ?? o.change.observed; return a?.cloud === cloud.alias && a.system === system.name; };
    const outcomes = report.outcomes.filter(mine);
    const part = {
      cloud: cloud.alias, system: system.name,
      applied: outcomes.filter((o) => o.status === 'applied').map((o) => o.change.key),
      failed: outcomes.flatMap((o) => (o.status === 'failed' ? [{ key: o.change.key, ...summarizeError(o.error) }] : [])),
      notAttempted: outcomes.flatMap((o) => (o.status === 'notAttempted' ? [{ key: o.change.key, waitsFor: o.waitsFor }] : [])),
      unreachable: unreachable.filter((u) => u.part === 'system' && u.system === system.name && u.cloud === cloud.alias)
        .map((u) => ({ ...(u.scope !== undefined && { scope: u.scope }), ...summarizeError(u.error) })),
    };
    return { ...part, condition: conditionOf(part, system.condition.type) };
  }));
}

/** An error as reported: its code and message, never its details or cause. */
export function summarizeError(error: unknown): ErrorSummary {
  return { code: isBrokerError(error) ? error.code : 'ERR_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

function conditionOf(part: Omit<PartOutcome, 'condition'>, type: string): Condition {
  const { cloud, applied, failed, notAttempted, unreachable } = part;
  const down = unreachable[0];
  if (down) return { cloud, type, status: 'Unknown', reason: 'Unreachable', message: `${down.code}: ${down.message}` };
  const first = failed[0];
  if (first) {
    return { cloud, type, status: 'False', reason: 'ApplyFailed',
      message: `${failed.length} change(s) failed, ${notAttempted.length} not attempted, ${applied.length} applied; first: ${first.code}: ${first.message}` };
  }
  if (notAttempted.length > 0) {
    const waits = [...new Set(notAttempted.map((n) => n.waitsFor))].join(', ');
    return { cloud, type, status: 'False', reason: 'DependencyNotApplied', message: `${notAttempted.length} change(s) not attempted: they wait for ${waits}; ${applied.length} applied` };
  }
  return { cloud, type, status: 'True', reason: 'Applied', message: `${applied.length} change(s) applied; nothing pending` };
}
