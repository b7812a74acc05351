// OIDC Back-Channel Logout 1.0 §2.6 validation rules, pure: the decoded header and claims, the time,
// and what the spec says about each cloud go in; an accepted logout or a BrokerError with one
// ERR_LOGOUT_* code per rule comes out. The signature is checked by an adapter (jose) between
// `logoutIssuerFor` (which realm's keys to use) and `checkLogoutClaims`.
import { BrokerError, type ErrorCode } from '../errors.ts';
import { homeClientId } from '../render/keycloak/names.ts';
import type { FederationSpec } from '../spec/schema.ts';
import { trustEdges } from '../spec/trust.ts';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** One realm whose logout tokens the broker accepts, as the spec defines it. */
export interface LogoutIssuer {
  readonly cloud: string;
  readonly realm: string;
  /** `<keycloak url>/realms/<realm>`: the `iss` of the realm's tokens. */
  readonly issuer: string;
  readonly jwksUri: string;
  /** The broker's clients in this realm (`fed-<partner>` for every partner trusting this home). */
  readonly audiences: readonly string[];
  readonly acceptUntyped: boolean;
}

export interface LogoutTimeRules {
  /** Oldest accepted `iat`, seconds before now. */
  readonly maxAgeSeconds: number;
  /** Newest accepted `iat`, seconds after now (clock skew). */
  readonly futureSkewSeconds: number;
}

export const DEFAULT_TIME_RULES: LogoutTimeRules = { maxAgeSeconds: 120, futureSkewSeconds: 30 };

/** A logout token that passed every rule. */
export interface AcceptedLogout {
  readonly cloud: string;
  readonly realm: string;
  readonly issuer: string;
  readonly jti: string;
  readonly iat: number;
  readonly sub?: string;
  readonly sid?: string;
  /** The broker client the token was sent to. */
  readonly audience: string;
}

export function realmIssuer(keycloakUrl: string, realm: string): string {
  return `${keycloakUrl.replace(/\/+$/, '')}/realms/${encodeURIComponent(realm)}`;
}

/** Every OIDC home realm with its broker clients (SAML homes send no OIDC logout tokens). */
export function logoutIssuers(spec: FederationSpec): LogoutIssuer[] {
  const edges = trustEdges(spec);
  return spec.clouds.filter((c) => c.homeProtocol === 'oidc').map((c) => {
    const issuer = realmIssuer(c.keycloak.url, c.keycloak.realm);
    return {
      cloud: c.alias, realm: c.keycloak.realm, issuer, jwksUri: `${issuer}/protocol/openid-connect/certs`,
      audiences: edges.filter((e) => e.home === c.alias).map((e) => homeClientId(e.partner)),
      acceptUntyped: c.keycloak.insecureAcceptUntypedLogoutTokens,
    };
  });
}

function reject(code: ErrorCode, message: string, details: Record<string, unknown> = {}): never {
  throw new BrokerError(code, message, { details });
}

/**
 * The realm a token sent to `/logout/backchannel/<cloud>` must come from: the path names the cloud,
 * and the (still unverified) `iss` must be exactly that cloud's realm. Only then are its keys used.
 */
export function logoutIssuerFor(cloud: string, unverifiedIss: unknown, issuers: readonly LogoutIssuer[]): LogoutIssuer {
  const known = issuers.find((i) => i.cloud === cloud);
  if (!known) reject('ERR_LOGOUT_ISSUER', `cloud "${cloud}" is not an OIDC home cloud of this federation`, { cloud });
  if (unverifiedIss !== known.issuer) reject('ERR_LOGOUT_ISSUER', `the token's issuer is not the realm of cloud ${cloud}`, { cloud, iss: String(unverifiedIss).slice(0, 200) });
  return known;
}

