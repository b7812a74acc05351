// Keystone's federation mapping engine (keystone.federation.utils.RuleProcessor, as in Zed), re-done
// for explain and kept honest by a differential test against Keystone's own engine. It covers what
// the broker generates and a little more: remote conditions any_one_of / not_any_of / whitelist /
// blacklist (regex flag with JavaScript RegExp, which agrees with Python's re on the simple patterns
// the broker writes), values split on ";", "{N}" placeholders (Python str.format, list repr for
// multi-valued matches), local user / group (by id or name + domain) / projects.
// Known Keystone behaviours kept on purpose: every matched rule's local part goes through
// str.format (literal braces must be doubled); the first non-empty user wins; no identity values at
// all = "no rule matched" (Keystone answers 401). Order of whitelist/blacklist results is Python set
// order in Keystone (arbitrary); here it follows the assertion.
import type { JsonValue } from '../json.ts';
import { PythonFormatError, pythonFormat } from './python-format.ts';

export type Assertion = Readonly<Record<string, string>>;
export interface DomainRef { readonly name?: string; readonly id?: string }
export interface MappedGroup { readonly name: string; readonly domain: DomainRef }
export type MappedUser = Readonly<Record<string, JsonValue>> & { readonly type: string };

export type MappingEvaluation =
  | {
    readonly outcome: 'mapped';
    /** The mapped user as Keystone's engine returns it (name, type, domain, ... as the rule wrote them). */
    readonly user: MappedUser;
    /** Groups by name + domain, each once, in the order Keystone lists them. */
    readonly groups: readonly MappedGroup[];
    readonly groupIds: readonly string[];
    readonly projects: readonly JsonValue[];
    /** Indexes of the rules whose remote conditions matched. */
    readonly matchedRules: readonly number[];
  }
  | { readonly outcome: 'no-rule-matched'; readonly matchedRules: readonly number[] }
  | { readonly outcome: 'error'; readonly error: MappingErrorKind; readonly message: string; readonly matchedRules: readonly number[] };

/** direct-mapping: a "{N}" without an N-th remote value (Keystone: DirectMappingError); invalid-rule: Keystone fails (4xx/5xx); unsupported: not modelled here. */
export type MappingErrorKind = 'direct-mapping' | 'invalid-rule' | 'unsupported';

class MappingFailure extends Error {
  constructor(readonly kind: MappingErrorKind, message: string) { super(message); }
}

type JsonObject = { readonly [key: string]: JsonValue };
type DirectMap = readonly string[];
const EVALUATIONS = ['any_one_of', 'not_any_of', 'blacklist', 'whitelist'] as const;

export function evaluateMapping(rules: readonly JsonValue[], assertion: Assertion): MappingEvaluation {
  const values = new Map<string, string[]>();
  for (const [key, value] of Object.entries(assertion)) if (typeof value === 'string') values.set(key, value.split(';'));
  const matchedRules: number[] = [];
  try {
    const identityValues: JsonObject[] = [];
    rules.forEach((rule, index) => {
      const { remote, local } = ruleParts(rule, index);
      const directMaps = verifyRequirements(remote, values);
      if (directMaps === undefined) return;
      matchedRules.push(index);
      for (const entry of local) identityValues.push(substitute(entry, directMaps) as JsonObject);
    });
    if (identityValues.length === 0) return { outcome: 'no-rule-matched', matchedRules };
    return { outcome: 'mapped', ...transform(identityValues), matchedRules };
  } catch (error) {
    if (error instanceof MappingFailure) return { outcome: 'error', error: error.kind, message: error.message, matchedRules };
    throw error;
  }
}

function ruleParts(rule: JsonValue, index: number): { remote: readonly JsonObject[]; local: readonly JsonObject[] } {
  const r = isObject(rule) ? rule : undefined;
  if (!r || !Array.isArray(r['remote']) || !Array.isArray(r['local']) || ![...r['remote'], ...r['local']].every(isObject)) {
    throw new MappingFailure('invalid-rule', `rule ${index} needs "remote" and "local" lists of objects`);
  }
  return { remote: r['remote'] as JsonObject[], local: r['local'] as JsonObject[] };
}

/** The direct maps (remote values for "{N}"), or undefined when the rule does not apply. */
function verifyRequirements(requirements: readonly JsonObject[], assertion: ReadonlyMap<string, string[]>): DirectMap[] | undefined {
  const directMaps: DirectMap[] = [];
  for (const requirement of requirements) {
    const found = assertion.get(String(requirement['type']));
    if (!found || found.length === 0) return undefined;
    const regex = isTruthy(requirement['regex']);
    const [anyOneOf, notAnyOf, blacklist, whitelist] = EVALUATIONS.map((e) => requirement[e]);
    if (anyOneOf !== undefined && anyOneOf !== null) {
      if (matches(anyOneOf, found, regex).length > 0) continue;
      return undefined;
    }
    if (notAnyOf !== undefined && notAnyOf !== null) {
      if (matches(notAnyOf, found, regex).length === 0) continue;
      return undefined;
    }
    if (blacklist !== undefined && blacklist !== null) {
      const hit = new Set(matches(blacklist, found, regex));
      directMaps.push(unique(found).filter((v) => !hit.has(v)));
    } else if (whitelist !== undefined && whitelist !== null) {
      const hit = matches(whitelist, found, regex);
      directMaps.push(regex ? hit : unique(hit));
    } else {
      directMaps.push(found);
    }
  }
  return directMaps;
}

