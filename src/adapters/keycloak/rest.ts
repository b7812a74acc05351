// A small typed REST client for Keycloak's admin API over the broker's one outbound HTTP module.
// Every call names its realm (no shared "current realm"); Keycloak's answers become BrokerErrors
// naming cloud, realm and object. 401 renews the admin token once; 404 is returned to the caller
// when it asked for it (absent objects are normal while observing and deleting).
import { BrokerError } from '../../core/errors.ts';
import { readBodyText } from '../http-body.ts';
import type { FetchLike } from '../http-out.ts';
import type { AdminTokenSource } from './admin-token.ts';

/** Largest admin API answer read: a page of 200 full client representations stays far below it. */
export const KEYCLOAK_MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface RestTarget {
  readonly realm: string;
  /** What the call is about, for error details, e.g. `client fed-cloud-b`. */
  readonly object?: string;
}

export interface RestCall extends RestTarget {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly body?: unknown;
  /** Return 404 as `{ status: 404 }` instead of throwing. */
  readonly allowNotFound?: boolean;
}

export interface RestAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** A URL path with every interpolated value encoded as one segment: urlPath`/clients/${id}`. */
export function urlPath(strings: TemplateStringsArray, ...values: readonly (string | number)[]): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(String(values[i])) : ''), '');
}

export class KeycloakRest {
  readonly cloud: string;
  /** The realm the broker's admin account lives in. */
  readonly adminRealm: string;
  readonly #baseUrl: string;
  readonly #tokens: AdminTokenSource;
  readonly #fetch: FetchLike;

  constructor(options: { cloud: string; baseUrl: string; tokens: AdminTokenSource; fetch: FetchLike }) {
    this.cloud = options.cloud;
    this.adminRealm = options.tokens.adminRealm;
    this.#baseUrl = options.baseUrl;
    this.#tokens = options.tokens;
    this.#fetch = options.fetch;
  }

  /** The admin account's user name when it logs in with a password. */
  get adminUsername(): string | undefined {
    return this.#tokens.username;
  }

  /** The claims of the broker's admin token (./admin-token.ts). */
  tokenClaims(): Promise<Record<string, unknown>> {
    return this.#tokens.claims();
  }

  /** A call below /admin/realms/<realm>; `path` starts with "/" or is empty. */
  realm(path: string, call: RestCall): Promise<RestAnswer> {
    return this.admin(`/realms/${encodeURIComponent(call.realm)}${path}`, call);
  }

  /** A call below /admin. */
  async admin(path: string, call: RestCall): Promise<RestAnswer> {
    const method = call.method ?? 'GET';
    let response = await this.#send(method, path, call.body, await this.#tokens.token());
    if (response.status === 401) {
      this.#tokens.invalidate();
      response = await this.#send(method, path, call.body, await this.#tokens.token());
    }
    const text = await readBodyText(response, KEYCLOAK_MAX_BODY_BYTES, `${this.#baseUrl}/admin${path.split('?')[0] ?? ''}`);
    const body = parseJson(text);
    const answer = { status: response.status, body };
    if (response.ok) return answer;
    if (response.status === 404 && call.allowNotFound) return answer;
    throw this.#error(method, path, call, response.status, body);
  }

  async get<T>(path: string, target: RestTarget): Promise<T> {
    return (await this.realm(path, target)).body as T;
  }

  /** GET that answers undefined for 404. */
  async find<T>(path: string, target: RestTarget): Promise<T | undefined> {
    const answer = await this.realm(path, { ...target, allowNotFound: true });
    return answer.status === 404 ? undefined : answer.body as T;
  }

  /** All pages of a list endpoint that takes first/max. */
  async list<T>(path: string, target: RestTarget, pageSize = 200): Promise<T[]> {
    const out: T[] = [];
    const separator = path.includes('?') ? '&' : '?';
    for (let first = 0; ; first += pageSize) {
      const page = await this.get<T[]>(`${path}${separator}first=${first}&max=${pageSize}`, target);
      out.push(...page);
      if (page.length < pageSize) return out;
    }
  }

  #send(method: string, path: string, body: unknown, token: string): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return this.#fetch(`${this.#baseUrl}/admin${path}`, { method, headers, maxBodyBytes: KEYCLOAK_MAX_BODY_BYTES, ...(body !== undefined && { body: JSON.stringify(body) }) });
  }

  #error(method: string, path: string, call: RestCall, status: number, body: unknown): BrokerError {
    const reason = keycloakReason(body);
    const details = { cloud: this.cloud, realm: call.realm, ...(call.object && { object: call.object }), method, path, status, ...(reason && { keycloakError: reason }) };
    const what = `${call.object ?? path} in realm "${call.realm}" of cloud ${this.cloud}`;
    if (status === 401 || status === 403) {
      return new BrokerError('ERR_KEYCLOAK_AUTH', `Keycloak refused ${method} for ${what} (${status}): the admin account lacks the rights or its token is invalid`, { details });
    }
    if (status === 409) {
      return new BrokerError('ERR_CONFLICT', `Keycloak reports a conflict for ${what}: it exists already${reason ? ` (${reason})` : ''}`, { details });
    }
    if (status === 404) {
      return new BrokerError('ERR_NOT_FOUND', `Keycloak does not know ${what}${reason ? ` (${reason})` : ''}`, { details });
    }
    return new BrokerError('ERR_KEYCLOAK_API', `Keycloak answered ${status} to ${method} for ${what}${reason ? `: ${reason}` : ''}`, { details });
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try { return JSON.parse(text); } catch { return text; }
}

/** Keycloak's own explanation from an error body ({errorMessage} or {error, error_description}), shortened. */
function keycloakReason(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const parts = [b['errorMessage'], b['error'], b['error_description']].filter((v): v is string => typeof v === 'string' && v !== '');
  return parts.length > 0 ? [...new Set(parts)].join(': ').slice(0, 300) : undefined;
}
