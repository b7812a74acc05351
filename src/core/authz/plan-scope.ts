// The clouds a plan writes into, as operations: a plan applied by a cloud admin may change only
// objects of that admin's cloud (its realm, its Keystone, its clusters).
import type { Plan } from '../plan/diff.ts';
import type { Operation } from './operations.ts';

export function planWrites(plan: Plan): Operation[] {
  const clouds = new Set<string>();
  for (const c of plan.changes) {
    if (c.action === 'noop') continue;
    const object = c.desired ?? c.observed;
    if (object) clouds.add(object.cloud);
  }
  return [...clouds].sort().map((cloud) => ({ kind: 'apply-in', cloud }));
}