/** The assertion values the requirement's list selects: regex search (in order, repeats kept) or equality (each once). */
function matches(wanted: JsonValue, found: readonly string[], regex: boolean): string[] {
  if (!Array.isArray(wanted)) throw new MappingFailure('invalid-rule', 'a remote condition list is not a list');
  if (regex) {
    const patterns = wanted.map(compile);
    return found.filter((v) => patterns.some((p) => p.test(v)));
  }
  const allowed = new Set(wanted.filter((w): w is string => typeof w === 'string'));
  return unique(found).filter((v) => allowed.has(v));
}

const compiled = new Map<string, RegExp>();
function compile(pattern: JsonValue): RegExp {
  if (typeof pattern !== 'string') throw new MappingFailure('invalid-rule', 'a regex condition holds a non-string');
  let re = compiled.get(pattern);
  if (!re) {
    try { re = new RegExp(pattern); } catch { throw new MappingFailure('invalid-rule', `invalid regex ${JSON.stringify(pattern)}`); }
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/** Keystone formats every string of a matched rule's local part with the direct maps (one value: the value; several: a list repr). */
function substitute(local: JsonValue, directMaps: readonly DirectMap[]): JsonValue {
  if (Array.isArray(local)) {
    return local.map((item) => {
      if (!isObject(item)) throw new MappingFailure('invalid-rule', 'a list in a local rule holds a non-object');
      return substitute(item, directMaps);
    });
  }
  if (isObject(local)) return Object.fromEntries(Object.entries(local).map(([k, v]) => [k, substitute(v, directMaps)]));
  if (typeof local !== 'string') throw new MappingFailure('invalid-rule', `a local rule holds ${JSON.stringify(local)}, not a string`);
  try {
    return pythonFormat(local, directMaps.map((m) => (m.length === 1 ? m[0] as string : m)));
  } catch (error) {
    if (!(error instanceof PythonFormatError)) throw error;
    throw new MappingFailure(error.kind === 'index' ? 'direct-mapping' : error.kind === 'syntax' ? 'invalid-rule' : 'unsupported', error.message);
  }
}

function transform(identityValues: readonly JsonObject[]): { user: MappedUser; groups: MappedGroup[]; groupIds: string[]; projects: JsonValue[] } {
  let user: JsonObject = {};
  const groupIds = new Set<string>();
  const groupNames: JsonObject[] = [];
  const groupsByDomain = new Map<string, Map<string, JsonObject>>();
  let projects: JsonValue[] = [];
  for (const value of identityValues) {
    if ('groups' in value || 'group_ids' in value) throw new MappingFailure('unsupported', 'local "groups" / "group_ids" are not modelled');
    if ('user' in value && Object.keys(user).length === 0) user = isObject(value['user']) ? value['user'] : {};
    if ('group' in value) {
      const group = isObject(value['group']) ? value['group'] : {};
      if ('id' in group) groupIds.add(String(group['id']));
      else if ('name' in group) {
        const domain = isObject(group['domain']) ? group['domain'] : {};
        const key = String(orElse(domain['name'], domain['id']));
        const byName = groupsByDomain.get(key) ?? new Map<string, JsonObject>();
        byName.set(String(group['name']), group);
        groupsByDomain.set(key, byName);
      }
      for (const byName of groupsByDomain.values()) groupNames.push(...byName.values());
    }
    if ('projects' in value) projects = Array.isArray(value['projects']) ? [...value['projects']] : [];
  }
  return { user: normalizeUser(user), groups: uniqueGroups(groupNames), groupIds: [...groupIds], projects };
}

function normalizeUser(user: JsonObject): MappedUser {
  const type = user['type'];
  if (type === undefined || type === null) return { ...user, type: 'ephemeral' };
  if (isTruthy(type) && type !== 'ephemeral' && type !== 'local') throw new MappingFailure('invalid-rule', `user type ${JSON.stringify(type)} not supported`);
  return user as MappedUser;
}

function uniqueGroups(groups: readonly JsonObject[]): MappedGroup[] {
  const seen = new Map<string, MappedGroup>();
  for (const g of groups) {
    const domain = isObject(g['domain']) ? g['domain'] as DomainRef : {};
    seen.set(JSON.stringify([g['name'], domain.name ?? null, domain.id ?? null]), { name: String(g['name']), domain });
  }
  return [...seen.values()];
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Python's `a or b`. */
function orElse(a: JsonValue | undefined, b: JsonValue | undefined): JsonValue | undefined {
  return isTruthy(a) ? a : b;
}

function isTruthy(v: JsonValue | undefined): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
