// Kubernetes privilege by effect on the real apiserver of cluster cloud-b: the default-role table is
// what the apiserver serves; every binding the demo policy and a hostile policy could produce is either
// refused before anything is written (validation, or plan over the live roles) or, once applied, shown
// by SubjectAccessReview as the bound identity (user and groups as the broker renders them) to read no
// Secret outside its namespace and to do nothing in kube-system, not even read.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { KubernetesAdmin } from '../../src/adapters/kubernetes/admin.ts';
import { kubernetesIdentity, type AccessRequest, type KubernetesIdentity, type RbacPolicyRule } from '../../src/core/explain/kubernetes.ts';
import { validateSpec } from '../../src/core/federation/validate.ts';
import { federationSpecSchema, type FederationSpec } from '../../src/core/federation/schema.ts';
import { diff } from '../../src/core/plan/diff.ts';
import type { DesiredObject } from '../../src/core/plan/model.ts';
import { AGGREGATION_SOURCES } from '../../src/core/policy/kubernetes-default-roles.ts';
import { KUBERNETES_KIND_ORDER, renderKubernetes } from '../../src/core/render/kubernetes/index.ts';
import { kubernetesSystem } from '../../src/services/systems/kubernetes.ts';
import type { UnreachablePart } from '../../src/services/systems/model.ts';
import { exampleDoc, exampleSpec, type MutableDoc } from '../support/example-federation.ts';
import { ensureAggregatedClusterRoles, kubeAdminFetch, realKubernetesClusterAdmin } from './kubernetes-testbed.ts';
import { applyConfirmed } from '../support/apply.ts';

const CLOUD = 'cloud-b';
const tag = `p${randomBytes(3).toString('hex')}`;
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const SECRET_READER = `fbp-${tag}-secrets`;
const AGGREGATED = `fbp-${tag}-aggregated`;
const AGGREGATED_PART = `fbp-${tag}-aggregated-part`;
const NODE_READER = `fbp-${tag}-nodes`;
const POD_READER = `fbp-${tag}-pods`;
const CREATED_ROLES = [SECRET_READER, AGGREGATED_PART, AGGREGATED, NODE_READER, POD_READER];
const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];

const group = (name: string) => `/fbp/${tag}/${name}`;
const rule = (name: string, k: Record<string, string>) => ({ name, when: { groups: { any: [group(name)] } }, grant: [{ clouds: [CLOUD], kubernetes: [k] }] });

/** Hostile rules refused by validation (with the spec path of the problem). */
const REFUSED_AT_VALIDATION = [
  { rule: rule('cw-edit', { clusterRole: 'edit' }), code: 'ERR_SPEC_PRIVILEGED_EFFECT' },
  { rule: rule('cw-admin', { clusterRole: 'admin' }), code: 'ERR_SPEC_PRIVILEGED_EFFECT' },
  { rule: rule('cw-view', { clusterRole: 'view' }), code: 'ERR_SPEC_PRIVILEGED_EFFECT' },
  { rule: rule('cw-cluster-admin', { clusterRole: 'cluster-admin' }), code: 'ERR_SPEC_PRIVILEGED_GRANT' },
  { rule: rule('cw-system', { clusterRole: 'system:aggregate-to-edit' }), code: 'ERR_SPEC_PRIVILEGED_GRANT' },
  ...SYSTEM_NAMESPACES.flatMap((ns) => [
    { rule: rule(`${ns}-view`, { namespace: ns, clusterRole: 'view' }), code: 'ERR_SPEC_SYSTEM_NAMESPACE' },
    { rule: rule(`${ns}-edit`, { namespace: ns, clusterRole: 'edit' }), code: 'ERR_SPEC_SYSTEM_NAMESPACE' },
  ]),
];
/** Hostile rules validation cannot judge (roles unknown to the table): plan refuses them over the live roles. */
const REFUSED_AT_PLAN = [
  { rule: rule('cw-custom-secrets', { clusterRole: SECRET_READER }), refusal: 'cluster-wide-privilege' },
  { rule: rule('cw-custom-aggregated', { clusterRole: AGGREGATED }), refusal: 'cluster-wide-privilege' },
  { rule: rule('cw-edit-capital', { clusterRole: 'Edit' }), refusal: 'unknown-role' },
  { rule: rule('cw-custom-pods', { clusterRole: POD_READER }), refusal: 'cluster-wide-privilege' },
];
/** Hostile-looking rules that are let through: their effect is checked by SubjectAccessReview. */
const LET_THROUGH = [rule('cw-nodes', { clusterRole: NODE_READER })];

