// Kubernetes privilege judged by effect, not by name: what a set of RBAC rules lets its holder do
// that amounts to cluster-admin when granted cluster-wide (read Secrets, hence service-account tokens;
// bind or escalate roles; impersonate; wildcards), what reaches into the system namespaces when granted
// cluster-wide (any namespaced resource: a ClusterRoleBinding grants it in kube-system too), and what
// changes cluster-scoped objects (webhook configurations, persistent volumes, CSRs: node or cluster
// takeover). A cluster-wide binding is allowed only for roles that read cluster-scoped objects or
// non-resource URLs; everything else needs a namespace (or the spec's explicit opt-in).
// Validation (with the table of default roles), the renderer (again, at render time) and plan (with
// the cluster's live roles) all ask `kubernetesBindingRefusal`.
import type { RbacPolicyRule } from '../explain/kubernetes.ts';
import type { FederationSpec } from '../federation/schema.ts';
import { forbiddenKubernetesRoleReason, type KubernetesRoleKind } from './safety.ts';

export type PrivilegeKind = 'reads-secrets' | 'escalates' | 'wildcard' | 'reaches-every-namespace' | 'writes-cluster-objects';

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

const READ_VERBS = ['get', 'list', 'watch'];

/**
 * Resources of the built-in API groups that are not namespaced (as the apiserver's discovery reports
 * them). A resource not listed here counts as namespaced, so an unknown one is judged the strict way.
 */
export const CLUSTER_SCOPED_RESOURCES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  '': ['nodes', 'namespaces', 'persistentvolumes', 'componentstatuses'],
  'rbac.authorization.k8s.io': ['clusterroles', 'clusterrolebindings'],
  'storage.k8s.io': ['storageclasses', 'csidrivers', 'csinodes', 'volumeattachments', 'volumeattributesclasses'],
  'apiextensions.k8s.io': ['customresourcedefinitions'],
  'apiregistration.k8s.io': ['apiservices'],
  'admissionregistration.k8s.io': ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings'],
  'certificates.k8s.io': ['certificatesigningrequests', 'clustertrustbundles'],
  'scheduling.k8s.io': ['priorityclasses'],
  'networking.k8s.io': ['ingressclasses', 'ipaddresses', 'servicecidrs'],
  'node.k8s.io': ['runtimeclasses'],
  'flowcontrol.apiserver.k8s.io': ['flowschemas', 'prioritylevelconfigurations'],
  'resource.k8s.io': ['deviceclasses', 'resourceslices'],
});

/**
 * Whether every resource of the rule is cluster-scoped in every group it names. Of subresources only
 * `status` counts as its resource: others act on what runs (`nodes/proxy` reaches the kubelet's exec).
 */
function onlyClusterScoped(r: RbacPolicyRule): boolean {
  const groups = r.apiGroups ?? [];
  const resources = (r.resources ?? []).map((name) => name.replace(/\/status$/, ''));
  if (groups.length === 0 || resources.length === 0) return false;
  return groups.every((g) => resources.every((name) => (CLUSTER_SCOPED_RESOURCES[g] ?? []).includes(name)));
}

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

/**
 * What `rules` would grant beyond reading cluster-scoped objects when bound cluster-wide: namespaced
 * resources (those would then be granted in kube-system too) and any change to cluster-scoped objects.
 * Rules with only non-resource URLs (`/healthz`, `/version`) are read-only and fine.
 */
export function clusterWideReachOfRules(rules: readonly RbacPolicyRule[]): PrivilegeFinding[] {
  const out: PrivilegeFinding[] = [];
  rules.forEach((r, ruleIndex) => {
    if ((r.resources ?? []).length === 0) return;
    if (!onlyClusterScoped(r)) out.push({ kind: 'reaches-every-namespace', ruleIndex, detail: `namespaced resources or subresources such as ${(r.resources ?? []).slice(0, 3).map((x) => `"${x}"`).join(', ')}` });
    else if (!(r.verbs ?? []).every((v) => READ_VERBS.includes(v))) out.push({ kind: 'writes-cluster-objects', ruleIndex, detail: `verbs ${(r.verbs ?? []).filter((v) => !READ_VERBS.includes(v)).map((v) => `"${v}"`).join(', ')} on cluster-scoped resources` });
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
  const findings = [...privilegeOfRules(rules), ...clusterWideReachOfRules(rules)];
  if (findings.length === 0) return undefined;
  return { kind: 'cluster-wide-privilege', reason: `${role} bound cluster-wide ${describeFindings(findings)}` };
}

function describeFindings(findings: readonly PrivilegeFinding[]): string {
  const what: Record<PrivilegeKind, string> = {
    'reads-secrets': 'can read Secrets (service-account tokens)', escalates: 'can bind, escalate or impersonate', wildcard: 'has wildcard verbs or resources',
    'reaches-every-namespace': 'grants namespaced resources in every namespace, kube-system included (bind it in a namespace)',
    'writes-cluster-objects': 'can change cluster-scoped objects',
  };
  const kinds = [...new Set(findings.map((f) => f.kind))];
  const shown = findings.slice(0, 3).map((f) => `rule ${f.ruleIndex}: ${f.detail}`);
  if (findings.length > shown.length) shown.push(`${findings.length - shown.length} more`);
  return `${kinds.map((k) => what[k]).join(' and ')} (${shown.join('; ')})`;
}
