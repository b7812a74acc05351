// Validate a parsed document as a federation spec: shape, cross-references, safety, examples.
// Returns every problem found, or the spec deep-frozen. A spec of the previous version is read as the
// current one (./versions.ts): the result says so, and its problems' paths are spelt as in that version.
import type { z } from 'zod';
import { kubernetesPolicyProblems } from '../render/kubernetes/policy.ts';
import { checkExamples } from './examples.ts';
import { checkSpecParts, type Indexed, type SpecParts } from './checks.ts';
import { schemaProblems, type SpecProblem } from './problems.ts';
import { pathInVersion, toCurrentVersion } from './versions.ts';
import {
  cloudSchema, federationSpecSchema, namingSchema, policyRuleSchema, privilegedSchema, trustSchema,
  type FederationSpec,
} from './schema.ts';

export type ValidationResult =
  /** `convertedFrom`: the spec was written in this previous version (callers warn once: `fedbroker migrate`). */
  | { readonly ok: true; readonly spec: FederationSpec; readonly problems: readonly []; readonly convertedFrom?: string }
  | { readonly ok: false; readonly problems: readonly SpecProblem[] };

export function validateSpec(document: unknown): ValidationResult {
  const versioned = toCurrentVersion(document);
  if (!versioned.ok) return { ok: false, problems: [versioned.problem] };
  const result = validateCurrent(versioned.document);
  const from = versioned.convertedFrom;
  if (from === undefined) return result;
  return result.ok ? { ...result, convertedFrom: from } : { ok: false, problems: result.problems.map((p) => ({ ...p, path: pathInVersion(p.path, from) })) };
}

function validateCurrent(document: unknown): ValidationResult {
  const parsed = federationSpecSchema.safeParse(document, { reportInput: true });
  if (parsed.success) {
    const problems = dedupe([...checkSpecParts(partsOf(parsed.data)), ...kubernetesPolicyProblems(parsed.data)]);
    if (problems.length === 0) problems.push(...checkExamples(parsed.data));
    return problems.length === 0 ? { ok: true, spec: deepFreeze(parsed.data), problems: [] } : { ok: false, problems };
  }
  // Shape problems: still check whatever parsed, so one run reports every mistake it can see.
  const problems = [...schemaProblems(parsed.error.issues), ...checkSpecParts(bestEffortParts(document))];
  return { ok: false, problems: dedupe(problems) };
}

function partsOf(spec: FederationSpec): SpecParts {
  return {
    aliases: spec.clouds.map((c) => c.alias),
    clouds: spec.clouds.map((value, index) => ({ index, value })),
    policy: spec.policy.map((value, index) => ({ index, value })),
    trust: spec.trust,
    naming: spec.naming,
    privileged: spec.privileged,
  };
}

function bestEffortParts(document: unknown): SpecParts {
  const doc = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
  const optional = <T>(schema: z.ZodType<T>, value: unknown): T | undefined => {
    const r = schema.safeParse(value);
    return r.success ? r.data : undefined;
  };
  const rawClouds: unknown[] = Array.isArray(doc['clouds']) ? doc['clouds'] : [];
  return {
    aliases: rawClouds.flatMap((c) => (typeof c === 'object' && c !== null && typeof (c as { alias?: unknown }).alias === 'string' ? [(c as { alias: string }).alias] : [])),
    clouds: parsedItems(cloudSchema, doc['clouds']),
    policy: parsedItems(policyRuleSchema, doc['policy']),
    trust: optional(trustSchema, doc['trust']),
    naming: optional(namingSchema, doc['naming']),
    privileged: optional(privilegedSchema, doc['privileged']),
  };
}

function parsedItems<T>(schema: z.ZodType<T>, list: unknown): Indexed<T>[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item, index) => {
    const r = schema.safeParse(item);
    return r.success ? [{ index, value: r.data }] : [];
  });
}

function dedupe(problems: SpecProblem[]): SpecProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.code} ${p.path.join('.')}`; // one problem per code and place
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
