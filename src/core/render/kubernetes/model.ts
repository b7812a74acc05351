// Kubernetes objects the broker renders per cluster of a partner cloud. Scope = cluster name; a
// namespaced object is named "<namespace>/<name>". Fields follow the Kubernetes representation.
import type { DesiredObject } from '../../plan/model.ts';

export type KubernetesKind =
  | 'AuthenticationConfiguration' // the apiserver's JWT authenticator file (shared: written, never deleted)
  | 'Namespace'                   // created when missing, never adopted, changed or deleted
  | 'ClusterRoleBinding'          // a cluster-wide grant of one policy rule
  | 'RoleBinding';                // a namespace grant of one policy rule

/** Order of creation; deletion runs in reverse. */
export const KUBERNETES_KIND_ORDER: readonly KubernetesKind[] = ['AuthenticationConfiguration', 'Namespace', 'ClusterRoleBinding', 'RoleBinding'];

export interface KubernetesObject extends DesiredObject {
  readonly system: 'kubernetes';
  readonly kind: KubernetesKind;
}

export function isKubernetesKind(kind: string): kind is KubernetesKind {
  return (KUBERNETES_KIND_ORDER as readonly string[]).includes(kind);
}

/** "<namespace>/<name>" for namespaced objects, the name otherwise. */
export function objectName(namespace: string | undefined, name: string): string {
  return namespace === undefined ? name : `${namespace}/${name}`;
}

export function splitObjectName(kind: KubernetesKind, name: string): { namespace?: string; name: string } {
  if (kind !== 'RoleBinding') return { name };
  const i = name.indexOf('/');
  return i < 0 ? { name } : { namespace: name.slice(0, i), name: name.slice(i + 1) };
}
