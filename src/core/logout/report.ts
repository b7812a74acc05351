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
  /**
   * When the logout happened, ms since epoch: the realm event's time, the token's iat, the admin's
   * command. Only sessions started before it end (./stale.ts). Absent in records written before it existed.
   */
  readonly loggedOutAt?: number;
  readonly correlationId: string;
  readonly targets: readonly FanoutTarget[];
  /**
   * Set when an admin ended the subject's sessions in this one cloud only (its realm and Keystone):
   * no other cloud is touched, and the realm's identity provider does not pass the end on to the home.
   */
  readonly onlyCloud?: string;
  /** Further signals (tokens, realm events) that turned out to be this same logout. */
  readonly coalesced?: readonly string[];
}

/**
 * `skipped-stale`: the target cannot end tokens selectively and the user has logged in there since the
 * logout, so revoking would end what she started since; done, nothing changed.
 */
export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'skipped-stale' | 'failed';

/** A target that needs no further attempt: delivered, or skipped as stale. */
export function isDone(delivery: Pick<TargetDelivery, 'status'>): boolean {
  return delivery.status === 'delivered' || delivery.status === 'skipped-stale';
}

/** The time the logout happened; for records without it, when the broker received it. */
export function logoutTimeOf(event: Pick<LogoutEventRecord, 'loggedOutAt' | 'receivedAt'>): number {
  return event.loggedOutAt ?? event.receivedAt;
}

export interface TargetDelivery {
  readonly system: FanoutTarget['system'];
  readonly cloud: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /** What the target did, e.g. "2 sessions ended" or "no user". */
  readonly detail?: string;
  readonly lastError?: { readonly code: string; readonly message: string };
  /** When the target was done (delivered or skipped as stale). */
  readonly deliveredAt?: number;
  /** deliveredAt - receivedAt of the event. */
  readonly latencyMs?: number;
}

export type Outcome = 'pending' | 'delivered' | 'failed';

export interface DeliveryReport extends LogoutEventRecord {
  readonly deliveries: readonly TargetDelivery[];
  readonly outcome: Outcome;
  /** When the last target was confirmed (all delivered or skipped as stale). */
  readonly completedAt?: number;
  readonly latencyMs?: number;
}

export function pendingDelivery(target: FanoutTarget): TargetDelivery {
  return { system: target.system, cloud: target.cloud, status: 'pending', attempts: 0 };
}

export function deliveredAfter(previous: TargetDelivery, attempts: number, at: number, receivedAt: number, detail: string): TargetDelivery {
  return { ...previous, status: 'delivered', attempts, detail, deliveredAt: at, latencyMs: at - receivedAt };
}

export function skippedStale(previous: TargetDelivery, attempts: number, at: number, receivedAt: number, detail: string): TargetDelivery {
  return { ...previous, status: 'skipped-stale', attempts, detail, deliveredAt: at, latencyMs: at - receivedAt };
}

export function failedAttempt(previous: TargetDelivery, attempts: number, error: { code: string; message: string }, final: boolean): TargetDelivery {
  return { ...previous, status: final ? 'failed' : 'retrying', attempts, lastError: error };
}

export function buildReport(event: LogoutEventRecord, deliveries: readonly TargetDelivery[]): DeliveryReport {
  const byKey = new Map(deliveries.map((d) => [`${d.system}-${d.cloud}`, d]));
  const ordered = event.targets.map((t) => byKey.get(`${t.system}-${t.cloud}`) ?? pendingDelivery(t));
  const outcome: Outcome = ordered.some((d) => d.status === 'failed') ? 'failed'
    : ordered.every(isDone) ? 'delivered' : 'pending';
  if (outcome !== 'delivered') return { ...event, deliveries: ordered, outcome };
  const completedAt = Math.max(event.receivedAt, ...ordered.map((d) => d.deliveredAt ?? event.receivedAt));
  return { ...event, deliveries: ordered, outcome, completedAt, latencyMs: completedAt - event.receivedAt };
}
