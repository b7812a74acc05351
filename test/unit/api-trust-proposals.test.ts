// Trust proposals over the admin API (API mode, a federation of edges without cloud-c → cloud-b):
// cloud-b's admin proposes that cloud-b trusts cloud-c; cloud-c's admin accepts, which plans the
// spec with the edge (writes in cloud-c's realm and cloud-b's systems, the latter covered by cloud-b's
// proposal); applying it adds the edge as revision 2 and marks the proposal accepted. Who may do what,
// and the conflicts (mesh, an existing edge, a proposal already pending or decided).
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isTrusted } from '../../src/core/federation/trust.ts';
import { apiWorld, conformingCall, type ApiWorld } from '../support/api-world.ts';

const WITHOUT_C_TO_B = (doc: Record<string, unknown>) => {
  doc['trust'] = { mode: 'edges', edges: [['cloud-a', 'cloud-b'], ['cloud-b', 'cloud-a'], ['cloud-a', 'cloud-c'], ['cloud-c', 'cloud-a'], ['cloud-b', 'cloud-c']].map(([home, partner]) => ({ home, partner })) };
};

const call = conformingCall;

describe('trust proposals', () => {
  let w: ApiWorld;
  let fed: string;
  let adminA: string;
  let adminB: string;
  let adminC: string;
  beforeEach(async () => {
    w = await apiWorld({ mutate: WITHOUT_C_TO_B });
    [fed, adminA, adminB, adminC] = [await w.federationAdmin(), await w.cloudAdmin('cloud-a'), await w.cloudAdmin('cloud-b'), await w.cloudAdmin('cloud-c')];
    const plan = await call(w, 'post', '/api/v1/plan', fed);
    assert.equal((await call(w, 'post', '/api/v1/apply', fed, { planId: plan.body.planId })).status, 200);
  });

  const propose = () => call(w, 'post', '/api/v1/trust/proposals', adminB, { home: 'cloud-c', partner: 'cloud-b' });

  it('the partner proposes, the home accepts (a plan in both clouds), applying it adds the edge as a revision', async () => {
    const proposed = await propose();
    assert.equal(proposed.status, 201, proposed.text);
    const id = proposed.body.proposal.id;
    assert.equal(proposed.body.proposal.status, 'pending');
    assert.equal(proposed.body.proposal.proposedBy, 'admin-cloud-b (https://127.0.0.1:18443/realms/cloud-b)');
    assert.equal(isTrusted(w.deps.current.get(), 'cloud-c', 'cloud-b'), false, 'a proposal alone changes nothing');
    const seenByC = await call(w, 'get', '/api/v1/trust/proposals', adminC);
    assert.deepEqual(seenByC.body.proposals.map((p: { id: string }) => p.id), [id]);
    assert.deepEqual((await call(w, 'get', '/api/v1/trust/proposals', adminA)).body.proposals, [], 'cloud-a is no side of it');

    const accepted = await call(w, 'post', `/api/v1/trust/proposals/${id}/accept`, adminC);
    assert.equal(accepted.status, 200, accepted.text);
    assert.equal(accepted.body.proposalId, id);
    assert.deepEqual([...new Set(accepted.body.changes.map((c: { cloud: string }) => c.cloud))].sort(), ['cloud-b', 'cloud-c']);
    const applied = await call(w, 'post', '/api/v1/apply', adminC, { planId: accepted.body.planId });
    assert.equal(applied.status, 200, applied.text);
    assert.equal(applied.body.failed, 0);
    assert.equal(applied.body.revision, 2);
    assert.equal(isTrusted(w.deps.current.get(), 'cloud-c', 'cloud-b'), true);
    const after = (await call(w, 'get', '/api/v1/trust/proposals', fed)).body.proposals[0];
    assert.equal(after.status, 'accepted');
    assert.equal(after.revision, 2);
    assert.equal(after.decidedBy, 'admin-cloud-c (https://127.0.0.1:18443/realms/cloud-c)');
    const revision = await call(w, 'get', '/api/v1/revisions/2', fed);
    assert.deepEqual(revision.body.revision.diff.map((d: { path: string }) => d.path), ['trust.edges']);
    const again = await call(w, 'post', '/api/v1/plan', fed);
    assert.deepEqual(again.body.changes, []);
    assert.ok(w.audit.some((a) => a.action === 'api.trust.accepted' && a['proposal'] === id));
  });

  it('only the partner proposes and only the home accepts: 403 ERR_FORBIDDEN_CLOUD, audited', async () => {
    const byHome = await call(w, 'post', '/api/v1/trust/proposals', adminC, { home: 'cloud-c', partner: 'cloud-b' });
    assert.equal(byHome.status, 403);
    assert.equal(byHome.body.code, 'ERR_FORBIDDEN_CLOUD');
    const id = (await propose()).body.proposal.id;
    const byPartner = await call(w, 'post', `/api/v1/trust/proposals/${id}/accept`, adminB);
    assert.equal(byPartner.status, 403);
    assert.equal(byPartner.body.code, 'ERR_FORBIDDEN_CLOUD');
    const byStranger = await call(w, 'post', `/api/v1/trust/proposals/${id}/withdraw`, adminA);
    assert.equal(byStranger.body.code, 'ERR_FORBIDDEN_CLOUD');
    assert.equal(w.audit.filter((a) => a.action === 'api.refused').length, 3);
  });

  it('a federation admin accepts too; a plan of an accepted proposal is still refused to a third cloud\'s admin', async () => {
    const id = (await propose()).body.proposal.id;
    const plan = await call(w, 'post', `/api/v1/trust/proposals/${id}/accept`, fed);
    assert.equal(plan.status, 200, plan.text);
    const refused = await call(w, 'post', '/api/v1/apply', adminA, { planId: plan.body.planId });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'ERR_FORBIDDEN_CLOUD');
  });

  it('conflicts: an edge that exists, a proposal pending already, a withdrawn one accepted, a mesh', async () => {
    const exists = await call(w, 'post', '/api/v1/trust/proposals', adminB, { home: 'cloud-a', partner: 'cloud-b' });
    assert.equal(exists.status, 409);
    assert.equal(exists.body.code, 'ERR_CONFLICT');
    const id = (await propose()).body.proposal.id;
    assert.equal((await propose()).body.code, 'ERR_CONFLICT');
    const withdrawn = await call(w, 'post', `/api/v1/trust/proposals/${id}/withdraw`, adminC);
    assert.equal(withdrawn.body.proposal.status, 'withdrawn');
    const late = await call(w, 'post', `/api/v1/trust/proposals/${id}/accept`, adminC);
    assert.equal(late.status, 409);
    assert.equal(late.body.code, 'ERR_CONFLICT');
    assert.equal((await call(w, 'post', '/api/v1/trust/proposals/trust-nope/accept', adminC)).body.code, 'ERR_NOT_FOUND');
    const mesh = await apiWorld();
    const meshB = await mesh.cloudAdmin('cloud-b');
    const refused = await call(mesh, 'post', '/api/v1/trust/proposals', meshB, { home: 'cloud-c', partner: 'cloud-b' });
    assert.equal(refused.status, 409);
    assert.match(refused.body.detail, /mesh/);
  });
});
