// A client scope attached as default scope to a client: name "<clientId>/<scope name>".
// Keycloak keeps no attributes on the link, so it is the broker's when the scope is.
import { BrokerError } from '../../../core/errors.ts';
import { isManaged } from '../../../core/managed.ts';
import type { ObjectAddress } from '../../../core/plan/model.ts';
import { urlPath, type KeycloakRest } from '../rest.ts';
import { objectLabel, objectOf, observedObject, type KindHandler } from './kind.ts';
import { clientIdToId, clientScopeNameToId } from './mapper-owners.ts';

function linkOf(object: ObjectAddress & { fields: Readonly<Record<string, unknown>> }): { clientId: string; clientScope: string } {
  const slash = object.name.indexOf('/');
  const clientId = typeof object.fields['clientId'] === 'string' ? object.fields['clientId'] : object.name.slice(0, slash);
  const clientScope = typeof object.fields['clientScope'] === 'string' ? object.fields['clientScope'] : object.name.slice(slash + 1);
  return { clientId, clientScope };
}

async function linkIds(rest: KeycloakRest, object: ObjectAddress & { fields: Readonly<Record<string, unknown>> }) {
  const { clientId, clientScope } = linkOf(object);
  const [client, scope] = await Promise.all([clientIdToId(rest, object.scope, clientId), clientScopeNameToId(rest, object.scope, clientScope)]);
  return { clientId, clientScope, client, scope };
}

export const clientDefaultScopes: KindHandler = {
  async observe(context) {
    const [clients, scopes] = await Promise.all([context.reader.clients(), context.reader.clientScopes()]);
    const scopeIds = new Map(scopes.map((s) => [String(s['name']), String(s['id'])]));
    const ours = new Set(scopes.filter((s) => isManaged(objectOf(s['attributes']), context.federation)).map((s) => String(s['name'])));
    const desired = new Set(context.desired.map((d) => d.name));
    return clients.flatMap((client) => {
      const clientId = String(client['clientId']);
      const defaults = Array.isArray(client['defaultClientScopes']) ? client['defaultClientScopes'].map(String) : [];
      return defaults
        .filter((scope) => ours.has(scope) || desired.has(`${clientId}/${scope}`))
        .map((scope) => observedObject(context, 'clientDefaultScope', `${clientId}/${scope}`, { clientId, clientScope: scope },
          ours.has(scope), `${String(client['id'])}/${scopeIds.get(scope) ?? ''}`));
    });
  },

  async create(rest, desired) {
    const { clientId, clientScope, client, scope } = await linkIds(rest, desired);
    const details = { cloud: rest.cloud, realm: desired.scope, object: objectLabel(desired) };
    if (!client) throw new BrokerError('ERR_KEYCLOAK_CLIENT_NOT_FOUND', `client "${clientId}" does not exist in realm "${desired.scope}" of cloud ${rest.cloud}`, { details });
    if (!scope) throw new BrokerError('ERR_NOT_FOUND', `client scope "${clientScope}" does not exist in realm "${desired.scope}" of cloud ${rest.cloud}`, { details });
    await rest.realm(urlPath`/clients/${client}/default-client-scopes/${scope}`, { realm: desired.scope, object: objectLabel(desired), method: 'PUT' });
  },

  async update(rest, desired) {
    await clientDefaultScopes.create(rest, desired, {});
  },

  async remove(rest, observed) {
    const { client, scope } = await linkIds(rest, observed);
    if (!client || !scope) return;
    await rest.realm(urlPath`/clients/${client}/default-client-scopes/${scope}`, { realm: observed.scope, object: objectLabel(observed), method: 'DELETE', allowNotFound: true });
  },
};
