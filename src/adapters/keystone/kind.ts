// What every Keystone kind handler does: observe its objects (ours by the markers of
// core/render/keystone/names.ts, plus whatever sits at a desired address), and create, update or
// delete one object. Handlers run in KEYSTONE_KIND_ORDER and see what earlier kinds observed.
import type { JsonValue } from '../../core/json.ts';
import type { DesiredObject, ObservedObject } from '../../core/plan/model.ts';
import type { JsonObject } from '../../core/render/keystone/names.ts';
import type { KeystoneDirectory } from './directory.ts';

export interface ObserveInput {
  readonly dir: KeystoneDirectory;
  readonly federation: string;
  /** The desired objects of this kind in this Keystone. */
  readonly desired: readonly DesiredObject[];
  /** What the kinds before this one observed. */
  readonly seen: readonly ObservedObject[];
}

export interface KeystoneKindHandler {
  observe(input: ObserveInput): Promise<ObservedObject[]>;
  create(dir: KeystoneDirectory, desired: DesiredObject, writeOnly: Readonly<Record<string, JsonValue>>): Promise<void>;
  update(dir: KeystoneDirectory, desired: DesiredObject, observed: ObservedObject, writeOnly: Readonly<Record<string, JsonValue>>): Promise<void>;
  /** Idempotent: an object that is gone already is fine. */
  remove(dir: KeystoneDirectory, observed: ObservedObject): Promise<void>;
}

/** The entries of `entity` under `keys` that it has (for observed fields). */
export function pick(entity: Readonly<Record<string, unknown>>, keys: readonly string[]): JsonObject {
  return Object.fromEntries(keys.filter((k) => entity[k] !== undefined).map((k) => [k, entity[k] as JsonValue]));
}

export function without(fields: Readonly<Record<string, JsonValue>>, ...keys: readonly string[]): JsonObject {
  return Object.fromEntries(Object.entries(fields).filter(([k]) => !keys.includes(k)));
}

export function text(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : String(value ?? '');
}
