// Request validation at the edge: the route's zod schema, each problem with its path; a spec in the
// body is validated in full (shape, references, safety, examples) and frozen.
import type { z } from 'zod';
import { BrokerError } from '../../core/errors.ts';
import { formatPath } from '../../core/federation/problems.ts';
import { validateSpec } from '../../core/federation/validate.ts';

export function parseRequest<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query'): T {
  const parsed = schema.safeParse(value ?? {});
  const raw = (value ?? {}) as Record<string, unknown>;
  if (!parsed.success) {
    const outsideSpec = parsed.error.issues.filter((i) => i.path[0] !== 'spec');
    if (outsideSpec.length > 0 || raw['spec'] === undefined) {
      const problems = parsed.error.issues.flatMap((i) => i.code === 'unrecognized_keys'
        ? i.keys.map((key) => ({ path: formatPath([where, ...pathOf(i), key]), code: 'unknown_field', message: `unknown field "${key}"` }))
        : [{ path: formatPath([where, ...pathOf(i)]), code: i.code, message: i.message }]);
      throw new BrokerError('ERR_REQUEST_INVALID', `the request ${where} is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { details: { problems } });
    }
  }
  if (raw['spec'] === undefined) return (parsed as { data: T }).data;
  const checked = validateSpec(raw['spec']);
  if (!checked.ok) {
    const problems = checked.problems.map((p) => ({ path: formatPath(['spec', ...p.path]), code: p.code, message: p.message }));
    throw new BrokerError('ERR_SPEC_INVALID', `the spec is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'})`, { details: { problems } });
  }
  return { ...(parsed as { data: T }).data, spec: checked.spec };
}

function pathOf(issue: z.core.$ZodIssue): (string | number)[] {
  return issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
}
