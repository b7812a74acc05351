// One delivery: end the subject's sessions in one realm, or revoke their tokens in one Keystone.
// Runs at least once per (event, target); a delivered target is never redone. A failure is recorded
// and thrown, so the queue retries it with backoff.
import { isBrokerError } from '../../core/errors.ts';
import { buildReport, deliveredAfter, failedAttempt, pendingDelivery, type LogoutEventRecord } from '../../core/logout/report.ts';
import { keystoneUserName, sessionKey, userLookupIn, userMatches, type FanoutTarget } from '../../core/logout/subject.ts';
import type { DeliveryAttempt, DeliveryJob } from '../../ports.ts';
import { realmOf, SESSION_CLAIM_TTL_SECONDS, type LogoutDeps } from './deps.ts';

export async function deliverLogout(deps: LogoutDeps, job: DeliveryJob, attempt: DeliveryAttempt): Promise<void> {
  const event = await deps.store.event(job.eventId);
  if (!event) return; // expired or never recorded: nothing to prove
  const previous = (await deps.store.deliveries(event.id)).find((d) => d.system === job.target.system && d.cloud === job.target.cloud) ?? pendingDelivery(job.target);
  if (previous.status === 'delivered') return;
  const audit = { correlationId: event.correlationId, eventId: event.id, target: `${job.target.system}/${job.target.cloud}`, attempt: attempt.attempt };
  try {
    const detail = job.target.system === 'keycloak' ? await endSessions(deps, event, job.target) : await revokeTokens(deps, event, job.target);
    const delivered = deliveredAfter(previous, attempt.attempt, deps.clock.now().getTime(), event.receivedAt, detail);
    await deps.store.saveDelivery(event.id, delivered);
    deps.audit.record({ action: 'logout.delivered', ...audit, detail, latencyMs: delivered.latencyMs });
    const report = buildReport(event, await deps.store.deliveries(event.id));
    if (report.outcome === 'delivered') deps.audit.record({ action: 'logout.completed', correlationId: event.correlationId, eventId: event.id, latencyMs: report.latencyMs });
  } catch (error) {
    const reason = { code: isBrokerError(error) ? error.code : 'ERR_INTERNAL', message: error instanceof Error ? error.message : String(error) };
    await deps.store.saveDelivery(event.id, failedAttempt(previous, attempt.attempt, reason, attempt.final));
    deps.audit.record({ action: attempt.final ? 'logout.failed' : 'logout.retrying', ...audit, error: reason });
    throw error;
  }
}

async function endSessions(deps: LogoutDeps, event: LogoutEventRecord, target: FanoutTarget): Promise<string> {
  const keycloak = deps.keycloak(target.cloud);
  const realm = realmOf(deps, target.cloud);
  const lookup = userLookupIn(deps.spec, event.subject, target.cloud);
  const found = lookup.by === 'id'
    ? [await keycloak.userById(realm, lookup.id)].filter((u) => u !== undefined)
    : (await keycloak.findUsers(realm, lookup)).filter((u) => userMatches(deps.spec, event.subject, target.cloud, u));
  let ended = 0;
  for (const user of found) {
    const sessions = await keycloak.sessions(realm, user.id);
    // Bind the sessions to this event first: the logout tokens Keycloak sends for them are echoes.
    for (const sid of sessions) await deps.store.claimSession(sessionKey(target.cloud, sid), event.id, SESSION_CLAIM_TTL_SECONDS);
    if (sessions.length > 0) await keycloak.logoutUser(realm, user.id);
    ended += sessions.length;
  }
  return found.length === 0 ? 'no user' : `${ended} session(s) of ${found.length} user(s) ended`;
}

async function revokeTokens(deps: LogoutDeps, event: LogoutEventRecord, target: FanoutTarget): Promise<string> {
  const keystone = deps.keystone(target.cloud);
  if (!keystone) return 'no Keystone';
  const name = keystoneUserName(deps.spec, event.subject, target.cloud);
  if (!name) return 'user name unknown (user deleted at home): nothing to revoke by name';
  const revoked = await keystone.revokeFederatedUser(name);
  return revoked === 0 ? 'no federated user' : `${revoked} federated user(s) revoked`;
}
