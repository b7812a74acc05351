// How fast a removal at home takes effect downstream, judged from live facts (for `status`,
// docs/sync.md): Keystone must keep no login-made membership alive after role sync removed the
// persistent one; Kubernetes keeps nothing per user, so the partner tokens' lifetime is the bound.

export interface AuthorizationTtlFacts {
  /** false when the identity provider does not exist (not applied yet). */
  readonly identityProviderFound: boolean;
  /** Its own `authorization_ttl` in minutes; null: keystone.conf's `[federation] default_authorization_ttl` applies. */
  readonly identityProviderTtl: number | null;
  readonly usersChecked: number;
  /** Memberships of those users that carry an expiry (`membership_expires_at`). */
  readonly expiringMemberships: number;
}

export interface RevocationFact {
  readonly type: 'KeystoneGrantsRevocable' | 'KubernetesTokenLifetimeBound';
  /** The cluster, for Kubernetes. */
  readonly scope?: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

export function keystoneRevocable(identityProvider: string, facts: AuthorizationTtlFacts): RevocationFact {
  const type = 'KeystoneGrantsRevocable';
  if (!facts.identityProviderFound) {
    return { type, status: 'Unknown', reason: 'NotApplied', message: `identity provider "${identityProvider}" does not exist yet: run \`fedbroker apply\`` };
  }
  if (facts.identityProviderTtl !== null && facts.identityProviderTtl > 0) {
    return { type, status: 'False', reason: 'AuthorizationTtlSet', message: `identity provider "${identityProvider}" has authorization_ttl ${facts.identityProviderTtl} min: `
      + 'every login adds expiring group memberships that outlive a removal by role sync; set it to null (and keep keystone.conf [federation] default_authorization_ttl at 0)' };
  }
  if (facts.expiringMemberships > 0) {
    return { type, status: 'False', reason: 'ExpiringMemberships', message: `${facts.expiringMemberships} expiring group membership(s) among ${facts.usersChecked} federated user(s): `
      + 'keystone.conf [federation] default_authorization_ttl is above 0, so a membership removed by role sync lives on until it expires; set it to 0 and restart Keystone' };
  }
  return { type, status: 'True', reason: 'NoExpiringMemberships', message: `no expiring group membership among ${facts.usersChecked} federated user(s) checked and no TTL on "${identityProvider}": `
    + 'a membership role sync removes ends the roles of new tokens at once, and deprovisioning revokes the live ones (keystone.conf [federation] default_authorization_ttl is not visible through the API: keep it 0)' };
}

/** A fact that could not be read: Unknown, with the error's code. */
export function unreadableFact(type: RevocationFact['type'], error: unknown): RevocationFact {
  const code = typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'ERR_INTERNAL';
  return { type, status: 'Unknown', reason: 'Unreachable', message: `${code}: ${error instanceof Error ? error.message : String(error)}` };
}

/** Seconds a token for the cluster's audience lives: the client's own lifespan, else the realm's. */
export interface TokenLifetime {
  readonly clientId: string;
  readonly realm: string;
  readonly clientSeconds?: number;
  readonly realmSeconds: number;
}

export function kubernetesTokenBound(cluster: string, lifetime: TokenLifetime, boundSeconds: number | undefined): RevocationFact {
  const type = 'KubernetesTokenLifetimeBound';
  const seconds = lifetime.clientSeconds ?? lifetime.realmSeconds;
  const source = lifetime.clientSeconds !== undefined ? `the access token lifespan of client "${lifetime.clientId}"` : `realm "${lifetime.realm}"'s access token lifespan (client "${lifetime.clientId}" sets none)`;
  const nothing = `Kubernetes keeps nothing per user (policy binds groups only): after a removal at home no new token for cluster ${cluster} carries the group; one already issued stays valid until it expires, at most ${seconds} s (${source})`;
  if (boundSeconds === undefined) return { type, scope: cluster, status: 'True', reason: 'RealmLifespan', message: `${nothing}; set kubernetes.clusters[].tokenLifetime in the spec to bound it` };
  if (seconds <= boundSeconds) return { type, scope: cluster, status: 'True', reason: 'WithinBound', message: `${nothing}, within the spec's bound of ${boundSeconds} s` };
  return { type, scope: cluster, status: 'False', reason: 'AboveBound', message: `${nothing}, above the spec's bound of ${boundSeconds} s: run \`fedbroker apply\`` };
}
