// Plan-time half of the Kubernetes privilege check: the bindings a cluster would get, judged with the
// roles as that cluster stores them (custom and aggregated roles are unknown to the default-role
// table, so validation could not judge them). Pure: the caller reads the cluster's RBAC.
import type { RbacSnapshot } from '../explain/kubernetes.ts';
import type { FederationSpec } from '../federation/schema.ts';
import type { DesiredObject } from '../plan/model.ts';
import { RULE_ANNOTATION } from '../render/kubernetes/names.ts';
import { splitObjectName } from '../render/kubernetes/model.ts';
import { kubernetesBindingRefusal, type BindingRefusal } from './kubernetes-privilege.ts';

export interface LiveBindingRefusal extends BindingRefusal {
  readonly cloud: string;
  readonly cluster: string;
  readonly rule: string;
  readonly roleKind: 'ClusterRole' | 'Role';
  readonly role: string;
  readonly namespace?: string;
}

interface BindingFields {
  readonly metadata?: { readonly annotations?: Readonly<Record<string, string>> };
  readonly roleRef?: { readonly kind?: string; readonly name?: string };
}

/** Whether a desired object is a cluster-wide binding, the only kind whose live role must be judged. */
export function isClusterWideBinding(d: DesiredObject): boolean {
  return d.system === 'kubernetes' && d.kind === 'ClusterRoleBinding';
}

/** The bindings of `desired` (one cluster's) that the live roles in `snapshot` make privileged. */
export function liveBindingRefusals(spec: FederationSpec, desired: readonly DesiredObject[], snapshot: RbacSnapshot): LiveBindingRefusal[] {
  const out: LiveBindingRefusal[] = [];
  for (const d of desired) {
    if (d.system !== 'kubernetes' || (d.kind !== 'ClusterRoleBinding' && d.kind !== 'RoleBinding')) continue;
    const fields = d.fields as BindingFields;
    const roleKind = fields.roleRef?.kind === 'Role' ? 'Role' : 'ClusterRole';
    const role = fields.roleRef?.name ?? '';
    const rule = fields.metadata?.annotations?.[RULE_ANNOTATION] ?? '';
    const { namespace } = splitObjectName(d.kind, d.name);
    const live = snapshot.roles.find((r) => r.kind === roleKind && r.name === role && (roleKind === 'ClusterRole' || r.namespace === namespace));
    const refusal = kubernetesBindingRefusal(spec.privileged, rule, { ...(namespace !== undefined && { namespace }), roleKind, roleName: role }, live?.rules, true);
    if (refusal) out.push({ ...refusal, cloud: d.cloud, cluster: d.scope, rule, roleKind, role, ...(namespace !== undefined && { namespace }) });
  }
  return out;
}
