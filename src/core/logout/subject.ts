// Who logged out, and where their sessions live (docs/design.md §2, §6). Pure: the user representation read
// from a realm goes in, the federated subject (homeCloud, homeSub) comes out; from the subject, the
// user to look for in every realm and the list of fan-out targets.
import { BrokerError } from '../errors.ts';
import { downstreamUsername } from '../naming.ts';
import { HOME_CLOUD_ATTRIBUTE, HOME_SUBJECT_ATTRIBUTE } from '../render/keycloak/names.ts';
import { sha256Base64url } from '../sha256.ts';
import type { FederationSpec } from '../federation/schema.ts';
import { isTrusted } from '../federation/trust.ts';
import type { FederatedSubject } from '../subject.ts';

/** A user as a realm's admin API shows it, reduced to what correlation needs. */
export interface RealmUser {
  readonly id: string;
  readonly username: string;
  readonly attributes?: Readonly<Record<string, readonly string[]>>;
  readonly federatedIdentities?: readonly { readonly identityProvider: string; readonly userId: string; readonly userName: string }[];
}

/**
 * The federated subject of `user` in `cloud`'s realm. A brokered user carries home_cloud (stamped by
 * a hard-coded mapper) and must also be linked to the identity provider of that home cloud; anyone
 * else is at home in `cloud`.
 */
export function subjectOfUser(spec: FederationSpec, cloud: string, user: RealmUser): FederatedSubject {
  const home = first(user.attributes?.[HOME_CLOUD_ATTRIBUTE]);
  if (!home || home === cloud) return { homeCloud: cloud, homeSub: user.id, homeUsername: user.username };
  const link = user.federatedIdentities?.find((f) => f.identityProvider === home);
  const details = { cloud, user: user.username, homeCloud: home };
  if (!spec.clouds.some((c) => c.alias === home) || !isTrusted(spec, home, cloud)) {
    throw new BrokerError('ERR_LOGOUT_SUBJECT_UNKNOWN', `user ${user.username} of cloud ${cloud} claims home cloud ${home}, which ${cloud} does not trust`, { details });
  }
  if (!link) {
    throw new BrokerError('ERR_LOGOUT_SUBJECT_UNKNOWN', `user ${user.username} of cloud ${cloud} has home_cloud ${home} but no identity-provider link to it`, { details });
  }
  const homeSub = first(user.attributes?.[HOME_SUBJECT_ATTRIBUTE]) ?? link.userId;
  return { homeCloud: home, homeSub, homeUsername: link.userName };
}

function first(values: readonly string[] | undefined): string | undefined {
  const v = values?.[0];
  return v === undefined || v === '' ? undefined : v;
}

/** How to find the subject's user in one cloud's realm. */
export type UserLookup =
  | { readonly by: 'id'; readonly id: string }
  | { readonly by: 'username'; readonly username: string }
  /** A brokered user: the home subject attribute, cross-checked against the IdP link and username. */
  | { readonly by: 'brokered'; readonly identityProvider: string; readonly homeSub: string; readonly username?: string };

export function userLookupIn(spec: FederationSpec, subject: FederatedSubject, cloud: string): UserLookup {
  if (cloud === subject.homeCloud) return { by: 'id', id: subject.homeSub };
  return {
    by: 'brokered', identityProvider: subject.homeCloud, homeSub: subject.homeSub,
    ...(subject.homeUsername && { username: downstreamUsername(spec.naming, subject.homeCloud, subject.homeUsername) }),
  };
}

/** Does a user found in `cloud` by a lookup really belong to the subject? (Never trust a search alone.) */
export function userMatches(spec: FederationSpec, subject: FederatedSubject, cloud: string, user: RealmUser): boolean {
  try {
    const found = subjectOfUser(spec, cloud, user);
    return found.homeCloud === subject.homeCloud && found.homeSub === subject.homeSub;
  } catch {
    return false;
  }
}

