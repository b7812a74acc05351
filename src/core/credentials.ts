// The broker's own identity per system, and whether it holds no more than the broker needs: the
// `CredentialsLeastPrivilege` condition of `status` (docs/keycloak-notes.md, docs/keystone-notes.md,
// docs/kubernetes-notes.md, "The broker's own credentials"). Adapters report what the system says
// about the identity; the judgement is here.

/** What Keycloak says about the broker's admin token (its claims). */
export interface KeycloakIdentity {
  readonly system: 'keycloak';
  /** `preferred_username`: `service-account-<client>` for client credentials. */
  readonly username: string;
  readonly clientId: string;
  readonly adminRealm: string;
  /** Realm roles in the admin realm. */
  readonly realmRoles: readonly string[];
  /** Client roles per client of the admin realm (e.g. `cloud-a-realm` in master, `realm-management`). */
  readonly clientRoles: Readonly<Record<string, readonly string[]>>;
}

/** What Keystone says about the broker's token. */
export interface KeystoneIdentity {
  readonly system: 'keystone';
  readonly username: string;
  readonly userDomain: string;
  /** Roles of the token on its project. */
  readonly roles: readonly string[];
  readonly project: string;
}

export interface KubernetesRule {
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

/** What the apiserver says about the broker's token (SelfSubjectReview, SelfSubjectRulesReview). */
export interface KubernetesIdentity {
  readonly system: 'kubernetes';
  readonly cluster: string;
  readonly username: string;
  readonly groups: readonly string[];
  /** The resource rules of the identity (cluster-wide ones included) as the apiserver lists them. */
  readonly rules: readonly KubernetesRule[];
}

export type BrokerIdentity = KeycloakIdentity | KeystoneIdentity | KubernetesIdentity;

export interface CredentialsJudgement {
  readonly leastPrivilege: boolean;
  readonly reason: string;
  readonly message: string;
}

/** Keycloak realm roles and management client roles that give full control. */
const KEYCLOAK_FULL_ADMIN_REALM_ROLES = ['admin', 'create-realm'];
const KEYCLOAK_FULL_ADMIN_CLIENT_ROLE = 'realm-admin';
/** The user Keystone's bootstrap makes; humans share it. */
const KEYSTONE_BOOTSTRAP_ADMIN = 'admin';

export function judgeCredentials(identity: BrokerIdentity): CredentialsJudgement {
  switch (identity.system) {
    case 'keycloak': return judgeKeycloak(identity);
    case 'keystone': return judgeKeystone(identity);
    case 'kubernetes': return judgeKubernetes(identity);
  }
}

function judgeKeycloak(id: KeycloakIdentity): CredentialsJudgement {
  const who = `${id.username} (client ${id.clientId}, realm ${id.adminRealm})`;
  const fullRealmRoles = id.realmRoles.filter((r) => KEYCLOAK_FULL_ADMIN_REALM_ROLES.includes(r));
  const fullClients = Object.entries(id.clientRoles).filter(([, roles]) => roles.includes(KEYCLOAK_FULL_ADMIN_CLIENT_ROLE)).map(([client]) => client);
  const fix = 'use a confidential client with a service account holding only the realm management roles the broker needs (docs/keycloak-notes.md)';
  if (fullRealmRoles.length > 0) {
    return { leastPrivilege: false, reason: 'FullAdmin', message: `${who} holds realm role(s) ${fullRealmRoles.join(', ')}: full control of Keycloak; ${fix}` };
  }
  if (fullClients.length > 0) {
    return { leastPrivilege: false, reason: 'RealmAdmin', message: `${who} holds ${KEYCLOAK_FULL_ADMIN_CLIENT_ROLE} of ${fullClients.join(', ')}; ${fix}` };
  }
  if (!id.username.startsWith('service-account-')) {
    return { leastPrivilege: false, reason: 'PersonalAccount', message: `${who} is a user account, not a service account: its actions cannot be told from a person's; ${fix}` };
  }
  const held = Object.entries(id.clientRoles).filter(([, roles]) => roles.length > 0 && !isAccountClient(roles))
    .map(([client, roles]) => `${client}: ${[...roles].sort().join(', ')}`);
  return { leastPrivilege: true, reason: 'DedicatedServiceAccount', message: `${who}; ${held.length ? held.join('; ') : 'no management roles'}` };
}

/** The `account` client's self-service roles every user has. */
function isAccountClient(roles: readonly string[]): boolean {
  return roles.every((r) => ['manage-account', 'manage-account-links', 'view-profile'].includes(r));
}

function judgeKeystone(id: KeystoneIdentity): CredentialsJudgement {
  const who = `user ${id.username} (domain ${id.userDomain}) with role(s) ${[...id.roles].sort().join(', ')} on project ${id.project}`;
  if (id.username === KEYSTONE_BOOTSTRAP_ADMIN) {
    return { leastPrivilege: false, reason: 'SharedAdminAccount', message: `${who}: the bootstrap admin, shared with people; create a dedicated user (docs/keystone-notes.md)` };
  }
  const note = id.roles.includes('admin') ? ": Keystone's default policy requires admin for identity providers, mappings, domains, projects, groups and grants" : '';
  return { leastPrivilege: true, reason: 'DedicatedUser', message: `${who}${note}` };
}

function judgeKubernetes(id: KubernetesIdentity): CredentialsJudgement {
  const who = `${id.username} in cluster ${id.cluster}`;
  if (id.groups.includes('system:masters')) {
    return { leastPrivilege: false, reason: 'ClusterAdmin', message: `${who} is in system:masters (no authorization check applies); use an identity bound to the broker's ClusterRole (docs/kubernetes-notes.md)` };
  }
  const everything = id.rules.find((r) => r.verbs.includes('*') && (r.apiGroups ?? []).includes('*') && (r.resources ?? []).includes('*') && !(r.resourceNames?.length));
  if (everything) {
    return { leastPrivilege: false, reason: 'ClusterAdmin', message: `${who} may do * on * (cluster-admin or equal); use an identity bound to the broker's ClusterRole (docs/kubernetes-notes.md)` };
  }
  const secrets = id.rules.find((r) => (r.resources ?? []).some((x) => x === 'secrets' || x === '*') && r.verbs.some((v) => ['get', 'list', 'watch', '*'].includes(v)) && !(r.resourceNames?.length));
  if (secrets) {
    return { leastPrivilege: false, reason: 'ReadsSecrets', message: `${who} may read Secrets (service-account tokens: cluster-admin in effect); the broker never reads them` };
  }
  return { leastPrivilege: true, reason: 'DedicatedIdentity', message: `${who}: ${id.rules.length} rule(s), no * on *, no Secrets` };
}
