// The Keycloak admin API of ONE cloud, as the broker needs it (KeycloakAdminPort). Every call names
// its realm. Each kind maps to its admin REST resource in ./kinds; this class observes all kinds of
// a realm and dispatches changes.
import type { KeycloakIdentity } from '../../core/credentials.ts';
import { BrokerError, isBrokerError } from '../../core/errors.ts';
import type { JsonValue } from '../../core/json.ts';
import type { Change } from '../../core/plan/diff.ts';
import type { DesiredObject, ObjectAddress, ObservedObject } from '../../core/plan/model.ts';
import type { TokenLifetime } from '../../core/sync/revocation-facts.ts';
import type { KeycloakAdminPort } from '../../ports.ts';
import type { AdminTokenOptions } from './admin-token.ts';
import { keycloakRest } from './client.ts';
import { isKeycloakKind, KIND_HANDLERS } from './kinds/index.ts';
import { clientLifespanSeconds } from './kinds/client-token-lifespan.ts';
import type { JsonObject, KindHandler } from './kinds/kind.ts';
import { clientIdToId } from './kinds/mapper-owners.ts';
import { keycloakIdentityFromClaims } from './identity.ts';
import { RealmReader } from './kinds/realm-reader.ts';
import { urlPath, type KeycloakRest } from './rest.ts';

/**
 * The cloud's shared Keycloak REST client (./client.ts), or the admin token's options (cloud, base
 * URL, admin realm, credentials, HttpOut.fetch of this cloud) to build one; plus `close`, which
 * releases what the client holds.
 */
export type KeycloakAdminOptions = ({ readonly rest: KeycloakRest } | AdminTokenOptions) & { readonly close?: () => Promise<void> };

export class KeycloakAdmin implements KeycloakAdminPort {
  readonly cloud: string;
  readonly #rest: KeycloakRest;
  readonly #close: (() => Promise<void>) | undefined;

  constructor(options: KeycloakAdminOptions) {
    this.#rest = 'rest' in options ? options.rest : keycloakRest(options);
    this.cloud = this.#rest.cloud;
    this.#close = options.close;
  }

  async realmExists(realm: string): Promise<boolean> {
    const answer = await this.#rest.realm('', { realm, object: 'realm', allowNotFound: true });
    return answer.status !== 404;
  }

