// Logout-token signatures with jose: one remote JWKS per realm, fetched through the broker's HttpOut
// (jose's customFetch), cached, and refetched when a token names an unknown kid (key rotation).
// Asymmetric algorithms only; claim checks are the core's (src/core/logout/token-rules.ts), except
// that jose's own exp/nbf/iat checks run first, at the broker's clock, and get precise codes here.
import { createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { BrokerError } from '../../core/errors.ts';
import type { LogoutIssuer } from '../../core/logout/token-rules.ts';
import type { DecodedJwt, LogoutTokenVerifier, LogoutVerifyTime } from '../../ports.ts';
import { bufferedFetch } from '../http-body.ts';
import type { FetchLike } from '../http-out.ts';

type RemoteKeys = ReturnType<typeof createRemoteJWKSet>;

/** A realm's key set is a few kilobytes; a bigger answer is refused while it streams. */
const JWKS_MAX_BODY_BYTES = 256 * 1024;

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export interface JoseVerifierOptions {
  /**
   * The fetch for one cloud's realm keys: an HttpOut that trusts only that cloud's CA and reaches only
   * its Keycloak, so that no member cloud's CA can vouch for another realm's keys.
   */
  readonly fetchFor: (cloud: string) => FetchLike;
  /** Seconds between refetches for unknown kids (jose cooldown). */
  readonly cooldownSeconds?: number;
}

export class JoseLogoutTokenVerifier implements LogoutTokenVerifier {
  readonly #options: JoseVerifierOptions;
  readonly #jwks = new Map<string, RemoteKeys>();

  constructor(options: JoseVerifierOptions) {
    this.#options = options;
  }

  decode(token: string): DecodedJwt {
    try {
      if (typeof token !== 'string' || token.split('.').length !== 3) throw new Error('not a compact JWS');
      return { header: decodeProtectedHeader(token) as Record<string, unknown>, claims: decodeJwt(token) as Record<string, unknown> };
    } catch (cause) {
      throw new BrokerError('ERR_LOGOUT_MALFORMED', 'the logout_token is not a compact JWS with a JSON payload', { cause });
    }
  }

  async verify(token: string, issuer: LogoutIssuer, time: LogoutVerifyTime): Promise<DecodedJwt> {
    const where = { cloud: issuer.cloud };
    try {
      // jose checks the signature, then exp/nbf (and the type of iat) at the broker's time with a skew of
      // seconds; the core repeats the time rules with its own codes (src/core/logout/token-rules.ts).
      const { payload, protectedHeader } = await jwtVerify(token, this.#keys(issuer), {
        algorithms: ALGORITHMS, currentDate: time.now, clockTolerance: time.clockToleranceSeconds,
      });
      if (protectedHeader.kid !== undefined && typeof protectedHeader.kid !== 'string') {
        throw new BrokerError('ERR_LOGOUT_SIGNATURE', 'the logout token\'s kid is not a string', { details: { ...where, reason: 'kid' } });
      }
      return { header: protectedHeader as Record<string, unknown>, claims: payload as Record<string, unknown> };
    } catch (cause) {
      if (cause instanceof BrokerError) throw keysRefused(cause, issuer);
      if (cause instanceof errors.JWKSTimeout || (cause instanceof Error && 'code' in cause && String(cause.code).startsWith('ERR_HTTP'))) {
        throw new BrokerError('ERR_HTTP_UNREACHABLE', `the keys of realm ${issuer.realm} (cloud ${issuer.cloud}) cannot be fetched`, { cause, details: { cloud: issuer.cloud, jwks: issuer.jwksUri } });
      }
      throw claimError(cause, issuer) ?? new BrokerError('ERR_LOGOUT_SIGNATURE', `the logout token's signature does not verify with the keys of realm ${issuer.realm}`,
        { cause, details: { ...where, reason: cause instanceof errors.JOSEError ? cause.code : 'unknown' } });
    }
  }

  async warmUp(issuer: LogoutIssuer): Promise<void> {
    try {
      await this.#keys(issuer).reload();
    } catch (cause) {
      throw cause instanceof BrokerError ? keysRefused(cause, issuer) : cause;
    }
  }

  #keys(issuer: LogoutIssuer): RemoteKeys {
    const cacheKey = `${issuer.cloud} ${issuer.jwksUri}`;
    let keys = this.#jwks.get(cacheKey);
    if (!keys) {
      keys = createRemoteJWKSet(new URL(issuer.jwksUri), {
        cooldownDuration: (this.#options.cooldownSeconds ?? 30) * 1000,
        cacheMaxAge: 10 * 60_000,
        // Buffered, so that a refused size reaches verify() as ERR_HTTP_BODY_TOO_LARGE, not as jose's JSON error.
        [customFetch]: (url, init) => bufferedFetch(this.#options.fetchFor(issuer.cloud), JWKS_MAX_BODY_BYTES)(url, init as RequestInit),
      });
      this.#jwks.set(cacheKey, keys);
    }
    return keys;
  }
}

/** A key set refused for its size names the realm and cloud; other HTTP module errors pass as they are. */
function keysRefused(cause: BrokerError, issuer: LogoutIssuer): BrokerError {
  if (cause.code !== 'ERR_HTTP_BODY_TOO_LARGE') return cause;
  return new BrokerError(cause.code, `the keys of realm ${issuer.realm} (cloud ${issuer.cloud}) were refused: ${cause.message}`, { cause, details: { ...cause.details, cloud: issuer.cloud } });
}

/**
 * jose's claim errors come only after the signature verified: the token is the realm's, and what is
 * wrong with it is its time claims (or the claims set itself), each with its own code.
 */
function claimError(cause: unknown, issuer: LogoutIssuer): BrokerError | undefined {
  const details = { cloud: issuer.cloud };
  if (cause instanceof errors.JWTExpired) {
    return new BrokerError('ERR_LOGOUT_EXPIRED', `the logout token's ${cause.claim} check failed: it has expired`, { cause, details: { ...details, claim: cause.claim } });
  }
  if (cause instanceof errors.JWTClaimValidationFailed) {
    if (cause.claim === 'nbf' && cause.reason === 'check_failed') {
      return new BrokerError('ERR_LOGOUT_NOT_YET_VALID', 'the logout token is not valid yet (nbf)', { cause, details: { ...details, claim: 'nbf' } });
    }
    return new BrokerError('ERR_LOGOUT_CLAIM_INVALID', `the logout token's ${cause.claim} claim is invalid (${cause.reason})`, { cause, details: { ...details, claim: cause.claim } });
  }
  if (cause instanceof errors.JWTInvalid) {
    return new BrokerError('ERR_LOGOUT_MALFORMED', 'the logout token is not a JWT with a JSON claims set', { cause, details });
  }
  return undefined;
}