/** Every rule of §2.6 except the signature (done before) and jti replay (needs state, done after). */
export function checkLogoutClaims(
  header: Readonly<Record<string, unknown>>,
  claims: Readonly<Record<string, unknown>>,
  nowSeconds: number,
  issuer: LogoutIssuer,
  rules: LogoutTimeRules = DEFAULT_TIME_RULES,
): AcceptedLogout {
  const where = { cloud: issuer.cloud };
  const typ = typeof header['typ'] === 'string' ? header['typ'].toLowerCase() : undefined;
  const typed = typ === 'logout+jwt' || typ === 'application/logout+jwt';
  if (!typed && !(issuer.acceptUntyped && (typ === 'jwt' || typ === undefined))) {
    reject('ERR_LOGOUT_TYP', `logout token typ is ${typ ?? 'absent'}, expected logout+jwt`, { ...where, typ: typ ?? null });
  }
  if (claims['iss'] !== issuer.issuer) reject('ERR_LOGOUT_ISSUER', `the token's issuer is not the realm of cloud ${issuer.cloud}`, where);
  const aud = typeof claims['aud'] === 'string' ? [claims['aud']] : Array.isArray(claims['aud']) ? claims['aud'].filter((a): a is string => typeof a === 'string') : [];
  const audience = aud.find((a) => issuer.audiences.includes(a));
  if (!audience) reject('ERR_LOGOUT_AUDIENCE', 'the logout token is not addressed to a broker client of this realm', { ...where, aud: aud.slice(0, 5) });
  const iat = claims['iat'];
  if (typeof iat !== 'number' || !Number.isFinite(iat)) reject('ERR_LOGOUT_IAT_EXPIRED', 'the logout token has no numeric iat', where);
  if (iat < nowSeconds - rules.maxAgeSeconds) reject('ERR_LOGOUT_IAT_EXPIRED', `the logout token was issued ${nowSeconds - iat} s ago (max ${rules.maxAgeSeconds} s)`, where);
  if (iat > nowSeconds + rules.futureSkewSeconds) reject('ERR_LOGOUT_IAT_FUTURE', `the logout token was issued ${iat - nowSeconds} s in the future (max skew ${rules.futureSkewSeconds} s)`, where);
  const exp = claims['exp'];
  if (exp !== undefined && (typeof exp !== 'number' || exp < nowSeconds - rules.futureSkewSeconds)) reject('ERR_LOGOUT_IAT_EXPIRED', 'the logout token has expired', where);
  const jti = claims['jti'];
  if (typeof jti !== 'string' || jti === '' || jti.length > 512) reject('ERR_LOGOUT_JTI', 'the logout token has no usable jti', where);
  const events = claims['events'];
  const event = typeof events === 'object' && events !== null && !Array.isArray(events) ? (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT] : undefined;
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    reject('ERR_LOGOUT_EVENTS', `the events claim lacks ${BACKCHANNEL_LOGOUT_EVENT} as an object`, where);
  }
  if ('nonce' in claims) reject('ERR_LOGOUT_NONCE', 'a logout token must not contain a nonce', where);
  const sub = nonEmptyString(claims['sub']);
  const sid = nonEmptyString(claims['sid']);
  if (!sub && !sid) reject('ERR_LOGOUT_SUBJECT', 'the logout token names neither sub nor sid', where);
  return { cloud: issuer.cloud, realm: issuer.realm, issuer: issuer.issuer, jti, iat, audience, ...(sub && { sub }), ...(sid && { sid }) };
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= 512 ? value : undefined;
}

/** The replay-store key of a token: jti is unique per issuer only. */
export function replayKey(accepted: Pick<AcceptedLogout, 'issuer' | 'jti'>): string {
  return `${accepted.issuer}#${accepted.jti}`;
}

/** How long a jti must be remembered: until a token with that iat could no longer pass the iat window. */
export function replayTtlSeconds(rules: LogoutTimeRules = DEFAULT_TIME_RULES): number {
  return rules.maxAgeSeconds + rules.futureSkewSeconds + 60;
}
