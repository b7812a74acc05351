// Admin-initiated logouts: a global logout of <home>:<username> (every realm, every Keystone), the end
// of her sessions in one cloud only (that cloud's realm and Keystone), and the delivery report of any
// logout event.
import { BrokerError } from '../../core/errors.ts';
import { downstreamUsername } from '../../core/naming.ts';
import { isTrusted } from '../../core/federation/trust.ts';
import { buildReport, type DeliveryReport, type LogoutEventRecord } from '../../core/logout/report.ts';
import { cloudTargets, deliveryKey, eventIdFor, subjectOfUser } from '../../core/logout/subject.ts';
import { realmOf, type LogoutDeps } from './deps.ts';
import { startLogout, type LogoutStarted } from './start.ts';

export async function adminLogout(deps: LogoutDeps, home: string, username: string): Promise<LogoutStarted> {
  requireCloud(deps, home);
  const users = await deps.keycloak(home).findUsers(realmOf(deps, home), { by: 'username', username });
  const user = users.find((u) => u.username === username.toLowerCase() || u.username === username);
  if (!user) throw new BrokerError('ERR_SUBJECT_NOT_FOUND', `no user ${username} in cloud ${home}`, { details: { cloud: home, user: username } });
  const subject = subjectOfUser(deps.spec, home, user);
  return startLogout(deps, { source: 'admin', cloud: home, ref: deps.ids.newId(), subject, loggedOutAt: deps.clock.now().getTime() });
}

/**
 * Ends the sessions of <home>:<username> in `cloud` only: its realm (without handing the end on to the
 * home, ./handover.ts) and its Keystone. The user is found in that cloud's realm, so the home need not
 * answer. Such an event never joins another, and no global signal joins it by subject: a logout at
 * home during it still fans out everywhere.
 */
export async function adminCloudLogout(deps: LogoutDeps, cloud: string, home: string, username: string): Promise<LogoutStarted> {
  requireCloud(deps, cloud);
  requireCloud(deps, home);
  if (home !== cloud && !isTrusted(deps.spec, home, cloud)) {
    throw new BrokerError('ERR_SUBJECT_NOT_FOUND', `cloud ${cloud} does not trust ${home}: no user of ${home} can have a session there`, { details: { cloud, homeCloud: home } });
  }
  const realmUsername = home === cloud ? username : downstreamUsername(deps.spec.naming, home, username);
  const found = await deps.keycloak(cloud).findUsers(realmOf(deps, cloud), { by: 'username', username: realmUsername });
  const user = found.find((u) => u.username === realmUsername.toLowerCase() || u.username === realmUsername);
  // subjectOfUser checks a guest's home attribute against her identity-provider link (and refuses an untrusted home).
  const subject = user && subjectOfUser(deps.spec, cloud, user);
  if (!user || !subject || subject.homeCloud !== home) {
    throw new BrokerError('ERR_SUBJECT_NOT_FOUND', `no user ${home}:${username} in cloud ${cloud} (looked for ${realmUsername} in its realm)`, { details: { cloud, homeCloud: home, user: username } });
  }
  const now = deps.clock.now().getTime();
  const id = eventIdFor({ source: 'admin', cloud, ref: deps.ids.newId() });
  const event: LogoutEventRecord = {
    id, source: 'admin', cloud, subject, receivedAt: now, loggedOutAt: now, correlationId: id, targets: cloudTargets(deps.spec, cloud), onlyCloud: cloud,
  };
  await deps.store.createEvent(event);
  await deps.queue.enqueue(event.targets.map((target) => ({ key: deliveryKey(id, target), eventId: id, target })));
  deps.audit.record({ action: 'logout.started', correlationId: id, eventId: id, source: 'admin', cloud, onlyCloud: cloud,
    homeCloud: subject.homeCloud, homeSub: subject.homeSub, targets: event.targets.map((t) => `${t.system}/${t.cloud}`) });
  return { eventId: id, coalesced: false };
}

export async function logoutReport(deps: Pick<LogoutDeps, 'store'>, eventId: string): Promise<DeliveryReport> {
  const event = await deps.store.event(eventId);
  if (!event) throw new BrokerError('ERR_LOGOUT_EVENT_NOT_FOUND', `no logout event ${eventId}`, { details: { eventId } });
  return buildReport(event, await deps.store.deliveries(eventId));
}

function requireCloud(deps: LogoutDeps, cloud: string): void {
  if (!deps.spec.clouds.some((c) => c.alias === cloud)) {
    throw new BrokerError('ERR_SUBJECT_NOT_FOUND', `cloud ${cloud} is not in the spec`, { details: { cloud } });
  }
}
