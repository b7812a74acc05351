// Clients (by clientId, OIDC and SAML) and client scopes (by name): representations with string
// attributes that carry the managed markers, and protocol mappers synced by name.
// A PUT merges onto what Keycloak holds (attributes included), so settings the broker does not
// render stay as they are.
import { isManaged } from '../../../core/managed.ts';
import type { DesiredObject, ObservedObject } from '../../../core/plan/model.ts';
import type { KeycloakKind } from '../../../core/render/keycloak/model.ts';
import { BrokerError } from '../../../core/errors.ts';
import { urlPath, type KeycloakRest } from '../rest.ts';
import { objectLabel, objectOf, observedObject, withWriteOnly, without, type JsonObject, type KindHandler } from './kind.ts';
import { protocolMappersOf, syncProtocolMappers } from './protocol-mappers.ts';
import type { RealmReader } from './realm-reader.ts';

interface MapperOwner {
  readonly kind: KeycloakKind;
  /** The field that names the object (its address name). */
  readonly key: 'clientId' | 'name';
  /** Collection endpoint below the realm. */
  readonly collection: '/clients' | '/client-scopes';
  list(reader: RealmReader): Promise<JsonObject[]>;
}

/** Fields never reported: ids, permissions of the caller, and secrets (observed fields end up in plans). */
const HIDDEN = ['id', 'secret', 'registrationAccessToken', 'access'];
/** Keycloak keeps a SAML client's own keys in its attributes (saml.signing.private.key, ...), and a previous secret during a rotation (client.secret.rotated). */
const PRIVATE_ATTRIBUTE = /private\.key$|^client\.secret\.rotated$/;

function observedFields(representation: JsonObject): JsonObject {
  const attributes = Object.fromEntries(Object.entries(objectOf(representation['attributes'])).filter(([k]) => !PRIVATE_ATTRIBUTE.test(k)));
  return { ...without(representation, ...HIDDEN), attributes, protocolMappers: protocolMappersOf(representation) };
}

function mapperOwner(owner: MapperOwner): KindHandler {
  const findId = async (rest: KeycloakRest, realm: string, name: string, id: string | undefined): Promise<string | undefined> =>
    id ?? (owner.kind === 'client' ? clientIdToId(rest, realm, name) : clientScopeNameToId(rest, realm, name));

  return {
    async observe(context) {
      const all = await owner.list(context.reader);
      const desiredNames = new Set(context.desired.map((d) => d.name));
      return all
        .filter((r) => isManaged(objectOf(r['attributes']), context.federation) || desiredNames.has(String(r[owner.key])))
        .map((r) => observedObject(context, owner.kind, String(r[owner.key]), observedFields(r),
          isManaged(objectOf(r['attributes']), context.federation), String(r['id'])));
    },

    async create(rest, desired, writeOnly) {
      const target = { realm: desired.scope, object: objectLabel(desired) };
      const body = withWriteOnly({ ...desired.fields }, writeOnly);
      await rest.realm(owner.collection, { ...target, method: 'POST', body });
    },

    async update(rest, desired, observed, writeOnly) {
      const realm = desired.scope;
      const object = objectLabel(desired);
      const id = await findId(rest, realm, desired.name, observed.id);
      if (!id) throw gone(rest, desired);
      const path = `${owner.collection}${urlPath`/${id}`}`;
      const current = await rest.get<JsonObject>(path, { realm, object });
      const wanted = without(desired.fields, 'protocolMappers');
      const merged = withWriteOnly({
        ...without(current, 'protocolMappers', 'access'), ...wanted,
        attributes: { ...objectOf(current['attributes']), ...objectOf(wanted['attributes']) },
      }, writeOnly);
      await rest.realm(path, { realm, object, method: 'PUT', body: merged });
      await syncProtocolMappers(rest, realm, path, desired.fields['protocolMappers'], object);
    },

    async remove(rest, observed) {
      const realm = observed.scope;
      const id = await findId(rest, realm, observed.name, observed.id);
      if (!id) return;
      await rest.realm(`${owner.collection}${urlPath`/${id}`}`, { realm, object: objectLabel(observed), method: 'DELETE', allowNotFound: true });
    },
  };
}

function gone(rest: KeycloakRest, object: DesiredObject | ObservedObject): BrokerError {
  return new BrokerError('ERR_NOT_FOUND', `${objectLabel(object)} is gone from realm "${object.scope}" of cloud ${rest.cloud}; plan again`,
    { details: { cloud: rest.cloud, realm: object.scope, object: objectLabel(object) } });
}

export const clients = mapperOwner({ kind: 'client', key: 'clientId', collection: '/clients', list: (reader) => reader.clients() });
export const clientScopes = mapperOwner({ kind: 'clientScope', key: 'name', collection: '/client-scopes', list: (reader) => reader.clientScopes() });

/** The internal id of a client, or undefined when the realm has no such clientId. */
export async function clientIdToId(rest: KeycloakRest, realm: string, clientId: string): Promise<string | undefined> {
  const found = await rest.get<JsonObject[]>(`/clients?clientId=${encodeURIComponent(clientId)}`, { realm, object: `client "${clientId}"` });
  const match = found.find((c) => c['clientId'] === clientId);
  return match ? String(match['id']) : undefined;
}

/** The id of a client scope, or undefined when the realm has none of that name. */
export async function clientScopeNameToId(rest: KeycloakRest, realm: string, name: string): Promise<string | undefined> {
  const scopes = await rest.get<JsonObject[]>('/client-scopes', { realm, object: `clientScope "${name}"` });
  const match = scopes.find((s) => s['name'] === name);
  return match ? String(match['id']) : undefined;
}
