// Helpers of bench/backchannel-receipts.bench.ts: logout tokens signed like a Keycloak realm's (node's
// crypto, so that tens of thousands are ready before a timed window), a closed-loop load driver
// (N workers, each with one request in flight), percentiles and min/median/max.
import { readFileSync } from 'node:fs';
import { createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { BACKCHANNEL_LOGOUT_EVENT } from '../src/core/logout/token-rules.ts';

export type Alg = 'ES256' | 'RS256';

export interface RealmKey {
  readonly alg: Alg;
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** The public JWK the fake JWKS endpoint serves. */
  readonly jwk: Record<string, unknown>;
}

export function realmKey(alg: Alg, kid: string): RealmKey {
  const pair = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { alg, kid, privateKey: createPrivateKey(pair.privateKey.export({ format: 'pem', type: 'pkcs8' })), jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A logout token as Keycloak sends it: typ logout+jwt, iat now, a fresh jti, the user's sub and sid. */
export function logoutToken(key: RealmKey, claims: { iss: string; aud: string; sub: string; sid: string }): string {
  const input = `${b64({ alg: key.alg, typ: 'logout+jwt', kid: key.kid })}.${b64({
    ...claims, iat: Math.floor(Date.now() / 1000), jti: randomUUID(), typ: 'Logout', events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  })}`;
  const signature = key.alg === 'ES256'
    ? sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
    : sign('sha256', Buffer.from(input), key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

export interface LoadResult {
  readonly done: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** The first failure seen, for the report. */
  readonly firstFailure?: string;
}

/**
 * `concurrency` workers call `once(i)` back to back (i counts up from 0 over all workers) until
 * `durationMs` have passed or `limit` calls were started; the rate counts the calls completed.
 * `once` resolves to undefined for a success or a short failure description.
 */
export async function closedLoop(concurrency: number, durationMs: number, limit: number, once: (i: number) => Promise<string | undefined>): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  const start = performance.now();
  const end = start + durationMs;
  let last = start;
  const worker = async () => {
    while (next < limit && performance.now() < end) {
      const i = next++;
      const t = performance.now();
      let failure: string | undefined;
      try { failure = await once(i); } catch (error) { failure = (error as Error).message; }
      last = performance.now();
      latencies.push(last - t);
      if (failure !== undefined) { failed += 1; firstFailure ??= failure; }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const sorted = latencies.sort((a, b) => a - b);
  const done = sorted.length;
  return { done, failed, perSecond: done / ((last - start) / 1000), p50: pct(sorted, 50), p99: pct(sorted, 99), max: sorted.at(-1) ?? NaN, ...(firstFailure !== undefined && { firstFailure }) };
}

/** The p-th percentile of ascending values (nearest rank). */
export function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export function spread(values: readonly number[]): { min: number; median: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { min: s[0] ?? NaN, median: s[Math.floor((s.length - 1) / 2)] ?? NaN, max: s.at(-1) ?? NaN };
}

export const ms = (x: number) => `${x.toFixed(1)} ms`;

function cpuTicks(): { idle: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total: fields.reduce((a, b) => a + b, 0) };
}

/** Waits (up to `maxWaitMs`) for a second in which the machine's CPUs were at least `minIdle` idle; the idle share of the last second. */
export async function quietSecond(minIdle = 0.85, maxWaitMs = 30_000): Promise<number> {
  const until = Date.now() + maxWaitMs;
  for (;;) {
    const a = cpuTicks();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const b = cpuTicks();
    const idle = (b.idle - a.idle) / Math.max(1, b.total - a.total);
    if (idle >= minIdle || Date.now() > until) return idle;
  }
}
