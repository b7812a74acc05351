// Revoking a federated user's live Keystone tokens (KeystoneRevocationPort). Measured on the test
// bed's Keystone Zed (docs/logout.md): deleting the shadow user (DELETE /v3/users/{id}) makes Keystone
// record a revocation event for that user id, every token of the user then fails validation (404),
// and the next federated login re-creates the user with the same deterministic id. The shadow user
// is found by its federated identity: GET /v3/users?idp_id=&protocol_id=&unique_id=<user name>.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BrokerError } from '../../core/errors.ts';
import type { CloudSpec } from '../../core/spec/schema.ts';
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
    const { users } = await this.#call('GET', `/v3/users?${query}`) as { users: { id: string }[] };
    for (const user of users) await this.#call('DELETE', `/v3/users/${encodeURIComponent(user.id)}`, [204, 404]);
    return users.length;
  }

  async close(): Promise<void> {
    await this.#o.close?.();
  }

  async #call(method: string, path: string, ok: number[] = [200]): Promise<unknown> {
    let response = await this.#send(method, path, await this.#adminToken());
    if (response.status === 401) {
      this.#token = undefined;
      response = await this.#send(method, path, await this.#adminToken());
    }
    const text = await response.text();
    if (!ok.includes(response.status)) {
      const code = response.status === 401 || response.status === 403 ? 'ERR_KEYSTONE_AUTH' : 'ERR_KEYSTONE_API';
      throw new BrokerError(code, `Keystone of cloud ${this.cloud} answered ${response.status} to ${method} ${path.split('?')[0]}`, { details: { cloud: this.cloud, method, status: response.status } });
    }
    return text ? JSON.parse(text) : undefined;
  }

  #send(method: string, path: string, token: string): Promise<Response> {
    return this.#o.fetch(`${this.#o.url}${path}`, { method, headers: { 'x-auth-token': token, accept: 'application/json' } });
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
