// Trust proposals over the admin API (docs/api.md, "Trust proposals"):
//   propose   the partner's admin asks for edge home → partner; kept as pending
//   accept    the home's admin plans the current spec with the edge (the proposal's consent covers the
//             partner's side); applying that plan (POST /apply) adds the edge as a new spec revision
//             and marks the proposal accepted
//   withdraw  either side ends a pending proposal
// API mode only: an accepted proposal changes the spec.
import { actorOf } from '../../core/audit/record.ts';
import { describeActor, type Actor } from '../../core/authz/actor.ts';
import { proposalConflict, specWithEdge, type TrustProposal } from '../../core/authz/trust-proposal.ts';
import { BrokerError } from '../../core/errors.ts';
import { formatPath } from '../../core/federation/problems.ts';
import { validateSpec } from '../../core/federation/validate.ts';
import type { StoredPlan, TrustProposalStore } from '../../ports/api.ts';
import { authorizeAll, type RequestContext } from './authorize.ts';
import { gitOpsRefusal, makePlan, type MadePlan, type PlanDeps } from './plans.ts';

export interface TrustDeps extends PlanDeps {
  readonly trustProposals: TrustProposalStore;
}

function requireApiMode(deps: TrustDeps): void {
  if (deps.current.mode === 'gitops') throw gitOpsRefusal(deps.current.file);
}

async function pending(deps: TrustDeps, id: string): Promise<TrustProposal> {
  const proposal = await deps.trustProposals.get(id);
  if (!proposal) throw new BrokerError('ERR_NOT_FOUND', `no trust proposal ${id}`, { details: { proposal: id } });
  if (proposal.status !== 'pending') throw new BrokerError('ERR_CONFLICT', `trust proposal ${id} is ${proposal.status} already`, { details: { proposal: id, status: proposal.status } });
  return proposal;
}

const now = (deps: TrustDeps) => deps.clock.now().toISOString();
const nameOf = (actor: Actor) => actorOf(describeActor(actor));

export async function proposeTrust(deps: TrustDeps, ctx: RequestContext, home: string, partner: string): Promise<TrustProposal> {
  requireApiMode(deps);
  const spec = deps.current.get();
  authorizeAll(deps, ctx, [{ kind: 'propose-trust', home, partner }], spec.privileged);
  const conflict = proposalConflict(spec, home, partner);
  if (conflict) throw new BrokerError(conflict.endsWith('not in the spec') ? 'ERR_NOT_FOUND' : 'ERR_CONFLICT', `trust ${home} → ${partner} cannot be proposed: ${conflict}`, { details: { home, partner } });
  const open = (await deps.trustProposals.list()).find((p) => p.status === 'pending' && p.home === home && p.partner === partner);
  if (open) throw new BrokerError('ERR_CONFLICT', `trust ${home} → ${partner} is proposed already (${open.id})`, { details: { proposal: open.id } });
  const proposal: TrustProposal = { id: `trust-${deps.ids.newId()}`, home, partner, status: 'pending', proposedBy: nameOf(ctx.actor), proposedAt: now(deps) };
  await deps.trustProposals.put(proposal);
  deps.audit.record({ action: 'api.trust.proposed', correlationId: ctx.requestId, proposal: proposal.id, actor: describeActor(ctx.actor), clouds: [home, partner] });
  return proposal;
}

/** A federation admin sees every proposal; a cloud admin those its cloud is a side of. */
export async function listTrustProposals(deps: TrustDeps, ctx: RequestContext): Promise<TrustProposal[]> {
  requireApiMode(deps);
  const { actor } = ctx;
  const own = actor.federationAdmin ? undefined : actor.cloudAdminOf;
  authorizeAll(deps, ctx, [own === undefined ? { kind: 'read-federation' } : { kind: 'read', cloud: own }], deps.current.get().privileged);
  return (await deps.trustProposals.list()).filter((p) => own === undefined || p.home === own || p.partner === own);
}

export async function acceptTrust(deps: TrustDeps, ctx: RequestContext, id: string): Promise<MadePlan & { proposal: TrustProposal }> {
  requireApiMode(deps);
  const proposal = await pending(deps, id);
  const spec = deps.current.get();
  authorizeAll(deps, ctx, [{ kind: 'accept-trust', home: proposal.home, partner: proposal.partner }], spec.privileged);
  const checked = validateSpec(specWithEdge(spec, proposal.home, proposal.partner));
  if (!checked.ok) {
    const problems = checked.problems.map((p) => ({ path: formatPath(['spec', ...p.path]), code: p.code, message: p.message }));
    throw new BrokerError('ERR_SPEC_INVALID', `the spec with trust ${proposal.home} → ${proposal.partner} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}); change the policy or its examples first`, { details: { problems } });
  }
  const made = await makePlan(deps, ctx, checked.spec, { consent: { proposalId: proposal.id, home: proposal.home, partner: proposal.partner } });
  return { ...made, proposal };
}

export async function withdrawTrust(deps: TrustDeps, ctx: RequestContext, id: string): Promise<TrustProposal> {
  requireApiMode(deps);
  const proposal = await pending(deps, id);
  authorizeAll(deps, ctx, [{ kind: 'remove-trust', home: proposal.home, partner: proposal.partner }], deps.current.get().privileged);
  const withdrawn: TrustProposal = { ...proposal, status: 'withdrawn', decidedBy: nameOf(ctx.actor), decidedAt: now(deps) };
  await deps.trustProposals.put(withdrawn);
  deps.audit.record({ action: 'api.trust.withdrawn', correlationId: ctx.requestId, proposal: id, actor: describeActor(ctx.actor), clouds: [proposal.home, proposal.partner] });
  return withdrawn;
}

/** After the apply of an accepted proposal's plan: the proposal is accepted, with the revision that added the edge. */
export async function markTrustAccepted(deps: TrustDeps, ctx: RequestContext, stored: StoredPlan, revision: number | undefined): Promise<void> {
  if (!stored.consent) return;
  const proposal = await deps.trustProposals.get(stored.consent.proposalId);
  if (!proposal || proposal.status !== 'pending') return;
  await deps.trustProposals.put({ ...proposal, status: 'accepted', decidedBy: nameOf(ctx.actor), decidedAt: now(deps), ...(revision !== undefined && { revision }) });
  deps.audit.record({ action: 'api.trust.accepted', correlationId: ctx.requestId, proposal: proposal.id, actor: describeActor(ctx.actor), clouds: [proposal.home, proposal.partner], revision });
}
