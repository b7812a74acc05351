// diff(desired, observed) → the ordered changes that make observed equal desired, touching only
// objects the broker owns. Pure: the same inputs always give the same plan. The marker version is not
// compared (src/core/managed.ts): an object of the previous release that matches otherwise is a noop.
import { withoutMarkerVersion } from '../managed.ts';
import { compareFields, type FieldChange } from './compare.ts';
import { addressKey, type DesiredObject, type ObservedObject } from './model.ts';

export type ChangeAction = 'create' | 'update' | 'delete' | 'noop' | 'conflict';

export interface Change {
  readonly action: ChangeAction;
  readonly key: string;
  readonly desired?: DesiredObject;
  readonly observed?: ObservedObject;
  readonly fieldChanges: readonly FieldChange[];
  /** Why a conflict cannot be applied. */
  readonly reason?: string;
}

export interface Plan {
  readonly changes: readonly Change[];
  readonly summary: Readonly<Record<ChangeAction, number>>;
}

/**
 * kindOrder: creation order of kinds; deletions run in reverse. Entries are "system/kind" when several
 * systems share kind names (Keycloak and Keystone both have groups), or bare kinds for one system.
 */
export function diff(desired: readonly DesiredObject[], observed: readonly ObservedObject[], kindOrder: readonly string[]): Plan {
  const observedByKey = new Map(observed.map((o) => [addressKey(o), o]));
  const desiredKeys = new Set(desired.map(addressKey));
  const rankOf = (a: { system: string; kind: string }) => {
    const qualified = kindOrder.indexOf(`${a.system}/${a.kind}`);
    const i = qualified >= 0 ? qualified : kindOrder.indexOf(a.kind);
    return i < 0 ? kindOrder.length : i;
  };

  const forward = [...desired]
    .sort((a, b) => rankOf(a) - rankOf(b) || addressKey(a).localeCompare(addressKey(b)))
    .map((d) => changeFor(d, observedByKey.get(addressKey(d))));
  const deletions = observed
    .filter((o) => o.managed && !desiredKeys.has(addressKey(o)))
    .sort((a, b) => rankOf(b) - rankOf(a) || addressKey(a).localeCompare(addressKey(b)))
    .map((o): Change => ({ action: 'delete', key: addressKey(o), observed: o, fieldChanges: [] }));
  const changes = [...forward, ...deletions];
  return { changes, summary: summarize(changes) };
}

/** How many changes of each action. */
export function summarize(changes: readonly Change[]): Plan['summary'] {
  const summary = { create: 0, update: 0, delete: 0, noop: 0, conflict: 0 };
  for (const c of changes) summary[c.action] += 1;
  return summary;
}

function changeFor(d: DesiredObject, o: ObservedObject | undefined): Change {
  const key = addressKey(d);
  if (!o) return { action: 'create', key, desired: d, fieldChanges: [] };
  if (!o.managed && !d.shared) {
    return { action: 'conflict', key, desired: d, observed: o, fieldChanges: [],
      reason: `${d.kind} "${d.name}" exists in ${d.scope} of ${d.cloud} but was not created by the broker; rename or remove it by hand` };
  }
  const fieldChanges = compareFields(withoutMarkerVersion(d.fields), withoutMarkerVersion(o.fields));
  return { action: fieldChanges.length === 0 ? 'noop' : 'update', key, desired: d, observed: o, fieldChanges };
}

export function isEmptyPlan(plan: Plan): boolean {
  return plan.summary.create + plan.summary.update + plan.summary.delete + plan.summary.conflict === 0;
}
