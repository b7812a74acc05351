// Lists that several kinds need while observing one realm (clients for clients and their default
// scopes, identity providers for providers and their mappers), read at most once per observation.
import type { KeycloakRest } from '../rest.ts';
import type { JsonObject } from './kind.ts';

export class RealmReader {
  readonly #rest: KeycloakRest;
  readonly #realm: string;
  readonly #lists = new Map<string, Promise<JsonObject[]>>();

  constructor(rest: KeycloakRest, realm: string) {
    this.#rest = rest;
    this.#realm = realm;
  }

  /** Full client representations (with protocolMappers and defaultClientScopes). */
  clients(): Promise<JsonObject[]> {
    return this.#once('clients', () => this.#rest.list<JsonObject>('/clients', { realm: this.#realm, object: 'clients' }));
  }

  clientScopes(): Promise<JsonObject[]> {
    return this.#once('clientScopes', () => this.#rest.get<JsonObject[]>('/client-scopes', { realm: this.#realm, object: 'client scopes' }));
  }

  identityProviders(): Promise<JsonObject[]> {
    return this.#once('identityProviders', () =>
      this.#rest.list<JsonObject>('/identity-provider/instances?briefRepresentation=false', { realm: this.#realm, object: 'identity providers' }));
  }

  #once(key: string, read: () => Promise<JsonObject[]>): Promise<JsonObject[]> {
    let list = this.#lists.get(key);
    if (!list) {
      list = read();
      this.#lists.set(key, list);
    }
    return list;
  }
}
