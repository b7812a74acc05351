// Explain (src/core/explain/kubernetes.ts) against the real RBAC authorizer: a policy with namespace,
// cluster-wide, home-only and Role grants is applied to cluster cloud-b next to hand-made RBAC, then
// every (identity, request) pair of a matrix is answered by explain over the cluster's RBAC (read
// through the adapter) and by the apiserver's SubjectAccessReview; the answers must be equal.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { KubernetesAdmin } from '../../src/adapters/kubernetes/admin.ts';
import { can, kubernetesIdentity, type AccessRequest, type KubernetesIdentity } from '../../src/core/explain/kubernetes.ts';
import { diff } from '../../src/core/plan/diff.ts';
import { KUBERNETES_KIND_ORDER, renderKubernetes } from '../../src/core/render/kubernetes/index.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { ensureAggregatedClusterRoles, kubeAdminFetch, realKubernetesClusterAdmin } from './kubernetes-testbed.ts';
import { applyConfirmed } from '../support/apply.ts';

const CLOUD = 'cloud-b';
const tag = `x${randomBytes(3).toString('hex')}`;
const A = `fbx-${tag}-a`;
const B = `fbx-${tag}-b`;
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const spec = exampleSpec((doc) => {
  doc.metadata.name = `explain-${tag}`;
  doc.policy = [
    { name: 'r-view', when: { groups: { any: [`/x/${tag}/viewers`] } }, grant: [{ kubernetes: [{ namespace: A, clusterRole: 'view' }] }] },
    { name: 'r-edit', when: { groups: { any: [`/x/${tag}/editors`] } }, grant: [{ clouds: ['cloud-b'], kubernetes: [{ namespace: A, clusterRole: 'edit' }] }] },
    { name: 'r-audit', when: { groups: { all: [`/x/${tag}/auditors`] } }, grant: [{ kubernetes: [{ clusterRole: 'view' }] }] },
    { name: 'r-home-c', when: { homeClouds: ['cloud-c'] }, grant: [{ kubernetes: [{ namespace: B, clusterRole: 'view' }] }] },
    { name: 'r-role', when: { groups: { any: [`/x/${tag}/readers`] } }, grant: [{ kubernetes: [{ namespace: B, role: 'reader' }] }] },
  ];
  // A cluster-wide view reaches kube-system: explained here by the spec's explicit opt-in for that rule.
  doc.privileged = { ...doc.privileged, allow: [{ rule: 'r-audit', reason: 'explain needs one cluster-wide binding' }] };
});
const desired = renderKubernetes(spec).filter((o) => o.cloud === CLOUD);
const who = (home: string, user: string, groups: string[]): KubernetesIdentity =>
  kubernetesIdentity(spec, { homeCloud: home, homeUsername: user, groups }, CLOUD) as KubernetesIdentity;

const IDENTITIES: Record<string, KubernetesIdentity> = {
  viewer: who('cloud-a', 'vic', [`/x/${tag}/viewers`]),
  editor: who('cloud-a', 'eve', [`/x/${tag}/editors`, '/unrelated']),
  auditor: who('cloud-c', 'aud', [`/x/${tag}/auditors`]),
  homeC: who('cloud-c', 'cid', []),
  reader: who('cloud-a', 'rea', [`/x/${tag}/readers`]),
  dave: { username: `oidc:cloud-a.dave-${tag}`, groups: ['oidc:cloud-a'] },
  nobody: who('cloud-a', 'nob', []),
  spoof: { username: 'oidc:cloud-a.mal', groups: ['oidc:cloud-a:system:masters', 'oidc:system:masters'] },
  local: { username: 'oidc:vic', groups: [`oidc:/x/${tag}/viewers`] },
};

const REQUESTS: AccessRequest[] = [
  { verb: 'get', resource: 'pods', namespace: A },
  { verb: 'list', resource: 'pods', namespace: B },
  { verb: 'create', resource: 'pods', namespace: A },
  { verb: 'delete', resource: 'deployments', group: 'apps', namespace: A },
  { verb: 'patch', resource: 'deployments', group: 'apps', subresource: 'scale', namespace: A },
  { verb: 'get', resource: 'secrets', namespace: A },
  { verb: 'list', resource: 'secrets', namespace: B },
  { verb: 'get', resource: 'configmaps', name: 'cfg1', namespace: B },
  { verb: 'get', resource: 'configmaps', name: 'cfg2', namespace: B },
  { verb: 'get', resource: 'pods', subresource: 'log', namespace: B },
  { verb: 'list', resource: 'pods', namespace: 'default' },
  { verb: 'list', resource: 'namespaces' },
  { verb: 'get', resource: 'nodes' },
  { verb: 'create', resource: 'rolebindings', group: 'rbac.authorization.k8s.io', namespace: A },
  { verb: 'watch', resource: 'services', namespace: A },
];

