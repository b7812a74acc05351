// Token buckets for the broker's unauthenticated endpoints (pure: the caller passes the time). A
// bucket holds up to `burst` tokens and gains `perSecond` per second; a request takes one. A route is
// limited per source block AND per cloud: a request passes only when both buckets have a token, and
// then takes one from each, so a refused request costs neither. Buckets are kept per key in
// least-recently-used order and the oldest is dropped beyond `maxKeys` (memory stays bounded whatever
// addresses callers come from; a dropped bucket is at worst a fresh burst for that source).
import { BrokerError } from './errors.ts';

export interface BucketLimit {
  /** Requests that may arrive at once. */
  readonly burst: number;
  /** Sustained requests per second. */
  readonly perSecond: number;
}

export interface RateLimits {
  readonly perSource: BucketLimit;
  readonly perCloud: BucketLimit;
}

/**
 * Defaults far above what a Keycloak sends: a realm's burst of logout tokens is tens per second (one
 * per session with a back-channel client, e.g. an admin ending all sessions of a user), and one
 * Keycloak serving several realms is one source (400 at once, 200/s sustained); a cloud takes 1000
 * at once, 500/s, from all sources together. A single address is held to 200/s.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = Object.freeze({
  perSource: Object.freeze({ burst: 400, perSecond: 200 }),
  perCloud: Object.freeze({ burst: 1000, perSecond: 500 }),
});

export const DEFAULT_MAX_SOURCES = 10_000;

export type Admission =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly limit: 'source' | 'cloud'; readonly retryAfterMs: number };

interface Bucket { tokens: number; atMs: number }

/** Buckets of one limit, by key. */
export class TokenBuckets {
  readonly #limit: BucketLimit;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(limit: BucketLimit, maxKeys: number) {
    if (!(limit.burst >= 1 && limit.perSecond > 0 && maxKeys >= 1)) throw new BrokerError('ERR_CONFIG_INVALID', 'a rate limit needs a burst of at least 1 and a rate above 0');
    this.#limit = limit;
    this.#maxKeys = maxKeys;
  }

  /** Milliseconds until `key` has a token at `nowMs` (0: it has one now). */
  waitMs(key: string, nowMs: number): number {
    const tokens = this.#level(key, nowMs);
    // The nanosecond off absorbs float rounding (0.998 tokens at 2/s is 1 ms away, not 1.0000000000000009).
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil(((1 - tokens) * 1000) / this.#limit.perSecond - 1e-6));
  }

  /** Takes one token of `key` (the caller checked `waitMs` first). */
  take(key: string, nowMs: number): void {
    const tokens = this.#level(key, nowMs);
    this.#buckets.delete(key);
    this.#buckets.set(key, { tokens: tokens - 1, atMs: nowMs });
    if (this.#buckets.size > this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value as string);
  }

  get size(): number {
    return this.#buckets.size;
  }

  #level(key: string, nowMs: number): number {
    const bucket = this.#buckets.get(key);
    if (!bucket) return this.#limit.burst;
    const elapsedS = Math.max(0, nowMs - bucket.atMs) / 1000; // a clock stepping back refills nothing
    return Math.min(this.#limit.burst, bucket.tokens + elapsedS * this.#limit.perSecond);
  }
}

/** One route's limits: per source block and per cloud (a known cloud or `unknown`, a fixed set). */
export class RequestRateLimiter {
  readonly #sources: TokenBuckets;
  readonly #clouds: TokenBuckets;

  constructor(limits: RateLimits, maxSources = DEFAULT_MAX_SOURCES) {
    this.#sources = new TokenBuckets(limits.perSource, maxSources);
    this.#clouds = new TokenBuckets(limits.perCloud, maxSources);
  }

  admit(source: string, cloud: string, nowMs: number): Admission {
    const sourceWait = this.#sources.waitMs(source, nowMs);
    const cloudWait = this.#clouds.waitMs(cloud, nowMs);
    if (sourceWait > 0 || cloudWait > 0) return { allowed: false, limit: sourceWait > 0 ? 'source' : 'cloud', retryAfterMs: Math.max(sourceWait, cloudWait) };
    this.#sources.take(source, nowMs);
    this.#clouds.take(cloud, nowMs);
    return { allowed: true };
  }

  /** How many source buckets are held (bounded by maxSources). */
  get sourcesTracked(): number {
    return this.#sources.size;
  }
}

/** A limit written `<per second>:<burst>` (e.g. `100:200`), or undefined when it is not one. */
export function parseBucketLimit(text: string): BucketLimit | undefined {
  const m = /^(\d+(?:\.\d+)?):(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const limit = { perSecond: Number(m[1]), burst: Number(m[2]) };
  return limit.perSecond > 0 && limit.burst >= 1 ? limit : undefined;
}
