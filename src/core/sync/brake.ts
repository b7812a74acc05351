// The brake on mass deprovisioning (docs/sync.md): a run that would remove more than a share of a
// home's users or memberships in one partner system stops before writing and waits for --confirm.
import type { FederationSpec } from '../federation/schema.ts';
import { isRemoval, isUserRemoval, type SyncTarget } from './model.ts';

export interface BrakeFinding {
  readonly home: string;
  readonly partner: string;
  readonly system: SyncTarget['system'];
  readonly what: 'users' | 'memberships';
  readonly removals: number;
  readonly observed: number;
  readonly limitPercent: number;
}

/** Every target whose removals exceed the spec's brake; empty when the run may write. */
export function brakeFindings(spec: FederationSpec, targets: readonly SyncTarget[]): BrakeFinding[] {
  const { maxRemovalPercent, minRemovals } = spec.sync.brake;
  const out: BrakeFinding[] = [];
  for (const t of targets) {
    const userRemovals = t.changes.filter(isUserRemoval).length;
    const membershipRemovals = t.changes.filter((c) => isRemoval(c) && !isUserRemoval(c)).length;
    for (const [what, removals, observed] of [['users', userRemovals, t.observedUsers], ['memberships', membershipRemovals, t.observedMemberships]] as const) {
      if (removals > 0 && removals >= minRemovals && removals * 100 > maxRemovalPercent * observed) {
        out.push({ home: t.home, partner: t.partner, system: t.system, what, removals, observed, limitPercent: maxRemovalPercent });
      }
    }
  }
  return out;
}
