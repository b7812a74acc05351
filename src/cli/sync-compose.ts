// Composition of `fedbroker sync`: one Keycloak client per cloud (its home directory and its partner
// realms share it), one Keystone client per cloud that has a Keystone; the leases in Redis.
import { randomUUID } from 'node:crypto';
import { createKeycloakClient, type KeycloakClient } from '../adapters/keycloak/client.ts';
import { KeycloakAdminEvents } from '../adapters/keycloak/admin-events.ts';
import { KeycloakHomeDirectory } from '../adapters/keycloak/home-directory.ts';
import { KeycloakPartnerSync } from '../adapters/keycloak/partner-sync.ts';
import { createKeystoneClient, type KeystoneClient } from '../adapters/keystone/factory.ts';
import { KeystoneSync } from '../adapters/keystone/sync.ts';
import { RedisLeaseStore } from '../adapters/redis/lease-store.ts';
import { RedisEffectJournal } from '../adapters/redis/effect-journal.ts';
import type { RedisClient } from '../adapters/redis/logout-store.ts';
import { BrokerError } from '../core/errors.ts';
import { DEFAULT_SYNC_LEASE_TTL_MS, MIN_SYNC_LEASE_TTL_MS } from '../core/sync/lease.ts';
import type { SyncLeaseDeps } from '../services/sync-lease.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import type { HttpOutOptions } from '../adapters/http-out.ts';
import type { SyncDeps } from '../services/sync.ts';

export interface ComposeSyncOptions {
  /** Sees every request the sync's HTTP modules send (tests count the writes with it). */
  readonly onRequest?: HttpOutOptions['onRequest'];
  /** The per-cloud leases (a writing run needs them; a dry run does not). */
  readonly leases?: SyncLeaseDeps;
  /** Keep the Keycloak admin tokens fresh in the background (`serve`). */
  readonly keepTokensFresh?: boolean;
}

/**
 * Time-to-live of the sync leases: DEFAULT_SYNC_LEASE_TTL_MS, or FEDBROKER_SYNC_LEASE_TTL_MS (tests
 * shorten it so a killed run's lease expires quickly; at least MIN_SYNC_LEASE_TTL_MS).
 */
export function syncLeaseTtlMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['FEDBROKER_SYNC_LEASE_TTL_MS'];
  if (raw === undefined || raw === '') return DEFAULT_SYNC_LEASE_TTL_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < MIN_SYNC_LEASE_TTL_MS) throw new BrokerError('ERR_CONFIG_INVALID', `FEDBROKER_SYNC_LEASE_TTL_MS must be a whole number of milliseconds of at least ${MIN_SYNC_LEASE_TTL_MS}, not "${raw}"`);
  return ms;
}

/** The leases of `fedbroker sync` and of the sync job in `serve`: Redis keys fedbroker:sync:lease:<cloud>, random tokens, the system clock. */
export function redisSyncLeases(redis: RedisClient, ttlMs = syncLeaseTtlMs()): SyncLeaseDeps {
  return { store: new RedisLeaseStore(redis), journal: new RedisEffectJournal(redis), clock: { now: () => new Date() }, ids: { newId: () => randomUUID() }, ttlMs };
}

export interface ComposedSync extends SyncDeps {
  /** The home realm's admin events (the event path in `serve`). */
  adminEvents(cloud: string): KeycloakAdminEvents;
  close(): Promise<void>;
}

export async function composeSync(spec: FederationSpec, baseDir: string, options: ComposeSyncOptions = {}): Promise<ComposedSync> {
  const observe = { ...(options.onRequest && { onRequest: options.onRequest }), ...(options.keepTokensFresh && { keepTokenFresh: true }) };
  const keycloak = new Map<string, KeycloakClient>();
  const keystone = new Map<string, KeystoneClient>();
  for (const cloud of spec.clouds) {
    keycloak.set(cloud.alias, await createKeycloakClient(cloud, baseDir, observe));
    if (cloud.keystone) keystone.set(cloud.alias, await createKeystoneClient(cloud, baseDir, observe));
  }
  const client = (cloud: string) => {
    const c = keycloak.get(cloud);
    if (!c) throw new BrokerError('ERR_INTERNAL', `no Keycloak client for cloud ${cloud}`, { details: { cloud } });
    return c;
  };
  const realmOf = (cloud: string) => spec.clouds.find((c) => c.alias === cloud)?.keycloak.realm ?? cloud;
  const homes = new Map(spec.clouds.map((c) => [c.alias, new KeycloakHomeDirectory({ cloud: c.alias, realm: realmOf(c.alias), rest: client(c.alias).rest })]));
  const partners = new Map(spec.clouds.map((c) => [c.alias, new KeycloakPartnerSync(client(c.alias).rest)]));
  const events = new Map(spec.clouds.map((c) => [c.alias, new KeycloakAdminEvents(client(c.alias).rest)]));
  const keystones = new Map(spec.clouds.flatMap((c) => {
    const k = keystone.get(c.alias);
    return k && c.keystone ? [[c.alias, new KeystoneSync({ rest: k.rest, identityProvider: c.keystone.identityProvider })] as const] : [];
  }));
  return {
    homeDirectory: (cloud) => homes.get(cloud) as KeycloakHomeDirectory,
    partnerRealm: (cloud) => partners.get(cloud) as KeycloakPartnerSync,
    keystone: (cloud) => keystones.get(cloud),
    ...(options.leases && { leases: options.leases }),
    adminEvents: (cloud) => events.get(cloud) as KeycloakAdminEvents,
    close: async () => {
      for (const c of keycloak.values()) await c.close();
      for (const c of keystone.values()) await c.close();
    },
  };
}
