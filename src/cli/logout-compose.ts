// Composition root of logout: the Keycloak and Keystone clients of every cloud (one each: the
// sessions adapter, the realm's keys and the Keystone revocation go through them), the jose
// verifier, Redis, the queue, the audit log. The clouds are composed first, so a spec problem (a CA
// file that cannot be read) is reported as such before any connection is tried.
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { createKeycloakClient, type KeycloakClient } from '../adapters/keycloak/client.ts';
import { createKeycloakSessions } from '../adapters/keycloak/sessions-factory.ts';
import { createKeystoneRevocation } from '../adapters/logout/keystone-revocation.ts';
import { createBrokerLogger } from '../adapters/log/pino-logger.ts';
import { JoseLogoutTokenVerifier } from '../adapters/oidc/logout-token-verifier.ts';
import { BullDeliveryQueue } from '../adapters/queue/bullmq-delivery-queue.ts';
import { closeRedis, connectRedis, RedisLogoutStore, type RedisClient } from '../adapters/redis/logout-store.ts';
import { asyncCorrelationScope } from '../adapters/correlation.ts';
import { RedisAuditStore } from '../adapters/redis/audit-store.ts';
import { redisTarget } from '../adapters/redis/connection.ts';
import { auditRecordOf, DEFAULT_AUDIT_RETENTION_DAYS } from '../core/audit/record.ts';
import { BrokerError } from '../core/errors.ts';
import { logoutIssuers } from '../core/logout/token-rules.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import type { AuditLog, AuditStore, KeycloakSessionsPort, KeystoneRevocationPort } from '../ports.ts';
import type { LogoutDeps } from '../services/logout/deps.ts';

export interface ComposedLogout {
  readonly deps: LogoutDeps;
  readonly queue: BullDeliveryQueue;
  readonly redis: RedisClient;
  readonly auditStore: AuditStore;
  close(): Promise<void>;
}

/** Redis's own default address; the demo test bed runs its Redis on 16379 (set FEDBROKER_REDIS_URL). */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** How long audit records are kept: FEDBROKER_AUDIT_RETENTION_DAYS, 1–3650 (default 30). */
export function auditRetentionDays(value = process.env['FEDBROKER_AUDIT_RETENTION_DAYS']): number {
  if (value === undefined || value === '') return DEFAULT_AUDIT_RETENTION_DAYS;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new BrokerError('ERR_CONFIG_INVALID', `FEDBROKER_AUDIT_RETENTION_DAYS must be a whole number of days from 1 to 3650, not "${value}"`, { details: { field: 'FEDBROKER_AUDIT_RETENTION_DAYS' } });
  }
  return days;
}

export function redisUrl(flag?: string): string {
  return flag ?? process.env['FEDBROKER_REDIS_URL'] ?? DEFAULT_REDIS_URL;
}

/** JSON audit lines (pino) to `destination` (1 = stdout, 2 = stderr); never secrets (redacted at every depth). */
export function auditLogger(destination: 1 | 2, level = process.env['FEDBROKER_LOG_LEVEL'] ?? 'info'): Logger {
  return createBrokerLogger(pino.destination(destination), { level });
}

/**
 * The audit log of logout: every entry a JSON line at info, handed to `onAudit` (metrics), and kept in
 * the audit store (fedbroker audit, GET /api/v1/audit); a lost store write is logged, the work goes on.
 * `flush` waits for the writes still in flight.
 */
export function storedAuditLog(auditStore: AuditStore, logger: Logger, now: () => number, onAudit?: (entry: { action: string; [k: string]: unknown }) => void): { audit: AuditLog; flush(): Promise<void> } {
  const auditWrites = new Set<Promise<void>>();
  const audit: AuditLog = {
    record: (entry) => {
      logger.info({ audit: true, ...entry }, entry.action);
      onAudit?.(entry);
      const write = auditStore.append(auditRecordOf(entry, now()))
        .catch((e: unknown) => { logger.warn({ action: entry.action, correlationId: entry.correlationId, code: (e as { code?: string }).code }, 'audit record not stored'); })
        .finally(() => { auditWrites.delete(write); });
      auditWrites.add(write);
    },
  };
  return { audit, flush: async () => { await Promise.all([...auditWrites]); } };
}

