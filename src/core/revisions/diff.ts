// What changed between two specs, as paths a reviewer reads: clouds by alias, policy rules by name,
// everything else by field; a list that is not keyed (trust edges, grants, e-mail domains) is one value.
import { canonicalJson } from '../canonical-json.ts';
import type { FederationSpec } from '../federation/schema.ts';

export interface SpecDiffEntry {
  /** e.g. `clouds[cloud-b].displayName`, `policy[p1-members].grant`, `trust`. */
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Lists whose entries have a name of their own. */
const KEYED: Readonly<Record<string, string>> = { clouds: 'alias', policy: 'name' };

export function specDiff(before: FederationSpec, after: FederationSpec): SpecDiffEntry[] {
  const out: SpecDiffEntry[] = [];
  diffObject(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>, '', out, true);
  return out;
}

function diffValue(before: unknown, after: unknown, path: string, out: SpecDiffEntry[]): void {
  if (canonicalJson(before) === canonicalJson(after)) return;
  if (before === undefined) { out.push({ path, change: 'added', after }); return; }
  if (after === undefined) { out.push({ path, change: 'removed', before }); return; }
  if (isObject(before) && isObject(after)) { diffObject(before, after, path, out, false); return; }
  out.push({ path, change: 'changed', before, after });
}

function diffObject(before: Record<string, unknown>, after: Record<string, unknown>, path: string, out: SpecDiffEntry[], top: boolean): void {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const key of keys) {
    const at = path === '' ? key : `${path}.${key}`;
    const keyField = top ? KEYED[key] : undefined;
    if (keyField && Array.isArray(before[key]) && Array.isArray(after[key])) diffKeyed(before[key], after[key], at, keyField, out);
    else diffValue(before[key], after[key], at, out);
  }
}

function diffKeyed(before: unknown[], after: unknown[], path: string, keyField: string, out: SpecDiffEntry[]): void {
  const keyOf = (v: unknown) => String((v as Record<string, unknown>)[keyField]);
  const was = new Map(before.map((v) => [keyOf(v), v]));
  const now = new Map(after.map((v) => [keyOf(v), v]));
  for (const [key, value] of was) diffValue(value, now.get(key), `${path}[${key}]`, out);
  for (const [key, value] of now) if (!was.has(key)) diffValue(undefined, value, `${path}[${key}]`, out);
  const order = (m: Map<string, unknown>) => [...m.keys()].filter((k) => was.has(k) && now.has(k));
  if (canonicalJson(order(was)) !== canonicalJson(order(now))) out.push({ path, change: 'changed', before: [...was.keys()], after: [...now.keys()] });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
