// The broker's own identity as the fakes report it: by default the dedicated, least-privileged
// identities of scripts/testbed/broker-identities.sh; tests set a fake's `identity` to another one.
import type { KeycloakIdentity, KeystoneIdentity, KubernetesIdentity } from '../../core/credentials.ts';

export const FAKE_KEYCLOAK_ROLES = ['manage-clients', 'manage-events', 'manage-identity-providers', 'manage-realm', 'manage-users'];

export function fakeKeycloakIdentity(realms: readonly string[]): KeycloakIdentity {
  return { system: 'keycloak', username: 'service-account-fedbroker', clientId: 'fedbroker', adminRealm: 'master', realmRoles: ['default-roles-master'],
    clientRoles: Object.fromEntries(realms.map((r) => [`${r}-realm`, FAKE_KEYCLOAK_ROLES])) };
}

export function fakeKeystoneIdentity(): KeystoneIdentity {
  return { system: 'keystone', username: 'fedbroker', userDomain: 'Default', project: 'admin', roles: ['admin'] };
}

export function fakeKubernetesIdentity(cluster: string): KubernetesIdentity {
  return { system: 'kubernetes', cluster, username: 'system:serviceaccount:kube-system:fedbroker', groups: ['system:serviceaccounts', 'system:authenticated'],
    rules: [
      { verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'] },
      { verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['view', 'edit'] },
      { verbs: ['get', 'list', 'create'], apiGroups: [''], resources: ['namespaces'] },
      { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews', 'selfsubjectrulesreviews', 'selfsubjectaccessreviews'] },
    ] };
}
