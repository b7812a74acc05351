// Settings that live in one realm-wide document: the event settings (shared: adjusted, never owned
// or deleted) and the user profile, of which the broker adds, replaces and removes only its own
// attributes (managed markers in the attribute's annotations). Both are read-modify-write.
import { BrokerError } from '../../../core/errors.ts';
import { isManaged } from '../../../core/managed.ts';
import type { DesiredObject } from '../../../core/plan/model.ts';
import type { KeycloakRest } from '../rest.ts';
import { objectLabel, isJsonObject, objectOf, observedObject, type Json, type JsonObject, type KindHandler } from './kind.ts';

/** Every event type this Keycloak knows (what an enabled realm with an empty type list stores). */
async function allEventTypes(rest: KeycloakRest, realm: string): Promise<Json[]> {
  const info = await rest.admin('/serverinfo', { realm, object: 'server info' });
  const types = objectOf(objectOf(info.body)['enums'])['eventType'];
  return Array.isArray(types) ? [...types] : [];
}

function eventTypesOf(config: JsonObject): Json[] {
  return Array.isArray(config['enabledEventTypes']) ? [...config['enabledEventTypes']] : [];
}

/** The desired settings merged onto the current ones; `{ $includes }` lists are added to, never cut. */
function mergeEventConfig(current: JsonObject, desired: DesiredObject['fields']): JsonObject {
  const out: JsonObject = { ...current };
  for (const [key, value] of Object.entries(desired)) {
    if (isJsonObject(value) && Array.isArray(value['$includes'])) {
      const have = Array.isArray(current[key]) ? current[key] : [];
      const storesAll = key === 'enabledEventTypes' && current['eventsEnabled'] === true && have.length === 0;
      out[key] = storesAll ? [] : [...new Set([...have, ...value['$includes']])];
    } else {
      out[key] = value;
    }
  }
  return out;
}

export const realmEvents: KindHandler = {
  async observe(context) {
    const wanted = context.desired[0];
    if (!wanted) return [];
    const config = await context.rest.get<JsonObject>('/events/config', { realm: context.realm, object: objectLabel(wanted) });
    const storesAll = config['eventsEnabled'] === true && eventTypesOf(config).length === 0;
    const fields = storesAll ? { ...config, enabledEventTypes: await allEventTypes(context.rest, context.realm) } : config;
    return [observedObject(context, 'realmEvents', wanted.name, fields, false)];
  },

  async create(rest, desired) {
    await realmEvents.update(rest, desired, { ...desired, managed: false }, {});
  },

  async update(rest, desired) {
    const target = { realm: desired.scope, object: objectLabel(desired) };
    const current = await rest.get<JsonObject>('/events/config', target);
    await rest.realm('/events/config', { ...target, method: 'PUT', body: mergeEventConfig(current, desired.fields) });
  },

  async remove() {
    // Shared settings are adjusted, never removed.
  },
};

interface UserProfileConfig { attributes?: JsonObject[]; [key: string]: Json | undefined }

async function readProfile(rest: KeycloakRest, realm: string, object: string): Promise<UserProfileConfig> {
  return rest.get<UserProfileConfig>('/users/profile', { realm, object });
}

async function writeProfile(rest: KeycloakRest, realm: string, object: string, profile: UserProfileConfig): Promise<void> {
  await rest.realm('/users/profile', { realm, object, method: 'PUT', body: profile });
}

export const userProfileAttributes: KindHandler = {
  async observe(context) {
    const desired = new Set(context.desired.map((d) => d.name));
    const profile = await readProfile(context.rest, context.realm, 'user profile');
    return (profile.attributes ?? [])
      .filter((a) => isManaged(objectOf(a['annotations']), context.federation) || desired.has(String(a['name'])))
      .map((a) => observedObject(context, 'userProfileAttribute', String(a['name']), a,
        isManaged(objectOf(a['annotations']), context.federation), String(a['name'])));
  },

  async create(rest, desired) {
    const object = objectLabel(desired);
    const profile = await readProfile(rest, desired.scope, object);
    const attributes = profile.attributes ?? [];
    if (attributes.some((a) => a['name'] === desired.name)) {
      throw new BrokerError('ERR_CONFLICT', `${object} exists already in the user profile of realm "${desired.scope}" of cloud ${rest.cloud}`,
        { details: { cloud: rest.cloud, realm: desired.scope, object } });
    }
    await writeProfile(rest, desired.scope, object, { ...profile, attributes: [...attributes, { ...desired.fields, name: desired.name }] });
  },

  async update(rest, desired) {
    const object = objectLabel(desired);
    const profile = await readProfile(rest, desired.scope, object);
    const attributes = (profile.attributes ?? []).map((a) => a['name'] === desired.name ? { ...a, ...desired.fields, name: desired.name } : a);
    if (!attributes.some((a) => a['name'] === desired.name)) attributes.push({ ...desired.fields, name: desired.name });
    await writeProfile(rest, desired.scope, object, { ...profile, attributes });
  },

  async remove(rest, observed) {
    const object = objectLabel(observed);
    const profile = await readProfile(rest, observed.scope, object);
    const attributes = profile.attributes ?? [];
    if (!attributes.some((a) => a['name'] === observed.name)) return;
    await writeProfile(rest, observed.scope, object, { ...profile, attributes: attributes.filter((a) => a['name'] !== observed.name) });
  },
};
