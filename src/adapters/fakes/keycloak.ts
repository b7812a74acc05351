// An in-memory Keycloak for one cloud, with the semantics of the real adapter (KeycloakAdminPort):
// realms hold objects by kind and name, ownership is read from the same markers (attributes, config,
// annotations; a flow's description), creates meet conflicts, deletes are idempotent, realm events are
// shared settings, identity providers need the flows they name, and a flow in use cannot be deleted.
// `writes` counts create/update/delete calls; `failAfterWrites` makes the next write fail (crash tests).
import type { KeycloakIdentity } from '../../core/credentials.ts';
import { fakeKeycloakIdentity } from './identities.ts';
import { BrokerError } from '../../core/errors.ts';
import type { JsonValue } from '../../core/json.ts';
import { FEDERATION_KEY, isManaged, markersFromText } from '../../core/managed.ts';
import type { Change } from '../../core/plan/diff.ts';
import type { DesiredObject, ObservedObject } from '../../core/plan/model.ts';
import { REQUIRED_EVENT_TYPES } from '../../core/render/keycloak/partner-realm.ts';
import type { TokenLifetime } from '../../core/sync/revocation-facts.ts';
import type { KeycloakAdminPort } from '../../ports.ts';

type JsonObject = { [key: string]: JsonValue };

interface StoredObject {
  readonly kind: string;
  readonly name: string;
  fields: JsonObject;
  readonly id: string;
  writeOnly: Record<string, JsonValue>;
  secret?: string;
}

/** Flows every realm has (Keycloak's built-in ones that the broker's objects name). */
const BUILT_IN_FLOWS = new Set(['browser', 'first broker login']);

/** What a realm whose events are enabled with an empty type list reports: every type. */
export const FAKE_ALL_EVENT_TYPES: readonly string[] = [...REQUIRED_EVENT_TYPES, 'LOGIN_ERROR', 'LOGOUT_ERROR', 'REFRESH_TOKEN', 'UPDATE_PROFILE'];

export interface FakeKeycloakOptions {
  readonly cloud: string;
  /** Realms that exist from the start, each with these (unmanaged) clients, e.g. openstack and kubernetes. */
  readonly realms?: Readonly<Record<string, readonly string[]>>;
  /** Writes that succeed before every further write throws ERR_KEYCLOAK_API. */
  failAfterWrites?: number;
}

export class FakeKeycloakAdmin implements KeycloakAdminPort {
  readonly cloud: string;
  writes = 0;
  failAfterWrites: number | undefined;
  readonly #realms = new Map<string, Map<string, StoredObject>>();
  #ids = 0;
  /** Who the broker acts as here (default: the dedicated service account). */
  identity: KeycloakIdentity;
  /** The realms' access token lifespan (Keycloak's default). */
  realmTokenLifespanSeconds = 300;

  constructor(options: FakeKeycloakOptions) {
    this.cloud = options.cloud;
    this.failAfterWrites = options.failAfterWrites;
    this.identity = fakeKeycloakIdentity(Object.keys(options.realms ?? {}));
    for (const [realm, clients] of Object.entries(options.realms ?? {})) {
      this.addRealm(realm);
      for (const clientId of clients) this.seed(realm, 'client', clientId, { clientId, protocol: 'openid-connect', publicClient: true, attributes: {} });
    }
  }

