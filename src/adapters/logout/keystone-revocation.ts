// Revoking a federated user's live Keystone tokens (KeystoneRevocationPort). Measured on the test
// bed's Keystone Zed (docs/logout.md): disabling a user makes Keystone record a revocation event for
// the user id (every token issued up to that second is refused, 401 on use); enabling it again at
// once keeps the shadow user, its id and any persisted role assignment, and the next federated login
// works (from the next second on). Deleting the shadow user would revoke too, but then the old
// tokens answer 404 "Could not find user" instead of 401. The shadow user is found by its federated
// identity: GET /v3/users?idp_id=&protocol_id=&unique_id=<user name>. While disabled it carries the
// marker attribute `fedbroker_revoking`, so a retry after a crash between the two PATCHes re-enables
// it; a user someone else disabled (no marker) is left alone (its tokens are refused anyway).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BrokerError } from '../../core/errors.ts';
import type { CloudSpec } from '../../core/federation/schema.ts';
import type { KeystoneRevocationPort } from '../../ports.ts';
import { HttpOut, type FetchLike } from '../http-out.ts';
import { resolveSecret } from '../secrets.ts';

export interface KeystoneRevocationOptions {
  readonly cloud: string;
  /** Keystone base URL without /v3. */
  readonly url: string;
  readonly admin: { username: string; password: string; userDomain: string; project: string; projectDomain: string };
  readonly identityProvider: string;
  readonly protocol?: string;
  readonly fetch: FetchLike;
  readonly now?: () => number;
  readonly close?: () => Promise<void>;
}

/** Set on a shadow user while the broker has it disabled for a revocation (Keystone keeps extra attributes; `-` would become `_`). */
export const REVOKING_MARKER = 'fedbroker_revoking';

interface ShadowUser { id: string; enabled?: boolean; [REVOKING_MARKER]?: string | null }

export class KeystoneRevocation implements KeystoneRevocationPort {
  readonly cloud: string;
  readonly #o: KeystoneRevocationOptions;
  readonly #now: () => number;
  #token: { value: string; renewAt: number } | undefined;

  constructor(options: KeystoneRevocationOptions) {
    this.cloud = options.cloud;
    this.#o = { ...options, url: options.url.replace(/\/+$/, '').replace(/\/v3$/, '') };
    this.#now = options.now ?? Date.now;
  }

  async revokeFederatedUser(uniqueId: string): Promise<number> {
    const query = new URLSearchParams({ idp_id: this.#o.identityProvider, protocol_id: this.#o.protocol ?? 'openid', unique_id: uniqueId });
    const { users } = await this.#call('GET', `/v3/users?${query}`) as { users: ShadowUser[] };
    let revoked = 0;
    for (const user of users) {
      const path = `/v3/users/${encodeURIComponent(user.id)}`;
      const ours = typeof user[REVOKING_MARKER] === 'string';
      if (user.enabled === false && !ours) continue;
      if (user.enabled !== false) await this.#call('PATCH', path, [200, 404], { user: { enabled: false, [REVOKING_MARKER]: new Date(this.#now()).toISOString() } });
      await this.#call('PATCH', path, [200, 404], { user: { enabled: true, [REVOKING_MARKER]: null } });
      revoked += 1;
    }
    return revoked;
  }

  async warmUp(): Promise<void> {
    await this.#adminToken();
  }

  async close(): Promise<void> {
    await this.#o.close?.();
  }

  async #call(method: string, path: string, ok: number[] = [200], body?: unknown): Promise<unknown> {
    let response = await this.#send(method, path, await this.#adminToken(), body);
    if (response.status === 401) {
      this.#token = undefined;
      response = await this.#send(method, path, await this.#adminToken(), body);
    }
    const text = await response.text();
    if (!ok.includes(response.status)) {
      const code = response.status === 401 || response.status === 403 ? 'ERR_KEYSTONE_AUTH' : 'ERR_KEYSTONE_API';
      throw new BrokerError(code, `Keystone of cloud ${this.cloud} answered ${response.status} to ${method} ${path.split('?')[0]}`, { details: { cloud: this.cloud, method, status: response.status } });
    }
    return text ? JSON.parse(text) : undefined;
  }

  #send(method: string, path: string, token: string, body?: unknown): Promise<Response> {
    return this.#o.fetch(`${this.#o.url}${path}`, {
      method, headers: { 'x-auth-token': token, accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  }

  async #adminToken(): Promise<string> {
    if (this.#token && this.#token.renewAt > this.#now()) return this.#token.value;
    const { admin } = this.#o;
    const response = await this.#o.fetch(`${this.#o.url}/v3/auth/tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ auth: {
        identity: { methods: ['password'], password: { user: { name: admin.username, domain: { name: admin.userDomain }, password: admin.password } } },
        scope: { project: { name: admin.project, domain: { name: admin.projectDomain } } },
      } }),
    });
    const body = await response.json().catch(() => undefined) as { token?: { expires_at?: string } } | undefined;
    const value = response.headers.get('x-subject-token');
    if (response.status !== 201 || !value) {
      throw new BrokerError(response.status === 401 ? 'ERR_KEYSTONE_AUTH' : 'ERR_KEYSTONE_API', `Keystone of cloud ${this.cloud} refused the admin login (${response.status})`,
        { details: { cloud: this.cloud, status: response.status, user: admin.username } });
    }
    const expires = Date.parse(body?.token?.expires_at ?? '') || this.#now() + 3600_000;
    this.#token = { value, renewAt: expires - 5 * 60_000 };
    return value;
  }
}

export async function createKeystoneRevocation(cloud: CloudSpec, baseDir: string): Promise<KeystoneRevocation | undefined> {
  const keystone = cloud.keystone;
  if (!keystone) return undefined;
  const caPem = keystone.caFile ? [await readFile(resolve(baseDir, keystone.caFile), 'utf8')] : [];
  const http = new HttpOut({ allowedOrigins: [new URL(keystone.url).origin], caPem });
  return new KeystoneRevocation({
    cloud: cloud.alias, url: keystone.url, identityProvider: keystone.identityProvider, fetch: http.fetch, close: () => http.close(),
    admin: { ...keystone.admin, password: await resolveSecret(keystone.admin.password, baseDir) },
  });
}
