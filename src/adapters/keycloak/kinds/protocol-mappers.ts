// Protocol mappers of a client or client scope, synced by name through their own endpoints
// (`<owner>/protocol-mappers/models`): a PUT of the owner is not relied on to replace them.
import { compareFields } from '../../../core/plan/compare.ts';
import { urlPath, type KeycloakRest } from '../rest.ts';
import { isJsonObject, objectOf, type Json, type JsonObject } from './kind.ts';

/** The mappers of a representation in the shape the renderer emits: {name, protocol, protocolMapper, config}. */
export function protocolMappersOf(representation: JsonObject): JsonObject[] {
  const list = Array.isArray(representation['protocolMappers']) ? representation['protocolMappers'] : [];
  return list.filter(isJsonObject).map((m) => ({
    name: m['name'] ?? null, protocol: m['protocol'] ?? null, protocolMapper: m['protocolMapper'] ?? null, config: objectOf(m['config']),
  }));
}

/**
 * Makes the owner's mappers exactly `desired` (when given): creates missing ones, replaces changed ones,
 * deletes those not desired. `ownerPath` is e.g. `/clients/<id>` or `/client-scopes/<id>`.
 */
export async function syncProtocolMappers(rest: KeycloakRest, realm: string, ownerPath: string, desired: Json | undefined, object: string): Promise<void> {
  if (!Array.isArray(desired)) return;
  const base = `${ownerPath}/protocol-mappers/models`;
  const current = await rest.get<JsonObject[]>(base, { realm, object });
  const byName = new Map(current.map((m) => [String(m['name']), m]));
  const wanted = desired.filter(isJsonObject);
  for (const mapper of wanted) {
    const name = String(mapper['name']);
    const existing = byName.get(name);
    const target = { realm, object: `${object} protocol mapper "${name}"` };
    if (!existing) {
      await rest.realm(base, { ...target, method: 'POST', body: mapper });
    } else if (compareFields(mapper, protocolMappersOf({ protocolMappers: [existing] })[0]).length > 0) {
      const id = String(existing['id']);
      await rest.realm(`${base}${urlPath`/${id}`}`, { ...target, method: 'PUT', body: { ...mapper, id } });
    }
  }
  const names = new Set(wanted.map((m) => String(m['name'])));
  for (const [name, existing] of byName) {
    if (names.has(name)) continue;
    await rest.realm(`${base}${urlPath`/${String(existing['id'])}`}`, { realm, object: `${object} protocol mapper "${name}"`, method: 'DELETE', allowNotFound: true });
  }
}
