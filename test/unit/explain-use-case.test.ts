// The explain use case over the fakes: the home user from a home directory, the partner Keystones'
// capabilities, and the clusters' RBAC as the plan left it (before apply: no grants; after: the policy's).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clusterKey } from '../../src/core/render/kubernetes/index.ts';
import { explainClaims, explainSubject, type ExplainDeps, type Explanation } from '../../src/services/explain.ts';
import { applyPlan, planFederation } from '../../src/services/onboarding.ts';
import { fakeFederation, type FakeFederation } from '../support/fake-federation.ts';
import { fixedHomeDirectory } from '../support/fake-home-directory.ts';

function explainDeps(w: FakeFederation): ExplainDeps {
  return {
    homeDirectory: fixedHomeDirectory,
    keystone: (cloud) => w.keystone.get(cloud)!,
    kubernetes: (cloud, cluster) => w.kubernetes.get(clusterKey(cloud, cluster))!,
  };
}

const grantsOf = (e: Explanation) => e.partners.map((p) => [p.cloud, p.kubernetes.flatMap((k) => k.grants.map((g) => `${k.cluster}: ${g.binding.kind} ${g.namespace} ${g.binding.roleRef.name} (${g.binding.policyRule})`))]);
const projectsOf = (e: Explanation) => e.partners.map((p) => [p.cloud, p.keystone.outcome === 'authenticated' ? p.keystone.projects.map((g) => `${g.domain}/${g.project}: ${g.roles.join(',')}`) : p.keystone.outcome]);

describe('explain over the fakes', () => {
  it('a home user in every partner: downstream name and groups, Keystone projects, and the cluster grants once applied', async () => {
    const w = fakeFederation();
    const deps = explainDeps(w);
    const before = await explainSubject(w.spec, 'cloud-a', 'alice', deps);
    assert.deepEqual(before.partners.map((p) => [p.cloud, p.username, p.groups]), [
      ['cloud-b', 'cloud-a.alice', ['cloud-a:/projects/p1/members']],
      ['cloud-c', 'cloud-a.alice', ['cloud-a:/projects/p1/members']],
    ]);
    assert.deepEqual(projectsOf(before), [['cloud-b', ['Default/p1: member']], ['cloud-c', ['Default/p1: member']]]);
    assert.deepEqual(grantsOf(before), [['cloud-b', []], ['cloud-c', []]], 'nothing granted in a cluster the broker has not written');
    await applyPlan(await planFederation(w.spec, w.deps), w.deps);
    const after = await explainSubject(w.spec, 'cloud-a', 'alice', deps);
    assert.deepEqual(grantsOf(after), [
      ['cloud-b', ['cloud-b: RoleBinding p1 view (p1-members)']],
      ['cloud-c', ['cloud-c: RoleBinding p1 view (p1-members)']],
    ]);
  });

  it('a home user no rule matches gets no project and no grant', async () => {
    const w = fakeFederation();
    await applyPlan(await planFederation(w.spec, w.deps), w.deps);
    const bob = await explainSubject(w.spec, 'cloud-b', 'bob', explainDeps(w));
    assert.deepEqual(bob.partners.map((p) => p.cloud), ['cloud-a', 'cloud-c']);
    assert.deepEqual(projectsOf(bob), [['cloud-a', []], ['cloud-c', []]]);
    assert.deepEqual(grantsOf(bob), [['cloud-a', []], ['cloud-c', []]]);
  });

  it('an unknown user or cloud is ERR_SUBJECT_NOT_FOUND', async () => {
    const w = fakeFederation();
    await assert.rejects(explainSubject(w.spec, 'cloud-a', 'mallory', explainDeps(w)), { code: 'ERR_SUBJECT_NOT_FOUND', details: { cloud: 'cloud-a', user: 'mallory' } });
    await assert.rejects(explainSubject(w.spec, 'cloud-z', 'alice', explainDeps(w)), { code: 'ERR_SUBJECT_NOT_FOUND', details: { cloud: 'cloud-z' } });
    await assert.rejects(explainClaims(w.spec, { iss: 'https://elsewhere.invalid/realms/x' }, explainDeps(w)), { code: 'ERR_SUBJECT_NOT_FOUND' });
  });

  it('a partner realm\'s token claims: the subject they describe, explained in that cloud only', async () => {
    const w = fakeFederation();
    await applyPlan(await planFederation(w.spec, w.deps), w.deps);
    const claims = {
      iss: 'https://127.0.0.1:18443/realms/cloud-b', aud: 'openstack', azp: 'openstack', sub: 'cloud-a:alice',
      home_cloud: 'cloud-a', preferred_username: 'cloud-a.alice', groups: ['/cloud-a:/projects/p1/members'],
    };
    const e = await explainClaims(w.spec, claims, explainDeps(w));
    assert.deepEqual(e.subject, { homeCloud: 'cloud-a', homeUsername: 'alice', groups: ['/projects/p1/members'], attributes: {} });
    assert.deepEqual(projectsOf(e), [['cloud-b', ['Default/p1: member']]]);
    assert.deepEqual(grantsOf(e), [['cloud-b', ['cloud-b: RoleBinding p1 view (p1-members)']]]);
  });
});
