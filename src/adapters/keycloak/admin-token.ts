// The broker's admin access token for one Keycloak: password grant or client credentials against the
// admin realm's token endpoint, cached until shortly before it expires. The grants are openid-client's
// (its fetch is the cloud's HttpOut.fetch); its failures become BrokerErrors here. Credentials and
// tokens are never logged and never put into error messages.
import * as oidc from 'openid-client';
import { BrokerError } from '../../core/errors.ts';
import type { FetchLike } from '../http-out.ts';
import { classifyOpenIdFailure } from '../oidc/openid-client-errors.ts';

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
  /**
   * Renew the token in the background before it lapses, so no call waits for a grant (a password
   * grant makes Keycloak hash the password: hundreds of ms of CPU). For long-running processes
   * (`serve`); `close()` stops it.
   */
  readonly keepFresh?: boolean;
}

/** After a failed background renewal, try again this much later (a call in between fetches anyway). */
const KEEP_FRESH_RETRY_MS = 5_000;

/** Renew this long before the token's expiry (at most half its lifetime), so no call starts with a token about to lapse. */
const RENEW_BEFORE_MS = 30_000;

export class AdminTokenSource {
  readonly #options: AdminTokenOptions;
  readonly #now: () => number;
  readonly #client: oidc.Configuration;
  #cached: { token: string; renewAt: number } | undefined;
  #pending: Promise<string> | undefined;
  #renewal: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly adminRealm: string;
  /** The user name of the password grant (none for client credentials). */
  readonly username: string | undefined;

  constructor(options: AdminTokenOptions) {
    this.#options = options;
    this.adminRealm = options.adminRealm;
    this.username = options.credentials.grant === 'password' ? options.credentials.username : undefined;
    this.#now = options.now ?? Date.now;
    const { baseUrl, adminRealm, credentials } = options;
    const issuer = `${baseUrl.replace(/\/+$/, '')}/realms/${encodeURIComponent(adminRealm)}`;
    // The admin realm's endpoints are Keycloak's fixed paths: no discovery round trip for a token.
    const server: oidc.ServerMetadata = { issuer, token_endpoint: `${issuer}/protocol/openid-connect/token` };
    const authentication = credentials.grant === 'password' ? oidc.None() : oidc.ClientSecretPost(credentials.clientSecret);
    this.#client = new oidc.Configuration(server, credentials.clientId, undefined, authentication);
    this.#client[oidc.customFetch] = options.fetch;
  }

  /** A valid token; concurrent callers share one token request. */
  async token(): Promise<string> {
    if (this.#cached && this.#cached.renewAt > this.#now()) return this.#cached.token;
    this.#pending ??= this.#request().finally(() => { this.#pending = undefined; });
    return this.#pending;
  }

  /**
   * The claims of the current admin token: who the broker acts as and its roles. Read, not verified:
   * the token was just issued to us over the verified TLS connection, and only describes us to us.
   */
  async claims(): Promise<Record<string, unknown>> {
    const payload = (await this.token()).split('.')[1] ?? '';
    try {
      const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      if (claims && typeof claims === 'object' && !Array.isArray(claims)) return claims as Record<string, unknown>;
    } catch {
      // not a JWT: reported below
    }
    throw new BrokerError('ERR_KEYCLOAK_API', `Keycloak of cloud ${this.#options.cloud} issued an admin token that is not a JWT`,
      { details: { cloud: this.#options.cloud, realm: this.#options.adminRealm } });
  }

  /** Forget the cached token (after Keycloak answered 401 with it). */
  invalidate(): void {
    this.#cached = undefined;
  }

  /** Stops the background renewal (keepFresh). */
  close(): void {
    this.#closed = true;
    if (this.#renewal) clearTimeout(this.#renewal);
    this.#renewal = undefined;
  }

  #scheduleRenewal(inMs: number): void {
    if (!this.#options.keepFresh || this.#closed) return;
    if (this.#renewal) clearTimeout(this.#renewal);
    this.#renewal = setTimeout(() => {
      this.#renewal = undefined;
      this.#pending ??= this.#request().finally(() => { this.#pending = undefined; });
      this.#pending.catch(() => this.#scheduleRenewal(KEEP_FRESH_RETRY_MS));
    }, Math.max(0, inMs));
    this.#renewal.unref?.();
  }

  async #request(): Promise<string> {
    const { credentials } = this.#options;
    let answer: oidc.TokenEndpointResponse;
    try {
      answer = credentials.grant === 'password'
        ? await oidc.genericGrantRequest(this.#client, 'password', { username: credentials.username, password: credentials.password })
        : await oidc.clientCredentialsGrant(this.#client);
    } catch (error) {
      throw this.#translate(error);
    }
    const lifetimeMs = typeof answer.expires_in === 'number' ? answer.expires_in * 1000 : 60_000;
    const renewInMs = lifetimeMs - Math.min(RENEW_BEFORE_MS, lifetimeMs / 2);
    this.#cached = { token: answer.access_token, renewAt: this.#now() + renewInMs };
    this.#scheduleRenewal(renewInMs);
    return answer.access_token;
  }

  #translate(error: unknown): BrokerError {
    const { cloud, adminRealm, credentials } = this.#options;
    const details = { cloud, realm: adminRealm, clientId: credentials.clientId, ...(credentials.grant === 'password' && { username: credentials.username }) };
    const failure = classifyOpenIdFailure(error);
    if (failure.kind === 'http-module') return failure.error;
    if (failure.kind === 'status' && (failure.status === 400 || failure.status === 401)) {
      return new BrokerError('ERR_KEYCLOAK_AUTH', `Keycloak of cloud ${cloud} refused the admin credentials (${failure.oauthError ?? failure.status}) at realm "${adminRealm}"`,
        { details: { ...details, status: failure.status } });
    }
    const what = failure.kind === 'status' ? `answered ${failure.status}` : `gave an unusable answer (${failure.code}: ${failure.message})`;
    return new BrokerError('ERR_KEYCLOAK_API', `Keycloak of cloud ${cloud} ${what} to the admin token request at realm "${adminRealm}"`,
      { details: { ...details, ...(failure.kind === 'status' ? { status: failure.status } : { problem: failure.code }) } });
  }
}
