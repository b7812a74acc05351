// A problem found in a spec: where (path, and line once the loader knows it), what, and how to fix it.
// Its code is one of the broker's error codes (src/core/errors.ts, SPEC_PROBLEM_CODES).
import type { z } from 'zod';
import type { SpecProblemCode } from '../errors.ts';

export type { SpecProblemCode } from '../errors.ts';

export type SpecPath = readonly (string | number)[];

export interface SpecProblem {
  readonly code: SpecProblemCode;
  readonly path: SpecPath;
  readonly message: string;
  readonly hint?: string;
  readonly line?: number;
  readonly column?: number;
}

export function problem(code: SpecProblemCode, path: SpecPath, message: string, hint?: string): SpecProblem {
  return hint === undefined ? { code, path, message } : { code, path, message, hint };
}

/** `clouds[1].keycloak.url`, the way people write it. */
export function formatPath(path: SpecPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? '(document)' : out;
}

/** Turn zod's issues into spec problems with a fix hint each. */
export function schemaProblems(issues: readonly z.core.$ZodIssue[], basePath: SpecPath = []): SpecProblem[] {
  return issues.flatMap((issue): SpecProblem[] => {
    const path = [...basePath, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => problem('ERR_SPEC_SCHEMA', [...path, key], `unknown field "${key}"`,
        'remove it or fix its spelling (see schema/federation.schema.json for the allowed fields)'));
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      const field = path.at(-1);
      return [problem('ERR_SPEC_SCHEMA', path, `required field "${String(field)}" is missing`, `add "${String(field)}" (expected ${issue.expected})`)];
    }
    if (issue.code === 'invalid_type') {
      return [problem('ERR_SPEC_SCHEMA', path, `expected ${issue.expected}, got ${describe(issue.input)}`, `write a ${issue.expected} here`)];
    }
    return [problem('ERR_SPEC_SCHEMA', path, issue.message, hintFor(issue))];
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function hintFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small': return `give at least ${String(issue.minimum)} ${issue.origin === 'array' ? 'entries' : 'characters'}`;
    case 'invalid_value': return `use one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union': return 'see the allowed shapes in schema/federation.schema.json';
    default: return 'see schema/federation.schema.json';
  }
}
