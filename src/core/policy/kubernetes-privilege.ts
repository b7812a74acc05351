// Kubernetes privilege judged by effect, not by name: what a set of RBAC rules lets its holder do
// that amounts to cluster-admin when granted cluster-wide (read Secrets, hence service-account tokens;
// bind or escalate roles; impersonate; wildcards), and which bindings policy may therefore not make.
// Validation (with the table of default roles), the renderer (again, at render time) and plan (with
// the cluster's live roles) all ask `kubernetesBindingRefusal`.
import type { RbacPolicyRule } from '../explain/kubernetes.ts';
import type { FederationSpec } from '../federation/schema.ts';
import { forbiddenKubernetesRoleReason, type KubernetesRoleKind } from './safety.ts';

export type PrivilegeKind = 'reads-secrets' | 'escalates' | 'wildcard';

export interface PrivilegeFinding {
  readonly kind: PrivilegeKind;
  /** Index of the rule in the rule set. */
  readonly ruleIndex: number;
  readonly detail: string;
}

/** Namespaces of the cluster itself: policy binds nothing there without an opt-in. */
export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

const SECRET_READ_VERBS = ['get', 'list', 'watch', '*'];
const ESCALATING_VERBS = ['bind', 'escalate', 'impersonate'];

const includesAny = (list: readonly string[] | undefined, values: readonly string[]) => (list ?? []).some((v) => values.includes(v));

/** What in `rules` makes a holder as powerful as cluster-admin when granted cluster-wide; empty when nothing does. */
export function privilegeOfRules(rules: readonly RbacPolicyRule[]): PrivilegeFinding[] {
  const out: PrivilegeFinding[] = [];
  rules.forEach((r, ruleIndex) => {
    if ((r.verbs ?? []).includes('*')) out.push({ kind: 'wildcard', ruleIndex, detail: 'verbs "*"' });
    if ((r.resources ?? []).includes('*')) out.push({ kind: 'wildcard', ruleIndex, detail: 'resources "*"' });
    const escalating = (r.verbs ?? []).filter((v) => ESCALATING_VERBS.includes(v));
    if (escalating.length > 0) out.push({ kind: 'escalates', ruleIndex, detail: `verbs ${escalating.map((v) => `"${v}"`).join(', ')}` });
    if (includesAny(r.verbs, SECRET_READ_VERBS) && includesAny(r.apiGroups, ['', '*']) && includesAny(r.resources, ['secrets', '*'])) {
      out.push({ kind: 'reads-secrets', ruleIndex, detail: 'get/list/watch on secrets' });
    }
  });
  return out;
}

/** Rules that give everything on everything: cluster-admin in effect, never allowed cluster-wide. */
export function isFullWildcard(rules: readonly RbacPolicyRule[]): boolean {
  return rules.some((r) => (r.verbs ?? []).includes('*') && (r.resources ?? []).includes('*') && (r.apiGroups ?? []).includes('*'));
}

type Privileged = FederationSpec['privileged'] | undefined;

/** Whether the spec explicitly allows privileged Kubernetes bindings for the policy rule `rule`. */
export function privilegeAllowedFor(privileged: Privileged, rule: string): boolean {
  return (privileged?.allow ?? []).some((a) => a.rule === rule);
}

export interface KubernetesBindingGrant {
  readonly namespace?: string;
  readonly roleKind: KubernetesRoleKind;
  readonly roleName: string;
}

export type RefusalKind = 'forbidden-role' | 'system-namespace' | 'cluster-wide-privilege' | 'unknown-role';

export interface BindingRefusal {
  readonly kind: RefusalKind;
  readonly reason: string;
}

/**
 * Why policy rule `rule` may not make this binding, or undefined when it may. `rules` are the role's
 * rules as far as they are known: the default-role table at validation, the live role at plan time;
 * `undefined` means not known (yet). With `rolesAreLive`, an unknown role is refused (it cannot be judged).
 * The opt-in (`privileged.allow`) lifts the system-namespace and effect checks, never the named
 * roles (cluster-admin, system:*, the spec's list) nor a cluster-wide full wildcard.
 */
export function kubernetesBindingRefusal(privileged: Privileged, rule: string, grant: KubernetesBindingGrant,
  rules: readonly RbacPolicyRule[] | undefined, rolesAreLive = false): BindingRefusal | undefined {
  const role = `${grant.roleKind} "${grant.roleName}"`;
  const named = forbiddenKubernetesRoleReason(privileged, grant.roleKind, grant.roleName);
  if (named) return { kind: 'forbidden-role', reason: named };
  const clusterWide = grant.namespace === undefined;
  if (clusterWide && rules && isFullWildcard(rules)) return { kind: 'forbidden-role', reason: `${role} allows every verb on every resource (cluster-admin in effect)` };
  if (privilegeAllowedFor(privileged, rule)) return undefined;
  if (grant.namespace !== undefined && SYSTEM_NAMESPACES.includes(grant.namespace)) {
    return { kind: 'system-namespace', reason: `"${grant.namespace}" is a system namespace` };
  }
  if (!clusterWide) return undefined;
  if (rules === undefined) return rolesAreLive ? { kind: 'unknown-role', reason: `${role} does not exist in the cluster, so what it grants cannot be judged` } : undefined;
  const findings = privilegeOfRules(rules);
  if (findings.length === 0) return undefined;
  return { kind: 'cluster-wide-privilege', reason: `${role} bound cluster-wide ${describeFindings(findings)}` };
}

function describeFindings(findings: readonly PrivilegeFinding[]): string {
  const what: Record<PrivilegeKind, string> = { 'reads-secrets': 'can read Secrets (service-account tokens)', escalates: 'can bind, escalate or impersonate', wildcard: 'has wildcard verbs or resources' };
  const kinds = [...new Set(findings.map((f) => f.kind))];
  return `${kinds.map((k) => what[k]).join(' and ')} (${findings.map((f) => `rule ${f.ruleIndex}: ${f.detail}`).join('; ')})`;
}
