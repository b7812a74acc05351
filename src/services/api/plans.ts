// Plan, then apply exactly the plan that was shown, over the admin API (docs/api.md):
//   plan:  1. the proposed spec (or the current one) as operations against the current spec
//          2. authorize each (every grant entry, cloud entry, trust edge)
//          3. plan what is reachable, with the adapters for that spec
//          4. authorize the clouds the plan writes into
//          5. keep it under a new id with the fingerprints of the current spec and of the plan
//   apply: 1. the stored plan, re-authorized for the caller
//          2. stale when the current spec changed since, or when planning again gives another plan
//             (observed state or reachability changed): ERR_PLAN_STALE, nothing applied
//          3. claim it (once, across broker processes); in API mode record the spec as the next
//             revision first (a revision recorded by another process since makes it stale)
//          4. apply it; the applied spec becomes the broker's current spec, the revision gets the outcome
// In GitOps mode a plan of any spec but the file's is refused (ERR_SPEC_MODE_GITOPS).
import { actorOf } from '../../core/audit/record.ts';
import { describeActor } from '../../core/authz/actor.ts';
import { consentCovers, type TrustConsent } from '../../core/authz/trust-proposal.ts';
import { planWrites } from '../../core/authz/plan-scope.ts';
import { specChanges } from '../../core/authz/spec-changes.ts';
import type { Operation } from '../../core/authz/operations.ts';
import { canonicalJson } from '../../core/canonical-json.ts';
import { BrokerError } from '../../core/errors.ts';
import type { FederationSpec } from '../../core/federation/schema.ts';
import { isEmptyPlan } from '../../core/plan/diff.ts';
import { finished, nextRevision, type Revision, type RevisionOrigin } from '../../core/revisions/revision.ts';
import { sha256Base64url } from '../../core/sha256.ts';
import type { Clock, IdSource } from '../../ports.ts';
import type { PlanStore, StoredPlan } from '../../ports/api.ts';
import { applyReachable, planReachable, type ApplyReport, type OnboardingDeps, type ReachablePlan } from '../onboarding.ts';
import { authorizeAll, type AuthorizeDeps, type RequestContext } from './authorize.ts';
import type { CurrentSpec } from './current-spec.ts';

export interface PlanDeps extends AuthorizeDeps {
  readonly current: CurrentSpec;
  /** Adapters of every managed system for a spec's clouds. */
  readonly onboarding: (spec: FederationSpec) => Promise<OnboardingDeps>;
  readonly plans: PlanStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** How long a plan can be applied (default 15 minutes). */
  readonly planTtlMs?: number;
}

export const DEFAULT_PLAN_TTL_MS = 15 * 60_000;

export interface MadePlan { readonly stored: StoredPlan; readonly reachable: ReachablePlan }

export interface PlanOptions {
  /** A rollback: the revision whose spec is planned. */
  readonly rollbackOf?: number;
  /** An accepted trust proposal: what the partner consented to is not asked of the caller again. */
  readonly consent?: TrustConsent;
}

export async function makePlan(deps: PlanDeps, ctx: RequestContext, proposed: FederationSpec | undefined, options: PlanOptions = {}): Promise<MadePlan> {
  const { rollbackOf, consent } = options;
  const current = deps.current.get();
  const spec = proposed ?? current;
  // The current spec's privileged roles decide: a proposed spec cannot shorten the list it is judged by.
  authorizeAll(deps, ctx, notConsented(requestedOperations(current, spec), consent), current.privileged);
  if (deps.current.mode === 'gitops' && fingerprint(spec) !== fingerprint(current)) throw gitOpsRefusal(deps.current.file);
  const reachable = await planReachable(spec, await deps.onboarding(spec));
  authorizeAll(deps, ctx, notConsented(planWrites(reachable.plan), consent), current.privileged);
  const now = deps.clock.now().getTime();
  const stored: StoredPlan = {
    id: `plan-${deps.ids.newId()}`, spec, baseFingerprint: fingerprint(current), planFingerprint: planFingerprint(reachable),
    plan: reachable.plan, createdBy: ctx.actor, createdAt: now, expiresAt: now + (deps.planTtlMs ?? DEFAULT_PLAN_TTL_MS),
    ...(deps.current.mode === 'api' && { baseRevision: deps.current.latest().number }),
    ...(rollbackOf !== undefined && { rollbackOf }),
    ...(consent && { consent }),
  };
  await deps.plans.save(stored);
  deps.audit.record({ action: 'api.plan', correlationId: ctx.requestId, planId: stored.id, actor: describeActor(ctx.actor), summary: reachable.plan.summary, unreachable: reachable.unreachable.length, ...(rollbackOf !== undefined && { rollbackOf }) });
  return { stored, reachable };
}

export interface AppliedPlan { readonly stored: StoredPlan; readonly reachable: ReachablePlan; readonly report: ApplyReport; readonly onboarding: OnboardingDeps; readonly revision?: Revision }

