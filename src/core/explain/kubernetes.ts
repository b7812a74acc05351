// Explain for Kubernetes: what can an identity do in a cluster, and which binding grants it. Pure:
// the adapter reads the cluster's RBAC (KubernetesAdminPort.readRbac) or the caller passes rendered
// bindings. Mirrors the RBAC authorizer of Kubernetes (rbac/v1 rule matching, no aggregation: a
// ClusterRole grants the rules it holds, as the authorizer sees them).
import type { PolicySubject } from '../subject.ts';
import { groupsReferenced } from '../render/keycloak/index.ts';
import type { KubernetesObject } from '../render/kubernetes/model.ts';
import { splitObjectName } from '../render/kubernetes/model.ts';
import { kubernetesGroup, kubernetesHomeGroup, kubernetesUsername, RULE_ANNOTATION } from '../render/kubernetes/names.ts';
import type { FederationSpec } from '../federation/schema.ts';
import { isTrusted } from '../federation/trust.ts';

export interface RbacPolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}
export interface RbacRole {
  readonly kind: 'ClusterRole' | 'Role';
  readonly namespace?: string;
  readonly name: string;
  readonly rules: readonly RbacPolicyRule[];
}
export interface RbacSubject { readonly kind: string; readonly name: string; readonly namespace?: string }
export interface RbacBinding {
  readonly kind: 'ClusterRoleBinding' | 'RoleBinding';
  readonly namespace?: string;
  readonly name: string;
  readonly roleRef: { readonly kind: string; readonly name: string };
  readonly subjects: readonly RbacSubject[];
  /** The policy rule a broker-made binding comes from (annotation). */
  readonly policyRule?: string;
}
export interface RbacSnapshot {
  readonly roles: readonly RbacRole[];
  readonly bindings: readonly RbacBinding[];
}

/** Who asks, as the apiserver sees them after authentication (no implicit groups are added). */
export interface KubernetesIdentity { readonly username: string; readonly groups: readonly string[] }

/** A resource request; `group` is the API group ("" = core), `namespace` omitted = cluster-scoped. */
export interface AccessRequest {
  readonly verb: string;
  readonly resource: string;
  readonly group?: string;
  readonly subresource?: string;
  readonly name?: string;
  readonly namespace?: string;
}

export interface AccessGrant {
  readonly binding: RbacBinding;
  readonly role: RbacRole;
  /** Index of the matching rule in role.rules. */
  readonly ruleIndex: number;
}

export interface AccessDecision {
  readonly allowed: boolean;
  /** Every binding that allows the request, cluster-wide ones first. */
  readonly grants: readonly AccessGrant[];
}

const has = (list: readonly string[] | undefined, value: string) => (list ?? []).includes(value);

function ruleAllows(rule: RbacPolicyRule, request: AccessRequest): boolean {
  if (!has(rule.verbs, request.verb) && !has(rule.verbs, '*')) return false;
  const group = request.group ?? '';
  if (!has(rule.apiGroups, group) && !has(rule.apiGroups, '*')) return false;
  const combined = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  const resourceOk = (rule.resources ?? []).some((r) => r === '*' || r === combined || (!!request.subresource && r === `*/${request.subresource}`));
  if (!resourceOk) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (request.name !== undefined && names.includes(request.name));
}

export function subjectMatches(subject: RbacSubject, identity: KubernetesIdentity, bindingNamespace?: string): boolean {
  switch (subject.kind) {
    case 'User': return subject.name === identity.username;
    case 'Group': return identity.groups.includes(subject.name);
    case 'ServiceAccount': return identity.username === `system:serviceaccount:${subject.namespace ?? bindingNamespace ?? ''}:${subject.name}`;
    default: return false;
  }
}

/** The role a binding refers to (a RoleBinding's Role lives in the binding's namespace). */
export function roleOf(snapshot: RbacSnapshot, binding: RbacBinding): RbacRole | undefined {
  return snapshot.roles.find((r) => r.kind === binding.roleRef.kind && r.name === binding.roleRef.name
    && (r.kind === 'ClusterRole' || r.namespace === binding.namespace));
}

function ordered(bindings: readonly RbacBinding[]): RbacBinding[] {
  const key = (b: RbacBinding) => `${b.kind === 'ClusterRoleBinding' ? 0 : 1}/${b.namespace ?? ''}/${b.name}`;
  return [...bindings].sort((a, b) => key(a).localeCompare(key(b)));
}

/** Bindings whose subjects include the identity, with their role. */
export function bindingsFor(snapshot: RbacSnapshot, identity: KubernetesIdentity): { binding: RbacBinding; role?: RbacRole }[] {
  return ordered(snapshot.bindings)
    .filter((b) => b.subjects.some((s) => subjectMatches(s, identity, b.namespace)))
    .map((binding) => ({ binding, ...(roleOf(snapshot, binding) && { role: roleOf(snapshot, binding) as RbacRole }) }));
}

/** can(identity, request): the RBAC authorizer's answer, with every binding that grants it. */
export function can(snapshot: RbacSnapshot, identity: KubernetesIdentity, request: AccessRequest): AccessDecision {
  const grants: AccessGrant[] = [];
  for (const { binding, role } of bindingsFor(snapshot, identity)) {
    if (!role) continue;
    if (binding.kind === 'RoleBinding' && binding.namespace !== request.namespace) continue;
    const ruleIndex = role.rules.findIndex((r) => ruleAllows(r, request));
    if (ruleIndex >= 0) grants.push({ binding, role, ruleIndex });
  }
  return { allowed: grants.length > 0, grants };
}

/** Bindings from rendered desired objects (to explain a plan before it is applied). */
export function bindingsFromDesired(objects: readonly KubernetesObject[]): RbacBinding[] {
  return objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding').map((o) => {
    const { namespace, name } = splitObjectName(o.kind, o.name);
    const fields = o.fields as unknown as { roleRef: RbacBinding['roleRef']; subjects: RbacSubject[]; metadata?: { annotations?: Record<string, string> } };
    const rule = fields.metadata?.annotations?.[RULE_ANNOTATION];
    return {
      kind: o.kind as RbacBinding['kind'], ...(namespace !== undefined && { namespace }), name,
      roleRef: { kind: fields.roleRef.kind, name: fields.roleRef.name }, subjects: fields.subjects,
      ...(rule !== undefined && { policyRule: rule }),
    };
  });
}

/**
 * The identity a brokered subject has in a cluster of `partner`: its downstream username, its home
 * cloud's group, and the home groups policy refers to (only those are mirrored into the partner realm).
 * Undefined when `partner` does not trust the subject's home.
 */
export function kubernetesIdentity(spec: FederationSpec, subject: Pick<PolicySubject, 'homeCloud' | 'homeUsername' | 'groups'>, partner: string): KubernetesIdentity | undefined {
  if (subject.homeCloud === partner || !isTrusted(spec, subject.homeCloud, partner)) return undefined;
  const mirrored = new Set(groupsReferenced(spec.policy, subject.homeCloud, partner));
  return {
    username: kubernetesUsername(spec.naming, subject.homeCloud, subject.homeUsername),
    groups: [kubernetesHomeGroup(subject.homeCloud), ...subject.groups.filter((g) => mirrored.has(g)).map((g) => kubernetesGroup(subject.homeCloud, g))],
  };
}
