// The access token lifespan of one of a partner's own clients (the audience of its clusters): name
// "<clientId>". Shared: the client is the cloud's; the broker sets only the attribute
// `access.token.lifespan`, never owns or deletes it (a bound dropped from the spec leaves the value).
import { BrokerError } from '../../../core/errors.ts';
import { urlPath } from '../rest.ts';
import { objectLabel, objectOf, observedObject, type JsonObject, type KindHandler } from './kind.ts';

export const LIFESPAN_ATTRIBUTE = 'access.token.lifespan';

/** The lifespan a client sets, in seconds (undefined: the realm's applies). */
export function clientLifespanSeconds(client: JsonObject): number | undefined {
  const value = Number(objectOf(client['attributes'])[LIFESPAN_ATTRIBUTE]);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

export const clientTokenLifespans: KindHandler = {
  async observe(context) {
    if (context.desired.length === 0) return [];
    const clients = await context.reader.clients();
    return context.desired.flatMap((d) => {
      const client = clients.find((c) => c['clientId'] === d.name);
      if (!client) return [];
      const seconds = clientLifespanSeconds(client);
      return [observedObject(context, 'clientTokenLifespan', d.name, { clientId: d.name, accessTokenLifespan: seconds ?? null }, false, String(client['id']))];
    });
  },

  async create(rest, desired) {
    const target = { realm: desired.scope, object: objectLabel(desired) };
    const found = await rest.get<JsonObject[]>(`/clients?clientId=${encodeURIComponent(desired.name)}`, target);
    const client = found.find((c) => c['clientId'] === desired.name);
    if (!client) {
      throw new BrokerError('ERR_KEYCLOAK_CLIENT_NOT_FOUND', `client "${desired.name}" does not exist in realm "${desired.scope}" of cloud ${rest.cloud}`,
        { details: { cloud: rest.cloud, realm: desired.scope, object: objectLabel(desired) } });
    }
    const attributes = { ...objectOf(client['attributes']), [LIFESPAN_ATTRIBUTE]: String(desired.fields['accessTokenLifespan']) };
    await rest.realm(urlPath`/clients/${String(client['id'])}`, { ...target, method: 'PUT', body: { ...client, attributes } });
  },

  async update(rest, desired) {
    await clientTokenLifespans.create(rest, desired, {});
  },

  async remove() {
    // Shared: adjusted, never removed.
  },
};
