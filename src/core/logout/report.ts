// The delivery report of one logout event (docs/design.md §6: "prove it"): which targets, how many attempts,
// what each said, how long it took. Stored per event; the outcome is derived, never stored.
import type { FederatedSubject } from '../subject.ts';
import type { FanoutTarget } from './subject.ts';

export type LogoutSource = 'backchannel' | 'keycloak-event' | 'admin';

export interface LogoutEventRecord {
  readonly id: string;
  readonly source: LogoutSource;
  /** Cloud whose realm reported (or, for admin logouts, the home cloud). */
  readonly cloud: string;
  readonly subject: FederatedSubject;
  /** ms since epoch, broker clock. */
  readonly receivedAt: number;
  readonly correlationId: string;
  readonly targets: readonly FanoutTarget[];
  /** Further signals (tokens, realm events) that turned out to be this same logout. */
  readonly coalesced?: readonly string[];
}

export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed';

export interface TargetDelivery {
  readonly system: FanoutTarget['system'];
  readonly cloud: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /** What the target did, e.g. "2 sessions ended" or "no user". */
  readonly detail?: string;
  readonly lastError?: { readonly code: string; readonly message: string };
  readonly deliveredAt?: number;
  /** deliveredAt - receivedAt of the event. */
  readonly latencyMs?: number;
}

export type Outcome = 'pending' | 'delivered' | 'failed';

export interface DeliveryReport extends LogoutEventRecord {
  readonly deliveries: readonly TargetDelivery[];
  readonly outcome: Outcome;
  /** When the last target was confirmed (all delivered). */
  readonly completedAt?: number;
  readonly latencyMs?: number;
}

export function pendingDelivery(target: FanoutTarget): TargetDelivery {
  return { system: target.system, cloud: target.cloud, status: 'pending', attempts: 0 };
}

export function deliveredAfter(previous: TargetDelivery, attempts: number, at: number, receivedAt: number, detail: string): TargetDelivery {
  return { ...previous, status: 'delivered', attempts, detail, deliveredAt: at, latencyMs: at - receivedAt };
}

export function failedAttempt(previous: TargetDelivery, attempts: number, error: { code: string; message: string }, final: boolean): TargetDelivery {
  return { ...previous, status: final ? 'failed' : 'retrying', attempts, lastError: error };
}

export function buildReport(event: LogoutEventRecord, deliveries: readonly TargetDelivery[]): DeliveryReport {
  const byKey = new Map(deliveries.map((d) => [`${d.system}-${d.cloud}`, d]));
  const ordered = event.targets.map((t) => byKey.get(`${t.system}-${t.cloud}`) ?? pendingDelivery(t));
  const outcome: Outcome = ordered.some((d) => d.status === 'failed') ? 'failed'
    : ordered.every((d) => d.status === 'delivered') ? 'delivered' : 'pending';
  if (outcome !== 'delivered') return { ...event, deliveries: ordered, outcome };
  const completedAt = Math.max(event.receivedAt, ...ordered.map((d) => d.deliveredAt ?? event.receivedAt));
  return { ...event, deliveries: ordered, outcome, completedAt, latencyMs: completedAt - event.receivedAt };
}
