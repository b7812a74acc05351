// A back-channel logout token arrives for home cloud <cloud> (OIDC Back-Channel Logout 1.0 §2.6):
//   1. read the unverified issuer and require it to be that cloud's realm
//   2. verify the signature with the realm's keys
//   3. check typ, aud, iat window, exp, nbf, jti, events, nonce, sub/sid
//   4. remember the jti (a replay is refused), then start the logout
// A rejected token changes nothing; a failure after step 4 forgets the jti again, so a retry can pass.
import { BrokerError } from '../../core/errors.ts';
import { checkLogoutClaims, DEFAULT_TIME_RULES, logoutIssuerFor, replayKey, replayTtlSeconds, type AcceptedLogout } from '../../core/logout/token-rules.ts';
import { logoutTimeOfToken } from '../../core/logout/stale.ts';
import type { LogoutDeps } from './deps.ts';
import { startLogout, type LogoutStarted } from './start.ts';

/** Steps 1 to 3: the token, accepted or refused with its ERR_LOGOUT_* code; nothing is stored. */
export async function validateLogoutToken(deps: LogoutDeps, cloud: string, token: string): Promise<AcceptedLogout> {
  const unverified = deps.verifier.decode(token);
  const issuer = logoutIssuerFor(cloud, unverified.claims['iss'], deps.issuers);
  const rules = deps.timeRules ?? DEFAULT_TIME_RULES;
  const now = deps.clock.now();
  const { header, claims } = await deps.verifier.verify(token, issuer, { now, clockToleranceSeconds: rules.futureSkewSeconds });
  return checkLogoutClaims(header, claims, Math.floor(now.getTime() / 1000), issuer, rules);
}

export async function receiveBackchannelLogout(deps: LogoutDeps, cloud: string, token: string): Promise<LogoutStarted> {
  const rules = deps.timeRules ?? DEFAULT_TIME_RULES;
  const accepted = await validateLogoutToken(deps, cloud, token);
  const jtiKey = `jti/${replayKey(accepted)}`;
  if (!(await deps.store.claimOnce(jtiKey, replayTtlSeconds(rules)))) {
    throw new BrokerError('ERR_LOGOUT_REPLAY', 'this logout token was received before', { details: { cloud, jti: accepted.jti } });
  }
  try {
    return await startLogout(deps, {
      source: 'backchannel', cloud, ref: accepted.jti, loggedOutAt: logoutTimeOfToken(accepted.iat),
      ...(accepted.sub && { userId: accepted.sub }), ...(accepted.sid && { sessionId: accepted.sid }),
    });
  } catch (error) {
    await deps.store.release(jtiKey);
    throw error;
  }
}
