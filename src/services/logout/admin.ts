// Admin-initiated global logout of <home>:<username>, and the delivery report of any logout event.
import { BrokerError } from '../../core/errors.ts';
import { buildReport, type DeliveryReport } from '../../core/logout/report.ts';
import { subjectOfUser } from '../../core/logout/subject.ts';
import { realmOf, type LogoutDeps } from './deps.ts';
import { startLogout, type LogoutStarted } from './start.ts';

export async function adminLogout(deps: LogoutDeps, home: string, username: string): Promise<LogoutStarted> {
  if (!deps.spec.clouds.some((c) => c.alias === home)) {
    throw new BrokerError('ERR_SUBJECT_NOT_FOUND', `cloud ${home} is not in the spec`, { details: { cloud: home } });
  }
  const users = await deps.keycloak(home).findUsers(realmOf(deps, home), { by: 'username', username });
  const user = users.find((u) => u.username === username.toLowerCase() || u.username === username);
  if (!user) throw new BrokerError('ERR_SUBJECT_NOT_FOUND', `no user ${username} in cloud ${home}`, { details: { cloud: home, user: username } });
  const subject = subjectOfUser(deps.spec, home, user);
  return startLogout(deps, { source: 'admin', cloud: home, ref: deps.ids.newId(), subject, loggedOutAt: deps.clock.now().getTime() });
}

export async function logoutReport(deps: Pick<LogoutDeps, 'store'>, eventId: string): Promise<DeliveryReport> {
  const event = await deps.store.event(eventId);
  if (!event) throw new BrokerError('ERR_LOGOUT_EVENT_NOT_FOUND', `no logout event ${eventId}`, { details: { eventId } });
  return buildReport(event, await deps.store.deliveries(eventId));
}