interface CloudClients {
  readonly keycloak: Map<string, KeycloakClient>;
  readonly sessions: Map<string, KeycloakSessionsPort>;
  readonly keystones: Map<string, KeystoneRevocationPort & { close(): Promise<void> }>;
  close(): Promise<void>;
}

/** One Keycloak client and (where the cloud has one) one Keystone client per cloud. */
async function composeClouds(spec: FederationSpec, baseDir: string, keepTokenFresh: boolean): Promise<CloudClients> {
  const clouds: CloudClients = {
    keycloak: new Map(), sessions: new Map(), keystones: new Map(),
    async close() {
      for (const p of this.keystones.values()) await p.close();
      for (const c of this.keycloak.values()) await c.close();
    },
  };
  try {
    for (const cloud of spec.clouds) {
      const client = await createKeycloakClient(cloud, baseDir, { keepTokenFresh });
      clouds.keycloak.set(cloud.alias, client);
      clouds.sessions.set(cloud.alias, await createKeycloakSessions(cloud, baseDir, client));
      const keystone = await createKeystoneRevocation(cloud, baseDir);
      if (keystone) clouds.keystones.set(cloud.alias, keystone);
    }
  } catch (error) {
    await clouds.close();
    throw error;
  }
  return clouds;
}

export interface ComposeLogoutOptions {
  readonly redisUrl: string;
  readonly logger: Logger;
  readonly onAudit?: (entry: { action: string; [k: string]: unknown }) => void;
  /** Long-running processes (`serve`): renew the Keycloak admin tokens in the background, off the logout path. */
  readonly keepTokensFresh?: boolean;
  /** The spec to act on from now on (API mode: the latest revision, within the clouds composed here). */
  readonly specOf?: () => FederationSpec;
}

export async function composeLogout(spec: FederationSpec, baseDir: string, options: ComposeLogoutOptions): Promise<ComposedLogout> {
  // A malformed Redis URL or retention is ERR_CONFIG_INVALID before anything connects.
  const where = redisTarget(options.redisUrl).display;
  const retentionDays = auditRetentionDays();
  const clouds = await composeClouds(spec, baseDir, options.keepTokensFresh === true);
  let redis: RedisClient;
  try {
    redis = await connectRedis(options.redisUrl);
  } catch (cause) {
    await clouds.close();
    throw new BrokerError('ERR_QUEUE_UNAVAILABLE', `Redis at ${where} cannot be reached`, { cause });
  }
  const queue = new BullDeliveryQueue(options.redisUrl, {
    onError: (e) => options.logger.warn({ message: e.message }, 'delivery queue: Redis error'),
    // A delivery whose broker died holding it (its lock lapsed): delivered again here, idempotently.
    onStalled: (jobId) => options.logger.warn({ job: jobId }, 'logout delivery handed back by a stopped broker; delivering it again'),
  });
  const now = () => Date.now();
  const auditStore = new RedisAuditStore(redis, { retentionDays, now });
  const { audit, flush: flushAudit } = storedAuditLog(auditStore, options.logger, now, options.onAudit);
  const ofCloud = <T>(map: ReadonlyMap<string, T>, what: string) => (alias: string): T => {
    const found = map.get(alias);
    if (!found) throw new BrokerError('ERR_INTERNAL', `no ${what} for cloud ${alias}`, { details: { cloud: alias } });
    return found;
  };
  // A realm's keys are read with that cloud's Keycloak client: its origin and CA only.
  const jwksFetchFor = (alias: string) => ofCloud(clouds.keycloak, 'Keycloak client')(alias).fetch;
  const specOf = options.specOf;
  const deps: LogoutDeps = {
    get spec() { return specOf ? specOf() : spec; },
    issuers: logoutIssuers(spec), verifier: new JoseLogoutTokenVerifier({ fetchFor: jwksFetchFor }),
    keycloak: ofCloud(clouds.sessions, 'Keycloak adapter'),
    keystone: (alias) => clouds.keystones.get(alias),
    store: new RedisLogoutStore(redis), queue, clock: { now: () => new Date() }, ids: { newId: () => randomUUID() }, audit,
    correlation: asyncCorrelationScope,
  };
  return {
    deps, queue, redis, auditStore,
    async close() {
      await queue.close();
      await flushAudit();
      await clouds.close();
      await closeRedis(redis);
    },
  };
}
