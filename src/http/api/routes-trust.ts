// The admin API's trust proposals (API mode): the partner proposes an edge, the home accepts it (a
// plan to apply by its id), either side withdraws it. ../../services/api/trust-proposals.ts.
import { planToJson } from '../../core/plan/format.ts';
import { acceptTrust, listTrustProposals, proposeTrust, withdrawTrust } from '../../services/api/trust-proposals.ts';
import { route, type ApiRequest } from './route.ts';
import { unreachableToJson } from '../../services/apply-report.ts';
import * as s from './schemas.ts';

export const TRUST_ROUTES = [
  route({
    method: 'post', path: '/trust/proposals', operationId: 'proposeTrust', summary: 'The partner\'s admin proposes trust home → partner; it takes effect when the home\'s admin accepts it.',
    body: s.trustProposalRequest, responses: { 201: s.trustProposalResponse },
    handle: async (deps, req: ApiRequest<{ home: string; partner: string }, unknown>) => ({ status: 201, body: { proposal: await proposeTrust(deps, req.ctx, req.body.home, req.body.partner) } }),
  }),
  route({
    method: 'get', path: '/trust/proposals', operationId: 'listTrustProposals', summary: 'Trust proposals, the oldest first (a cloud admin: those its cloud is a side of).',
    responses: { 200: s.trustProposalsResponse },
    handle: async (deps, req) => ({ status: 200, body: { proposals: await listTrustProposals(deps, req.ctx) } }),
  }),
  route({
    method: 'post', path: '/trust/proposals/:id/accept', operationId: 'acceptTrust', summary: 'The home\'s admin accepts: a plan of the spec with the edge, to apply by its id (a new revision).',
    responses: { 200: s.planResponse },
    handle: async (deps, req) => {
      const { stored, reachable, proposal } = await acceptTrust(deps, req.ctx, req.params['id'] ?? '');
      return { status: 200, body: { planId: stored.id, expiresAt: new Date(stored.expiresAt).toISOString(), proposalId: proposal.id, ...(planToJson(stored.plan) as object), unreachable: reachable.unreachable.map(unreachableToJson) } };
    },
  }),
  route({
    method: 'post', path: '/trust/proposals/:id/withdraw', operationId: 'withdrawTrust', summary: 'Either side ends a pending proposal.',
    responses: { 200: s.trustProposalResponse },
    handle: async (deps, req) => ({ status: 200, body: { proposal: await withdrawTrust(deps, req.ctx, req.params['id'] ?? '') } }),
  }),
];
