// Identity providers (by alias, OIDC or SAML) and their mappers (name "<alias>/<mapper name>").
// Managed markers live in `config`. Keycloak masks the provider's client secret as "**********":
// it is never reported, written only from the write-only values, and kept by sending the mask back.
// A provider names the flows it runs (first/post broker login); Keycloak answers a bare 500 for a flow
// that does not exist, so the adapter checks first and says which flow is missing.
import { BrokerError } from '../../../core/errors.ts';
import { isManaged } from '../../../core/managed.ts';
import type { DesiredObject, ObjectAddress, ObservedObject } from '../../../core/plan/model.ts';
import { urlPath, type KeycloakRest } from '../rest.ts';
import { missingFlows } from './authentication-flows.ts';
import { objectLabel, objectOf, observedObject, withWriteOnly, without, type JsonObject, type KindHandler } from './kind.ts';

const providerPath = (alias: string) => urlPath`/identity-provider/instances/${alias}`;

async function requireFlows(rest: KeycloakRest, desired: DesiredObject): Promise<void> {
  const missing = await missingFlows(rest, desired.scope, desired.fields);
  if (missing.length === 0) return;
  throw new BrokerError('ERR_NOT_FOUND', `authentication flow "${missing.join('", "')}" needed by ${objectLabel(desired)} does not exist in realm "${desired.scope}" of cloud ${rest.cloud}`,
    { details: { cloud: rest.cloud, realm: desired.scope, object: objectLabel(desired), flows: missing } });
}

function providerFields(provider: JsonObject): JsonObject {
  return { ...without(provider, 'internalId', 'types'), config: without(objectOf(provider['config']), 'clientSecret') };
}

export const identityProviders: KindHandler = {
  async observe(context) {
    const desired = new Set(context.desired.map((d) => d.name));
    return (await context.reader.identityProviders())
      .filter((p) => isManaged(objectOf(p['config']), context.federation) || desired.has(String(p['alias'])))
      .map((p) => observedObject(context, 'identityProvider', String(p['alias']), providerFields(p),
        isManaged(objectOf(p['config']), context.federation), String(p['internalId'] ?? p['alias'])));
  },

  async create(rest, desired, writeOnly) {
    await requireFlows(rest, desired);
    await rest.realm('/identity-provider/instances', { realm: desired.scope, object: objectLabel(desired), method: 'POST', body: withWriteOnly({ ...desired.fields }, writeOnly) });
  },

  async update(rest, desired, _observed, writeOnly) {
    await requireFlows(rest, desired);
    const target = { realm: desired.scope, object: objectLabel(desired) };
    const current = await rest.get<JsonObject>(providerPath(desired.name), target);
    const body = withWriteOnly({
      ...without(current, 'types'), ...desired.fields,
      config: { ...objectOf(current['config']), ...objectOf(desired.fields['config']) },
    }, writeOnly);
    await rest.realm(providerPath(desired.name), { ...target, method: 'PUT', body });
  },

  async remove(rest, observed) {
    await rest.realm(providerPath(observed.name), { realm: observed.scope, object: objectLabel(observed), method: 'DELETE', allowNotFound: true });
  },
};

/** The provider alias and the mapper's own name of "<alias>/<mapper name>" (mapper names may hold "/"). */
function mapperAddress(object: ObjectAddress & { fields: Readonly<Record<string, unknown>> }): { alias: string; name: string } {
  const cut = object.name.indexOf('/');
  const alias = typeof object.fields['identityProviderAlias'] === 'string' ? object.fields['identityProviderAlias'] : object.name.slice(0, cut);
  return { alias, name: object.name.slice(cut + 1) };
}

function mapperFields(mapper: JsonObject): JsonObject {
  return {
    name: mapper['name'] ?? null, identityProviderAlias: mapper['identityProviderAlias'] ?? null,
    identityProviderMapper: mapper['identityProviderMapper'] ?? null, config: objectOf(mapper['config']),
  };
}

async function findMapper(rest: KeycloakRest, object: ObservedObject): Promise<JsonObject | undefined> {
  const { alias, name } = mapperAddress(object);
  const mappers = await rest.find<JsonObject[]>(`${providerPath(alias)}/mappers`, { realm: object.scope, object: objectLabel(object) });
  return (object.id ? mappers?.find((m) => m['id'] === object.id) : undefined) ?? mappers?.find((m) => m['name'] === name);
}

export const identityProviderMappers: KindHandler = {
  async observe(context) {
    const desired = new Set(context.desired.map((d) => d.name));
    const providers = await context.reader.identityProviders();
    const perProvider = await Promise.all(providers.map(async (p) => {
      const alias = String(p['alias']);
      const mappers = await context.rest.get<JsonObject[]>(`${providerPath(alias)}/mappers`, { realm: context.realm, object: `identityProvider "${alias}" mappers` });
      return mappers
        .filter((m) => isManaged(objectOf(m['config']), context.federation) || desired.has(`${alias}/${String(m['name'])}`))
        .map((m) => observedObject(context, 'identityProviderMapper', `${alias}/${String(m['name'])}`, mapperFields(m),
          isManaged(objectOf(m['config']), context.federation), String(m['id'])));
    }));
    return perProvider.flat();
  },

  async create(rest, desired) {
    const { alias, name } = mapperAddress(desired);
    // Keycloak refuses a second mapper of the same name with a bare 400; report it as the conflict it is.
    const existing = await rest.find<JsonObject[]>(`${providerPath(alias)}/mappers`, { realm: desired.scope, object: objectLabel(desired) });
    if (existing?.some((m) => m['name'] === name)) {
      throw new BrokerError('ERR_CONFLICT', `${objectLabel(desired)} exists already in realm "${desired.scope}" of cloud ${rest.cloud}`,
        { details: { cloud: rest.cloud, realm: desired.scope, object: objectLabel(desired) } });
    }
    await rest.realm(`${providerPath(alias)}/mappers`, { realm: desired.scope, object: objectLabel(desired), method: 'POST', body: { ...desired.fields, identityProviderAlias: alias } });
  },

  async update(rest, desired, observed) {
    const { alias } = mapperAddress(desired);
    const current = await findMapper(rest, observed);
    const id = String(current?.['id'] ?? observed.id);
    const body = { ...desired.fields, id, identityProviderAlias: alias, config: { ...objectOf(current?.['config']), ...objectOf(desired.fields['config']) } };
    await rest.realm(`${providerPath(alias)}/mappers${urlPath`/${id}`}`, { realm: desired.scope, object: objectLabel(desired), method: 'PUT', body });
  },

  async remove(rest, observed) {
    const { alias } = mapperAddress(observed);
    const current = await findMapper(rest, observed);
    if (!current) return;
    await rest.realm(`${providerPath(alias)}/mappers${urlPath`/${String(current['id'])}`}`, { realm: observed.scope, object: objectLabel(observed), method: 'DELETE', allowNotFound: true });
  },
};
