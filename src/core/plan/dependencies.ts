// Which changes of a plan wait once others failed, so that apply goes on with everything else. Pure.
// A change is not attempted when
//   - its own part (one scope of one system of one cloud: a realm, a Keystone, a cluster) had a failed
//     step before it, or could not be read when planning: the rest of that part waits for the next apply;
//   - an object it needs (a system description's `needs`: a partner realm's identity provider needs
//     the home realm's client and its secret, a mapper its identity provider) failed, was not
//     attempted, or lives in a part that failed or could not be read; or a part it points at (its
//     `pointsAt`: a home client's redirect URI into the partner realm, the issuer a Keystone or a
//     cluster trusts) failed or could not be read: it is not rewritten towards a realm that is away.
// A deletion needs nothing from other parts, but waits while a change of its own part waits: a rename
// (the object under its new name waits) must not lose the object under its old name.
import { BrokerError } from '../errors.ts';
import type { Change } from './diff.ts';
import { addressKey, type DesiredObject, type ObjectAddress } from './model.ts';

/** A part of the federation: one scope of a system in a cloud; without `scope`, every scope of it. */
export interface PartAddress {
  readonly system: string;
  readonly cloud: string;
  readonly scope?: string;
}

/**
 * What a desired object's write needs: objects (of any system, cloud or scope) that must exist or be
 * read, or whole parts it points at (a Keystone's identity provider trusts its cloud's Keycloak realm).
 */
export type Needs = (desired: DesiredObject) => readonly (ObjectAddress | PartAddress)[];

/** What failed so far: the parts with a failed step or unreadable, the objects failed or not attempted. */
export interface Setback {
  readonly parts: readonly PartAddress[];
  readonly objects: ReadonlySet<string>;
  /** The parts with a change that waits. */
  readonly waitingParts: readonly PartAddress[];
}

export function setbackOf(unreadable: readonly PartAddress[]): Setback {
  return { parts: unreadable.map(partOf), objects: new Set(), waitingParts: [] };
}

/** The part a change writes to. */
export function partOf(a: PartAddress): PartAddress {
  return { system: a.system, cloud: a.cloud, ...(a.scope !== undefined && { scope: a.scope }) };
}

export function partKey(p: PartAddress): string {
  return p.scope === undefined ? `${p.system}/${p.cloud}` : `${p.system}/${p.cloud}/${p.scope}`;
}

/** What the change waits for (a part's or an object's key); undefined when it can be attempted. */
export function waitsFor(change: Change, setback: Setback, needs: Needs): string | undefined {
  const own = addressOf(change);
  const ownPart = setback.parts.find((p) => covers(p, own));
  if (ownPart) return partKey(ownPart);
  if (change.action === 'delete' || !change.desired) {
    const waiting = setback.waitingParts.find((p) => covers(p, own));
    return waiting ? partKey(waiting) : undefined;
  }
  const wanted: readonly (ObjectAddress | PartAddress)[] = [...needs(change.desired), ...(change.desired.pointsAt ?? [])];
  for (const needed of wanted) {
    const key = 'kind' in needed ? addressKey(needed) : undefined;
    if (key !== undefined && setback.objects.has(key)) return key;
    const part = setback.parts.find((p) => covers(p, needed));
    if (part) return partKey(part);
  }
  return undefined;
}

/** The setback after `change` failed: the rest of its part waits, and so does whatever needs it. */
export function afterFailure(setback: Setback, change: Change): Setback {
  return { ...setback, parts: [...setback.parts, partOf(addressOf(change))], objects: new Set([...setback.objects, change.key]) };
}

/** The setback after `change` was not attempted: whatever needs it waits too, and so do its part's deletions. */
export function afterHeldBack(setback: Setback, change: Change): Setback {
  return { ...setback, objects: new Set([...setback.objects, change.key]), waitingParts: [...setback.waitingParts, partOf(addressOf(change))] };
}

/**
 * Over the plan's changes (in plan order): every change that is not attempted once the changes keyed in
 * `failed` failed and the parts in `unreadable` could not be read, with what it waits for.
 */
export function dependentChanges(changes: readonly Change[], failed: ReadonlySet<string>, unreadable: readonly PartAddress[], needs: Needs): Map<string, string> {
  const waiting = new Map<string, string>();
  let setback = setbackOf(unreadable);
  for (const change of changes.filter((c) => c.action !== 'noop')) {
    const waitsOn = waitsFor(change, setback, needs);
    if (waitsOn !== undefined) {
      waiting.set(change.key, waitsOn);
      setback = afterHeldBack(setback, change);
    } else if (failed.has(change.key)) setback = afterFailure(setback, change);
  }
  return waiting;
}

/**
 * Whether `change` must wait for an earlier write to `part` to be confirmed (a cluster's reload): it
 * writes to that part, or needs or points at something in it.
 */
export function dependsOnPart(change: Change, part: PartAddress, needs: Needs): boolean {
  if (covers(part, addressOf(change))) return true;
  if (change.action === 'delete' || !change.desired) return false;
  return [...needs(change.desired), ...(change.desired.pointsAt ?? [])].some((needed) => covers(part, needed));
}

/** Whether a failed part concerns an object or part: same system and cloud, and same scope where both name one. */
function covers(part: PartAddress, a: PartAddress): boolean {
  return part.system === a.system && part.cloud === a.cloud && (part.scope === undefined || a.scope === undefined || part.scope === a.scope);
}

function addressOf(change: Change): ObjectAddress {
  const a = change.desired ?? change.observed;
  if (!a) throw new BrokerError('ERR_INTERNAL', `change ${change.key} has no object`);
  return a;
}