export async function applyStoredPlan(deps: PlanDeps, ctx: RequestContext, planId: string): Promise<AppliedPlan> {
  const stored = await deps.plans.get(planId, deps.clock.now().getTime());
  if (!stored) throw new BrokerError('ERR_PLAN_NOT_FOUND', `no plan ${planId} (never made, expired, or applied already)`, { details: { planId } });
  const current = deps.current.get();
  authorizeAll(deps, ctx, notConsented([...requestedOperations(current, stored.spec), ...planWrites(stored.plan)], stored.consent), current.privileged);
  if (fingerprint(current) !== stored.baseFingerprint) throw stale(planId, 'the broker\'s spec changed since the plan was made');
  const onboarding = await deps.onboarding(stored.spec);
  const reachable = await planReachable(stored.spec, onboarding);
  if (planFingerprint(reachable) !== stored.planFingerprint) throw stale(planId, 'the observed state changed since the plan was made');
  if (!(await deps.plans.claim(planId, deps.clock.now().getTime()))) {
    throw new BrokerError('ERR_PLAN_NOT_FOUND', `plan ${planId} was applied by another request at the same time (or expired just now); nothing was applied by this one`, { details: { planId } });
  }
  const revision = await recordRevision(deps, ctx, stored);
  const report = isEmptyPlan(reachable.plan) ? { applied: 0, failed: 0, notAttempted: 0, total: 0, outcomes: [] } : await applyReachable(reachable, onboarding);
  const done = revision && await finishRevision(deps, revision, report, reachable.unreachable.length);
  deps.audit.record({ action: 'api.apply', correlationId: ctx.requestId, planId, actor: describeActor(ctx.actor), applied: report.applied, failed: report.failed, notAttempted: report.notAttempted, ...(done && { revision: done.number }) });
  return { stored, reachable, report, onboarding, ...(done && { revision: done }) };
}

/**
 * API mode: the plan's spec as the next revision, recorded before anything is applied, so that of
 * two processes applying plans made on the same revision only one goes ahead. An unchanged spec
 * (a plan that only repairs drift) is no new revision.
 */
async function recordRevision(deps: PlanDeps, ctx: RequestContext, stored: StoredPlan): Promise<Revision | undefined> {
  if (deps.current.mode !== 'api') return undefined;
  const previous = deps.current.latest();
  const specFingerprint = fingerprint(stored.spec);
  if (specFingerprint === previous.fingerprint && stored.rollbackOf === undefined) return undefined;
  const origin: RevisionOrigin = stored.rollbackOf !== undefined ? { kind: 'rollback', planId: stored.id, to: stored.rollbackOf } : { kind: 'apply', planId: stored.id };
  const revision = nextRevision({ previous, spec: stored.spec, fingerprint: specFingerprint, author: actorOf(describeActor(ctx.actor)), timeMs: deps.clock.now().getTime(), origin });
  if (!(await deps.current.store.append(revision))) throw stale(stored.id, `another spec revision was recorded after revision ${previous.number}`);
  deps.current.adopt(revision);
  return revision;
}

async function finishRevision(deps: PlanDeps, revision: Revision, report: ApplyReport, unreachable: number): Promise<Revision> {
  const status = report.failed > 0 || report.notAttempted > 0 || unreachable > 0 ? 'failed' : 'applied';
  const done = finished(revision, { status, applied: report.applied, failed: report.failed, notAttempted: report.notAttempted, unreachable }, deps.clock.now().getTime());
  if (deps.current.mode === 'api') {
    await deps.current.store.update(done);
    deps.current.adopt(done);
  }
  return done;
}

export function gitOpsRefusal(file: string): BrokerError {
  return new BrokerError('ERR_SPEC_MODE_GITOPS', `the broker runs in GitOps mode: its spec is the file ${file}; change the file through its review and apply it (fedbroker apply), or run serve with --spec-mode api to change the spec through the API`, { details: { mode: 'gitops' } });
}

function notConsented(ops: readonly Operation[], consent: TrustConsent | undefined): Operation[] {
  return ops.filter((op) => !consentCovers(consent, op));
}

/** What the spec change amounts to; an unchanged spec still needs an admin (anyone may not plan). */
function requestedOperations(current: FederationSpec, spec: FederationSpec): Operation[] {
  const ops = specChanges(current, spec);
  return ops.length > 0 ? ops : [{ kind: 'validate' }];
}

export function fingerprint(spec: FederationSpec): string {
  return sha256Base64url(canonicalJson(spec));
}

/** The changes with what was observed, and the parts that could not be read (by code). */
function planFingerprint({ plan, unreachable }: ReachablePlan): string {
  return sha256Base64url(canonicalJson({ changes: plan.changes, unreachable: unreachable.map((u) => [u.system, u.cloud, u.part, u.scope]) }));
}

function stale(planId: string, why: string): BrokerError {
  return new BrokerError('ERR_PLAN_STALE', `plan ${planId} is stale: ${why}; nothing was applied, plan again`, { details: { planId } });
}
