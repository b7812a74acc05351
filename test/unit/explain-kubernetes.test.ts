// Explain for Kubernetes (pure): RBAC rule matching as the apiserver does it, bindings from rendered
// objects, and the identity a brokered subject has in a partner's cluster.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FAKE_CLUSTER_ROLES } from '../../src/adapters/fakes/kubernetes.ts';
import { bindingsFor, bindingsFromDesired, can, kubernetesIdentity, type RbacSnapshot } from '../../src/core/explain/kubernetes.ts';
import { renderKubernetes } from '../../src/core/render/kubernetes/index.ts';
import { exampleSpec } from '../support/example-federation.ts';

const snapshot: RbacSnapshot = {
  roles: [
    { kind: 'ClusterRole', name: 'all', rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] },
    { kind: 'ClusterRole', name: 'scale', rules: [{ verbs: ['patch'], apiGroups: ['apps'], resources: ['*/scale'] }] },
    { kind: 'Role', namespace: 'ns1', name: 'named', rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg'] }, { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }] },
    { kind: 'Role', namespace: 'ns2', name: 'named', rules: [{ verbs: ['*'], apiGroups: [''], resources: ['*'] }] },
  ],
  bindings: [
    { kind: 'RoleBinding', namespace: 'ns1', name: 'rb-all', roleRef: { kind: 'ClusterRole', name: 'all' }, subjects: [{ kind: 'Group', name: 'g-all' }] },
    { kind: 'RoleBinding', namespace: 'ns1', name: 'rb-named', roleRef: { kind: 'Role', name: 'named' }, subjects: [{ kind: 'User', name: 'u-named' }] },
    { kind: 'ClusterRoleBinding', name: 'crb-scale', roleRef: { kind: 'ClusterRole', name: 'scale' }, subjects: [{ kind: 'Group', name: 'g-scale' }], policyRule: 'scalers' },
    { kind: 'ClusterRoleBinding', name: 'crb-missing', roleRef: { kind: 'ClusterRole', name: 'missing' }, subjects: [{ kind: 'Group', name: 'g-all' }] },
    { kind: 'RoleBinding', namespace: 'ns3', name: 'rb-sa', roleRef: { kind: 'ClusterRole', name: 'all' }, subjects: [{ kind: 'ServiceAccount', name: 'bot' }] },
  ],
};
const user = (username: string, groups: string[] = []) => ({ username, groups });

describe('explain Kubernetes: can()', () => {
  it('limits a RoleBinding to its namespace, even for a ClusterRole with wildcards', () => {
    assert.equal(can(snapshot, user('x', ['g-all']), { verb: 'delete', resource: 'secrets', namespace: 'ns1' }).allowed, true);
    assert.equal(can(snapshot, user('x', ['g-all']), { verb: 'delete', resource: 'secrets', namespace: 'ns2' }).allowed, false);
    assert.equal(can(snapshot, user('x', ['g-all']), { verb: 'list', resource: 'namespaces' }).allowed, false, 'cluster-scoped');
  });

  it('resolves a Role in the binding\'s namespace, honours resourceNames and subresources', () => {
    const u = user('u-named');
    assert.equal(can(snapshot, u, { verb: 'get', resource: 'configmaps', name: 'cfg', namespace: 'ns1' }).allowed, true);
    assert.equal(can(snapshot, u, { verb: 'get', resource: 'configmaps', name: 'other', namespace: 'ns1' }).allowed, false);
    assert.equal(can(snapshot, u, { verb: 'get', resource: 'configmaps', namespace: 'ns1' }).allowed, false, 'no name: resourceNames do not match');
    assert.equal(can(snapshot, u, { verb: 'get', resource: 'pods', subresource: 'log', namespace: 'ns1' }).allowed, true);
    assert.equal(can(snapshot, u, { verb: 'get', resource: 'pods', namespace: 'ns1' }).allowed, false);
  });

  it('matches */subresource rules, cluster-wide, and names the binding and its policy rule', () => {
    const d = can(snapshot, user('x', ['g-scale']), { verb: 'patch', resource: 'deployments', subresource: 'scale', group: 'apps', namespace: 'any' });
    assert.equal(d.allowed, true);
    assert.deepEqual(d.grants.map((g) => [g.binding.name, g.binding.policyRule, g.ruleIndex]), [['crb-scale', 'scalers', 0]]);
    assert.equal(can(snapshot, user('x', ['g-scale']), { verb: 'patch', resource: 'deployments', group: 'apps', namespace: 'any' }).allowed, false);
    assert.equal(can(snapshot, user('x', ['g-scale']), { verb: 'patch', resource: 'deployments', subresource: 'scale', group: '', namespace: 'any' }).allowed, false);
  });

  it('matches service accounts by their username and ignores bindings to missing roles', () => {
    assert.equal(can(snapshot, user('system:serviceaccount:ns3:bot'), { verb: 'get', resource: 'pods', namespace: 'ns3' }).allowed, true);
    assert.equal(bindingsFor(snapshot, user('x', ['g-all'])).find((b) => b.binding.name === 'crb-missing')?.role, undefined);
  });
});

describe('explain Kubernetes: policy to permissions', () => {
  const spec = exampleSpec();

  it('derives the identity a brokered subject has in a partner cluster', () => {
    assert.deepEqual(kubernetesIdentity(spec, { homeCloud: 'cloud-a', homeUsername: 'alice', groups: ['/projects/p1/members', '/not/in/policy'] }, 'cloud-b'),
      { username: 'oidc:cloud-a.alice', groups: ['oidc:cloud-a', 'oidc:cloud-a:/projects/p1/members'] });
    assert.equal(kubernetesIdentity(spec, { homeCloud: 'cloud-b', homeUsername: 'alice', groups: [] }, 'cloud-b'), undefined);
  });

  it('explains the demo policy from the rendered bindings (before apply)', () => {
    const rbac = { roles: FAKE_CLUSTER_ROLES, bindings: bindingsFromDesired(renderKubernetes(spec).filter((o) => o.cloud === 'cloud-b')) };
    const alice = kubernetesIdentity(spec, { homeCloud: 'cloud-a', homeUsername: 'alice', groups: ['/projects/p1/members'] }, 'cloud-b')!;
    const d = can(rbac, alice, { verb: 'list', resource: 'pods', namespace: 'p1' });
    assert.deepEqual(d.grants.map((g) => [g.binding.kind, g.binding.namespace, g.binding.policyRule, g.role.name]), [['RoleBinding', 'p1', 'p1-members', 'view']]);
    assert.equal(can(rbac, alice, { verb: 'create', resource: 'pods', namespace: 'p1' }).allowed, false);
    const carol = kubernetesIdentity(spec, { homeCloud: 'cloud-c', homeUsername: 'carol', groups: ['/projects/p1/admins'] }, 'cloud-b')!;
    assert.equal(can(rbac, carol, { verb: 'create', resource: 'deployments', group: 'apps', namespace: 'p1' }).grants[0]?.binding.policyRule, 'p1-admins');
    const bob = kubernetesIdentity(spec, { homeCloud: 'cloud-a', homeUsername: 'bob', groups: [] }, 'cloud-b')!;
    assert.deepEqual(bindingsFor(rbac, bob), []);
  });
});
