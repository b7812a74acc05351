// The admin API's spec revisions (API mode, docs/api.md "Spec revisions"): list them, read one, and
// roll back to one, which plans that revision's spec again; applying that plan (POST /apply) records
// it as a new revision. In GitOps mode the revisions are the spec file's history in git: 409.
import type { Actor } from '../../core/authz/actor.ts';
import { BrokerError } from '../../core/errors.ts';
import { planToJson } from '../../core/plan/format.ts';
import { summarize, type Revision } from '../../core/revisions/revision.ts';
import { diffForCloud } from '../../core/revisions/scope.ts';
import { authorizeAll } from '../../services/api/authorize.ts';
import type { ApiModeSpec } from '../../services/api/current-spec.ts';
import { gitOpsRefusal, makePlan } from '../../services/api/plans.ts';
import type { ApiDeps } from './deps.ts';
import { route, type ApiRequest } from './route.ts';
import { readScope } from './routes-federation.ts';
import { unreachableToJson } from '../../services/apply-report.ts';
import * as s from './schemas.ts';

function apiMode(deps: ApiDeps): ApiModeSpec {
  if (deps.current.mode === 'gitops') throw gitOpsRefusal(deps.current.file);
  return deps.current;
}

function revisionNumber(param: string | undefined): number {
  const n = Number(param);
  if (!/^\d{1,9}$/.test(param ?? '') || n < 1) throw new BrokerError('ERR_REQUEST_INVALID', `path parameter number must be a revision number (1, 2, ...), not "${param}"`, { details: { path: 'params.number' } });
  return n;
}

async function revisionOf(current: ApiModeSpec, number: number): Promise<Revision> {
  const revision = await current.store.get(number);
  if (!revision) throw new BrokerError('ERR_NOT_FOUND', `no spec revision ${number} (the latest is ${current.latest().number})`, { details: { revision: number } });
  return revision;
}

/** A federation admin reads every revision whole; a cloud admin the parts of its diff that concern its cloud. */
async function visible(actor: Actor, current: ApiModeSpec, revision: Omit<Revision, 'spec'> & { spec?: Revision['spec'] }) {
  const scope = readScope(actor, undefined);
  if (scope.kind !== 'read') return summarize(revision as Revision);
  const previous = revision.number > 1 ? await current.store.get(revision.number - 1) : undefined;
  const full = revision.spec ? revision as Revision : await revisionOf(current, revision.number);
  return { ...summarize(full), diff: diffForCloud(full.diff, scope.cloud, [full.spec, ...(previous ? [previous.spec] : [])]) };
}

export const REVISION_ROUTES = [
  route({
    method: 'get', path: '/revisions', operationId: 'listRevisions', summary: 'Spec revisions, the newest first (API mode); a cloud admin sees the changes that concern its cloud.',
    query: s.revisionsQuery, responses: { 200: s.revisionsResponse },
    handle: async (deps, req: ApiRequest<unknown, { limit?: string; before?: string }>) => {
      const current = apiMode(deps);
      authorizeAll(deps, req.ctx, [readScope(req.ctx.actor, undefined)], current.get().privileged);
      const listed = await current.store.list({ limit: Number(req.query.limit ?? 50), ...(req.query.before !== undefined && { before: Number(req.query.before) }) });
      const revisions = await Promise.all(listed.map((r) => visible(req.ctx.actor, current, r)));
      return { status: 200, body: { latest: current.latest().number, revisions } };
    },
  }),
  route({
    method: 'get', path: '/revisions/:number', operationId: 'getRevision', summary: 'One spec revision: author, time, diff, apply outcome; its whole spec for a federation admin.',
    responses: { 200: s.revisionResponse },
    handle: async (deps, req: ApiRequest<unknown, unknown>) => {
      const current = apiMode(deps);
      authorizeAll(deps, req.ctx, [readScope(req.ctx.actor, undefined)], current.get().privileged);
      const revision = await revisionOf(current, revisionNumber(req.params['number']));
      const whole = readScope(req.ctx.actor, undefined).kind === 'read-federation';
      return { status: 200, body: { revision: await visible(req.ctx.actor, current, revision), ...(whole && { spec: revision.spec }) } };
    },
  }),
  route({
    method: 'post', path: '/revisions/:number/rollback', operationId: 'rollback',
    summary: 'Plan a return to an earlier revision\'s spec (authorized like a plan of that spec); apply the plan by its id to record it as a new revision.',
    responses: { 200: s.planResponse },
    handle: async (deps, req: ApiRequest<unknown, unknown>) => {
      const current = apiMode(deps);
      const revision = await revisionOf(current, revisionNumber(req.params['number']));
      const { stored, reachable } = await makePlan(deps, req.ctx, revision.spec, { rollbackOf: revision.number });
      return { status: 200, body: { planId: stored.id, expiresAt: new Date(stored.expiresAt).toISOString(), rollbackOf: revision.number, ...(planToJson(stored.plan) as object), unreachable: reachable.unreachable.map(unreachableToJson) } };
    },
  }),
];
