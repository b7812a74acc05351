// RBAC and authentication config from policy, end to end on the test bed's cluster cloud-b:
// render the demo spec, apply the RBAC through the broker's adapter, write the rendered
// AuthenticationConfiguration to the file the apiserver reads and wait for its reload (/metrics hash),
// then prove what users get: SubjectAccessReview for brokered identities (the Keycloak federation is
// not built yet), real tokens for local users (SelfSubjectReview), a real brokered-looking token.
// Re-apply writes nothing; removing a rule prunes exactly its binding; hand-made bindings stay.
// At the end the bindings are removed and the original authentication config is restored.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AuthenticationConfigFile } from '../../src/adapters/kubernetes/authn-config-file.ts';
import type { KubernetesAdmin } from '../../src/adapters/kubernetes/admin.ts';
import type { FetchLike } from '../../src/adapters/http-out.ts';
import type { JsonValue } from '../../src/core/json.ts';
import { diff, isEmptyPlan, type Plan } from '../../src/core/plan/diff.ts';
import { formatPlan } from '../../src/core/plan/format.ts';
import { KUBERNETES_KIND_ORDER, renderKubernetes, type KubernetesObject } from '../../src/core/render/kubernetes/index.ts';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { loadTestbed, passwordGrantToken, testbedFetch, userPassword } from '../support/testbed.ts';
import { ensureAggregatedClusterRoles, kubeAdminFetch, realKubernetesAdmin, testbedCluster } from './kubernetes-testbed.ts';
import { probeToken } from './kubernetes-token-probe.ts';
import { applyConfirmed } from '../support/apply.ts';

const CLOUD = 'cloud-b';
const cluster = testbedCluster(CLOUD);
const caPem = readFileSync(loadTestbed().caFile, 'utf8');
let admin: KubernetesAdmin;
let writes: string[] = [];
let original: string | undefined;
let reloadMs: number | undefined;
const file = new AuthenticationConfigFile({
  cloud: CLOUD, cluster: CLOUD, path: cluster.authenticationConfigFile,
  metrics: async () => (await kubeAdminFetch(CLOUD, '/metrics')).text,
});

const counting = (fetch: FetchLike): FetchLike => async (input, init) => {
  if ((init?.method ?? 'GET') !== 'GET') writes.push(`${init?.method} ${new URL(String(input)).pathname}`);
  return fetch(input, init);
};
const render = (spec: FederationSpec): KubernetesObject[] =>
  renderKubernetes(spec, { authenticationConfig: { [`${CLOUD}/${CLOUD}`]: { issuerCaPem: caPem } } }).filter((o) => o.cloud === CLOUD);
const plan = async (desired: readonly KubernetesObject[], federation = 'scs-demo'): Promise<Plan> =>
  diff(desired, await admin.observe(CLOUD, federation, desired), KUBERNETES_KIND_ORDER);
const applyAll = async (p: Plan) => {
  for (const change of p.changes) await applyConfirmed(admin, change, (change.desired?.writeOnly ?? {}) as Record<string, JsonValue>);
};
const review = (user: string, groups: string[], verb: string, resource: string, namespace?: string, group = '') =>
  admin.accessReview({ username: user, groups }, { verb, resource, group, ...(namespace !== undefined && { namespace }) }).then((a) => a.allowed);