  addRealm(realm: string): void {
    if (this.#realms.has(realm)) return;
    this.#realms.set(realm, new Map());
    this.seed(realm, 'realmEvents', 'events', { eventsEnabled: false, enabledEventTypes: [], eventsListeners: ['jboss-logging'] });
  }

  /** Puts an object in place as if someone else had made it (no write counted). */
  seed(realm: string, kind: string, name: string, fields: JsonObject): void {
    this.#realm(realm).set(`${kind}/${name}`, { kind, name, fields: structuredClone(fields), id: this.#newId(), writeOnly: {} });
  }

  /** The write-only values last written to an object (what Keycloak would keep but never show). */
  writeOnlyOf(realm: string, kind: string, name: string): Readonly<Record<string, JsonValue>> | undefined {
    return this.#realms.get(realm)?.get(`${kind}/${name}`)?.writeOnly;
  }

  async realmExists(realm: string): Promise<boolean> {
    return this.#realms.has(realm);
  }

  async clientExists(realm: string, clientId: string): Promise<boolean> {
    return this.#realm(realm).has(`client/${clientId}`);
  }

  async ownIdentity(): Promise<KeycloakIdentity> {
    return this.identity;
  }

  /** The realm's access token lifespan (Keycloak's default 300 s) and the client's, as apply set it. */
  async tokenLifetime(realm: string, clientId: string): Promise<TokenLifetime> {
    const objects = this.#realm(realm);
    if (!objects.has(`client/${clientId}`)) {
      throw new BrokerError('ERR_KEYCLOAK_CLIENT_NOT_FOUND', `client "${clientId}" does not exist in realm "${realm}" of cloud ${this.cloud}`, { details: { cloud: this.cloud, realm } });
    }
    const set = objects.get(`clientTokenLifespan/${clientId}`)?.fields['accessTokenLifespan'];
    return { clientId, realm, realmSeconds: this.realmTokenLifespanSeconds, ...(typeof set === 'number' && { clientSeconds: set }) };
  }

  async observe(realm: string, federation: string, desired: readonly DesiredObject[]): Promise<ObservedObject[]> {
    const objects = this.#realm(realm);
    const wanted = new Set(desired.filter((d) => d.system === 'keycloak' && d.cloud === this.cloud && d.scope === realm).map((d) => `${d.kind}/${d.name}`));
    if ([...wanted].some((key) => key.startsWith('organization/'))) throw this.#unsupported(realm);
    const out: ObservedObject[] = [];
    for (const [key, object] of objects) {
      const managed = this.#isManaged(objects, object, federation);
      if (!managed && !wanted.has(key)) continue;
      out.push({ system: 'keycloak', cloud: this.cloud, scope: realm, kind: object.kind, name: object.name, id: object.id, managed, fields: this.#reported(object) });
    }
    return out;
  }

  async apply(change: Change, writeOnly: Readonly<Record<string, JsonValue>>): Promise<void> {
    if (change.action === 'noop') return;
    const address = change.desired ?? change.observed;
    if (!address) throw new BrokerError('ERR_INTERNAL', `change ${change.key} lacks its object`, { details: { cloud: this.cloud } });
    const details = { cloud: this.cloud, realm: address.scope, object: `${address.kind} "${address.name}"` };
    if (change.action === 'conflict') throw new BrokerError('ERR_CONFLICT', change.reason ?? `${change.key} is not the broker's`, { details });
    if (address.kind === 'organization') throw this.#unsupported(address.scope);
    if (this.failAfterWrites !== undefined && this.writes >= this.failAfterWrites) {
      throw new BrokerError('ERR_KEYCLOAK_API', `fake Keycloak of cloud ${this.cloud}: injected failure after ${this.writes} writes`, { details });
    }
    this.writes += 1;
    const objects = this.#realm(address.scope);
    const key = `${address.kind}/${address.name}`;
    const existing = objects.get(key);
    if (change.action === 'delete') return this.#delete(objects, key, details);
    const desired = change.desired as DesiredObject;
    if (change.action === 'create' && existing && desired.kind !== 'realmEvents' && desired.kind !== 'clientTokenLifespan') {
      throw new BrokerError('ERR_CONFLICT', `${details.object} exists already in realm "${address.scope}" of cloud ${this.cloud}`, { details });
    }
    if (change.action === 'update' && !existing) throw new BrokerError('ERR_NOT_FOUND', `${details.object} is gone; plan again`, { details });
    if (desired.kind === 'identityProvider') this.#checkFlows(objects, desired, details);
    if (!existing) {
      this.#checkReferences(objects, desired, details);
      const stored: StoredObject = { kind: desired.kind, name: desired.name, fields: structuredClone(desired.fields) as JsonObject, id: this.#newId(), writeOnly: { ...writeOnly } };
      if (desired.kind === 'client' && desired.fields['publicClient'] === false) stored.secret = `fake-secret-${stored.id}`;
      objects.set(key, stored);
      return;
    }
    existing.fields = merge(existing.fields, desired.fields);
    existing.writeOnly = { ...existing.writeOnly, ...writeOnly };
  }

  async clientSecret(realm: string, clientId: string): Promise<string> {
    const client = this.#realm(realm).get(`client/${clientId}`);
    const details = { cloud: this.cloud, realm, object: `client "${clientId}"` };
    if (!client) throw new BrokerError('ERR_KEYCLOAK_CLIENT_NOT_FOUND', `client "${clientId}" does not exist in realm "${realm}" of cloud ${this.cloud}`, { details });
    if (!client.secret) throw new BrokerError('ERR_KEYCLOAK_API', `client "${clientId}" has no secret (is it a public client?)`, { details });
    return client.secret;
  }

  #realm(realm: string): Map<string, StoredObject> {
    const objects = this.#realms.get(realm);
    if (!objects) throw new BrokerError('ERR_KEYCLOAK_REALM_NOT_FOUND', `realm "${realm}" does not exist in Keycloak of cloud ${this.cloud}`, { details: { cloud: this.cloud, realm } });
    return objects;
  }

  #newId(): string {
    this.#ids += 1;
    return `fake-${this.#ids}`;
  }

  #isManaged(objects: Map<string, StoredObject>, object: StoredObject, federation: string): boolean {
    const f = object.fields;
    switch (object.kind) {
      case 'group': case 'client': case 'clientScope': return isManaged(asObject(f['attributes']), federation);
      case 'userProfileAttribute': return isManaged(asObject(f['annotations']), federation);
      case 'identityProvider': case 'identityProviderMapper': return isManaged(asObject(f['config']), federation);
      case 'authenticationFlow': return isManaged(markersFromText(f['description']), federation);
      case 'clientDefaultScope': {
        const scope = objects.get(`clientScope/${String(f['clientScope'])}`);
        return scope !== undefined && isManaged(asObject(scope.fields['attributes']), federation);
      }
      default: return false;
    }
  }

  /** What Keycloak would show: groups with their path, all event types for an enabled empty list. */
  #reported(object: StoredObject): JsonObject {
    const fields = structuredClone(object.fields);
    if (object.kind === 'group') fields['path'] = object.name;
    if (object.kind === 'realmEvents' && fields['eventsEnabled'] === true && asList(fields['enabledEventTypes']).length === 0) {
      fields['enabledEventTypes'] = [...FAKE_ALL_EVENT_TYPES];
    }
    return fields;
  }

