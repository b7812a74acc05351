// Onboarding and offboarding: plan, then apply, over every managed system given (src/services/systems;
// Keycloak, Keystone, Kubernetes when composed by the CLI). The story of a plan:
//   1. each system, in registry order, reads what its rendering needs and renders its desired objects
//      (Keycloak: the home clouds' identity-provider metadata, and every realm and partner client the
//      spec names must exist, else nothing is written; Keystone: what each Keystone supports)
//   2. observe what the broker owns in every scope of every system (and whatever sits at a desired address)
//   3. diff → ordered changes; each system may revise the plan (Keycloak: secrets whose source client is new are re-written)
// Apply runs the changes in order; each is idempotent, so an interrupted apply is finished by re-running it.
// It goes on past a failed step: only the rest of that step's part (a realm, a Keystone, a cluster)
// and the objects that need what failed wait (src/core/plan/dependencies.ts); each step's outcome is reported.
// One cloud's outage does not stop the plan of the others (planReachable): a system that cannot be
// read is left out and reported as unreachable, and objects a system holds back (those that depend
// on an unreadable home's metadata) are neither written nor deleted. A realm or client the spec names
// that does not exist stays an error of the whole plan: that is a mistake in the spec, not an outage.
import { BrokerError } from '../core/errors.ts';
import type { JsonValue } from '../core/json.ts';
import { afterFailure, afterHeldBack, dependsOnPart, partOf, setbackOf, waitsFor, type PartAddress } from '../core/plan/dependencies.ts';
import { diff, type Change, type Plan } from '../core/plan/diff.ts';
import { addressKey, type DesiredObject, type ObjectAddress, type ObservedObject } from '../core/plan/model.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import { kindOrderOf, needsOf } from '../core/systems/model.ts';
import type { ManagedSystem, UnreachablePart } from './systems/model.ts';

export type { UnreachablePart } from './systems/model.ts';

export interface OnboardingDeps {
  /** The systems to plan, in plan order (Keycloak first: logins; then what logins lead to). */
  readonly systems: readonly ManagedSystem[];
}

export interface ReachablePlan {
  readonly plan: Plan;
  readonly unreachable: readonly UnreachablePart[];
}

/** The plan of the whole federation; any unreachable part fails it (apply runs only whole plans). */
export async function planFederation(spec: FederationSpec, deps: OnboardingDeps): Promise<Plan> {
  const { plan, unreachable } = await planReachable(spec, deps);
  if (unreachable[0]) throw unreachable[0].error;
  return plan;
}

/** The plan of every part that can be read, and the parts that could not. */
export async function planReachable(spec: FederationSpec, deps: OnboardingDeps): Promise<ReachablePlan> {
  const unreachable: UnreachablePart[] = [];
  const rendered: DesiredObject[] = [];
  const heldBack = new Set<string>();
  for (const system of deps.systems) {
    const result = await system.render({ spec, unreachable });
    rendered.push(...result.desired);
    for (const d of result.heldBack ?? []) heldBack.add(addressKey(d));
  }
  const desired = rendered.filter((d) => !heldBack.has(addressKey(d)) && !isUnreachable(d, unreachable));
  const observed = (await observeAll(spec, deps, desired, unreachable)).filter((o) => !heldBack.has(addressKey(o)));
  // A scope whose read failed is not planned from half its picture.
  const planned = desired.filter((d) => !isUnreachable(d, unreachable));
  const descriptions = deps.systems.map((s) => s.description);
  const plan = diff(planned, observed, kindOrderOf(descriptions));
  return { plan: descriptions.reduce((p, s) => (s.revisePlan ? s.revisePlan(p) : p), plan), unreachable };
}

export type StepOutcome =
  | { readonly change: Change; readonly status: 'applied' }
  | { readonly change: Change; readonly status: 'failed'; readonly error: unknown }
  /** Not attempted: it waits for a part that failed or cannot be read, or for an object that failed (its key). */
  | { readonly change: Change; readonly status: 'notAttempted'; readonly waitsFor: string };

export interface ApplyProgress {
  (event: { step: number; total: number; change: Change; status: 'start' | 'done' } | ({ step: number; total: number } & Exclude<StepOutcome, { status: 'applied' }>)): void;
}

export interface ApplyReport {
  readonly applied: number;
  readonly failed: number;
  readonly notAttempted: number;
  readonly total: number;
  /** One per step, in plan order. */
  readonly outcomes: readonly StepOutcome[];
}

/** Applies a whole plan (nothing unreachable). */
export async function applyPlan(plan: Plan, deps: OnboardingDeps, progress: ApplyProgress = () => {}): Promise<ApplyReport> {
  return applyReachable({ plan, unreachable: [] }, deps, progress);
}

/**
 * Applies every change of a plan that can be: a failed step holds back the rest of its part (a realm,
 * a Keystone, a cluster) and what needs it (src/core/plan/dependencies.ts); the other parts go on.
 * Parts that could not be read when planning hold back what needs them from the start. A step whose
 * effect is confirmed later (a cluster's reload) lets the other parts go on meanwhile: its
 * confirmation is awaited before the next change that depends on its part, and before the report.
 */
