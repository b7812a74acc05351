// A small typed REST client for one Keystone's v3 API over the broker's outbound HTTP module. The
// admin token is a project-scoped password login (cached until shortly before it expires; renewed
// once on 401). Keystone's answers become BrokerErrors naming cloud and object; 404 is returned to
// callers that ask for it. Credentials and tokens never appear in errors or logs.
import { BrokerError } from '../../core/errors.ts';
import { readBodyText } from '../http-body.ts';
import type { FetchLike } from '../http-out.ts';

export interface KeystoneAdminCredentials {
  readonly username: string;
  readonly password: string;
  readonly userDomain: string;
  readonly project: string;
  readonly projectDomain: string;
}

export interface KeystoneCall {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly body?: unknown;
  /** What the call is about, for error details, e.g. `group "fed-cloud-a/p1-members"`. */
  readonly object?: string;
  /** Return 404 as `{ status: 404 }` instead of throwing. */
  readonly allowNotFound?: boolean;
}

/** What Keystone said about the admin token when it issued it: whose it is and its roles. */
export interface KeystoneTokenInfo {
  readonly user?: { readonly name?: string; readonly domain?: { readonly name?: string } };
  readonly project?: { readonly name?: string };
  readonly roles?: readonly { readonly name?: string }[];
}

export interface KeystoneAnswer { readonly status: number; readonly body: unknown }

/** Largest answer read: Keystone lists are not paged by default (every user of a domain in one answer). */
export const KEYSTONE_MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Renew this long before the token's expiry. */
const RENEW_BEFORE_MS = 60_000;

export class KeystoneRest {
  readonly cloud: string;
  readonly #v3: string;
  readonly #fetch: FetchLike;
  readonly #credentials: KeystoneAdminCredentials;
  readonly #now: () => number;
  #token: { value: string; renewAt: number; info: KeystoneTokenInfo } | undefined;
  #pendingToken: Promise<string> | undefined;

  constructor(options: { cloud: string; url: string; credentials: KeystoneAdminCredentials; fetch: FetchLike; now?: () => number }) {
    this.cloud = options.cloud;
    this.#v3 = `${options.url.replace(/\/+$/, '').replace(/\/v3$/, '')}/v3`;
    this.#fetch = options.fetch;
    this.#credentials = options.credentials;
    this.#now = options.now ?? Date.now;
  }

  /** A call below /v3; `path` starts with "/". */
  async call(path: string, call: KeystoneCall = {}): Promise<KeystoneAnswer> {
    const method = call.method ?? 'GET';
    let response = await this.#send(method, path, call.body, await this.#adminToken());
    if (response.status === 401) {
      this.#token = undefined;
      response = await this.#send(method, path, call.body, await this.#adminToken());
    }
    const body = parseJson(await readBodyText(response, KEYSTONE_MAX_BODY_BYTES, `${this.#v3}${path.split('?')[0] ?? ''}`));
    if (response.ok) return { status: response.status, body };
    if (response.status === 404 && call.allowNotFound) return { status: 404, body };
    throw this.#error(method, path, call.object, response.status, body);
  }

  async get<T>(path: string, object?: string): Promise<T> {
    return (await this.call(path, { object })).body as T;
  }

  /** GET that answers undefined for 404. */
  async find<T>(path: string, object?: string): Promise<T | undefined> {
    const answer = await this.call(path, { object, allowNotFound: true });
    return answer.status === 404 ? undefined : answer.body as T;
  }

