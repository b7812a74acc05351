// The start of every logout, whatever reported it (back-channel token, realm LOGOUT event, admin):
//   1. a session that an earlier event already holds joins that event (echoes of our own fan-out,
//      the same logout reported by token and by realm event)
//   2. find the federated subject behind the realm user
//   3. while an event for the same subject has not delivered any target yet and its logout is not
//      older than this one, join it (its deliveries still lie ahead, so they also end whatever this
//      signal reports; once one target is done, or for a later logout, a session started since could
//      be missed: a new, converging fan-out is started instead)
//   4. record the event with its fan-out targets and the time of the logout (only what started
//      before it ends), then queue one delivery per target (idempotent keys)
import { BrokerError } from '../../core/errors.ts';
import { buildReport, isDone, logoutTimeOf, type LogoutEventRecord, type LogoutSource } from '../../core/logout/report.ts';
import { coversLogoutAt } from '../../core/logout/stale.ts';
import { deliveryKey, eventIdFor, fanoutTargets, sessionKey, subjectOfUser } from '../../core/logout/subject.ts';
import type { FederatedSubject } from '../../core/subject.ts';
import { realmOf, SESSION_CLAIM_TTL_SECONDS, SUBJECT_COALESCE_TTL_SECONDS, type LogoutDeps } from './deps.ts';

export interface LogoutSignal {
  readonly source: LogoutSource;
  /** The cloud whose realm reported the logout. */
  readonly cloud: string;
  /** What identifies the signal at its source (jti, realm event id); admin signals get a fresh id. */
  readonly ref: string;
  /** The user's id in that realm (token `sub`, event `userId`). */
  readonly userId?: string;
  readonly sessionId?: string;
  /** When the logout happened (ms): the realm event's time, the token's iat, the admin's command. */
  readonly loggedOutAt: number;
  /** Known already (admin logouts). */
  readonly subject?: FederatedSubject;
}

export interface LogoutStarted {
  readonly eventId: string;
  /** true when the signal joined an existing event instead of starting one. */
  readonly coalesced: boolean;
}

export async function startLogout(deps: LogoutDeps, signal: LogoutSignal): Promise<LogoutStarted> {
  const eventId = eventIdFor(signal);
  if (signal.sessionId) {
    const holder = await deps.store.claimSession(sessionKey(signal.cloud, signal.sessionId), eventId, SESSION_CLAIM_TTL_SECONDS);
    if (holder && holder !== eventId) return join(deps, holder, eventId, signal, 'session');
  }
  const subject = signal.subject ?? await subjectBehind(deps, signal);
  const subjectHolder = await deps.store.claimSession(`subject/${subject.homeCloud}/${subject.homeSub}`, eventId, SUBJECT_COALESCE_TTL_SECONDS);
  if (subjectHolder && subjectHolder !== eventId && await coversSignal(deps, subjectHolder, signal)) return join(deps, subjectHolder, eventId, signal, 'subject');
  const event: LogoutEventRecord = {
    id: eventId, source: signal.source, cloud: signal.cloud, subject, receivedAt: deps.clock.now().getTime(), loggedOutAt: signal.loggedOutAt,
    correlationId: eventId, targets: fanoutTargets(deps.spec, subject),
  };
  const created = await deps.store.createEvent(event);
  const stored = created ? event : (await deps.store.event(eventId)) ?? event;
  await deps.queue.enqueue(stored.targets.map((target) => ({ key: deliveryKey(stored.id, target), eventId: stored.id, target })));
  if (created) {
    deps.audit.record({ action: 'logout.started', correlationId: stored.correlationId, eventId: stored.id, source: signal.source, cloud: signal.cloud,
      homeCloud: subject.homeCloud, homeSub: subject.homeSub, targets: stored.targets.map((t) => `${t.system}/${t.cloud}`) });
  }
  return { eventId: stored.id, coalesced: false };
}

async function join(deps: LogoutDeps, holder: string, eventId: string, signal: LogoutSignal, by: 'session' | 'subject'): Promise<LogoutStarted> {
  await deps.store.addCoalesced(holder, eventId);
  deps.audit.record({ action: 'logout.coalesced', correlationId: holder, eventId: holder, signal: eventId, source: signal.source, cloud: signal.cloud, by });
  return { eventId: holder, coalesced: true };
}

/** The event's deliveries all lie ahead and end whatever the signal's logout ended. */
async function coversSignal(deps: LogoutDeps, eventId: string, signal: LogoutSignal): Promise<boolean> {
  const event = await deps.store.event(eventId);
  if (!event || !coversLogoutAt(logoutTimeOf(event), signal.loggedOutAt)) return false;
  const report = buildReport(event, await deps.store.deliveries(eventId));
  return report.outcome === 'pending' && !report.deliveries.some(isDone);
}

async function subjectBehind(deps: LogoutDeps, signal: LogoutSignal): Promise<FederatedSubject> {
  if (!signal.userId) {
    throw new BrokerError('ERR_LOGOUT_SUBJECT_UNKNOWN', `a logout from cloud ${signal.cloud} names only a session the broker does not know`,
      { details: { cloud: signal.cloud, source: signal.source } });
  }
  const user = await deps.keycloak(signal.cloud).userById(realmOf(deps, signal.cloud), signal.userId);
  // A user deleted since: still a subject of this cloud; partner copies are found by home_sub.
  return user ? subjectOfUser(deps.spec, signal.cloud, user) : { homeCloud: signal.cloud, homeSub: signal.userId };
}