function hostileDoc(rules: readonly unknown[]): MutableDoc {
  const doc = exampleDoc();
  doc.metadata.name = `privilege-${tag}`;
  doc.privileged = { keystoneRoles: ['admin'], kubernetesClusterRoles: ['cluster-admin'] };
  doc.policy = rules;
  return doc;
}

function validSpec(doc: MutableDoc): FederationSpec {
  const result = validateSpec(doc);
  if (!result.ok) throw new Error(`spec invalid: ${JSON.stringify(result.problems)}`);
  return result.spec;
}

const demo = exampleSpec((doc) => { doc.metadata.name = `privilege-demo-${tag}`; });
const letThrough = validSpec(hostileDoc(LET_THROUGH));

/** Every identity a policy binds in cloud-b: per home that trusts cloud-b and per group of the rule. */
function boundIdentities(spec: FederationSpec): { label: string; identity: KubernetesIdentity; namespaces: string[] }[] {
  return spec.policy.flatMap((r) => (r.when.groups?.any ?? []).flatMap((g) => ['cloud-a', 'cloud-c'].map((home) => {
    const identity = kubernetesIdentity(spec, { homeCloud: home, homeUsername: `u-${tag}`, groups: [g] }, CLOUD);
    assert.ok(identity, `${home} trusts ${CLOUD}`);
    const namespaces = r.grant.flatMap((x) => x.kubernetes.map((k) => k.namespace).filter((n): n is string => n !== undefined));
    return { label: `${r.name} as ${home}`, identity, namespaces };
  })));
}

const SECRET_READS = ['get', 'list', 'watch'];
const KUBE_SYSTEM_ACTIONS: AccessRequest[] = [
  ...SECRET_READS.map((verb) => ({ verb, resource: 'secrets', namespace: 'kube-system' })),
  { verb: 'create', resource: 'pods', namespace: 'kube-system' },
  { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'kube-system' },
  { verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: 'kube-system' },
  { verb: 'impersonate', resource: 'serviceaccounts', namespace: 'kube-system' },
  { verb: 'patch', resource: 'configmaps', namespace: 'kube-system' },
  { verb: 'delete', resource: 'deployments', group: 'apps', namespace: 'kube-system' },
  { verb: 'create', resource: 'rolebindings', group: 'rbac.authorization.k8s.io', namespace: 'kube-system' },
  ...SECRET_READS.flatMap((verb) => ['pods', 'configmaps', 'serviceaccounts'].map((resource) => ({ verb, resource, namespace: 'kube-system' }))),
];

let admin: KubernetesAdmin;
const system = () => kubernetesSystem(() => admin);

async function renderWithLiveRoles(spec: FederationSpec): Promise<DesiredObject[]> {
  const unreachable: UnreachablePart[] = [];
  const { desired } = await system().render({ spec, unreachable });
  assert.deepEqual(unreachable, []);
  return desired.filter((d) => d.cloud === CLOUD);
}

async function applyAll(spec: FederationSpec, desired: readonly DesiredObject[]): Promise<void> {
  for (const change of diff(desired, await admin.observe(CLOUD, spec.metadata.name, desired), KUBERNETES_KIND_ORDER).changes) await applyConfirmed(admin, change);
}

async function removeAll(spec: FederationSpec): Promise<void> {
  for (const change of diff([], await admin.observe(CLOUD, spec.metadata.name, []), KUBERNETES_KIND_ORDER).changes) await applyConfirmed(admin, change);
}

