// One delivery: end the subject's sessions in one realm, or revoke their tokens in one Keystone.
// Runs at least once per (event, target); a target that is done is never redone. A failure is recorded
// and thrown, so the queue retries it with backoff. Only what started before the logout ends
// (core/logout/stale.ts): Keycloak sessions started since stay; a Keystone, which can only revoke all
// of a user's tokens, is skipped as stale when the user has logged in to that cloud's realm since.
import { isBrokerError } from '../../core/errors.ts';
import { buildReport, deliveredAfter, failedAttempt, isDone, logoutTimeOf, pendingDelivery, skippedStale, type LogoutEventRecord } from '../../core/logout/report.ts';
import { sessionsToEnd, wholesaleRevocation, type RealmSession } from '../../core/logout/stale.ts';
import { keystoneUserName, sessionKey, userLookupIn, userMatches, type FanoutTarget, type RealmUser } from '../../core/logout/subject.ts';
import type { DeliveryAttempt, DeliveryJob } from '../../ports.ts';
import { realmOf, SESSION_CLAIM_TTL_SECONDS, type LogoutDeps } from './deps.ts';
import { withoutHandover } from './handover.ts';

interface TargetOutcome {
  readonly detail: string;
  /** The logout is stale for this target: skipped, nothing changed. */
  readonly stale?: boolean;
}

export async function deliverLogout(deps: LogoutDeps, job: DeliveryJob, attempt: DeliveryAttempt): Promise<void> {
  const event = await deps.store.event(job.eventId);
  if (!event) return; // expired or never recorded: nothing to prove
  const previous = (await deps.store.deliveries(event.id)).find((d) => d.system === job.target.system && d.cloud === job.target.cloud) ?? pendingDelivery(job.target);
  if (isDone(previous)) return;
  const audit = { correlationId: event.correlationId, eventId: event.id, target: `${job.target.system}/${job.target.cloud}`, attempt: attempt.attempt };
  try {
    const outcome = job.target.system === 'keycloak' ? await endSessions(deps, event, job.target) : await revokeTokens(deps, event, job.target);
    const done = (outcome.stale ? skippedStale : deliveredAfter)(previous, attempt.attempt, deps.clock.now().getTime(), event.receivedAt, outcome.detail);
    await deps.store.saveDelivery(event.id, done);
    deps.audit.record({ action: outcome.stale ? 'logout.skipped-stale' : 'logout.delivered', ...audit, detail: outcome.detail, latencyMs: done.latencyMs });
    const report = buildReport(event, await deps.store.deliveries(event.id));
    if (report.outcome === 'delivered') deps.audit.record({ action: 'logout.completed', correlationId: event.correlationId, eventId: event.id, latencyMs: report.latencyMs });
  } catch (error) {
    const reason = { code: isBrokerError(error) ? error.code : 'ERR_INTERNAL', message: error instanceof Error ? error.message : String(error) };
    await deps.store.saveDelivery(event.id, failedAttempt(previous, attempt.attempt, reason, attempt.final));
    deps.audit.record({ action: attempt.final ? 'logout.failed' : 'logout.retrying', ...audit, error: reason });
    throw error;
  }
}

/** The subject's users in the target cloud's realm (a brokered user is verified, never trusted by search alone). */
async function usersOf(deps: LogoutDeps, event: LogoutEventRecord, cloud: string): Promise<RealmUser[]> {
  const keycloak = deps.keycloak(cloud);
  const realm = realmOf(deps, cloud);
  const lookup = userLookupIn(deps.spec, event.subject, cloud);
  return lookup.by === 'id'
    ? [await keycloak.userById(realm, lookup.id)].filter((u) => u !== undefined)
    : (await keycloak.findUsers(realm, lookup)).filter((u) => userMatches(deps.spec, event.subject, cloud, u));
}

async function endSessions(deps: LogoutDeps, event: LogoutEventRecord, target: FanoutTarget): Promise<TargetOutcome> {
  const keycloak = deps.keycloak(target.cloud);
  const realm = realmOf(deps, target.cloud);
  const found = await usersOf(deps, event, target.cloud);
  // In one cloud only: a guest's sessions end without the hand-over to her home realm.
  const guestInOneCloud = event.onlyCloud !== undefined && target.cloud !== event.subject.homeCloud;
  let ended = 0;
  let kept = 0;
  for (const user of found) {
    const { end, keep } = sessionsToEnd(await keycloak.sessions(realm, user.id), logoutTimeOf(event));
    // Bind the sessions to this event first: the logout tokens Keycloak sends for them are echoes.
    for (const sid of end) await deps.store.claimSession(sessionKey(target.cloud, sid), event.id, SESSION_CLAIM_TTL_SECONDS);
    const endThem = async () => {
      if (end.length > 0 && keep.length === 0) await keycloak.logoutUser(realm, user.id);
      else await Promise.all(end.map((sid) => keycloak.endSession(realm, sid)));
    };
    if (guestInOneCloud && end.length > 0) await withoutHandover(deps, target.cloud, realm, event.subject.homeCloud, endThem);
    else await endThem();
    ended += end.length;
    kept += keep.length;
  }
  if (found.length === 0) return { detail: 'no user' };
  const only = guestInOneCloud ? ' (in this realm only: not handed over to the home)' : '';
  return { detail: `${ended} session(s) of ${found.length} user(s) ended${only}${kept > 0 ? `; ${kept} started after the logout kept` : ''}` };
}

async function revokeTokens(deps: LogoutDeps, event: LogoutEventRecord, target: FanoutTarget): Promise<TargetOutcome> {
  const keystone = deps.keystone(target.cloud);
  if (!keystone) return { detail: 'no Keystone' };
  const name = keystoneUserName(deps.spec, event.subject, target.cloud);
  if (!name) return { detail: 'user name unknown (user deleted at home): nothing to revoke by name' };
  const loggedOutAt = logoutTimeOf(event);
  const since = await sessionsInRealm(deps, event, target.cloud);
  const decision = since === undefined ? { revoke: true as const } : wholesaleRevocation(loggedOutAt, since);
  if (!decision.revoke) {
    return { stale: true, detail: `skipped: logged in to ${target.cloud} again at ${new Date(decision.loggedInAgainAt).toISOString()}, after the logout at ${new Date(loggedOutAt).toISOString()}; revoking would end that login's tokens too` };
  }
  const revoked = await keystone.revokeFederatedUser(name);
  const unchecked = since === undefined ? ' (whether she logged in again could not be read from Keycloak: revoked)' : '';
  return { detail: `${revoked === 0 ? 'no federated user' : `${revoked} federated user(s) revoked`}${unchecked}` };
}

/**
 * The subject's sessions in the cloud's realm, to tell whether she logged in again since the logout;
 * undefined when Keycloak cannot answer (then the revocation goes ahead: revoking too much is safe,
 * and a Keystone delivery does not wait for that cloud's Keycloak).
 */
async function sessionsInRealm(deps: LogoutDeps, event: LogoutEventRecord, cloud: string): Promise<RealmSession[] | undefined> {
  try {
    const keycloak = deps.keycloak(cloud);
    const realm = realmOf(deps, cloud);
    const users = await usersOf(deps, event, cloud);
    return (await Promise.all(users.map((u) => keycloak.sessions(realm, u.id)))).flat();
  } catch {
    return undefined;
  }
}