  /** A list endpoint's entries under `key`, following Keystone's `links.next`. */
  async list<T>(path: string, key: string, object?: string): Promise<T[]> {
    const out: T[] = [];
    for (let next: string | undefined = path; next !== undefined;) {
      const page: Record<string, unknown> = await this.get<Record<string, unknown>>(next, object);
      out.push(...((page[key] as T[] | undefined) ?? []));
      const link = (page['links'] as { next?: unknown } | undefined)?.next;
      next = typeof link === 'string' && link.startsWith(this.#v3) ? link.slice(this.#v3.length) : undefined;
    }
    return out;
  }

  /** Gets the admin token now (when it is not cached), so the first real call does not wait for it. */
  async warmUp(): Promise<void> {
    await this.#adminToken();
  }

  /** The body Keystone issued the current admin token with (user, project, roles). */
  async tokenInfo(): Promise<KeystoneTokenInfo> {
    await this.#adminToken();
    return this.#token?.info ?? {};
  }

  /** The cached admin token, or a new one; concurrent callers share one login. */
  #adminToken(): Promise<string> {
    if (this.#token && this.#now() < this.#token.renewAt) return Promise.resolve(this.#token.value);
    this.#pendingToken ??= this.#login().finally(() => { this.#pendingToken = undefined; });
    return this.#pendingToken;
  }

  async #login(): Promise<string> {
    const c = this.#credentials;
    const body = { auth: {
      identity: { methods: ['password'], password: { user: { name: c.username, domain: { name: c.userDomain }, password: c.password } } },
      scope: { project: { name: c.project, domain: { name: c.projectDomain } } },
    } };
    const response = await this.#fetch(`${this.#v3}/auth/tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body), maxBodyBytes: KEYSTONE_MAX_BODY_BYTES,
    });
    const answer = parseJson(await readBodyText(response, KEYSTONE_MAX_BODY_BYTES, `${this.#v3}/auth/tokens`)) as { token?: KeystoneTokenInfo & { expires_at?: unknown } } | undefined;
    const value = response.headers.get('x-subject-token');
    if (response.status !== 201 || !value) {
      const details = { cloud: this.cloud, status: response.status, user: c.username, project: c.project };
      if (response.status === 401 || response.status === 403) {
        throw new BrokerError('ERR_KEYSTONE_AUTH', `Keystone of cloud ${this.cloud} refused the admin login of "${c.username}" (${response.status}); check the keystone.admin credentials in the spec`, { details });
      }
      throw new BrokerError('ERR_KEYSTONE_API', `Keystone of cloud ${this.cloud} answered ${response.status} to the admin login${reasonOf(answer) ? `: ${reasonOf(answer)}` : ''}`, { details });
    }
    const expires = Date.parse(String(answer?.token?.expires_at ?? ''));
    const lifetime = Number.isNaN(expires) ? 10 * 60_000 : expires - this.#now();
    this.#token = { value, renewAt: this.#now() + Math.max(0, Math.min(lifetime - RENEW_BEFORE_MS, lifetime / 2)), info: answer?.token ?? {} };
    return value;
  }

  #send(method: string, path: string, body: unknown, token: string): Promise<Response> {
    const headers: Record<string, string> = { 'x-auth-token': token, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return this.#fetch(`${this.#v3}${path}`, { method, headers, maxBodyBytes: KEYSTONE_MAX_BODY_BYTES, ...(body !== undefined && { body: JSON.stringify(body) }) });
  }

  #error(method: string, path: string, object: string | undefined, status: number, body: unknown): BrokerError {
    const reason = reasonOf(body);
    const what = `${object ?? path} in Keystone of cloud ${this.cloud}`;
    const details = { cloud: this.cloud, ...(object && { object }), method, path: path.split('?')[0], status, ...(reason && { keystoneError: reason }) };
    if (status === 401 || status === 403) {
      return new BrokerError('ERR_KEYSTONE_AUTH', `Keystone refused ${method} for ${what} (${status}): the admin account lacks the rights or its token is invalid`, { details });
    }
    if (status === 409) return new BrokerError('ERR_CONFLICT', `Keystone reports a conflict for ${what}${reason ? ` (${reason})` : ''}`, { details });
    if (status === 404) return new BrokerError('ERR_NOT_FOUND', `Keystone does not know ${what}${reason ? ` (${reason})` : ''}`, { details });
    return new BrokerError('ERR_KEYSTONE_API', `Keystone answered ${status} to ${method} for ${what}${reason ? `: ${reason}` : ''}`, { details });
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try { return JSON.parse(text); } catch { return text.slice(0, 300); }
}

/** Keystone's own explanation from an error body ({error: {message}}), shortened. */
function reasonOf(body: unknown): string | undefined {
  const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof message === 'string' && message !== '' ? message.split('\n')[0]?.slice(0, 300) : undefined;
}

/** A URL path with every interpolated value encoded as one segment: path`/groups/${id}`. */
export function path(strings: TemplateStringsArray, ...values: readonly string[]): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i] as string) : ''), '');
}