  #checkReferences(objects: Map<string, StoredObject>, desired: DesiredObject, details: Record<string, unknown>): void {
    const missing = (what: string) => new BrokerError('ERR_NOT_FOUND', `${what} needed by ${String(details['object'])} does not exist in realm "${desired.scope}" of cloud ${this.cloud}`, { details });
    if (desired.kind === 'group') {
      const parent = desired.name.slice(0, desired.name.lastIndexOf('/'));
      if (parent !== '' && !objects.has(`group/${parent}`)) throw missing(`parent group "${parent}"`);
    }
    if (desired.kind === 'clientDefaultScope' || desired.kind === 'clientTokenLifespan') {
      if (!objects.has(`client/${String(desired.fields['clientId'])}`)) {
        throw new BrokerError('ERR_KEYCLOAK_CLIENT_NOT_FOUND', `client "${String(desired.fields['clientId'])}" does not exist in realm "${desired.scope}" of cloud ${this.cloud}`, { details });
      }
      if (desired.kind === 'clientDefaultScope' && !objects.has(`clientScope/${String(desired.fields['clientScope'])}`)) throw missing(`client scope "${String(desired.fields['clientScope'])}"`);
    }
    if (desired.kind === 'identityProviderMapper') {
      const alias = desired.name.slice(0, desired.name.indexOf('/'));
      if (!objects.has(`identityProvider/${alias}`)) throw missing(`identity provider "${alias}"`);
    }
  }

  #checkFlows(objects: Map<string, StoredObject>, desired: DesiredObject, details: Record<string, unknown>): void {
    const missing = flowsNamedBy(desired.fields).filter((alias) => !BUILT_IN_FLOWS.has(alias) && !objects.has(`authenticationFlow/${alias}`));
    if (missing.length > 0) {
      throw new BrokerError('ERR_NOT_FOUND', `authentication flow "${missing.join('", "')}" needed by ${String(details['object'])} does not exist in realm "${desired.scope}" of cloud ${this.cloud}`, { details });
    }
  }

  #delete(objects: Map<string, StoredObject>, key: string, details: Record<string, unknown>): void {
    const object = objects.get(key);
    if (!object || object.kind === 'realmEvents') return;
    if (object.kind === 'authenticationFlow') {
      const user = [...objects.values()].find((o) => o.kind === 'identityProvider' && flowsNamedBy(o.fields).includes(object.name));
      if (user) throw new BrokerError('ERR_CONFLICT', `${String(details['object'])} is still used by identity provider "${user.name}"; unbind it first`, { details });
    }
    const dependents = [...objects.values()].filter((o) => isDependent(o, object));
    if (object.kind === 'group') {
      const federation = asList(asObject(object.fields['attributes'])[FEDERATION_KEY])[0];
      const foreign = dependents.find((g) => typeof federation !== 'string' || !isManaged(asObject(g.fields['attributes']), federation));
      if (foreign) throw new BrokerError('ERR_CONFLICT', `${String(details['object'])} holds group "${foreign.name}", which the broker does not own`, { details });
    }
    for (const d of dependents) objects.delete(`${d.kind}/${d.name}`);
    objects.delete(key);
  }

  #unsupported(realm: string): BrokerError {
    return new BrokerError('ERR_KEYCLOAK_UNSUPPORTED_KIND', `the Keycloak adapter does not manage organizations yet (realm "${realm}" of cloud ${this.cloud})`,
      { details: { cloud: this.cloud, realm, kind: 'organization' } });
  }
}