export type TargetSystem = 'keycloak' | 'keystone';

export interface FanoutTarget {
  readonly system: TargetSystem;
  readonly cloud: string;
}

/** Every place the subject can hold a session: Keycloak in home and every trusting partner, and their Keystones. */
export function fanoutTargets(spec: FederationSpec, subject: FederatedSubject): FanoutTarget[] {
  const clouds = spec.clouds.filter((c) => c.alias === subject.homeCloud || isTrusted(spec, subject.homeCloud, c.alias));
  return [
    ...clouds.map((c) => ({ system: 'keycloak' as const, cloud: c.alias })),
    ...clouds.filter((c) => c.keystone).map((c) => ({ system: 'keystone' as const, cloud: c.alias })),
  ];
}

/** The subject's places in one cloud only: its realm, and its Keystone if it has one. */
export function cloudTargets(spec: FederationSpec, cloud: string): FanoutTarget[] {
  const found = spec.clouds.find((c) => c.alias === cloud);
  if (!found) return [];
  return [{ system: 'keycloak', cloud }, ...(found.keystone ? [{ system: 'keystone' as const, cloud }] : [])];
}

/** The Keystone user name (= unique id of its shadow user) of the subject in `cloud`. */
export function keystoneUserName(spec: FederationSpec, subject: FederatedSubject, cloud: string): string | undefined {
  if (!subject.homeUsername) return undefined;
  return cloud === subject.homeCloud ? subject.homeUsername : downstreamUsername(spec.naming, subject.homeCloud, subject.homeUsername);
}

/** Characters allowed in ids that become queue job ids and Redis key parts. */
export function safeId(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 160);
}

export function targetKey(target: FanoutTarget): string {
  return `${target.system}-${target.cloud}`;
}

/** Idempotency key of one delivery: one job per (event, target), whatever the number of signals. */
export function deliveryKey(eventId: string, target: FanoutTarget): string {
  return `${safeId(eventId)}-${targetKey(target)}`;
}

/**
 * Logout event ids: deterministic for signals that can arrive twice (tokens, realm events), so the
 * same signal always names the same event (idempotency), and collision-free: a readable, shortened
 * prefix (`bcl-cloud-a-<start of the jti>`) plus the SHA-256 of the full (source, cloud, ref). At
 * most EVENT_ID_MAX_LENGTH characters, all of them safe for job ids and Redis keys.
 */
export function eventIdFor(signal: { readonly source: 'backchannel' | 'keycloak-event' | 'admin'; readonly cloud: string; readonly ref: string }): string {
  const prefix = { backchannel: 'bcl', 'keycloak-event': 'kce', admin: 'adm' }[signal.source];
  const digest = sha256Base64url(JSON.stringify([signal.source, signal.cloud, signal.ref]));
  return `${prefix}-${safeId(signal.cloud).slice(0, 32)}-${safeId(signal.ref).slice(0, 48)}-${digest}`;
}

/** 3 (prefix) + 32 (cloud) + 48 (ref) + 43 (digest) + 3 separators. */
export const EVENT_ID_MAX_LENGTH = 129;

/** A Keycloak session, named across realms. */
export function sessionKey(cloud: string, sid: string): string {
  return `${cloud}/${sid}`;
}

export interface BackoffPolicy {
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;
}

/** Short, capped steps: a target that comes back is reached within maxDelayMs; ~1 h of retries in all. */
export const DEFAULT_BACKOFF: BackoffPolicy = { firstDelayMs: 250, maxDelayMs: 2000, maxAttempts: 1800 };

/** Delay before retry number `attemptsMade` (1 = after the first failure): 250, 500, 1000, 2000, 2000, ... */
export function backoffDelayMs(attemptsMade: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, Math.min(attemptsMade - 1, 20));
  return Math.min(policy.firstDelayMs * 2 ** exponent, policy.maxDelayMs);
}