async function clusterRole(name: string, body: Record<string, unknown>): Promise<void> {
  const res = await kubeAdminFetch(CLOUD, `${RBAC}/clusterroles`, { method: 'POST', body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, ...(body['labels'] ? { labels: body['labels'] } : {}) }, ...(body['rules'] ? { rules: body['rules'] } : {}), ...(body['aggregationRule'] ? { aggregationRule: body['aggregationRule'] } : {}) } });
  assert.equal(res.status, 201, `${name}: ${res.text}`);
}

/** Bindings of this test's federations as the cluster stores them (label selector). */
async function storedBindings(federation: string): Promise<string[]> {
  const out: string[] = [];
  for (const kind of ['clusterrolebindings', 'rolebindings']) {
    const res = await kubeAdminFetch(CLOUD, `${RBAC}/${kind}?labelSelector=${encodeURIComponent(`fedbroker.scs.community/federation=${federation}`)}`);
    assert.equal(res.status, 200, res.text);
    out.push(...(res.body as { items: { metadata: { name: string } }[] }).items.map((i) => `${kind}/${i.metadata.name}`));
  }
  return out;
}

const normalise = (rules: readonly RbacPolicyRule[] | null | undefined) => (rules ?? []).map((r) => JSON.stringify({
  verbs: [...r.verbs].sort(), apiGroups: [...(r.apiGroups ?? [])].sort(), resources: [...(r.resources ?? [])].sort(),
  resourceNames: [...(r.resourceNames ?? [])].sort(), nonResourceURLs: [...(r.nonResourceURLs ?? [])].sort(),
})).sort();