/** Objects Keycloak removes together with `owner`: subgroups, mappers of a provider, links of a client or scope. */
function isDependent(o: StoredObject, owner: StoredObject): boolean {
  switch (owner.kind) {
    case 'group': return o.kind === 'group' && o.name.startsWith(`${owner.name}/`);
    case 'identityProvider': return o.kind === 'identityProviderMapper' && o.name.startsWith(`${owner.name}/`);
    case 'client': return o.kind === 'clientDefaultScope' && o.fields['clientId'] === owner.name;
    case 'clientScope': return o.kind === 'clientDefaultScope' && o.fields['clientScope'] === owner.name;
    default: return false;
  }
}

/** Update semantics of the real adapter: fields replaced, attributes/config/annotations merged, `$includes` lists added to. */
function merge(current: JsonObject, desired: Readonly<Record<string, JsonValue>>): JsonObject {
  const out: JsonObject = structuredClone(current);
  for (const [key, value] of Object.entries(desired)) {
    const includes = asObject(value)['$includes'];
    if (Array.isArray(includes)) {
      const have = asList(current[key]);
      const storesAll = key === 'enabledEventTypes' && current['eventsEnabled'] === true && have.length === 0;
      out[key] = storesAll ? [] : [...new Set([...have, ...includes])];
    } else if (['attributes', 'config', 'annotations'].includes(key)) {
      out[key] = { ...asObject(current[key]), ...asObject(value) };
    } else {
      out[key] = structuredClone(value);
    }
  }
  return out;
}

/** The flows an identity provider runs (first and post broker login). */
function flowsNamedBy(fields: Readonly<Record<string, JsonValue>>): string[] {
  return [fields['firstBrokerLoginFlowAlias'], fields['postBrokerLoginFlowAlias']].filter((a): a is string => typeof a === 'string' && a !== '');
}

function asObject(value: JsonValue | undefined): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as JsonObject : {};
}

function asList(value: JsonValue | undefined): readonly JsonValue[] {
  return Array.isArray(value) ? value : [];
}
