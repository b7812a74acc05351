// Kubernetes representations ↔ the broker's object model: API paths per kind, manifests from desired
// objects, observed objects from what the API returns (only the fields the broker controls, plus
// the markers that tell whether it owns them).
import type { V1ClusterRole, V1ClusterRoleBinding, V1ObjectMeta, RbacV1Subject as V1Subject, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import type { RbacBinding, RbacRole } from '../../core/explain/kubernetes.ts';
import type { JsonValue } from '../../core/json.ts';
import type { DesiredObject, ObservedObject } from '../../core/plan/model.ts';
import { objectName, splitObjectName, type KubernetesKind } from '../../core/render/kubernetes/model.ts';
import { isManagedObject, RBAC_API_GROUP, RULE_ANNOTATION } from '../../core/render/kubernetes/names.ts';
import { kubePath } from './rest.ts';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
export type BindingKind = 'RoleBinding' | 'ClusterRoleBinding';

/** The collection a binding is created in, and its own path. */
export function bindingPaths(kind: BindingKind, name: string): { collection: string; item: string; namespace?: string; name: string } {
  const parts = splitObjectName(kind, name);
  if (kind === 'ClusterRoleBinding') return { collection: `${RBAC}/clusterrolebindings`, item: `${RBAC}${kubePath`/clusterrolebindings/${parts.name}`}`, name: parts.name };
  const ns = parts.namespace ?? '';
  const collection = `${RBAC}${kubePath`/namespaces/${ns}/rolebindings`}`;
  return { collection, item: `${collection}/${encodeURIComponent(parts.name)}`, namespace: ns, name: parts.name };
}

export const LIST_PATHS: Record<BindingKind, string> = {
  ClusterRoleBinding: `${RBAC}/clusterrolebindings`,
  RoleBinding: `${RBAC}/rolebindings`,
};

export const namespacePath = (name: string) => kubePath`/api/v1/namespaces/${name}`;

type Binding = V1RoleBinding | V1ClusterRoleBinding;

/** The manifest of a desired binding (server-side apply body and create body). */
export function bindingManifest(d: DesiredObject): Record<string, JsonValue> {
  const kind = d.kind as BindingKind;
  const { namespace, name } = bindingPaths(kind, d.name);
  const fields = d.fields as { metadata?: { labels?: JsonValue; annotations?: JsonValue }; roleRef?: JsonValue; subjects?: JsonValue };
  return {
    apiVersion: `${RBAC_API_GROUP}/v1`, kind,
    metadata: { name, ...(namespace !== undefined && { namespace }), labels: fields.metadata?.labels ?? {}, annotations: fields.metadata?.annotations ?? {} },
    roleRef: fields.roleRef ?? null,
    subjects: fields.subjects ?? [],
  };
}

function subjectFields(s: V1Subject): Record<string, JsonValue> {
  return { kind: s.kind, name: s.name, ...(s.apiGroup !== undefined && { apiGroup: s.apiGroup }), ...(s.namespace !== undefined && { namespace: s.namespace }) };
}

function metadataFields(m: V1ObjectMeta | undefined): Record<string, JsonValue> {
  return { labels: { ...(m?.labels ?? {}) }, annotations: { ...(m?.annotations ?? {}) } };
}

export function observedBinding(cloud: string, cluster: string, kind: BindingKind, b: Binding, federation: string): ObservedObject {
  const namespace = kind === 'RoleBinding' ? b.metadata?.namespace : undefined;
  return {
    system: 'kubernetes', cloud, scope: cluster, kind, name: objectName(namespace, b.metadata?.name ?? ''),
    managed: isManagedObject(b.metadata as { labels?: Record<string, string> }, federation),
    ...(b.metadata?.uid && { id: b.metadata.uid }),
    fields: {
      metadata: metadataFields(b.metadata),
      roleRef: { apiGroup: b.roleRef.apiGroup ?? RBAC_API_GROUP, kind: b.roleRef.kind, name: b.roleRef.name },
      subjects: (b.subjects ?? []).map(subjectFields),
    },
  };
}

export function rbacBinding(kind: BindingKind, b: Binding): RbacBinding {
  const rule = b.metadata?.annotations?.[RULE_ANNOTATION];
  return {
    kind, name: b.metadata?.name ?? '', ...(kind === 'RoleBinding' && b.metadata?.namespace !== undefined && { namespace: b.metadata.namespace }),
    roleRef: { kind: b.roleRef.kind, name: b.roleRef.name },
    subjects: (b.subjects ?? []).map((s) => ({ kind: s.kind, name: s.name, ...(s.namespace !== undefined && { namespace: s.namespace }) })),
    ...(rule !== undefined && { policyRule: rule }),
  };
}

export function rbacRole(kind: 'ClusterRole' | 'Role', r: V1ClusterRole | V1Role): RbacRole {
  return {
    kind, name: r.metadata?.name ?? '', ...(kind === 'Role' && r.metadata?.namespace !== undefined && { namespace: r.metadata.namespace }),
    rules: (r.rules ?? []).map((rule) => ({
      verbs: rule.verbs,
      ...(rule.apiGroups && { apiGroups: rule.apiGroups }),
      ...(rule.resources && { resources: rule.resources }),
      ...(rule.resourceNames && { resourceNames: rule.resourceNames }),
      ...(rule.nonResourceURLs && { nonResourceURLs: rule.nonResourceURLs }),
    })),
  };
}

export function isBindingKind(kind: KubernetesKind): kind is BindingKind {
  return kind === 'RoleBinding' || kind === 'ClusterRoleBinding';
}