let admin: KubernetesAdmin;
const handMade = { role: `${RBAC}/namespaces/${B}/roles/reader`, clusterRole: `${RBAC}/clusterroles/fbx-${tag}-nodes`, crb: `${RBAC}/clusterrolebindings/fbx-${tag}-dave` };

async function post(path: string, body: unknown): Promise<void> {
  const res = await kubeAdminFetch(CLOUD, path, { method: 'POST', body });
  assert.equal(res.status, 201, `${path}: ${res.text}`);
}

describe(`explain agrees with the RBAC authorizer of cluster ${CLOUD} (SubjectAccessReview)`, () => {
  before(async () => {
    admin = await realKubernetesClusterAdmin(CLOUD);
    await ensureAggregatedClusterRoles(CLOUD);
    for (const change of diff(desired, await admin.observe(CLOUD, spec.metadata.name, desired), KUBERNETES_KIND_ORDER).changes) await applyConfirmed(admin, change);
    await post(`${RBAC}/namespaces/${B}/roles`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: B }, rules: [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg1'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['list'] },
    ] });
    await post(`${RBAC}/clusterroles`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `fbx-${tag}-nodes` }, rules: [
      { apiGroups: [''], resources: ['nodes', 'namespaces'], verbs: ['get', 'list'] },
      { apiGroups: ['*'], resources: ['*/scale'], verbs: ['patch'] },
    ] });
    await post(`${RBAC}/clusterrolebindings`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `fbx-${tag}-dave` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `fbx-${tag}-nodes` }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: IDENTITIES['dave']!.username }] });
    // The authorizer reads RBAC from informers: wait until the last object is visible to it.
    for (let i = 0; i < 50 && !(await admin.accessReview(IDENTITIES['dave']!, { verb: 'get', resource: 'nodes' })).allowed; i += 1) await new Promise((r) => setTimeout(r, 100));
  });

  after(async () => {
    try {
      for (const change of diff([], await admin.observe(CLOUD, spec.metadata.name, []), KUBERNETES_KIND_ORDER).changes) await applyConfirmed(admin, change);
      for (const path of [handMade.crb, handMade.clusterRole, handMade.role]) await kubeAdminFetch(CLOUD, path, { method: 'DELETE' });
    } finally {
      await admin?.close();
    }
  });

  it(`answers ${Object.keys(IDENTITIES).length * REQUESTS.length} (identity, request) cases exactly as SubjectAccessReview`, async () => {
    const rbac = await admin.readRbac();
    const mismatches: string[] = [];
    let allowed = 0;
    for (const [name, identity] of Object.entries(IDENTITIES)) {
      for (const request of REQUESTS) {
        const sar = (await admin.accessReview(identity, request)).allowed;
        const explained = can(rbac, identity, request);
        if (sar) allowed += 1;
        if (explained.allowed !== sar) mismatches.push(`${name} ${JSON.stringify(request)}: explain ${explained.allowed}, apiserver ${sar}`);
      }
    }
    assert.deepEqual(mismatches, []);
    const total = Object.keys(IDENTITIES).length * REQUESTS.length;
    assert.ok(total >= 50 && allowed >= 15 && total - allowed >= 15, `a matrix with both answers (${allowed} of ${total} allowed)`);
  });

  it('names the binding and policy rule that grant a permission', async () => {
    const rbac = await admin.readRbac();
    const viewer = can(rbac, IDENTITIES['viewer']!, { verb: 'get', resource: 'pods', namespace: A });
    assert.deepEqual(viewer.grants.map((g) => [g.binding.kind, g.binding.namespace, g.binding.policyRule, g.role.name]), [['RoleBinding', A, 'r-view', 'view']]);
    const reader = can(rbac, IDENTITIES['reader']!, { verb: 'get', resource: 'configmaps', name: 'cfg1', namespace: B });
    assert.deepEqual(reader.grants.map((g) => [g.binding.policyRule, g.role.kind, g.role.name, g.ruleIndex]), [['r-role', 'Role', 'reader', 0]]);
    const auditor = can(rbac, IDENTITIES['auditor']!, { verb: 'list', resource: 'pods', namespace: 'default' });
    assert.deepEqual(auditor.grants.map((g) => [g.binding.kind, g.binding.policyRule]), [['ClusterRoleBinding', 'r-audit']]);
    const dave = can(rbac, IDENTITIES['dave']!, { verb: 'get', resource: 'nodes' });
    assert.deepEqual(dave.grants.map((g) => [g.binding.name, g.binding.policyRule]), [[`fbx-${tag}-dave`, undefined]]);
  });
});
