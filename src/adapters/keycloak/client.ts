// The one Keycloak client of a cloud: HttpOut for its origin and CA bundle, the admin token source
// and the admin REST client over them. The admin adapter, the logout sessions adapter and the home
// directory are all built over it (./factory.ts, ./sessions-factory.ts, ./home-directory.ts), so they
// share one token cache, one 401 renewal and one error translation.
import type { CloudSpec } from '../../core/federation/schema.ts';
import { caBundle } from '../ca-files.ts';
import { HttpOut, type FetchLike, type HttpOutOptions } from '../http-out.ts';
import { resolveSecret } from '../secrets.ts';
import { AdminTokenSource, type AdminCredentials, type AdminTokenOptions } from './admin-token.ts';
import { KeycloakRest } from './rest.ts';

export interface KeycloakClient {
  readonly cloud: string;
  readonly rest: KeycloakRest;
  /** The cloud's HttpOut.fetch, for other reads from the same Keycloak (e.g. the realm's keys). */
  readonly fetch: FetchLike;
  /** Gets the admin token now, so the first call does not wait for it. */
  warmUp(): Promise<void>;
  /** Stops the token renewal and releases the HttpOut's connections. */
  close(): Promise<void>;
}

/** The HTTP module for one cloud's Keycloak: its origin only, its CA bundle (plus the system CAs). */
export async function keycloakHttpOut(cloud: CloudSpec, baseDir: string, onRequest?: HttpOutOptions['onRequest']): Promise<HttpOut> {
  const caPem = await caBundle(cloud.keycloak.caFile, baseDir, { cloud: cloud.alias, server: 'Keycloak' });
  return new HttpOut({ allowedOrigins: [new URL(cloud.keycloak.url).origin], caPem, ...(onRequest && { onRequest }) });
}

/** The admin credentials of a cloud's Keycloak, secrets resolved. */
export async function keycloakAdminCredentials(cloud: CloudSpec, baseDir: string): Promise<AdminCredentials> {
  const { admin } = cloud.keycloak;
  return 'password' in admin
    ? { grant: 'password', clientId: admin.clientId, username: admin.username, password: await resolveSecret(admin.password, baseDir) }
    : { grant: 'client_credentials', clientId: admin.clientId, clientSecret: await resolveSecret(admin.clientSecret, baseDir) };
}

/** The admin REST client over a token source, both for the same Keycloak and fetch. */
export function keycloakRest(options: AdminTokenOptions): KeycloakRest {
  return keycloakRestAndTokens(options).rest;
}

function keycloakRestAndTokens(options: AdminTokenOptions): { rest: KeycloakRest; tokens: AdminTokenSource } {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const tokens = new AdminTokenSource({ ...options, baseUrl });
  return { rest: new KeycloakRest({ cloud: options.cloud, baseUrl, tokens, fetch: options.fetch }), tokens };
}

/** `keepTokenFresh`: renew the admin token in the background (long-running processes: `serve`). */
export async function createKeycloakClient(cloud: CloudSpec, baseDir: string, options: { keepTokenFresh?: boolean; onRequest?: HttpOutOptions['onRequest'] } = {}): Promise<KeycloakClient> {
  const credentials = await keycloakAdminCredentials(cloud, baseDir);
  const http = await keycloakHttpOut(cloud, baseDir, options.onRequest);
  const { rest, tokens } = keycloakRestAndTokens({ cloud: cloud.alias, baseUrl: cloud.keycloak.url, adminRealm: cloud.keycloak.admin.realm, credentials, fetch: http.fetch,
    keepFresh: options.keepTokenFresh === true });
  return { cloud: cloud.alias, rest, fetch: http.fetch, warmUp: async () => { await tokens.token(); }, close: async () => { tokens.close(); await http.close(); } };
}
