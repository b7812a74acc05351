// What every Keycloak kind handler does: observe the realm's objects of its kind (ours by the managed
// markers, plus whatever sits at a desired address), and create, update or delete one object.
import type { JsonValue } from '../../../core/json.ts';
import type { DesiredObject, ObservedObject } from '../../../core/plan/model.ts';
import type { KeycloakKind } from '../../../core/render/keycloak/model.ts';
import type { KeycloakRest } from '../rest.ts';
import type { RealmReader } from './realm-reader.ts';

export type Json = JsonValue;
export type JsonObject = { [key: string]: JsonValue };

export interface ObserveContext {
  readonly rest: KeycloakRest;
  readonly realm: string;
  readonly federation: string;
  /** Lists shared by several kinds (clients, scopes, identity providers), read once per observation. */
  readonly reader: RealmReader;
  /** The desired objects of this kind in this realm. */
  readonly desired: readonly DesiredObject[];
}

export interface KindHandler {
  observe(context: ObserveContext): Promise<ObservedObject[]>;
  create(rest: KeycloakRest, desired: DesiredObject, writeOnly: Readonly<Record<string, JsonValue>>): Promise<void>;
  update(rest: KeycloakRest, desired: DesiredObject, observed: ObservedObject, writeOnly: Readonly<Record<string, JsonValue>>): Promise<void>;
  /** Idempotent: an object that is gone already is fine. */
  remove(rest: KeycloakRest, observed: ObservedObject): Promise<void>;
}

export function observedObject(
  context: Pick<ObserveContext, 'rest' | 'realm'>, kind: KeycloakKind, name: string,
  fields: JsonObject, managed: boolean, id?: string,
): ObservedObject {
  return { system: 'keycloak', cloud: context.rest.cloud, scope: context.realm, kind, name, fields, managed, ...(id !== undefined && { id }) };
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value as a JSON object ({} for anything else). */
export function objectOf(value: unknown): JsonObject {
  return isJsonObject(value) ? value : {};
}

/** A copy of `representation` with the write-only values (dotted paths such as `config.clientSecret`) set. */
export function withWriteOnly(representation: JsonObject, writeOnly: Readonly<Record<string, JsonValue>>): JsonObject {
  const out: JsonObject = structuredClone(representation);
  for (const [path, value] of Object.entries(writeOnly)) {
    const keys = path.split('.');
    let node = out;
    for (const key of keys.slice(0, -1)) {
      if (!isJsonObject(node[key])) node[key] = {};
      node = node[key] as JsonObject;
    }
    node[keys[keys.length - 1] as string] = value;
  }
  return out;
}

/** The object's own fields minus the given keys. */
export function without(representation: JsonObject, ...keys: readonly string[]): JsonObject {
  return Object.fromEntries(Object.entries(representation).filter(([k]) => !keys.includes(k)));
}

/** The address of a change, for error details: `client fed-cloud-b`. */
export function objectLabel(object: { kind: string; name: string }): string {
  return `${object.kind} "${object.name}"`;
}

/** The desired objects whose address Keycloak does not return in the managed listing: found one by one. */
export function unseen(desired: readonly DesiredObject[], seen: readonly ObservedObject[]): DesiredObject[] {
  const names = new Set(seen.map((o) => o.name));
  return desired.filter((d) => !names.has(d.name));
}