  async clientExists(realm: string, clientId: string): Promise<boolean> {
    await this.#requireRealm(realm);
    return (await clientIdToId(this.#rest, realm, clientId)) !== undefined;
  }

  async observe(realm: string, federation: string, desired: readonly DesiredObject[]): Promise<ObservedObject[]> {
    await this.#requireRealm(realm);
    const here = desired.filter((d) => d.system === 'keycloak' && d.cloud === this.cloud && d.scope === realm);
    const reader = new RealmReader(this.#rest, realm);
    const perKind = await Promise.all(Object.entries(KIND_HANDLERS).map(([kind, handler]) =>
      handler.observe({ rest: this.#rest, realm, federation, reader, desired: here.filter((d) => d.kind === kind) })));
    return perKind.flat();
  }

  async apply(change: Change, writeOnly: Readonly<Record<string, JsonValue>>): Promise<void> {
    const { desired, observed } = change;
    switch (change.action) {
      case 'noop':
        return;
      case 'conflict':
        throw new BrokerError('ERR_CONFLICT', change.reason ?? `${change.key} is not the broker's to change`, { details: this.#details(desired ?? observed) });
      case 'create':
        return this.#handler(desired).create(this.#rest, required(desired, change), writeOnly);
      case 'update':
        return this.#handler(desired).update(this.#rest, required(desired, change), required(observed, change), writeOnly);
      case 'delete':
        return this.#handler(observed).remove(this.#rest, required(observed, change));
    }
  }

  async clientSecret(realm: string, clientId: string): Promise<string> {
    const object = `client "${clientId}"`;
    const id = await clientIdToId(this.#rest, realm, clientId);
    if (!id) {
      throw new BrokerError('ERR_KEYCLOAK_CLIENT_NOT_FOUND', `client "${clientId}" does not exist in realm "${realm}" of cloud ${this.cloud}`,
        { details: { cloud: this.cloud, realm, object } });
    }
    const credential = await this.#rest.get<{ value?: unknown }>(urlPath`/clients/${id}/client-secret`, { realm, object });
    if (typeof credential?.value !== 'string' || credential.value === '') {
      throw new BrokerError('ERR_KEYCLOAK_API', `client "${clientId}" in realm "${realm}" of cloud ${this.cloud} has no secret (is it a public client?)`,
        { details: { cloud: this.cloud, realm, object } });
    }
    return credential.value;
  }

  async tokenLifetime(realm: string, clientId: string): Promise<TokenLifetime> {
    const [settings, clients] = await Promise.all([
      this.#rest.get<{ accessTokenLifespan?: number }>('', { realm, object: 'realm settings' }),
      this.#rest.get<JsonObject[]>(`/clients?clientId=${encodeURIComponent(clientId)}`, { realm, object: `client "${clientId}"` }),
    ]);
    const client = clients.find((c) => c['clientId'] === clientId);
    if (!client) {
      throw new BrokerError('ERR_KEYCLOAK_CLIENT_NOT_FOUND', `client "${clientId}" does not exist in realm "${realm}" of cloud ${this.cloud}`,
        { details: { cloud: this.cloud, realm, object: `client "${clientId}"` } });
    }
    const clientSeconds = clientLifespanSeconds(client);
    return { clientId, realm, realmSeconds: settings.accessTokenLifespan ?? 300, ...(clientSeconds !== undefined && { clientSeconds }) };
  }

  async ownIdentity(): Promise<KeycloakIdentity> {
    const claims = await this.#rest.tokenClaims();
    const username = this.#rest.adminUsername;
    const identity = { ...keycloakIdentityFromClaims(claims, this.#rest.adminRealm), ...(username && !claims['preferred_username'] && { username }) };
    if (claims['realm_access'] !== undefined) return identity;
    // A lightweight token (admin-cli's default) carries neither roles nor user: ask for our own role
    // mappings. Only an account that may read the admin realm's users can; any other gets 403.
    const realm = this.#rest.adminRealm;
    try {
      const id = typeof claims['sub'] === 'string' ? claims['sub']
        : username && (await this.#rest.get<{ id?: string }[]>(`/users?exact=true&briefRepresentation=true&username=${encodeURIComponent(username)}`, { realm, object: 'own user' }))[0]?.id;
      if (!id) return identity;
      const roles = await this.#rest.get<{ name?: unknown }[]>(urlPath`/users/${id}/role-mappings/realm/composite`, { realm, object: 'own realm roles' });
      return { ...identity, realmRoles: (roles ?? []).map((r) => r.name).filter((n): n is string => typeof n === 'string') };
    } catch (error) {
      if (isBrokerError(error, 'ERR_KEYCLOAK_AUTH')) return identity;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#close?.();
  }

  async #requireRealm(realm: string): Promise<void> {
    if (await this.realmExists(realm)) return;
    throw new BrokerError('ERR_KEYCLOAK_REALM_NOT_FOUND', `realm "${realm}" does not exist in Keycloak of cloud ${this.cloud}`,
      { details: { cloud: this.cloud, realm } });
  }

  #handler(address: ObjectAddress | undefined): KindHandler {
    if (!address || address.system !== 'keycloak' || address.cloud !== this.cloud || !isKeycloakKind(address.kind)) {
      throw new BrokerError('ERR_INTERNAL', `change for ${address ? `${address.system}/${address.cloud}/${address.kind}` : 'nothing'} sent to the Keycloak adapter of cloud ${this.cloud}`,
        { details: this.#details(address) });
    }
    return KIND_HANDLERS[address.kind];
  }

  #details(address: ObjectAddress | undefined): Record<string, unknown> {
    return { cloud: this.cloud, ...(address && { realm: address.scope, object: `${address.kind} "${address.name}"` }) };
  }
}

function required<T>(value: T | undefined, change: Change): T {
  if (value === undefined) throw new BrokerError('ERR_INTERNAL', `change ${change.action} of ${change.key} lacks its object`, { details: { key: change.key } });
  return value;
}