export async function applyReachable({ plan, unreachable }: ReachablePlan, deps: OnboardingDeps, progress: ApplyProgress = () => {}): Promise<ApplyReport> {
  refuseConflicts(plan);
  const steps = plan.changes.filter((c) => c.action !== 'noop');
  const needs = needsOf(deps.systems.map((s) => s.description));
  let setback = setbackOf(unreadableParts(unreachable));
  const outcomes: StepOutcome[] = [];
  const confirming = new Map<number, Promise<{ error?: unknown }>>();
  const settle = async (indexes: readonly number[]) => {
    for (const i of indexes) {
      const { error } = await confirming.get(i)!;
      confirming.delete(i);
      const change = steps[i]!;
      const at = { step: i + 1, total: steps.length };
      if (error === undefined) { progress({ ...at, change, status: 'done' }); continue; }
      outcomes[i] = { change, status: 'failed', error };
      setback = afterFailure(setback, change);
      progress({ ...at, change, status: 'failed', error });
    }
  };
  for (const [i, change] of steps.entries()) {
    await settle([...confirming.keys()].filter((j) => dependsOnPart(change, partOf(addressOf(steps[j]!)), needs)));
    const at = { step: i + 1, total: steps.length };
    const waiting = waitsFor(change, setback, needs);
    const { outcome, confirmation } = waiting !== undefined
      ? { outcome: { change, status: 'notAttempted' as const, waitsFor: waiting } }
      : await attempt(change, deps, at, progress);
    outcomes.push(outcome);
    if (confirmation) { confirming.set(i, confirmation); continue; }
    if (outcome.status === 'failed') setback = afterFailure(setback, change);
    if (outcome.status === 'notAttempted') setback = afterHeldBack(setback, change);
    progress(outcome.status === 'applied' ? { ...at, change, status: 'done' } : { ...at, ...outcome });
  }
  await settle([...confirming.keys()]);
  return reportOf(outcomes);
}

interface Attempted { readonly outcome: StepOutcome; readonly confirmation?: Promise<{ error?: unknown }> }

async function attempt(change: Change, deps: OnboardingDeps, at: { step: number; total: number }, progress: ApplyProgress): Promise<Attempted> {
  progress({ ...at, change, status: 'start' });
  try {
    const a = addressOf(change);
    const system = systemOf(a, deps);
    const result = await system.adapter(a.cloud, a.scope).apply(change, await resolveWriteOnly(change, system));
    // Settled at once into a value, so a confirmation that fails early is never an unhandled rejection.
    const confirmation = result?.confirmed.then(() => ({}), (error: unknown) => ({ error: error ?? new Error('confirmation failed') }));
    return { outcome: { change, status: 'applied' }, ...(confirmation && { confirmation }) };
  } catch (error) {
    return { outcome: { change, status: 'failed', error } };
  }
}

function reportOf(outcomes: readonly StepOutcome[]): ApplyReport {
  const count = (status: StepOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  return { applied: count('applied'), failed: count('failed'), notAttempted: count('notAttempted'), total: outcomes.length, outcomes };
}

/** The systems (or scopes of them) that could not be read; a home's metadata is not a part writes go to. */
function unreadableParts(unreachable: readonly UnreachablePart[]): PartAddress[] {
  return unreachable.filter((u) => u.part === 'system').map((u) => ({ system: u.system, cloud: u.cloud, ...(u.scope !== undefined && { scope: u.scope }) }));
}

function isUnreachable(d: DesiredObject, unreachable: readonly UnreachablePart[]): boolean {
  return unreachable.some((u) => u.part === 'system' && u.system === d.system && u.cloud === d.cloud && (u.scope === undefined || u.scope === d.scope));
}

async function observeAll(spec: FederationSpec, deps: OnboardingDeps, desired: readonly DesiredObject[], unreachable: UnreachablePart[]): Promise<ObservedObject[]> {
  const skip = (system: string, cloud: string) => unreachable.some((u) => u.part === 'system' && u.system === system && u.cloud === cloud);
  const reads: Promise<ObservedObject[]>[] = [];
  for (const system of deps.systems) {
    const name = system.description.name;
    for (const { cloud, scope } of system.description.scopes(spec)) {
      if (skip(name, cloud)) continue;
      const wanted = desired.filter((d) => d.system === name && d.cloud === cloud && d.scope === scope);
      reads.push(system.adapter(cloud, scope).observe(scope, spec.metadata.name, wanted).catch((error: unknown) => {
        unreachable.push({ system: name, cloud, part: 'system', scope, error });
        return [];
      }));
    }
  }
  return (await Promise.all(reads)).flat();
}

function addressOf(change: Change): ObjectAddress {
  const a = change.desired ?? change.observed;
  if (!a) throw new BrokerError('ERR_INTERNAL', 'a change without an object');
  return a;
}

function systemOf(a: ObjectAddress, deps: OnboardingDeps): ManagedSystem {
  const system = deps.systems.find((s) => s.description.name === a.system);
  if (!system) throw new BrokerError('ERR_INTERNAL', `no adapter for ${a.system} of cloud ${a.cloud}`, { details: { cloud: a.cloud, system: a.system } });
  return system;
}

function refuseConflicts(plan: Plan): void {
  const conflicts = plan.changes.filter((c) => c.action === 'conflict');
  if (conflicts.length > 0) {
    throw new BrokerError('ERR_PLAN_CONFLICT', `the plan has ${conflicts.length} conflict(s); nothing was applied: ${conflicts.map((c) => c.reason).join('; ')}`,
      { details: { conflicts: conflicts.map((c) => c.key) } });
  }
}

async function resolveWriteOnly(change: Change, system: ManagedSystem): Promise<Record<string, JsonValue>> {
  if (change.action === 'delete' || !change.desired?.writeOnly) return {};
  const out: Record<string, JsonValue> = {};
  for (const [path, value] of Object.entries(change.desired.writeOnly)) {
    out[path] = system.resolveWriteOnly ? await system.resolveWriteOnly(value) : value;
  }
  return out;
}
