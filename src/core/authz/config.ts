// The admin API's configuration (`serve --api-config FILE`, docs/api.md): who may call /api/v1.
// Kept out of the federation spec on purpose: a spec change made through the API can never change
// who may make spec changes. Validated once at the edge against the spec, every problem with its
// path, then frozen.
import { z } from 'zod';
import { BrokerError } from '../errors.ts';
import { realmUrl } from '../federation/realm-url.ts';
import type { FederationSpec } from '../federation/schema.ts';
import { deepFreeze } from '../federation/validate.ts';

const httpsUrl = z.url({ protocol: /^https$/, message: 'must be an https:// URL' });

export const apiConfigSchema = z.strictObject({
  /** The `aud` every API token must carry: the broker's own client id in the issuing realms. */
  audience: z.string().min(1),
  /** Seconds of clock skew accepted on exp and nbf. */
  clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
  /** A realm role (or a client role of `audience`) that makes its holder an admin of the realm's own cloud. */
  cloudAdminRole: z.string().min(1).default('fedbroker-cloud-admin'),
  federationAdmin: z.strictObject({
    /** The role that makes its holder a federation admin, honoured only in tokens of `issuers`. */
    role: z.string().min(1).default('fedbroker-federation-admin'),
    /** Issuer URLs whose tokens may carry the role: extra issuers below, or cloud realms (whose admins could then grant it). */
    issuers: z.array(httpsUrl).min(1),
  }),
  /** Issuers besides the clouds' own realms (e.g. a dedicated admin realm); a cloud's realm is always an issuer. */
  issuers: z.array(z.strictObject({
    issuer: httpsUrl,
    /** Default: `<issuer>/protocol/openid-connect/certs` (Keycloak). */
    jwksUri: httpsUrl.optional(),
    /** CA bundle (PEM) for the JWKS endpoint, relative to the config file. */
    caFile: z.string().min(1).optional(),
  })).default([]),
});

export type ApiConfigInput = z.input<typeof apiConfigSchema>;

/** One issuer the API accepts tokens from, resolved: where its keys are and which cloud's realm it is. */
export interface ApiIssuer {
  readonly issuer: string;
  readonly jwksUri: string;
  /** The cloud whose realm this is; absent for an extra issuer. */
  readonly cloud?: string;
  readonly caFile?: string;
}

export interface ApiConfig {
  readonly audience: string;
  readonly clockToleranceSeconds: number;
  readonly cloudAdminRole: string;
  readonly federationAdmin: { readonly role: string; readonly issuers: readonly string[] };
  readonly issuers: readonly ApiIssuer[];
}

/** A problem of the API configuration, with its path. */
export interface ConfigProblem { readonly path: string; readonly code: 'ERR_CONFIG_INVALID'; readonly message: string }

export const keycloakJwksUri = (issuer: string): string => `${issuer}/protocol/openid-connect/certs`;

/** The clouds' realms and the extra issuers; the federation-admin issuers must be among them. */
export function parseApiConfig(document: unknown, spec: Pick<FederationSpec, 'clouds'>): ApiConfig {
  const parsed = apiConfigSchema.safeParse(document);
  if (!parsed.success) {
    throw invalid(parsed.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k]) : [i.path])
      .map((path) => ({ path: path.map(String).join('.'), code: 'ERR_CONFIG_INVALID' as const, message: i.code === 'unrecognized_keys' ? 'unknown field' : i.message }))));
  }
  const clouds: ApiIssuer[] = spec.clouds.map((c) => {
    const issuer = realmUrl(c.keycloak.url, c.keycloak.realm);
    return { issuer, jwksUri: keycloakJwksUri(issuer), cloud: c.alias, ...(c.keycloak.caFile !== undefined && { caFile: c.keycloak.caFile }) };
  });
  const extra: ApiIssuer[] = parsed.data.issuers.map((i) => ({ issuer: i.issuer.replace(/\/+$/, ''), jwksUri: i.jwksUri ?? keycloakJwksUri(i.issuer.replace(/\/+$/, '')), ...(i.caFile !== undefined && { caFile: i.caFile }) }));
  const problems: ConfigProblem[] = [];
  extra.forEach((i, n) => {
    if (clouds.some((c) => c.issuer === i.issuer)) problems.push({ path: `issuers.${n}.issuer`, code: 'ERR_CONFIG_INVALID', message: `${i.issuer} is a cloud's realm already; list only other issuers` });
  });
  const known = new Set([...clouds, ...extra].map((i) => i.issuer));
  const adminIssuers = parsed.data.federationAdmin.issuers.map((i) => i.replace(/\/+$/, ''));
  adminIssuers.forEach((i, n) => {
    if (!known.has(i)) problems.push({ path: `federationAdmin.issuers.${n}`, code: 'ERR_CONFIG_INVALID', message: `${i} is neither a cloud's realm nor listed under issuers` });
  });
  if (problems.length > 0) throw invalid(problems);
  return deepFreeze({
    audience: parsed.data.audience, clockToleranceSeconds: parsed.data.clockToleranceSeconds, cloudAdminRole: parsed.data.cloudAdminRole,
    federationAdmin: { role: parsed.data.federationAdmin.role, issuers: adminIssuers }, issuers: [...clouds, ...extra],
  });
}

function invalid(problems: ConfigProblem[]): BrokerError {
  return new BrokerError('ERR_CONFIG_INVALID', `the API configuration is invalid: ${problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`, { details: { problems } });
}
