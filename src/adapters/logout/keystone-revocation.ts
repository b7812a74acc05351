// Revoking a federated user's live Keystone tokens (KeystoneRevocationPort): the shadow user is found
// by its federated identity (GET /v3/users?idp_id=&protocol_id=&unique_id=<user name>), then revoked
// the way ../keystone/revoke.ts does (disable and enable again with a marker; docs/logout.md). Deleting
// the shadow user would revoke too, but then the old tokens answer 404 "Could not find user" instead
// of 401. All calls go through the cloud's one Keystone REST client (../keystone/rest.ts): one admin
// token cache, one renewal on 401, Keystone's answers translated to BrokerErrors.
import { BrokerError } from '../../core/errors.ts';
import type { CloudSpec } from '../../core/federation/schema.ts';
import type { KeystoneRevocationPort } from '../../ports.ts';
import type { FetchLike } from '../http-out.ts';
import { createKeystoneClient } from '../keystone/factory.ts';
import { KeystoneRest, type KeystoneAdminCredentials } from '../keystone/rest.ts';
import { revokeUserTokens, REVOKING_MARKER, type RevocableUser } from '../keystone/revoke.ts';

export { REVOKING_MARKER };

interface RevocationTarget {
  readonly identityProvider: string;
  readonly protocol?: string;
  readonly close?: () => Promise<void>;
}

/** Either the cloud's shared Keystone client, or what it takes to build one (cloud, URL without /v3, admin login, fetch). */
export type KeystoneRevocationOptions = RevocationTarget & (
  | { readonly rest: KeystoneRest }
  | { readonly cloud: string; readonly url: string; readonly admin: KeystoneAdminCredentials; readonly fetch: FetchLike; readonly now?: () => number });

export class KeystoneRevocation implements KeystoneRevocationPort {
  readonly cloud: string;
  readonly #rest: KeystoneRest;
  readonly #target: RevocationTarget;
  readonly #now: () => number;

  constructor(options: KeystoneRevocationOptions) {
    this.#rest = 'rest' in options
      ? options.rest
      : new KeystoneRest({ cloud: options.cloud, url: options.url, credentials: options.admin, fetch: options.fetch, ...(options.now && { now: options.now }) });
    this.cloud = this.#rest.cloud;
    this.#target = options;
    this.#now = ('now' in options && options.now) || Date.now;
  }

  async revokeFederatedUser(uniqueId: string): Promise<number> {
    const query = new URLSearchParams({ idp_id: this.#target.identityProvider, protocol_id: this.#target.protocol ?? 'openid', unique_id: uniqueId });
    const object = `federated user "${uniqueId}"`;
    const answer = await this.#rest.get<{ users?: unknown } | undefined>(`/users?${query}`, object);
    if (!Array.isArray(answer?.users)) {
      throw new BrokerError('ERR_KEYSTONE_API', `Keystone of cloud ${this.cloud} answered the look-up of ${object} without a user list`, { details: { cloud: this.cloud, object } });
    }
    let revoked = 0;
    for (const user of answer.users as RevocableUser[]) {
      if (await revokeUserTokens(this.#rest, user, object, this.#now)) revoked += 1;
    }
    return revoked;
  }

  /** Gets the admin token now, so the first revocation does not wait for it. */
  async warmUp(): Promise<void> {
    await this.#rest.warmUp();
  }

  async close(): Promise<void> {
    await this.#target.close?.();
  }
}

/** The revocation port of a cloud with a Keystone, over its own Keystone client (undefined without Keystone). */
export async function createKeystoneRevocation(cloud: CloudSpec, baseDir: string): Promise<KeystoneRevocation | undefined> {
  const keystone = cloud.keystone;
  if (!keystone) return undefined;
  const client = await createKeystoneClient(cloud, baseDir);
  return new KeystoneRevocation({ rest: client.rest, identityProvider: keystone.identityProvider, close: () => client.close() });
}
