// Field comparison for plans: does the observed representation already hold what the broker wants?
// Objects: every desired key must match (extra observed keys are someone else's business).
// Lists of objects with a "name": matched by name, each compared the same way; extra observed
// entries count as drift (the broker owns the whole list of e.g. a client's protocol mappers).
// Lists of scalars: compared as sets. `{ $includes: [...] }`: the observed list must contain these.
import type { JsonValue } from '../json.ts';

export interface FieldChange {
  readonly path: string;
  readonly observed: JsonValue | undefined;
  readonly desired: JsonValue | undefined;
}

export function compareFields(desired: JsonValue, observed: JsonValue | undefined, path = ''): FieldChange[] {
  if (isObject(desired) && Array.isArray(desired['$includes'])) {
    const have = new Set((Array.isArray(observed) ? observed : []).map((v) => JSON.stringify(v)));
    return desired['$includes'].every((v) => have.has(JSON.stringify(v))) ? [] : [{ path, observed, desired }];
  }
  if (isObject(desired)) {
    if (!isObject(observed)) return [{ path, observed, desired }];
    return Object.entries(desired).flatMap(([k, v]) => compareFields(v, observed[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(observed)) return [{ path, observed, desired }];
    return isNamedList(desired) ? compareNamedLists(desired, observed, path) : compareScalarSets(desired, observed, path);
  }
  return sameScalar(desired, observed) ? [] : [{ path, observed, desired }];
}

function compareNamedLists(desired: readonly JsonValue[], observed: readonly JsonValue[], path: string): FieldChange[] {
  const byName = new Map(observed.filter(isObject).map((o) => [String(o['name']), o]));
  const changes = desired.flatMap((d) => {
    const name = String((d as Record<string, JsonValue>)['name']);
    return compareFields(d, byName.get(name), `${path}[${name}]`);
  });
  const wanted = new Set(desired.map((d) => String((d as Record<string, JsonValue>)['name'])));
  for (const [name, o] of byName) if (!wanted.has(name)) changes.push({ path: `${path}[${name}]`, observed: o, desired: undefined });
  return changes;
}

function compareScalarSets(desired: readonly JsonValue[], observed: readonly JsonValue[], path: string): FieldChange[] {
  const a = new Set(desired.map((v) => JSON.stringify(v)));
  const b = new Set(observed.map((v) => JSON.stringify(v)));
  return a.size === b.size && [...a].every((v) => b.has(v)) ? [] : [{ path, observed, desired }];
}

function sameScalar(desired: JsonValue, observed: JsonValue | undefined): boolean {
  if (desired === observed) return true;
  // Keycloak keeps many settings as strings ("true", "300"); compare by text for scalars.
  return observed !== undefined && observed !== null && desired !== null && String(desired) === String(observed);
}

function isObject(v: JsonValue | undefined): v is { readonly [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNamedList(list: readonly JsonValue[]): boolean {
  return list.length > 0 && list.every((v) => isObject(v) && typeof v['name'] === 'string');
}
