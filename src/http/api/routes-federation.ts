// The admin API's federation routes: who am I, validate, plan, apply (a stored plan by its id),
// status and explain. Each reuses the use case the CLI runs; each authorizes per cloud first.
import type { Actor } from '../../core/authz/actor.ts';
import type { Operation } from '../../core/authz/operations.ts';
import { BrokerError } from '../../core/errors.ts';
import type { Claims } from '../../core/explain/keystone.ts';
import type { FederationSpec } from '../../core/federation/schema.ts';
import { trustEdges } from '../../core/federation/trust.ts';
import { planToJson } from '../../core/plan/format.ts';
import { authorizeAll } from '../../services/api/authorize.ts';
import { applyStoredPlan, makePlan } from '../../services/api/plans.ts';
import { markTrustAccepted } from '../../services/api/trust-proposals.ts';
import { outcomesByPart, unreachableToJson } from '../../services/apply-report.ts';
import { explainClaims, explainSubject } from '../../services/explain.ts';
import { federationStatus } from '../../services/status.ts';
import type { ApiDeps } from './deps.ts';
import { route, SPEC_BODY_LIMIT, type ApiRequest } from './route.ts';
import * as s from './schemas.ts';

/** The cloud a read concerns: the one asked for, else a cloud admin's own; undefined = the whole federation. */
export function readScope(actor: Actor, cloud: string | undefined): Operation {
  const scope = cloud ?? (actor.federationAdmin ? undefined : actor.cloudAdminOf);
  return scope === undefined ? { kind: 'read-federation' } : { kind: 'read', cloud: scope };
}

function requireCloud(spec: FederationSpec, cloud: string | undefined): void {
  if (cloud !== undefined && !spec.clouds.some((c) => c.alias === cloud)) {
    throw new BrokerError('ERR_NOT_FOUND', `cloud ${cloud} is not in the spec`, { details: { cloud } });
  }
}

export const FEDERATION_ROUTES = [
  route({
    method: 'get', path: '/health', operationId: 'health', summary: 'The broker answers; who the caller is, as the broker sees the token.',
    responses: { 200: s.healthResponse },
    handle: async (_deps, req) => ({ status: 200, body: { status: 'ok', actor: req.ctx.actor } }),
  }),
  route({
    method: 'post', path: '/validate', operationId: 'validate', summary: 'Check a spec: every problem with its path (422 ERR_SPEC_INVALID), else a summary.',
    body: s.validateRequest, bodyLimit: SPEC_BODY_LIMIT, responses: { 200: s.validateResponse },
    handle: async (deps, req: ApiRequest<{ spec: FederationSpec }, unknown>) => {
      authorizeAll(deps, req.ctx, [{ kind: 'validate' }], req.body.spec.privileged);
      const spec = req.body.spec;
      return { status: 200, body: { valid: true, summary: { name: spec.metadata.name, clouds: spec.clouds.length, trustEdges: trustEdges(spec).length, policyRules: spec.policy.length, examples: spec.policy.reduce((n, r) => n + r.examples.length, 0) } } };
    },
  }),
  route({
    method: 'post', path: '/plan', operationId: 'plan', summary: 'Plan a proposed spec (or the current one); the plan is kept under its id for apply.',
    body: s.planRequest, bodyLimit: SPEC_BODY_LIMIT, responses: { 200: s.planResponse },
    handle: async (deps, req: ApiRequest<{ spec?: FederationSpec }, unknown>) => {
      const { stored, reachable } = await makePlan(deps, req.ctx, req.body.spec);
      return { status: 200, body: { planId: stored.id, expiresAt: new Date(stored.expiresAt).toISOString(), ...(planToJson(stored.plan) as object), unreachable: reachable.unreachable.map(unreachableToJson) } };
    },
  }),
  route({
    method: 'post', path: '/apply', operationId: 'apply', summary: 'Apply exactly a plan that was shown, by its id; a stale plan is refused (409 ERR_PLAN_STALE).',
    body: s.applyRequest, responses: { 200: s.applyResponse },
    handle: async (deps, req: ApiRequest<{ planId: string }, unknown>) => {
      const { stored, reachable, report, onboarding, revision } = await applyStoredPlan(deps, req.ctx, req.body.planId);
      await markTrustAccepted(deps, req.ctx, stored, revision?.number);
      const parts = outcomesByPart(stored.spec, onboarding.systems.map((x) => x.description), report, reachable.unreachable);
      return { status: 200, body: { planId: stored.id, applied: report.applied, failed: report.failed, notAttempted: report.notAttempted, total: report.total, summary: stored.plan.summary, unreachable: reachable.unreachable.map(unreachableToJson), parts, ...(revision && { revision: revision.number }) } };
    },
  }),
  route({
    method: 'get', path: '/status', operationId: 'status', summary: 'Conditions per cloud, read live (a cloud admin: its own cloud only).',
    query: s.statusQuery, responses: { 200: s.statusResponse },
    handle: async (deps, req: ApiRequest<unknown, { cloud?: string }>) => {
      const spec = deps.current.get();
      requireCloud(spec, req.query.cloud);
      const scope = readScope(req.ctx.actor, req.query.cloud);
      authorizeAll(deps, req.ctx, [scope], spec.privileged);
      const conditions = await federationStatus(spec, await deps.onboarding(spec));
      return { status: 200, body: { conditions: scope.kind === 'read' ? conditions.filter((c) => c.cloud === scope.cloud) : conditions } };
    },
  }),
  route({
    method: 'post', path: '/explain', operationId: 'explain', summary: 'What a person (or a partner token\'s claims) gets in each partner cloud, and why.',
    body: s.explainRequest, bodyLimit: '64kb', responses: { 200: s.explainResponse },
    handle: async (deps, req: ApiRequest<{ subject?: string; claims?: Record<string, unknown>; cloud?: string }, unknown>) => {
      const spec = deps.current.get();
      requireCloud(spec, req.body.cloud);
      const scope = readScope(req.ctx.actor, req.body.cloud);
      authorizeAll(deps, req.ctx, [scope], spec.privileged);
      const explanation = req.body.subject !== undefined
        ? await explainSubjectArgument(spec, req.body.subject, deps)
        : await explainClaims(spec, req.body.claims as Claims, deps.explain);
      const partners = scope.kind === 'read' ? explanation.partners.filter((p) => p.cloud === scope.cloud) : explanation.partners;
      return { status: 200, body: { ...explanation, partners } };
    },
  }),
];

async function explainSubjectArgument(spec: FederationSpec, subject: string, deps: ApiDeps) {
  const at = subject.indexOf(':');
  const home = subject.slice(0, at);
  requireCloud(spec, home);
  return explainSubject(spec, home, subject.slice(at + 1), deps.explain);
}
