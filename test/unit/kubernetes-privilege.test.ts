// Kubernetes privilege by effect: the judge over RBAC rules, the default-role table, validation of
// every refused and allowed form of binding (with the opt-in), the renderer's second look, and the
// plan-time check of custom roles over the fake clusters.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RbacPolicyRule } from '../../src/core/explain/kubernetes.ts';
import { validateSpec } from '../../src/core/federation/validate.ts';
import { defaultRoleRules, DEFAULT_CLUSTER_ROLE_NAMES } from '../../src/core/policy/kubernetes-default-roles.ts';
import { clusterWideReachOfRules, kubernetesBindingRefusal, privilegeOfRules } from '../../src/core/policy/kubernetes-privilege.ts';
import { renderKubernetes } from '../../src/core/render/kubernetes/index.ts';
import { planFederation } from '../../src/services/onboarding.ts';
import { exampleDoc, exampleSpec, unvalidatedSpec, type MutableDoc } from '../support/example-federation.ts';
import { fakeFederation } from '../support/fake-federation.ts';

const kinds = (rules: readonly RbacPolicyRule[]) => [...new Set(privilegeOfRules(rules).map((f) => f.kind))].sort();

/** The demo spec with one more policy rule "ops" (home group /ops) holding `grant`, plus `privileged` changes. */
function withOps(grant: Record<string, unknown>, privileged: Record<string, unknown> = {}): (doc: MutableDoc) => void {
  return (doc) => {
    doc.policy.push({ name: 'ops', when: { groups: { any: ['/ops'] } }, grant: [{ kubernetes: [grant] }] });
    doc.privileged = { ...doc.privileged, ...privileged };
  };
}

function problemsOf(mutate: (doc: MutableDoc) => void): { code: string; path: string }[] {
  const doc = exampleDoc();
  mutate(doc);
  const result = validateSpec(doc);
  return result.ok ? [] : result.problems.map((p) => ({ code: p.code, path: p.path.join('.') }));
}

/** Rejects with `code` and at least the `details` given. */
async function rejectsWith(promise: Promise<unknown>, code: string, details: Record<string, unknown>): Promise<void> {
  await assert.rejects(promise, (e: { code?: string; details?: Record<string, unknown> }) => {
    assert.equal(e.code, code);
    for (const [k, v] of Object.entries(details)) assert.equal(e.details?.[k], v, k);
    return true;
  });
}

const OPS_GRANT = 'policy.2.grant.0.kubernetes.0';
const OPT_IN = { allow: [{ rule: 'ops', reason: 'the platform team runs the cluster add-ons' }] };

