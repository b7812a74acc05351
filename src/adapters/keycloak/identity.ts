// The broker's Keycloak identity as its admin token's claims describe it (core/credentials.ts judges it).
import type { KeycloakIdentity } from '../../core/credentials.ts';

export function keycloakIdentityFromClaims(claims: Record<string, unknown>, adminRealm: string): KeycloakIdentity {
  const realmAccess = claims['realm_access'] as { roles?: unknown } | undefined;
  const resourceAccess = (claims['resource_access'] ?? {}) as Record<string, { roles?: unknown } | undefined>;
  return {
    system: 'keycloak',
    username: typeof claims['preferred_username'] === 'string' ? claims['preferred_username'] : '(unknown)',
    clientId: typeof claims['azp'] === 'string' ? claims['azp'] : '(unknown)',
    adminRealm,
    realmRoles: strings(realmAccess?.roles),
    clientRoles: Object.fromEntries(Object.entries(resourceAccess).map(([client, access]) => [client, strings(access?.roles)])),
  };
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
