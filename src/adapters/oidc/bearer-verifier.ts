// Bearer tokens of the admin API, verified with jose: the issuer must be one the API configuration
// accepts (src/core/authz/config.ts), the signature must verify with that issuer's JWKS (fetched
// through its own HttpOut: its origin, its CA bundle), `aud` must be the broker's audience, and
// exp/nbf must hold at the broker's clock within the configured skew. Every refusal is
// ERR_UNAUTHENTICATED with a reason; the token itself is never logged or kept.
import { createRemoteJWKSet, customFetch, decodeJwt, errors, jwtVerify } from 'jose';
import type { ApiConfig, ApiIssuer } from '../../core/authz/config.ts';
import { BrokerError } from '../../core/errors.ts';
import type { Clock } from '../../ports.ts';
import type { BearerVerifier, VerifiedBearer } from '../../ports/api.ts';
import { bufferedFetch } from '../http-body.ts';
import type { FetchLike } from '../http-out.ts';

const JWKS_MAX_BODY_BYTES = 256 * 1024;
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export interface BearerVerifierOptions {
  readonly config: ApiConfig;
  /** The fetch for one issuer's keys (an HttpOut allowing only that issuer's origin, with its CA bundle). */
  readonly fetchFor: (issuer: ApiIssuer) => FetchLike;
  readonly clock: Clock;
  readonly cooldownSeconds?: number;
}

type RemoteKeys = ReturnType<typeof createRemoteJWKSet>;

export class JoseBearerVerifier implements BearerVerifier {
  readonly #options: BearerVerifierOptions;
  readonly #keys = new Map<string, RemoteKeys>();

  constructor(options: BearerVerifierOptions) { this.#options = options; }

  async verify(token: string): Promise<VerifiedBearer> {
    const issuer = this.#issuerOf(token);
    try {
      const { payload } = await jwtVerify(token, this.#keysOf(issuer), {
        issuer: issuer.issuer, audience: this.#options.config.audience, algorithms: ALGORITHMS, requiredClaims: ['exp', 'sub'],
        currentDate: this.#options.clock.now(), clockTolerance: this.#options.config.clockToleranceSeconds,
      });
      return { issuer: issuer.issuer, claims: payload as Record<string, unknown> };
    } catch (cause) {
      if (cause instanceof BrokerError) throw cause;
      if (cause instanceof errors.JWKSTimeout) throw new BrokerError('ERR_HTTP_TIMEOUT', `the keys of ${issuer.issuer} cannot be fetched in time`, { cause, details: { issuer: issuer.issuer } });
      throw unauthenticated(reasonOf(cause), cause);
    }
  }

  /** The accepted issuer the (unverified) token names; nothing else is read before the signature verifies. */
  #issuerOf(token: string): ApiIssuer {
    let iss: unknown;
    try { iss = decodeJwt(token).iss; } catch (cause) { throw unauthenticated('malformed', cause); }
    const issuer = this.#options.config.issuers.find((i) => i.issuer === iss);
    if (!issuer) throw unauthenticated('issuer');
    return issuer;
  }

  #keysOf(issuer: ApiIssuer): RemoteKeys {
    let keys = this.#keys.get(issuer.issuer);
    if (!keys) {
      keys = createRemoteJWKSet(new URL(issuer.jwksUri), {
        cooldownDuration: (this.#options.cooldownSeconds ?? 30) * 1000, cacheMaxAge: 10 * 60_000,
        [customFetch]: (url, init) => bufferedFetch(this.#options.fetchFor(issuer), JWKS_MAX_BODY_BYTES)(url, init as RequestInit),
      });
      this.#keys.set(issuer.issuer, keys);
    }
    return keys;
  }
}

type Reason = 'missing' | 'malformed' | 'issuer' | 'audience' | 'expired' | 'not-yet-valid' | 'claims' | 'signature';

function reasonOf(cause: unknown): Reason {
  if (cause instanceof errors.JWTExpired) return 'expired';
  if (cause instanceof errors.JWTClaimValidationFailed) {
    if (cause.claim === 'aud') return 'audience';
    if (cause.claim === 'iss') return 'issuer';
    if (cause.claim === 'nbf') return 'not-yet-valid';
    return 'claims';
  }
  if (cause instanceof errors.JWTInvalid || cause instanceof errors.JWSInvalid) return 'malformed';
  return 'signature';
}

const MESSAGES: Record<Reason, string> = {
  missing: 'the request has no bearer token (Authorization: Bearer <token>)',
  malformed: 'the bearer token is not a signed JWT',
  issuer: 'the bearer token\'s issuer is not one the broker accepts',
  audience: 'the bearer token is not addressed to the broker (aud)',
  expired: 'the bearer token has expired',
  'not-yet-valid': 'the bearer token is not valid yet (nbf)',
  claims: 'a claim of the bearer token is missing or invalid',
  signature: 'the bearer token\'s signature does not verify with its issuer\'s keys',
};

export function unauthenticated(reason: Reason, cause?: unknown): BrokerError {
  return new BrokerError('ERR_UNAUTHENTICATED', MESSAGES[reason], { ...(cause !== undefined && { cause }), details: { reason } });
}
