// Logout-token signatures with jose: one remote JWKS per realm, fetched through the broker's HttpOut
// (jose's customFetch), cached, and refetched when a token names an unknown kid (key rotation).
// Asymmetric algorithms only; claim checks are the core's (src/core/logout/token-rules.ts).
import { createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { BrokerError } from '../../core/errors.ts';
import type { LogoutIssuer } from '../../core/logout/token-rules.ts';
import type { DecodedJwt, LogoutTokenVerifier } from '../../ports.ts';
import type { FetchLike } from '../http-out.ts';

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export interface JoseVerifierOptions {
  /** HttpOut.fetch allowed to reach every realm's JWKS. */
  readonly fetch: FetchLike;
  /** Seconds between refetches for unknown kids (jose cooldown). */
  readonly cooldownSeconds?: number;
}

export class JoseLogoutTokenVerifier implements LogoutTokenVerifier {
  readonly #options: JoseVerifierOptions;
  readonly #jwks = new Map<string, JWTVerifyGetKey>();

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

  async verify(token: string, issuer: LogoutIssuer): Promise<DecodedJwt> {
    try {
      // Only the signature (and exp if present) here; clock tolerance is wide because the core owns the time rules.
      const { payload, protectedHeader } = await jwtVerify(token, this.#keys(issuer), { algorithms: ALGORITHMS, clockTolerance: 3600 });
      return { header: protectedHeader as Record<string, unknown>, claims: payload as Record<string, unknown> };
    } catch (cause) {
      if (cause instanceof BrokerError) throw cause;
      const code = cause instanceof errors.JOSEError ? cause.code : 'unknown';
      if (cause instanceof errors.JWKSTimeout || (cause instanceof Error && 'code' in cause && String(cause.code).startsWith('ERR_HTTP'))) {
        throw new BrokerError('ERR_HTTP_UNREACHABLE', `the keys of realm ${issuer.realm} (cloud ${issuer.cloud}) cannot be fetched`, { cause, details: { cloud: issuer.cloud, jwks: issuer.jwksUri } });
      }
      throw new BrokerError('ERR_LOGOUT_SIGNATURE', `the logout token's signature does not verify with the keys of realm ${issuer.realm}`, { cause, details: { cloud: issuer.cloud, reason: code } });
    }
  }

  #keys(issuer: LogoutIssuer): JWTVerifyGetKey {
    let keys = this.#jwks.get(issuer.jwksUri);
    if (!keys) {
      keys = createRemoteJWKSet(new URL(issuer.jwksUri), {
        cooldownDuration: (this.#options.cooldownSeconds ?? 30) * 1000,
        cacheMaxAge: 10 * 60_000,
        [customFetch]: (url, init) => this.#options.fetch(url, init as RequestInit),
      });
      this.#jwks.set(issuer.jwksUri, keys);
    }
    return keys;
  }
}
