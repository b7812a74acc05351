// An oracle for logout tokens sent to one home cloud, written from the specifications and not from
// the broker's code: it imports nothing from src/. It sees the token's decoded header and payload
// and how the token was signed, and says accept or reject with the first rule that fails.
//
// OIDC Back-Channel Logout 1.0 §2.4 (the Logout Token) and §2.6 (validation), RFC 7515 (JWS: alg,
// kid, crit, typ as a media type), RFC 7519 (JWT: NumericDate, aud, exp, nbf), RFC 8725 §3.1 (the
// algorithm must be the one expected for the key, never "none"). Where the specifications leave a
// choice to the relying party, the deployment's choices are stated here as constants:
//   - explicit typing required (the cloud does not set insecureAcceptUntypedLogoutTokens);
//   - iat accepted from 120 s in the past to 30 s in the future (§2.6 step 7 lets an RP reject old iat);
//   - 30 s of clock tolerance for exp and nbf;
//   - jti, sub and sid at most 512 characters.

export const BACKCHANNEL_LOGOUT_EVENT_URI = 'http://schemas.openid.net/event/backchannel-logout';

export interface OraclePolicy {
  /** The home realm's issuer (iss of its tokens). */
  readonly issuer: string;
  /** The broker's client ids in that realm. */
  readonly clientIds: readonly string[];
  /** The one algorithm and kid of the realm's published key. */
  readonly alg: string;
  readonly kid: string;
  readonly maxAgeSeconds: number;
  readonly futureSkewSeconds: number;
  readonly clockToleranceSeconds: number;
  readonly maxIdLength: number;
}

/** How the signature segment of the token was produced. */
export type SignatureMode =
  | 'realm' // by the realm's key, over exactly this header and payload
  | 'foreign' // by a key the realm never published
  | 'embedded-jwk' // by a foreign key whose public half is put into the header (jwk)
  | 'truncated' | 'empty' | 'flipped' // the realm's signature, damaged
  | 'other-payload'; // the realm's signature over a different payload

export interface OracleInput {
  /** JSON.parse of the header segment, or NOT_JSON. */
  readonly header: unknown;
  readonly payload: unknown;
  readonly signature: SignatureMode;
  /** The verifier's time, in seconds. */
  readonly now: number;
}

export const NOT_JSON = Symbol('not JSON');

export type Verdict = { readonly accept: true } | { readonly accept: false; readonly rule: OracleRule };

export const ORACLE_RULES = [
  'header-not-object', 'alg', 'signature', 'kid', 'crit', 'typ',
  'payload-not-object', 'iss', 'aud', 'iat', 'iat-window', 'exp', 'nbf', 'jti', 'events', 'nonce', 'sub', 'sid', 'sub-or-sid',
] as const;
export type OracleRule = (typeof ORACLE_RULES)[number];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: Record<string, unknown>, key: string) => Object.prototype.hasOwnProperty.call(o, key);
const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const usableId = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;

export function oracle(input: OracleInput, policy: OraclePolicy): Verdict {
  const no = (rule: OracleRule): Verdict => ({ accept: false, rule });
  const { header, payload, now } = input;

  // JWS header (RFC 7515 §4.1): a JSON object; alg exactly the key's algorithm (case-sensitive), never none.
  if (!isObject(header)) return no('header-not-object');
  if (header['alg'] !== policy.alg) return no('alg');
  // The key comes from the realm's published JWKS only: an embedded jwk, a jku or x5u is never trusted.
  if (input.signature !== 'realm') return no('signature');
  // kid names a key (a string); absent, the realm's single key for alg is used.
  if (has(header, 'kid') && header['kid'] !== policy.kid) return no('kid');
  // crit (RFC 7515 §4.1.11): the broker understands no extension, so any crit means reject.
  if (has(header, 'crit')) return no('crit');
  // typ (BCL §2.3, RFC 7515 §4.1.9): the media type logout+jwt, compared case-insensitively, "application/" optional.
  const typ = header['typ'];
  if (typeof typ !== 'string' || typ.toLowerCase().replace(/^application\//, '') !== 'logout+jwt') return no('typ');

  // Claims (BCL §2.4, §2.6).
  if (!isObject(payload)) return no('payload-not-object');
  if (payload['iss'] !== policy.issuer) return no('iss');
  const aud = payload['aud'];
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.some((a) => typeof a === 'string' && policy.clientIds.includes(a))) return no('aud');
  const iat = payload['iat'];
  if (!isNumericDate(iat)) return no('iat');
  if (iat < now - policy.maxAgeSeconds || iat > now + policy.futureSkewSeconds) return no('iat-window');
  // RFC 7519 §4.1.4: the current time must be before exp (minus leeway); §4.1.5: at or after nbf (plus leeway).
  if (has(payload, 'exp') && (!isNumericDate(payload['exp']) || payload['exp'] <= now - policy.clockToleranceSeconds)) return no('exp');
  if (has(payload, 'nbf') && (!isNumericDate(payload['nbf']) || payload['nbf'] > now + policy.clockToleranceSeconds)) return no('nbf');
  if (!usableId(payload['jti'], policy.maxIdLength)) return no('jti');
  const events = payload['events'];
  if (!isObject(events) || !has(events, BACKCHANNEL_LOGOUT_EVENT_URI) || !isObject(events[BACKCHANNEL_LOGOUT_EVENT_URI])) return no('events');
  if (has(payload, 'nonce')) return no('nonce');
  if (has(payload, 'sub') && !usableId(payload['sub'], policy.maxIdLength)) return no('sub');
  if (has(payload, 'sid') && !usableId(payload['sid'], policy.maxIdLength)) return no('sid');
  if (!has(payload, 'sub') && !has(payload, 'sid')) return no('sub-or-sid');
  return { accept: true };
}