describe('privilegeOfRules', () => {
  it('finds secret reads on secrets or * in "" or * with get, list, watch or *', () => {
    for (const verb of ['get', 'list', 'watch', '*']) {
      for (const group of ['', '*']) {
        for (const resource of ['secrets', '*']) {
          assert.ok(kinds([{ verbs: [verb], apiGroups: [group], resources: [resource] }]).includes('reads-secrets'), `${verb} ${group} ${resource}`);
        }
      }
    }
  });

  it('does not call writes, other groups or other resources secret reads', () => {
    assert.deepEqual(kinds([{ verbs: ['create', 'update', 'patch', 'delete'], apiGroups: [''], resources: ['secrets'] }]), []);
    assert.deepEqual(kinds([{ verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['secrets'] }]), []);
    assert.deepEqual(kinds([{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['configmaps', 'pods', 'secrets/status'] }]), []);
    assert.deepEqual(kinds([]), []);
  });

  it('finds bind, escalate, impersonate and wildcards', () => {
    for (const verb of ['bind', 'escalate', 'impersonate']) assert.deepEqual(kinds([{ verbs: [verb], apiGroups: ['rbac.authorization.k8s.io', ''], resources: ['roles', 'users'] }]), ['escalates'], verb);
    assert.deepEqual(kinds([{ verbs: ['*'], apiGroups: ['apps'], resources: ['deployments'] }]), ['wildcard']);
    assert.deepEqual(kinds([{ verbs: ['create'], apiGroups: ['apps'], resources: ['*'] }]), ['wildcard']);
  });

  it('finds what a cluster-wide binding would reach: namespaced resources, subresources other than status, writes of cluster-scoped objects', () => {
    const reach = (rules: readonly RbacPolicyRule[]) => [...new Set(clusterWideReachOfRules(rules).map((f) => f.kind))].sort();
    assert.deepEqual(reach([{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['nodes', 'namespaces', 'nodes/status'] }]), []);
    assert.deepEqual(reach([{ verbs: ['get'], nonResourceURLs: ['/healthz'] }]), []);
    assert.deepEqual(reach([{ verbs: ['list'], apiGroups: [''], resources: ['pods'] }]), ['reaches-every-namespace']);
    assert.deepEqual(reach([{ verbs: ['get'], apiGroups: [''], resources: ['nodes/proxy'] }]), ['reaches-every-namespace']);
    assert.deepEqual(reach([{ verbs: ['get'], apiGroups: ['example.com'], resources: ['widgets'] }]), ['reaches-every-namespace'], 'an unknown resource counts as namespaced');
    assert.deepEqual(reach([{ verbs: ['get'], apiGroups: ['', 'apps'], resources: ['nodes'] }]), ['reaches-every-namespace'], 'nodes of apps is not a known cluster-scoped resource');
    assert.deepEqual(reach([{ verbs: ['create'], apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'] }]), ['writes-cluster-objects']);
    assert.deepEqual(reach(defaultRoleRules('ClusterRole', 'view') ?? []), ['reaches-every-namespace']);
  });

  it('judges the default roles: admin and edit read secrets and impersonate, view does neither, cluster-admin has everything', () => {
    assert.deepEqual(kinds(defaultRoleRules('ClusterRole', 'admin') ?? []), ['escalates', 'reads-secrets']);
    assert.deepEqual(kinds(defaultRoleRules('ClusterRole', 'edit') ?? []), ['escalates', 'reads-secrets']);
    assert.deepEqual(kinds(defaultRoleRules('ClusterRole', 'view') ?? []), []);
    assert.deepEqual(kinds(defaultRoleRules('ClusterRole', 'cluster-admin') ?? []), ['reads-secrets', 'wildcard']);
  });

  it('looks roles up by exact name, and knows no namespaced Role', () => {
    for (const name of ['Edit', 'edit ', ' edit', 'EDIT', 'view\n', 'admin.', 'Cluster-Admin']) assert.equal(defaultRoleRules('ClusterRole', name), undefined, JSON.stringify(name));
    for (const name of DEFAULT_CLUSTER_ROLE_NAMES) assert.equal(defaultRoleRules('Role', name), undefined, name);
  });
});

describe('validation of Kubernetes bindings by effect', () => {
  it('refuses cluster-wide bindings of edit and admin, and of cluster-admin/system:* whatever the opt-in', () => {
    assert.deepEqual(problemsOf(withOps({ clusterRole: 'edit' })), [{ code: 'ERR_SPEC_PRIVILEGED_EFFECT', path: `${OPS_GRANT}.clusterRole` }]);
    // admin is also on the demo spec's privileged list: refused by name first
    assert.deepEqual(problemsOf(withOps({ clusterRole: 'admin' }, { kubernetesClusterRoles: ['cluster-admin'] })), [{ code: 'ERR_SPEC_PRIVILEGED_EFFECT', path: `${OPS_GRANT}.clusterRole` }]);
    for (const name of ['cluster-admin', 'system:aggregate-to-edit', 'system:node']) {
      assert.deepEqual(problemsOf(withOps({ clusterRole: name }, OPT_IN)), [{ code: 'ERR_SPEC_PRIVILEGED_GRANT', path: `${OPS_GRANT}.clusterRole` }], name);
      assert.deepEqual(problemsOf(withOps({ namespace: 'p1', clusterRole: name }, OPT_IN)), [{ code: 'ERR_SPEC_PRIVILEGED_GRANT', path: `${OPS_GRANT}.clusterRole` }], name);
    }
  });

  it('refuses every binding in kube-system, kube-public and kube-node-lease, even of view', () => {
    for (const namespace of ['kube-system', 'kube-public', 'kube-node-lease']) {
      for (const grant of [{ namespace, clusterRole: 'view' }, { namespace, clusterRole: 'edit' }, { namespace, role: 'my-role' }, { namespace, clusterRole: 'custom' }]) {
        assert.deepEqual(problemsOf(withOps(grant)), [{ code: 'ERR_SPEC_SYSTEM_NAMESPACE', path: `${OPS_GRANT}.namespace` }], JSON.stringify(grant));
      }
    }
  });

  it('refuses cluster-wide view: it would read every namespace, kube-system included', () => {
    assert.deepEqual(problemsOf(withOps({ clusterRole: 'view' })), [{ code: 'ERR_SPEC_PRIVILEGED_EFFECT', path: `${OPS_GRANT}.clusterRole` }]);
    assert.deepEqual(problemsOf(withOps({ clusterRole: 'view' }, OPT_IN)), []);
  });

  it('allows namespaced bindings and cluster-wide custom roles (judged at plan)', () => {
    for (const grant of [{ namespace: 'p1', clusterRole: 'edit' }, { namespace: 'team-x', clusterRole: 'admin' }, { namespace: 'p1', role: 'deployer' },
      { clusterRole: 'Edit' }, { clusterRole: 'edit ' }, { clusterRole: 'secret-reader' }, { namespace: 'kube-systemx', clusterRole: 'edit' }]) {
      assert.deepEqual(problemsOf(withOps(grant, { kubernetesClusterRoles: ['cluster-admin'] })), [], JSON.stringify(grant));
    }
  });

  it('lets the opt-in of a named rule allow cluster-wide edit and kube-system, and only for that rule', () => {
    assert.deepEqual(problemsOf(withOps({ clusterRole: 'edit' }, OPT_IN)), []);
    assert.deepEqual(problemsOf(withOps({ namespace: 'kube-system', clusterRole: 'view' }, OPT_IN)), []);
    const otherRule = { allow: [{ rule: 'p1-members', reason: 'not this one' }] };
    assert.deepEqual(problemsOf(withOps({ clusterRole: 'edit' }, otherRule)), [{ code: 'ERR_SPEC_PRIVILEGED_EFFECT', path: `${OPS_GRANT}.clusterRole` }]);
  });

  it('checks the opt-in itself: a known rule and a reason', () => {
    assert.deepEqual(problemsOf(withOps({ namespace: 'p1', clusterRole: 'view' }, { allow: [{ rule: 'nope', reason: 'x' }] })), [{ code: 'ERR_SPEC_UNKNOWN_REF', path: 'privileged.allow.0.rule' }]);
    assert.deepEqual(problemsOf(withOps({ namespace: 'p1', clusterRole: 'view' }, { allow: [{ rule: 'ops', reason: '  ' }] })), [{ code: 'ERR_SPEC_SCHEMA', path: 'privileged.allow.0.reason' }]);
    assert.deepEqual(problemsOf(withOps({ namespace: 'p1', clusterRole: 'view' }, { allow: [{ rule: 'ops' }] })), [{ code: 'ERR_SPEC_SCHEMA', path: 'privileged.allow.0.reason' }]);
  });

  it('refuses role names that are no path segment and namespaces that are no DNS-1123 label', () => {
    for (const clusterRole of ['a/b', '.', '..', 'x%2fy', '']) {
      assert.deepEqual(problemsOf(withOps({ namespace: 'p1', clusterRole })), [{ code: 'ERR_SPEC_SCHEMA', path: `${OPS_GRANT}.clusterRole` }], clusterRole);
      assert.deepEqual(problemsOf(withOps({ namespace: 'p1', role: clusterRole })), [{ code: 'ERR_SPEC_SCHEMA', path: `${OPS_GRANT}.role` }], clusterRole);
    }
    for (const namespace of ['Kube-System', 'kube_system', 'kube.system', '-p1', 'p1-', 'a'.repeat(64), '']) {
      assert.deepEqual(problemsOf(withOps({ namespace, clusterRole: 'view' })), [{ code: 'ERR_SPEC_SCHEMA', path: `${OPS_GRANT}.namespace` }], namespace);
    }
    assert.deepEqual(problemsOf(withOps({ namespace: 'a'.repeat(63), clusterRole: 'view' })), []);
  });
});

describe('the Kubernetes renderer refuses again', () => {
  it('throws ERR_POLICY_PRIVILEGED for what validation refuses, and renders what it allows', () => {
    for (const grant of [{ clusterRole: 'edit' }, { clusterRole: 'cluster-admin' }, { namespace: 'kube-system', clusterRole: 'view' }, { namespace: 'kube-node-lease', role: 'x' }]) {
      assert.throws(() => renderKubernetes(unvalidatedSpec(withOps(grant))), { code: 'ERR_POLICY_PRIVILEGED' }, JSON.stringify(grant));
    }
    const objects = renderKubernetes(unvalidatedSpec(withOps({ clusterRole: 'edit' }, OPT_IN)));
    assert.ok(objects.some((o) => o.kind === 'ClusterRoleBinding' && (o.fields as { roleRef: { name: string } }).roleRef.name === 'edit'));
    assert.throws(() => renderKubernetes(unvalidatedSpec(withOps({ clusterRole: 'cluster-admin' }, OPT_IN))), { code: 'ERR_POLICY_PRIVILEGED' });
  });
});

describe('plan judges custom roles from the live cluster (fakes)', () => {
  const secretReader = { kind: 'ClusterRole' as const, name: 'secret-reader', rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }] };
  const impersonator = { kind: 'ClusterRole' as const, name: 'Edit', rules: [{ verbs: ['impersonate'], apiGroups: [''], resources: ['users'] }] };
  const allPowerful = { kind: 'ClusterRole' as const, name: 'root-ish', rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] };
  const harmless = { kind: 'ClusterRole' as const, name: 'node-reader', rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['nodes'] }] };
  const roles = [secretReader, impersonator, allPowerful, harmless];

  it('refuses a cluster-wide custom role that reads secrets, escalates or is missing, naming rule and role; writes nothing', async () => {
    for (const [role, refusal] of [['secret-reader', 'cluster-wide-privilege'], ['Edit', 'cluster-wide-privilege'], ['edit ', 'unknown-role'], ['no-such-role', 'unknown-role'], ['root-ish', 'forbidden-role']] as const) {
      const w = fakeFederation(exampleSpec(withOps({ clusterRole: role })), { kubernetesRoles: roles });
      await rejectsWith(planFederation(w.spec, w.deps), 'ERR_POLICY_PRIVILEGED', { rule: 'ops', role, refusal });
      assert.equal(w.writes(), 0);
    }
  });

  it('plans a cluster-wide node reader, refuses a cluster-wide pod reader; the opt-in lets a secret reader through, never full wildcards', async () => {
    const podReader = fakeFederation(exampleSpec(withOps({ clusterRole: 'pod-reader' })), { kubernetesRoles: [...roles, { kind: 'ClusterRole' as const, name: 'pod-reader', rules: [{ verbs: ['list'], apiGroups: [''], resources: ['pods'] }] }] });
    await rejectsWith(planFederation(podReader.spec, podReader.deps), 'ERR_POLICY_PRIVILEGED', { role: 'pod-reader', refusal: 'cluster-wide-privilege' });
    for (const role of ['node-reader']) {
      const w = fakeFederation(exampleSpec(withOps({ clusterRole: role })), { kubernetesRoles: roles });
      const plan = await planFederation(w.spec, w.deps);
      assert.ok(plan.changes.some((c) => c.action === 'create' && c.key.includes('ClusterRoleBinding') && c.key.includes(`-${role}-`)), role);
    }
    const allowed = fakeFederation(exampleSpec(withOps({ clusterRole: 'secret-reader' }, OPT_IN)), { kubernetesRoles: roles });
    assert.ok((await planFederation(allowed.spec, allowed.deps)).changes.some((c) => c.key.includes('-secret-reader-')));
    const never = fakeFederation(exampleSpec(withOps({ clusterRole: 'root-ish' }, OPT_IN)), { kubernetesRoles: roles });
    await rejectsWith(planFederation(never.spec, never.deps), 'ERR_POLICY_PRIVILEGED', { role: 'root-ish', refusal: 'forbidden-role' });
  });

  it('judges with the cluster\'s own roles: a node-reader that a cluster aggregates with secret reads is refused there', async () => {
    const fatNodeReader = { kind: 'ClusterRole' as const, name: 'node-reader', rules: [...harmless.rules, { verbs: ['list'], apiGroups: [''], resources: ['secrets'] }] };
    const w = fakeFederation(exampleSpec(withOps({ clusterRole: 'node-reader' })), { kubernetesRoles: [fatNodeReader] });
    await rejectsWith(planFederation(w.spec, w.deps), 'ERR_POLICY_PRIVILEGED', { role: 'node-reader', refusal: 'cluster-wide-privilege' });
    assert.equal(w.writes(), 0);
  });

  it('kubernetesBindingRefusal with live roles refuses a missing role only cluster-wide', () => {
    assert.equal(kubernetesBindingRefusal(undefined, 'r', { namespace: 'p1', roleKind: 'Role', roleName: 'gone' }, undefined, true), undefined);
    assert.equal(kubernetesBindingRefusal(undefined, 'r', { roleKind: 'ClusterRole', roleName: 'gone' }, undefined, true)?.kind, 'unknown-role');
    assert.equal(kubernetesBindingRefusal(undefined, 'r', { roleKind: 'ClusterRole', roleName: 'gone' }, undefined, false), undefined);
  });
});
