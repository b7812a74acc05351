// The safety rules live in src/core/policy/safety.ts; validation and both renderers must say the same
// about every role, because they ask the same functions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError } from '../../src/core/errors.ts';
import { validateSpec } from '../../src/core/federation/validate.ts';
import {
  forbiddenKubernetesRoleReason, isPrivilegedKeystoneRole, privilegedClusterRoles, privilegedKeystoneRoles,
} from '../../src/core/policy/safety.ts';
import { renderKeystone, ZED_CAPABILITIES } from '../../src/core/render/keystone/index.ts';
import { renderKubernetes } from '../../src/core/render/kubernetes/index.ts';
import { exampleDoc, unvalidatedSpec, type MutableDoc } from '../support/example-federation.ts';

const PRIVILEGED = { keystoneRoles: ['reader-admin'], kubernetesClusterRoles: ['ops'], allow: [] };

function validationRefuses(mutate: (doc: MutableDoc) => void): boolean {
  const doc = exampleDoc();
  doc.privileged = structuredClone(PRIVILEGED);
  mutate(doc);
  const result = validateSpec(doc);
  return !result.ok && result.problems.some((p) => p.code === 'ERR_SPEC_PRIVILEGED_GRANT');
}

function renderRefuses(render: () => unknown): boolean {
  try {
    render();
    return false;
  } catch (e) {
    if (isBrokerError(e, 'ERR_POLICY_PRIVILEGED')) return true;
    throw e;
  }
}

describe('policy safety rules', () => {
  it('keeps admin and cluster-admin privileged whatever the spec lists', () => {
    assert.deepEqual([...privilegedKeystoneRoles(PRIVILEGED)].sort(), ['admin', 'reader-admin']);
    assert.deepEqual([...privilegedKeystoneRoles(undefined)], ['admin']);
    assert.deepEqual([...privilegedClusterRoles(PRIVILEGED)].sort(), ['cluster-admin', 'ops']);
    assert.deepEqual([...privilegedClusterRoles(undefined)], ['cluster-admin']);
  });

  it('compares Keystone roles case-insensitively', () => {
    for (const role of ['admin', 'Admin', 'ADMIN', 'Reader-Admin']) assert.equal(isPrivilegedKeystoneRole(PRIVILEGED, role), true, role);
    for (const role of ['member', 'reader', 'administrator']) assert.equal(isPrivilegedKeystoneRole(PRIVILEGED, role), false, role);
  });

  it('forbids system: Roles and ClusterRoles and privileged ClusterRoles, not a namespaced Role of the same name', () => {
    assert.match(forbiddenKubernetesRoleReason(PRIVILEGED, 'ClusterRole', 'system:node') ?? '', /system:/);
    assert.match(forbiddenKubernetesRoleReason(PRIVILEGED, 'Role', 'system:x') ?? '', /system:/);
    assert.match(forbiddenKubernetesRoleReason(PRIVILEGED, 'ClusterRole', 'cluster-admin') ?? '', /privileged/);
    assert.match(forbiddenKubernetesRoleReason(PRIVILEGED, 'ClusterRole', 'ops') ?? '', /privileged/);
    assert.equal(forbiddenKubernetesRoleReason(PRIVILEGED, 'Role', 'ops'), undefined);
    assert.equal(forbiddenKubernetesRoleReason(PRIVILEGED, 'ClusterRole', 'view'), undefined);
  });

  it('validation and the Keystone renderer agree with isPrivilegedKeystoneRole on every role', () => {
    for (const role of ['admin', 'Admin', 'reader-admin', 'READER-ADMIN', 'member', 'reader', 'load-balancer_member']) {
      const add = (doc: MutableDoc) => { doc.policy[0].grant[0].keystone[0].roles.push(role); };
      const expected = isPrivilegedKeystoneRole(PRIVILEGED, role);
      assert.equal(validationRefuses(add), expected, `validation, ${role}`);
      const spec = unvalidatedSpec((doc) => { doc.privileged = structuredClone(PRIVILEGED); add(doc); });
      const caps = Object.fromEntries(spec.clouds.map((c) => [c.alias, ZED_CAPABILITIES]));
      assert.equal(renderRefuses(() => renderKeystone(spec, caps)), expected, `renderer, ${role}`);
    }
  });

  it('validation and the Kubernetes renderer agree with forbiddenKubernetesRoleReason on every role', () => {
    const grants = ['cluster-admin', 'ops', 'system:node', 'view', 'edit'].flatMap((name) => [
      { kind: 'ClusterRole' as const, grant: { namespace: 'p1', clusterRole: name } },
      { kind: 'Role' as const, grant: { namespace: 'p1', role: name } },
    ]);
    for (const { kind, grant } of grants) {
      const name = grant.clusterRole ?? grant.role ?? '';
      const set = (doc: MutableDoc) => { doc.policy[0].grant[0].kubernetes = [grant]; };
      const expected = forbiddenKubernetesRoleReason(PRIVILEGED, kind, name) !== undefined;
      assert.equal(validationRefuses(set), expected, `validation, ${JSON.stringify(grant)}`);
      const spec = unvalidatedSpec((doc) => { doc.privileged = structuredClone(PRIVILEGED); set(doc); });
      assert.equal(renderRefuses(() => renderKubernetes(spec)), expected, `renderer, ${JSON.stringify(grant)}`);
    }
  });
});
