// RBAC of one cluster of partner cloud P: per policy rule and granted role, one RoleBinding (namespace
// grant) or ClusterRoleBinding (cluster-wide grant) whose Group subjects stand for the rule's
// condition for every home cloud that trusts P; plus the namespaces those bindings live in.
import { BrokerError } from '../../errors.ts';
import type { CloudSpec, FederationSpec, KubernetesGrant } from '../../federation/schema.ts';
import { homesOf } from '../../federation/trust.ts';
import { grantAppliesIn, homesOfRule } from '../../policy/scope.ts';
import type { KubernetesObject } from './model.ts';
import { objectName, splitObjectName } from './model.ts';
import { bindingName, kubernetesAnnotations, kubernetesLabels, RBAC_API_GROUP } from './names.ts';
import { defaultRoleRules } from '../../policy/kubernetes-default-roles.ts';
import { kubernetesBindingRefusal } from '../../policy/kubernetes-privilege.ts';
import { rbacUnsupportedReason, ruleSubjects } from './policy.ts';

export type ClusterSpec = NonNullable<CloudSpec['kubernetes']>['clusters'][number];

interface Grant { readonly namespace?: string; readonly roleKind: 'ClusterRole' | 'Role'; readonly roleName: string }

/** Home clouds whose users may log into `partner`, sorted by name (the order of binding subjects and authenticators). */
export function sortedHomesOf(spec: FederationSpec, partner: string): string[] {
  return homesOf(spec, partner).sort();
}

export function renderClusterRbac(spec: FederationSpec, partner: CloudSpec, cluster: ClusterSpec): KubernetesObject[] {
  const federation = spec.metadata.name;
  const homes = sortedHomesOf(spec, partner.alias);
  const bindings: KubernetesObject[] = [];
  for (const rule of spec.policy) {
    const ruleHomes = homesOfRule(rule, homes);
    const grants = grantsFor(rule.grant, partner.alias, cluster.name);
    if (ruleHomes.length === 0 || grants.length === 0) continue;
    const where = { cloud: partner.alias, cluster: cluster.name, rule: rule.name };
    const unsupported = rbacUnsupportedReason(rule);
    if (unsupported) {
      throw new BrokerError('ERR_KUBERNETES_POLICY_UNSUPPORTED', `policy rule "${rule.name}" grants Kubernetes roles in cluster ${cluster.name} of ${partner.alias}, but ${unsupported}`, { details: where });
    }
    const subjects = ruleHomes.flatMap((h) => ruleSubjects(rule, h)).map((name) => ({ kind: 'Group', apiGroup: RBAC_API_GROUP, name }));
    for (const g of grants) {
      const refused = kubernetesBindingRefusal(spec.privileged, rule.name, g, defaultRoleRules(g.roleKind, g.roleName));
      if (refused) {
        throw new BrokerError('ERR_POLICY_PRIVILEGED', `policy rule "${rule.name}" would bind a forbidden role in cluster ${cluster.name} of ${partner.alias}: ${refused.reason}`,
          { details: { ...where, role: g.roleName, ...(g.namespace !== undefined && { namespace: g.namespace }), refusal: refused.kind } });
      }
      const name = bindingName(federation, rule.name, g.namespace, g.roleKind, g.roleName);
      bindings.push({
        system: 'kubernetes', cloud: partner.alias, scope: cluster.name,
        kind: g.namespace === undefined ? 'ClusterRoleBinding' : 'RoleBinding',
        name: objectName(g.namespace, name),
        fields: {
          metadata: { labels: kubernetesLabels(federation), annotations: kubernetesAnnotations(federation, rule.name) },
          roleRef: { apiGroup: RBAC_API_GROUP, kind: g.roleKind, name: g.roleName },
          subjects,
        },
      });
    }
  }
  const namespaces = [...new Set(bindings.map((b) => splitObjectName(b.kind, b.name).namespace).filter((n): n is string => n !== undefined))].sort();
  return [
    ...namespaces.map((ns): KubernetesObject => ({ system: 'kubernetes', cloud: partner.alias, scope: cluster.name, kind: 'Namespace', name: ns, fields: {}, writeOnly: { federation }, shared: true })),
    ...bindings,
  ];
}

/** The distinct grants of a rule for one cluster of `partner`. */
function grantsFor(grants: readonly { clouds?: readonly string[]; kubernetes: readonly KubernetesGrant[] }[], partner: string, cluster: string): Grant[] {
  const out = new Map<string, Grant>();
  for (const g of grants) {
    if (!grantAppliesIn(g, partner)) continue;
    for (const k of g.kubernetes) {
      if (k.cluster !== undefined && k.cluster !== cluster) continue;
      const grant: Grant = {
        ...(k.namespace !== undefined && { namespace: k.namespace }),
        roleKind: k.role !== undefined ? 'Role' : 'ClusterRole',
        roleName: k.role ?? k.clusterRole ?? '',
      };
      out.set(JSON.stringify(grant), grant);
    }
  }
  return [...out.values()];
}
