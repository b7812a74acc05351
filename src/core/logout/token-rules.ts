// OIDC Back-Channel Logout 1.0 §2.6 validation rules, pure: the decoded header and claims, the time,
// and what the spec says about each cloud go in; an accepted logout or a BrokerError with one
// ERR_LOGOUT_* code per rule comes out. The signature is checked by an adapter (jose) between
// `logoutIssuerFor` (which realm's keys to use) and `checkLogoutClaims`.
import { BrokerError, type ErrorCode } from '../errors.ts';
import { homeClientId } from '../render/keycloak/names.ts';
import { realmUrl } from '../federation/realm-url.ts';
import type { FederationSpec } from '../federation/schema.ts';
import { trustEdges } from '../federation/trust.ts';

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

/**
 * Clock skew allowed between a realm and the broker, for iat in the future, exp and nbf (seconds, not
 * minutes: a token whose nbf lies an hour ahead is not valid yet, whatever the clocks say).
 */
export const LOGOUT_CLOCK_TOLERANCE_SECONDS = 30;

export const DEFAULT_TIME_RULES: LogoutTimeRules = { maxAgeSeconds: 120, futureSkewSeconds: LOGOUT_CLOCK_TOLERANCE_SECONDS };

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

/** Every OIDC home realm with its broker clients (SAML homes send no OIDC logout tokens). */
export function logoutIssuers(spec: FederationSpec): LogoutIssuer[] {
  const edges = trustEdges(spec);
  return spec.clouds.filter((c) => c.homeProtocol === 'oidc').map((c) => {
    const issuer = realmUrl(c.keycloak.url, c.keycloak.realm);
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

/** Longest jti, sub and sid accepted (they become store keys and log fields). */
const MAX_ID_LENGTH = 512;

/** Every rule of §2.6 except the signature (done before) and jti replay (needs state, done after). */
export function checkLogoutClaims(
  header: Readonly<Record<string, unknown>>,
  claims: Readonly<Record<string, unknown>>,
  nowSeconds: number,
  issuer: LogoutIssuer,
  rules: LogoutTimeRules = DEFAULT_TIME_RULES,
): AcceptedLogout {
  const where = { cloud: issuer.cloud };
  checkTyp(header['typ'], issuer);
  if (claims['iss'] !== issuer.issuer) reject('ERR_LOGOUT_ISSUER', `the token's issuer is not the realm of cloud ${issuer.cloud}`, where);
  const aud = typeof claims['aud'] === 'string' ? [claims['aud']] : Array.isArray(claims['aud']) ? claims['aud'].filter((a): a is string => typeof a === 'string') : [];
  const audience = aud.find((a) => issuer.audiences.includes(a));
  if (!audience) reject('ERR_LOGOUT_AUDIENCE', 'the logout token is not addressed to a broker client of this realm', { ...where, aud: aud.slice(0, 5) });
  const iat = numericDate(claims, 'iat', true, where);
  if (iat < nowSeconds - rules.maxAgeSeconds) reject('ERR_LOGOUT_IAT_EXPIRED', `the logout token was issued ${nowSeconds - iat} s ago (max ${rules.maxAgeSeconds} s)`, where);
  if (iat > nowSeconds + rules.futureSkewSeconds) reject('ERR_LOGOUT_IAT_FUTURE', `the logout token was issued ${iat - nowSeconds} s in the future (max skew ${rules.futureSkewSeconds} s)`, where);
  const exp = numericDate(claims, 'exp', false, where);
  if (exp !== undefined && exp <= nowSeconds - rules.futureSkewSeconds) reject('ERR_LOGOUT_EXPIRED', `the logout token expired ${nowSeconds - exp} s ago (max skew ${rules.futureSkewSeconds} s)`, where);
  const nbf = numericDate(claims, 'nbf', false, where);
  if (nbf !== undefined && nbf > nowSeconds + rules.futureSkewSeconds) reject('ERR_LOGOUT_NOT_YET_VALID', `the logout token is valid only in ${nbf - nowSeconds} s (max skew ${rules.futureSkewSeconds} s)`, where);
  const jti = claims['jti'];
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_ID_LENGTH) reject('ERR_LOGOUT_JTI', 'the logout token has no usable jti', where);
  const events = claims['events'];
  const event = typeof events === 'object' && events !== null && !Array.isArray(events) ? (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT] : undefined;
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    reject('ERR_LOGOUT_EVENTS', `the events claim lacks ${BACKCHANNEL_LOGOUT_EVENT} as an object`, where);
  }
  if ('nonce' in claims) reject('ERR_LOGOUT_NONCE', 'a logout token must not contain a nonce', where);
  const sub = subjectClaim(claims, 'sub', where);
  const sid = subjectClaim(claims, 'sid', where);
  if (!sub && !sid) reject('ERR_LOGOUT_SUBJECT', 'the logout token names neither sub nor sid', where);
  return { cloud: issuer.cloud, realm: issuer.realm, issuer: issuer.issuer, jti, iat, audience, ...(sub && { sub }), ...(sid && { sid }) };
}

/** `logout+jwt` (media type: case-insensitive, `application/` optional); plain JWT or none only where the cloud allows it. */
function checkTyp(raw: unknown, issuer: LogoutIssuer): void {
  const typ = typeof raw === 'string' ? raw.toLowerCase() : undefined;
  const typed = typ === 'logout+jwt' || typ === 'application/logout+jwt';
  const untyped = raw === undefined || typ === 'jwt' || typ === 'application/jwt';
  if (!typed && !(issuer.acceptUntyped && untyped)) {
    const shown = raw === undefined ? 'absent' : typeof raw === 'string' ? raw.slice(0, 50) : `a ${typeof raw}`;
    reject('ERR_LOGOUT_TYP', `logout token typ is ${shown}, expected logout+jwt`, { cloud: issuer.cloud, typ: typeof raw === 'string' ? shown : null });
  }
}

/** A NumericDate claim (RFC 7519 §2): a finite JSON number; ERR_LOGOUT_CLAIM_INVALID when missing (if required) or not one. */
function numericDate(claims: Readonly<Record<string, unknown>>, name: 'iat' | 'exp' | 'nbf', required: true, where: Record<string, unknown>): number;
function numericDate(claims: Readonly<Record<string, unknown>>, name: 'iat' | 'exp' | 'nbf', required: false, where: Record<string, unknown>): number | undefined;
function numericDate(claims: Readonly<Record<string, unknown>>, name: 'iat' | 'exp' | 'nbf', required: boolean, where: Record<string, unknown>): number | undefined {
  const value = claims[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    reject('ERR_LOGOUT_CLAIM_INVALID', `the logout token's ${name} is ${value === undefined ? 'missing' : 'not a numeric date'}`, { ...where, claim: name });
  }
  return value;
}

/** sub and sid are optional, but when present they must be usable identifiers (non-empty strings). */
function subjectClaim(claims: Readonly<Record<string, unknown>>, name: 'sub' | 'sid', where: Record<string, unknown>): string | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > MAX_ID_LENGTH) {
    reject('ERR_LOGOUT_SUBJECT', `the logout token's ${name} is not a usable identifier`, { ...where, claim: name });
  }
  return value;
}

/** The replay-store key of a token: jti is unique per issuer only. */
export function replayKey(accepted: Pick<AcceptedLogout, 'issuer' | 'jti'>): string {
  return `${accepted.issuer}#${accepted.jti}`;
}

/** How long a jti must be remembered: until a token with that iat could no longer pass the iat window. */
export function replayTtlSeconds(rules: LogoutTimeRules = DEFAULT_TIME_RULES): number {
  return rules.maxAgeSeconds + rules.futureSkewSeconds + 60;
}
