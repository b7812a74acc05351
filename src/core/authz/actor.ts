// Who is calling the admin API, from a verified token's claims (src/adapters/oidc/bearer-verifier.ts
// verifies; this only reads). Roles are Keycloak's: realm roles (`realm_access.roles`) and the client
// roles of the broker's audience (`resource_access.<audience>.roles`).
import type { ApiConfig } from './config.ts';

export interface Actor {
  /** `sub` of the token. */
  readonly subject: string;
  readonly issuer: string;
  /** preferred_username, when the token has one (for audit lines). */
  readonly username?: string;
  /** The cloud whose realm issued the token; absent for an extra issuer. */
  readonly homeCloud?: string;
  /** Holds the federation-admin role in a token of a federation-admin issuer. */
  readonly federationAdmin: boolean;
  /** The cloud this actor administers: the admin role in a token of that cloud's own realm. */
  readonly cloudAdminOf?: string;
}

export type Claims = Readonly<Record<string, unknown>>;

export function actorOf(issuer: string, claims: Claims, config: ApiConfig): Actor {
  const roles = rolesOf(claims, config.audience);
  const homeCloud = config.issuers.find((i) => i.issuer === issuer)?.cloud;
  const username = typeof claims['preferred_username'] === 'string' ? claims['preferred_username'] : undefined;
  return {
    subject: typeof claims['sub'] === 'string' ? claims['sub'] : '',
    issuer,
    ...(username !== undefined && { username }),
    ...(homeCloud !== undefined && { homeCloud }),
    federationAdmin: config.federationAdmin.issuers.includes(issuer) && roles.has(config.federationAdmin.role),
    ...(homeCloud !== undefined && roles.has(config.cloudAdminRole) && { cloudAdminOf: homeCloud }),
  };
}

/** Realm roles and the audience client's roles; anything malformed counts as no role. */
export function rolesOf(claims: Claims, audience: string): Set<string> {
  const list = (value: unknown): string[] => {
    const roles = (value as { roles?: unknown } | undefined)?.roles;
    return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
  };
  const resource = claims['resource_access'];
  const client = typeof resource === 'object' && resource !== null && Object.hasOwn(resource, audience) ? (resource as Record<string, unknown>)[audience] : undefined;
  return new Set([...list(claims['realm_access']), ...list(client)]);
}

/** For audit lines: who, never a token. */
export function describeActor(actor: Actor): Record<string, unknown> {
  return { sub: actor.subject, issuer: actor.issuer, ...(actor.username && { username: actor.username }), federationAdmin: actor.federationAdmin, ...(actor.cloudAdminOf && { cloudAdminOf: actor.cloudAdminOf }) };
}
