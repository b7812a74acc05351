// The rules of Kubernetes' default user-facing ClusterRoles as the apiserver serves them (its RBAC
// bootstrap policy, checked against v1.35.8) and as kube-controller-manager aggregates them: `view`
// holds the rules of system:aggregate-to-view, `edit` those of system:aggregate-to-edit plus view's,
// `admin` those of system:aggregate-to-admin plus edit's. Validation judges bindings of these roles by
// their effect without asking a cluster; any other role is judged at plan time from the cluster's
// live copy. test/integration/kubernetes-privilege-sar.test.ts compares this table with the test bed.
import type { RbacPolicyRule } from '../explain/kubernetes.ts';

/** The Kubernetes version whose bootstrap policy this table reproduces. */
export const DEFAULT_ROLES_SOURCE_VERSION = 'v1.35.8';

const READ = ['get', 'list', 'watch'] as const;
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'] as const;
const ALL = [...READ, ...WRITE];

const rule = (verbs: readonly string[], apiGroups: readonly string[], resources: readonly string[]): RbacPolicyRule =>
  Object.freeze({ verbs: [...verbs].sort(), apiGroups: [...apiGroups], resources: [...resources] });

const AGGREGATE_TO_VIEW: readonly RbacPolicyRule[] = [
  rule(READ, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
  rule(READ, [''], ['bindings', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
  rule(READ, ['', 'events.k8s.io'], ['events']),
  rule(READ, [''], ['namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  rule(READ, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale']),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
  rule(READ, ['resource.k8s.io'], ['resourceclaims', 'resourceclaims/status', 'resourceclaimtemplates']),
];

const AGGREGATE_TO_EDIT: readonly RbacPolicyRule[] = [
  rule(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
  rule(['create'], [''], ['pods/eviction']),
  rule(WRITE, [''], ['configmaps', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
  rule(WRITE, ['', 'events.k8s.io'], ['events']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
  rule(WRITE, ['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale']),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule(ALL, ['coordination.k8s.io'], ['leases']),
  rule(WRITE, ['resource.k8s.io'], ['resourceclaims', 'resourceclaimtemplates']),
];

const AGGREGATE_TO_ADMIN: readonly RbacPolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule(ALL, ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
];

const CLUSTER_ADMIN: readonly RbacPolicyRule[] = [
  rule(['*'], ['*'], ['*']),
  Object.freeze({ verbs: ['*'], nonResourceURLs: ['*'] }),
];

/** The aggregated source roles, exactly as the apiserver serves them (compared live by the test above). */
export const AGGREGATION_SOURCES: Readonly<Record<'view' | 'edit' | 'admin', { readonly source: string; readonly rules: readonly RbacPolicyRule[] }>> = Object.freeze({
  view: { source: 'system:aggregate-to-view', rules: AGGREGATE_TO_VIEW },
  edit: { source: 'system:aggregate-to-edit', rules: AGGREGATE_TO_EDIT },
  admin: { source: 'system:aggregate-to-admin', rules: AGGREGATE_TO_ADMIN },
});

const DEFAULT_CLUSTER_ROLES: ReadonlyMap<string, readonly RbacPolicyRule[]> = new Map([
  ['view', AGGREGATE_TO_VIEW],
  ['edit', [...AGGREGATE_TO_EDIT, ...AGGREGATE_TO_VIEW]],
  ['admin', [...AGGREGATE_TO_ADMIN, ...AGGREGATE_TO_EDIT, ...AGGREGATE_TO_VIEW]],
  ['cluster-admin', CLUSTER_ADMIN],
  ...Object.values(AGGREGATION_SOURCES).map(({ source, rules }) => [source, rules] as const),
]);

/** The names in the table. */
export const DEFAULT_CLUSTER_ROLE_NAMES: readonly string[] = [...DEFAULT_CLUSTER_ROLES.keys()];

/**
 * The rules of a default ClusterRole, by exact name (`Edit` and `edit ` are other roles), or undefined
 * for a Role or a ClusterRole the table does not know: those are judged from the cluster at plan time.
 */
export function defaultRoleRules(kind: 'ClusterRole' | 'Role', name: string): readonly RbacPolicyRule[] | undefined {
  return kind === 'ClusterRole' ? DEFAULT_CLUSTER_ROLES.get(name) : undefined;
}