describe(`Kubernetes privilege by effect on the apiserver of ${CLOUD}`, () => {
  before(async () => {
    admin = await realKubernetesClusterAdmin(CLOUD);
    await clusterRole(SECRET_READER, { rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }] });
    await clusterRole(AGGREGATED_PART, { labels: { [`fbp.example/${tag}`]: 'true' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['watch'] }] });
    await clusterRole(AGGREGATED, { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`fbp.example/${tag}`]: 'true' } }] } });
    await clusterRole(NODE_READER, { rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }] });
    await clusterRole(POD_READER, { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] });
    await ensureAggregatedClusterRoles(CLOUD);
  });

  after(async () => {
    try {
      for (const spec of [demo, letThrough]) await removeAll(spec);
      for (const name of CREATED_ROLES) await kubeAdminFetch(CLOUD, `${RBAC}/clusterroles/${name}`, { method: 'DELETE' });
    } finally {
      await admin?.close();
    }
  });

  it('serves the aggregated source roles exactly as the built-in table has them', async () => {
    for (const { source, rules } of Object.values(AGGREGATION_SOURCES)) {
      const res = await kubeAdminFetch(CLOUD, `${RBAC}/clusterroles/${encodeURIComponent(source)}`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(normalise((res.body as { rules: RbacPolicyRule[] }).rules), normalise(rules), source);
    }
  });

  it('refuses the hostile bindings validation can judge, each with its code and path, and renders none of them', () => {
    const result = validateSpec(hostileDoc([...REFUSED_AT_VALIDATION.map((r) => r.rule), ...REFUSED_AT_PLAN.map((r) => r.rule), ...LET_THROUGH]));
    assert.equal(result.ok, false);
    const problems = result.ok ? [] : result.problems.map((p) => `${p.code} ${p.path.join('.')}`);
    const field = (r: { grant: { kubernetes: Record<string, string>[] }[] }) => (r.grant[0]!.kubernetes[0]!['namespace'] ? 'namespace' : 'clusterRole');
    assert.deepEqual(problems, REFUSED_AT_VALIDATION.map((r, i) => `${r.code} policy.${i}.grant.0.kubernetes.0.${field(r.rule)}`));
    for (const { rule: r } of REFUSED_AT_VALIDATION) {
      assert.throws(() => renderKubernetes(federationSpecSchema.parse(hostileDoc([r]))), { code: 'ERR_POLICY_PRIVILEGED' }, r.name);
    }
  });

  it('refuses custom, aggregated and unknown roles at plan over the live roles, before anything is written', async () => {
    for (const { rule: r, refusal } of REFUSED_AT_PLAN) {
      const spec = validSpec(hostileDoc([r]));
      await assert.rejects(renderWithLiveRoles(spec), (e: { code?: string; details?: Record<string, unknown> }) => {
        assert.equal(e.code, 'ERR_POLICY_PRIVILEGED', r.name);
        assert.equal(e.details?.['rule'], r.name);
        assert.equal(e.details?.['role'], r.grant[0]!.kubernetes[0]!.clusterRole);
        assert.equal(e.details?.['refusal'], refusal, r.name);
        return true;
      });
      assert.deepEqual(await storedBindings(spec.metadata.name), [], r.name);
    }
  });

  it('applies what validation and plan let through (the demo policy and a cluster-wide node reader)', async () => {
    for (const spec of [demo, letThrough]) await applyAll(spec, await renderWithLiveRoles(spec));
    assert.equal((await storedBindings(letThrough.metadata.name)).length, 1);
    assert.equal((await storedBindings(demo.metadata.name)).length, 2);
    // The authorizer reads RBAC from informers: wait until the last binding is visible.
    const last = boundIdentities(letThrough).at(-1)!.identity;
    for (let i = 0; i < 50 && !(await admin.accessReview(last, { verb: 'get', resource: 'nodes' })).allowed; i += 1) await new Promise((r) => setTimeout(r, 100));
  });

  it('SubjectAccessReview: no bound identity reads a Secret outside its namespace or acts in kube-system', async (t) => {
    const violations: string[] = [];
    let checked = 0;
    const otherNamespaces = ['default', ...SYSTEM_NAMESPACES, `fbp-${tag}-elsewhere`];
    for (const { label, identity, namespaces } of [...boundIdentities(demo), ...boundIdentities(letThrough)]) {
      const requests: AccessRequest[] = [
        ...SECRET_READS.map((verb) => ({ verb, resource: 'secrets' })),
        ...otherNamespaces.filter((ns) => !namespaces.includes(ns)).flatMap((namespace) => SECRET_READS.map((verb) => ({ verb, resource: 'secrets', namespace }))),
        ...KUBE_SYSTEM_ACTIONS,
      ];
      for (const request of requests) {
        checked += 1;
        if ((await admin.accessReview(identity, request)).allowed) violations.push(`${label}: ${JSON.stringify(request)}`);
      }
    }
    assert.deepEqual(violations, []);
    assert.ok(checked >= 200, `${checked} reviews`);
    t.diagnostic(`${checked} SubjectAccessReviews, ${violations.length} allowed`);
  });

  it('SubjectAccessReview: the same identities do get what their bindings grant (the reviews can say yes)', async () => {
    const [member, , editor] = boundIdentities(demo);
    const [nodeReader] = boundIdentities(letThrough);
    const expectAllowed: [KubernetesIdentity | undefined, AccessRequest][] = [
      [member?.identity, { verb: 'list', resource: 'pods', namespace: 'p1' }],
      [editor?.identity, { verb: 'get', resource: 'secrets', namespace: 'p1' }],
      [nodeReader?.identity, { verb: 'get', resource: 'nodes' }],
    ];
    for (const [identity, request] of expectAllowed) {
      assert.ok(identity);
      assert.equal((await admin.accessReview(identity, request)).allowed, true, JSON.stringify({ identity, request }));
    }
    assert.equal((await admin.accessReview(member!.identity, { verb: 'get', resource: 'secrets', namespace: 'p1' })).allowed, false, 'view reads no secrets');
  });

  it('renders the demo policy without a cluster-wide binding or a system namespace', () => {
    const objects = renderKubernetes(demo).filter((o) => o.kind === 'ClusterRoleBinding' || SYSTEM_NAMESPACES.some((ns) => o.name.startsWith(`${ns}/`)));
    assert.deepEqual(objects, []);
  });
});