async function selfSubjectReview(token: string): Promise<{ status: number; user?: { username: string; groups?: string[]; extra?: Record<string, string[]> } }> {
  const res = await testbedFetch(`${cluster.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
  });
  const body = await res.json().catch(() => undefined) as { status?: { userInfo?: { username: string; groups?: string[] } } } | undefined;
  return { status: res.status, ...(body?.status?.userInfo && { user: body.status.userInfo }) };
}

const ALICE_A = 'oidc:cloud-a.alice';
const P1_MEMBERS_A = 'oidc:cloud-a:/projects/p1/members';

describe(`Kubernetes RBAC and authentication config from policy (cluster ${CLOUD})`, () => {
  before(async () => {
    admin = await realKubernetesAdmin(CLOUD, { authenticationConfigFile: cluster.authenticationConfigFile, wrapFetch: counting, reloadTimeoutMs: 60_000 });
    await ensureAggregatedClusterRoles(CLOUD);
    original = await file.read();
  });

  after(async () => {
    try {
      await applyAll(await plan([]));
      if (original !== undefined && await file.write(original)) await file.waitForReload(original, 60_000);
    } finally {
      await admin?.close();
    }
  });

  it('plans the demo policy for cloud-b: namespace p1, one binding per rule, the authentication config', async () => {
    const p = await plan(render(exampleSpec()));
    const text = formatPlan(p, { showNoop: true });
    assert.match(text, /Kubernetes cloud-b \(cluster cloud-b\)/);
    for (const line of [/Namespace p1/, /RoleBinding p1\/fedbroker-p1-members-view-[0-9a-f]{10}/, /RoleBinding p1\/fedbroker-p1-admins-edit-[0-9a-f]{10}/, /AuthenticationConfiguration authentication-config/]) {
      assert.match(text, line);
    }
    assert.equal(p.summary.conflict, 0, text);
  });

  it('applies it and the apiserver loads the new authentication config (reload confirmed by its /metrics hash)', async () => {
    const p = await plan(render(exampleSpec()));
    const started = Date.now();
    await applyAll(p);
    reloadMs = Date.now() - started;
    const content = await file.read();
    assert.match(content ?? '', /^# Rendered by scs-federation-broker for federation "scs-demo"/);
    assert.equal(await file.waitForReload(content as string, 1000) < 1000, true, 'active now');
    process.stdout.write(`# apply incl. authentication config reload: ${reloadMs} ms\n`);
  });

  it('SubjectAccessReview: a brokered member of p1 may read pods in p1 and nothing elsewhere', async () => {
    assert.equal(await review(ALICE_A, [P1_MEMBERS_A], 'get', 'pods', 'p1'), true);
    assert.equal(await review(ALICE_A, [P1_MEMBERS_A], 'list', 'deployments', 'p1', 'apps'), true);
    assert.equal(await review(ALICE_A, [P1_MEMBERS_A], 'create', 'pods', 'p1'), false, 'view only');
    assert.equal(await review(ALICE_A, [P1_MEMBERS_A], 'get', 'pods', 'default'), false);
    assert.equal(await review(ALICE_A, [P1_MEMBERS_A], 'get', 'pods', 'kube-system'), false);
    assert.equal(await review(ALICE_A, [P1_MEMBERS_A], 'list', 'namespaces'), false);
  });

  it('SubjectAccessReview: admins of p1 at home edit p1; bob without groups and a spoofed system: group get nothing', async () => {
    assert.equal(await review('oidc:cloud-c.carol', ['oidc:cloud-c:/projects/p1/admins'], 'create', 'deployments', 'p1', 'apps'), true);
    assert.equal(await review('oidc:cloud-c.carol', ['oidc:cloud-c:/projects/p1/admins'], 'create', 'deployments', 'default', 'apps'), false);
    assert.equal(await review('oidc:cloud-a.bob', ['oidc:cloud-a'], 'get', 'pods', 'p1'), false);
    for (const [verb, resource, ns] of [['get', 'pods', 'p1'], ['list', 'namespaces', undefined], ['create', 'clusterrolebindings', undefined], ['get', 'secrets', 'kube-system']] as const) {
      assert.equal(await review(ALICE_A, ['oidc:cloud-a:system:masters'], verb, resource, ns, resource === 'clusterrolebindings' ? 'rbac.authorization.k8s.io' : ''), false, `${verb} ${resource}`);
    }
    assert.equal(await review(ALICE_A, ['oidc:/projects/p1/members'], 'get', 'pods', 'p1'), false, "a local group of cloud-b is not cloud-a's");
  });

  it("authenticates cloud-b's own alice as oidc:alice with her local groups and no federated ones", async () => {
    const token = (await passwordGrantToken(CLOUD, 'alice', userPassword(CLOUD, 'alice'), 'kubernetes')).access_token;
    const { status, user } = await selfSubjectReview(token);
    assert.equal(status, 201);
    assert.equal(user?.username, 'oidc:alice');
    assert.deepEqual(user?.groups?.filter((g) => g.startsWith('oidc:')), ['oidc:/projects/p1/members']);
    assert.equal(user?.extra?.['fedbroker.scs.community/home-cloud'], undefined);
  });

  it('refuses a token for another audience (openstack) and a token of another realm (cloud-a)', async () => {
    const openstack = (await passwordGrantToken(CLOUD, 'alice', userPassword(CLOUD, 'alice'), 'openstack')).access_token;
    assert.equal((await selfSubjectReview(openstack)).status, 401);
    const cloudA = (await passwordGrantToken('cloud-a', 'alice', userPassword('cloud-a', 'alice'), 'kubernetes')).access_token;
    assert.equal((await selfSubjectReview(cloudA)).status, 401);
  });

  it('maps a brokered-looking token to oidc:<home>.<user> with only its own home groups, and RBAC lets it read p1', async () => {
    const token = await probeToken(CLOUD, { homeCloud: 'cloud-a', preferredUsername: 'cloud-a.zed', groups: ['/cloud-a:/projects/p1/members', '/cloud-c:/projects/p1/admins', '/projects/p1/admins'] });
    const { status, user } = await selfSubjectReview(token);
    assert.equal(status, 201);
    assert.equal(user?.username, 'oidc:cloud-a.zed');
    assert.deepEqual(user?.groups?.filter((g) => g.startsWith('oidc:')), ['oidc:cloud-a', P1_MEMBERS_A]);
    assert.deepEqual(user?.extra?.['fedbroker.scs.community/home-cloud'], ['cloud-a']);
    const get = (ns: string) => testbedFetch(`${cluster.url}/api/v1/namespaces/${ns}/pods`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    assert.equal(await get('p1'), 200);
    assert.equal(await get('default'), 403);
  });

  it('refuses tokens whose home_cloud and username disagree, an untrusted home, and system: groups', async () => {
    const cases = [
      { homeCloud: 'cloud-a', preferredUsername: 'cloud-c.zed', groups: [] },
      { homeCloud: 'cloud-x', preferredUsername: 'cloud-x.zed', groups: [] },
      { preferredUsername: 'cloud-a.zed', groups: ['/cloud-a:/projects/p1/members'] },
      { homeCloud: 'cloud-a', preferredUsername: 'cloud-a.zed', groups: ['system:masters'] },
    ];
    for (const claims of cases) assert.equal((await selfSubjectReview(await probeToken(CLOUD, claims))).status, 401, JSON.stringify(claims));
  });

  it('re-apply is a no-op and makes no write call', async () => {
    const p = await plan(render(exampleSpec()));
    assert.ok(isEmptyPlan(p), formatPlan(p));
    writes = [];
    await applyAll(p);
    assert.deepEqual(writes, []);
  });

  it('removing a policy rule prunes exactly its binding; a hand-made RoleBinding stays', async () => {
    const handMade = `hand-made-${Date.now().toString(36)}`;
    const seeded = await kubeAdminFetch(CLOUD, '/apis/rbac.authorization.k8s.io/v1/namespaces/p1/rolebindings', { method: 'POST', body: {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: handMade, namespace: 'p1' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'hand-made' }],
    } });
    assert.equal(seeded.status, 201, seeded.text);
    try {
      const fewer = exampleSpec((doc) => { doc.policy = doc.policy.filter((r: { name: string }) => r.name !== 'p1-admins'); });
      const p = await plan(render(fewer));
      assert.deepEqual(p.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.key}`),
        [`delete kubernetes/cloud-b/cloud-b/RoleBinding/${render(exampleSpec()).find((o) => o.name.includes('p1-admins'))?.name}`]);
      writes = [];
      await applyAll(p);
      assert.equal(writes.length, 1, writes.join(', '));
      assert.ok(isEmptyPlan(await plan(render(fewer))));
      assert.equal((await kubeAdminFetch(CLOUD, `/apis/rbac.authorization.k8s.io/v1/namespaces/p1/rolebindings/${handMade}`)).status, 200, 'hand-made binding stays');
      assert.equal(await review('oidc:cloud-c.carol', ['oidc:cloud-c:/projects/p1/admins'], 'create', 'deployments', 'p1', 'apps'), false, 'grant gone');
    } finally {
      await kubeAdminFetch(CLOUD, `/apis/rbac.authorization.k8s.io/v1/namespaces/p1/rolebindings/${handMade}`, { method: 'DELETE' });
    }
  });

  it('offboarding Kubernetes RBAC removes every binding of the federation and nothing else', async () => {
    const desired: KubernetesObject[] = [];
    const p = await plan(desired);
    assert.ok(p.changes.every((c) => c.action === 'noop' || (c.action === 'delete' && c.observed?.kind === 'RoleBinding')), formatPlan(p));
    await applyAll(p);
    assert.ok(isEmptyPlan(await plan(desired)));
    assert.equal(await review(ALICE_A, [P1_MEMBERS_A], 'get', 'pods', 'p1'), false);
  });
});
