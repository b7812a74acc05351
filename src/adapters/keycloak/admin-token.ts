// The broker's admin access token for one Keycloak: password grant or client credentials against the
// admin realm's token endpoint, cached until shortly before it expires. Credentials and tokens are
// never logged and never put into error messages.
import { BrokerError } from '../../core/errors.ts';
import type { FetchLike } from '../http-out.ts';

export type AdminCredentials =
  | { readonly grant: 'password'; readonly clientId: string; readonly username: string; readonly password: string }
  | { readonly grant: 'client_credentials'; readonly clientId: string; readonly clientSecret: string };

export interface AdminTokenOptions {
  readonly cloud: string;
  /** Keycloak base URL, e.g. https://keycloak.example (no /realms). */
  readonly baseUrl: string;
  /** Realm the admin account lives in (usually master). */
  readonly adminRealm: string;
  readonly credentials: AdminCredentials;
  readonly fetch: FetchLike;
  readonly now?: () => number;
}

/** Renew this long before the token's expiry (at most half its lifetime), so no call starts with a token about to lapse. */
const RENEW_BEFORE_MS = 30_000;

export class AdminTokenSource {
  readonly #options: AdminTokenOptions;
  readonly #now: () => number;
  #cached: { token: string; renewAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(options: AdminTokenOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** A valid token; concurrent callers share one token request. */
  async token(): Promise<string> {
    if (this.#cached && this.#cached.renewAt > this.#now()) return this.#cached.token;
    this.#pending ??= this.#request().finally(() => { this.#pending = undefined; });
    return this.#pending;
  }

  /** Forget the cached token (after Keycloak answered 401 with it). */
  invalidate(): void {
    this.#cached = undefined;
  }

  async #request(): Promise<string> {
    const { cloud, baseUrl, adminRealm, credentials } = this.#options;
    const url = `${baseUrl}/realms/${encodeURIComponent(adminRealm)}/protocol/openid-connect/token`;
    const form: Record<string, string> = credentials.grant === 'password'
      ? { grant_type: 'password', client_id: credentials.clientId, username: credentials.username, password: credentials.password }
      : { grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret };
    const details = { cloud, realm: adminRealm, clientId: credentials.clientId, ...(credentials.grant === 'password' && { username: credentials.username }) };
    const response = await this.#options.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
    });
    const body = await response.json().catch(() => undefined) as { access_token?: unknown; expires_in?: unknown; error?: unknown } | undefined;
    if (response.status === 400 || response.status === 401) {
      throw new BrokerError('ERR_KEYCLOAK_AUTH', `Keycloak of cloud ${cloud} refused the admin credentials (${String(body?.error ?? response.status)}) at realm "${adminRealm}"`,
        { details: { ...details, status: response.status } });
    }
    if (response.status !== 200 || typeof body?.access_token !== 'string') {
      throw new BrokerError('ERR_KEYCLOAK_API', `Keycloak of cloud ${cloud} answered ${response.status} to the admin token request at realm "${adminRealm}"`,
        { details: { ...details, status: response.status } });
    }
    const lifetimeMs = typeof body.expires_in === 'number' ? body.expires_in * 1000 : 60_000;
    this.#cached = { token: body.access_token, renewAt: this.#now() + lifetimeMs - Math.min(RENEW_BEFORE_MS, lifetimeMs / 2) };
    return body.access_token;
  }
}
