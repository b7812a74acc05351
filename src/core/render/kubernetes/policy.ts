// Which policy rules Kubernetes RBAC can enforce, and the subjects that stand for a rule's condition.
// RBAC binds a role to a union of subjects; it cannot AND groups nor see attributes. A rule with
// Kubernetes grants must therefore condition on nothing but home clouds and either `groups.any` or a
// single-element `groups.all` (docs/decisions/0004-kubernetes-identities.md).
import { problem, type SpecProblem } from '../../federation/problems.ts';
import type { FederationSpec, PolicyRule } from '../../federation/schema.ts';
import { kubernetesGroup, kubernetesHomeGroup } from './names.ts';

/** Why `rule` cannot be enforced by RBAC, or undefined when it can. */
export function rbacUnsupportedReason(rule: PolicyRule): string | undefined {
  const { groups, attributes } = rule.when;
  if (attributes && Object.keys(attributes).length > 0) {
    return 'it conditions on attributes, which partner-cloud tokens do not carry';
  }
  if (groups?.all && groups.all.length > 1) return 'it requires all of several groups ("groups.all"), and RBAC can only bind a union of groups';
  if (groups?.all && groups.any) return 'it combines "groups.all" and "groups.any", and RBAC can only bind a union of groups';
  return undefined;
}

/** The Group subjects standing for `rule`'s condition for users of `home` (sorted). */
export function ruleSubjects(rule: PolicyRule, home: string): string[] {
  const paths = rule.when.groups?.any ?? rule.when.groups?.all;
  if (!paths) return [kubernetesHomeGroup(home)];
  return [...new Set(paths.map((p) => kubernetesGroup(home, p)))].sort();
}

/**
 * Spec problems for rules with Kubernetes grants that RBAC cannot enforce. Pure; meant to run with the
 * other checks of src/core/federation (the renderer refuses these rules again at render time).
 */
export function kubernetesPolicyProblems(spec: Pick<FederationSpec, 'policy'>): SpecProblem[] {
  return spec.policy.flatMap((rule, index) => {
    if (!rule.grant.some((g) => g.kubernetes.length > 0)) return [];
    const reason = rbacUnsupportedReason(rule);
    if (!reason) return [];
    const path = rule.when.attributes ? ['policy', index, 'when', 'attributes'] : ['policy', index, 'when', 'groups'];
    return [problem('ERR_SPEC_GRANT', path, `rule "${rule.name}" has Kubernetes grants that RBAC cannot enforce: ${reason}`,
      'move the Kubernetes grants to a rule that conditions only on home clouds and "groups.any" (or a one-element "groups.all")')];
  });
}
