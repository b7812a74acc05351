// Ending a brokered user's sessions in one partner realm only. Keycloak's admin API ends a brokered
// session together with the home's (the partner's identity provider hands the end over to the home:
// back-channel logout, which the broker turns on so that a logout anywhere ends the sessions
// everywhere) and offers no call without that hand-over. So for this one delivery the broker turns the
// hand-over off on that one identity provider, ends the sessions, and turns it on again:
//   1. take the hand-over lock of (cloud, identity provider) in the store (one delivery at a time,
//      across broker processes; a busy lock fails the attempt and the queue retries it)
//   2. hand-over off, end the sessions, hand-over on (also when ending fails)
//   3. release the lock
// While it is off (a few admin round trips), other ends of that provider's sessions in that realm stay
// there too; the fan-out of a global logout is not affected (it ends the home's sessions itself).
// Should the broker die in between, the provider stays off until the next delivery of this kind or
// the next `fedbroker apply` (the plan shows it as a change of the provider).
import { BrokerError } from '../../core/errors.ts';
import type { LogoutDeps } from './deps.ts';

/** Long enough for the few calls in between; a lock left by a dead process frees itself. */
const HANDOVER_LOCK_TTL_SECONDS = 30;

export async function withoutHandover<T>(deps: LogoutDeps, cloud: string, realm: string, identityProvider: string, work: () => Promise<T>): Promise<T> {
  const lock = `handover-off/${cloud}/${identityProvider}`;
  if (!await deps.store.claimOnce(lock, HANDOVER_LOCK_TTL_SECONDS)) {
    throw new BrokerError('ERR_LOGOUT_HANDOVER_BUSY', `another delivery has the logout hand-over of identity provider ${identityProvider} in cloud ${cloud} turned off`,
      { details: { cloud, identityProvider } });
  }
  const keycloak = deps.keycloak(cloud);
  try {
    await keycloak.setLogoutHandover(realm, identityProvider, false);
    try {
      return await work();
    } finally {
      await keycloak.setLogoutHandover(realm, identityProvider, true);
    }
  } finally {
    await deps.store.release(lock);
  }
}
