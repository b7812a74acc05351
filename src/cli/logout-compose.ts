// Composition root of logout: Redis, the queue, the Keycloak and Keystone adapters of every cloud,
// the jose verifier over HttpOut (allowed: every realm's origin), the audit log.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { createKeycloakSessions } from '../adapters/keycloak/sessions-factory.ts';
import { createKeystoneRevocation } from '../adapters/logout/keystone-revocation.ts';
import { HttpOut } from '../adapters/http-out.ts';
import { createBrokerLogger } from '../adapters/log/pino-logger.ts';
import { JoseLogoutTokenVerifier } from '../adapters/oidc/logout-token-verifier.ts';
import { BullDeliveryQueue } from '../adapters/queue/bullmq-delivery-queue.ts';
import { connectRedis, RedisLogoutStore, type RedisClient } from '../adapters/redis/logout-store.ts';
import { BrokerError } from '../core/errors.ts';
import { logoutIssuers } from '../core/logout/token-rules.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import type { AuditLog, KeycloakSessionsPort, KeystoneRevocationPort } from '../ports.ts';
import type { LogoutDeps } from '../services/logout/deps.ts';

export interface ComposedLogout {
  readonly deps: LogoutDeps;
  readonly queue: BullDeliveryQueue;
  readonly redis: RedisClient;
  close(): Promise<void>;
}

/** Redis's own default address; the demo test bed runs its Redis on 16379 (set FEDBROKER_REDIS_URL). */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function redisUrl(flag?: string): string {
  return flag ?? process.env['FEDBROKER_REDIS_URL'] ?? DEFAULT_REDIS_URL;
}

/** JSON audit lines (pino) to `destination` (1 = stdout, 2 = stderr); never secrets (redacted at every depth). */
export function auditLogger(destination: 1 | 2, level = process.env['FEDBROKER_LOG_LEVEL'] ?? 'info'): Logger {
  return createBrokerLogger(pino.destination(destination), { level });
}

export async function composeLogout(spec: FederationSpec, baseDir: string, options: { redisUrl: string; logger: Logger; onAudit?: (entry: { action: string; [k: string]: unknown }) => void }): Promise<ComposedLogout> {
  let redis: RedisClient;
  try {
    redis = await connectRedis(options.redisUrl);
  } catch (cause) {
    throw new BrokerError('ERR_QUEUE_UNAVAILABLE', `Redis at ${new URL(options.redisUrl).host} cannot be reached`, { cause });
  }
  const keycloaks = new Map<string, KeycloakSessionsPort & { close(): Promise<void> }>();
  const keystones = new Map<string, KeystoneRevocationPort & { close(): Promise<void> }>();
  for (const cloud of spec.clouds) {
    keycloaks.set(cloud.alias, await createKeycloakSessions(cloud, baseDir));
    const keystone = await createKeystoneRevocation(cloud, baseDir);
    if (keystone) keystones.set(cloud.alias, keystone);
  }
  // One outbound client per cloud for its realm's keys: that cloud's Keycloak origin and CA only.
  const jwksHttp = new Map<string, HttpOut>();
  for (const cloud of spec.clouds) {
    const caPem = cloud.keycloak.caFile ? [await readCaFile(resolve(baseDir, cloud.keycloak.caFile), cloud.alias)] : [];
    jwksHttp.set(cloud.alias, new HttpOut({ allowedOrigins: [new URL(cloud.keycloak.url).origin], caPem }));
  }
  const jwksFetchFor = (alias: string) => {
    const http = jwksHttp.get(alias);
    if (!http) throw new BrokerError('ERR_INTERNAL', `no JWKS client for cloud ${alias}`, { details: { cloud: alias } });
    return http.fetch;
  };
  const queue = new BullDeliveryQueue(options.redisUrl, { onError: (e) => options.logger.warn({ message: e.message }, 'delivery queue: Redis error') });
  const audit: AuditLog = {
    record: (entry) => {
      options.logger.info({ audit: true, ...entry }, entry.action);
      options.onAudit?.(entry);
    },
  };
  const deps: LogoutDeps = {
    spec, issuers: logoutIssuers(spec), verifier: new JoseLogoutTokenVerifier({ fetchFor: jwksFetchFor }),
    keycloak: (alias) => {
      const port = keycloaks.get(alias);
      if (!port) throw new BrokerError('ERR_INTERNAL', `no Keycloak adapter for cloud ${alias}`, { details: { cloud: alias } });
      return port;
    },
    keystone: (alias) => keystones.get(alias),
    store: new RedisLogoutStore(redis), queue, clock: { now: () => new Date() }, ids: { newId: () => randomUUID() }, audit,
  };
  return {
    deps, queue, redis,
    async close() {
      await queue.close();
      for (const p of [...keycloaks.values(), ...keystones.values()]) await p.close();
      for (const http of jwksHttp.values()) await http.close();
      await redis.close();
    },
  };
}

async function readCaFile(file: string, cloud: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new BrokerError('ERR_CONFIG_INVALID', `the CA file of cloud ${cloud}'s Keycloak cannot be read: ${file}`, { cause, details: { cloud, file } });
  }
}
