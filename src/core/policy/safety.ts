// The safety rules of federation policy, in one place: which Keystone roles and Kubernetes roles
// policy may never grant. Validation (src/core/federation/checks.ts) reports them as spec problems;
// the renderers refuse them again at render time, so a spec that skipped validation still cannot
// hand out a privileged role.
import type { FederationSpec } from '../federation/schema.ts';

type Privileged = FederationSpec['privileged'] | undefined;

/** Keystone roles that are always privileged, whatever the spec lists. */
export const ALWAYS_PRIVILEGED_KEYSTONE_ROLES: readonly string[] = ['admin'];
/** Kubernetes ClusterRoles that are always privileged, whatever the spec lists. */
export const ALWAYS_PRIVILEGED_CLUSTER_ROLES: readonly string[] = ['cluster-admin'];
/** Kubernetes roles with this prefix belong to the system and are never bound by policy. */
export const SYSTEM_ROLE_PREFIX = 'system:';

/** The Keystone roles policy may never grant, in lower case (Keystone role names are case-insensitive). */
export function privilegedKeystoneRoles(privileged: Privileged): Set<string> {
  return new Set([...ALWAYS_PRIVILEGED_KEYSTONE_ROLES, ...(privileged?.keystoneRoles ?? [])].map((r) => r.toLowerCase()));
}

export function isPrivilegedKeystoneRole(privileged: Privileged, role: string): boolean {
  return privilegedKeystoneRoles(privileged).has(role.toLowerCase());
}

/** The Kubernetes ClusterRoles policy may never bind. */
export function privilegedClusterRoles(privileged: Privileged): Set<string> {
  return new Set([...ALWAYS_PRIVILEGED_CLUSTER_ROLES, ...(privileged?.kubernetesClusterRoles ?? [])]);
}

export type KubernetesRoleKind = 'ClusterRole' | 'Role';

/** Why policy may not bind the `kind` named `name` (a system: role or a privileged ClusterRole), or undefined when it may. */
export function forbiddenKubernetesRoleReason(privileged: Privileged, kind: KubernetesRoleKind, name: string): string | undefined {
  if (name.startsWith(SYSTEM_ROLE_PREFIX)) return `"${name}" is a system: role`;
  if (kind === 'ClusterRole' && privilegedClusterRoles(privileged).has(name)) return `ClusterRole "${name}" is privileged`;
  return undefined;
}
