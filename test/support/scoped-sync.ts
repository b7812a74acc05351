// The real role-sync adapters seeing only some users (tests and benchmarks on the shared test bed):
// home users, partner-realm users, guests and Keystone users whose names `ours` accepts. The shared
// demo users are then neither read into a run nor changed by it.
import { dirname } from 'node:path';
import { closeRedis, connectRedis } from '../../src/adapters/redis/logout-store.ts';
import { composeSync, redisSyncLeases } from '../../src/cli/sync-compose.ts';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import type { SyncDeps } from '../../src/services/sync.ts';
import { EXAMPLE_SPEC_PATH } from './example-federation.ts';
import { loadTestbed } from './testbed.ts';

export function scopeSyncDeps(real: SyncDeps, ours: (name: string) => boolean): SyncDeps {
  return {
    ...(real.leases && { leases: real.leases }),
    homeDirectory: (cloud) => {
      const home = real.homeDirectory(cloud);
      return { cloud, subject: (u) => home.subject(u), users: async (paths) => (await home.users(paths)).filter((u) => ours(u.homeUsername)),
        usersByIds: async (paths, ids) => (await home.usersByIds(paths, ids)).filter((u) => ours(u.homeUsername)) };
    },
    partnerRealm: (cloud) => {
      const port = real.partnerRealm(cloud);
      return {
        cloud, createUser: (r, u) => port.createUser(r, u), addMembership: (r, u, g) => port.addMembership(r, u, g), removeMembership: (r, u, g) => port.removeMembership(r, u, g),
        setEnabled: (r, u, e) => port.setEnabled(r, u, e), deleteUser: (r, u) => port.deleteUser(r, u), endSessions: (r, u) => port.endSessions(r, u),
        linkUser: (r, u, l) => port.linkUser(r, u, l),
        guests: async (realm) => (await port.guests(realm)).filter((u) => ours(u.username)),
        observe: async (realm, federation, home, paths) => { const o = await port.observe(realm, federation, home, paths); return { ...o, users: o.users.filter((u) => ours(u.username)) }; },
        observeUsers: async (realm, federation, home, paths, wanted) => { const o = await port.observeUsers(realm, federation, home, paths, wanted); return { ...o, users: o.users.filter((u) => ours(u.username)) }; },
      };
    },
    keystone: (cloud) => {
      const port = real.keystone(cloud);
      return port && {
        cloud, createFederatedUser: (id) => port.createFederatedUser(id), addMembership: (u, g) => port.addMembership(u, g), removeMembership: (u, g) => port.removeMembership(u, g),
        deleteUser: (u) => port.deleteUser(u), revokeTokens: (u) => port.revokeTokens(u), deleteApplicationCredentials: (u) => port.deleteApplicationCredentials(u),
        federatedUsers: async () => (await port.federatedUsers()).filter((u) => ours(u.uniqueId)),
        observe: async (federation, groups) => { const o = await port.observe(federation, groups); return { ...o, users: o.users.filter((u) => ours(u.uniqueId)) }; },
        observeGroups: (federation, groups) => port.observeGroups(federation, groups),
      };
    },
  };
}

/** Counts the non-GET requests a run sends, token requests left out: pass it as composeSync's `onRequest`. */
export function writeCounter(): { onRequest(method: string, url: URL): void; writes(): number; reset(): void } {
  let writes = 0;
  return {
    onRequest: (method, url) => { if (method !== 'GET' && !/\/protocol\/openid-connect\/token$|\/v3\/auth\/tokens$/.test(url.pathname)) writes += 1; },
    writes: () => writes,
    reset: () => { writes = 0; },
  };
}

/** The real adapters of `spec` (test bed Redis leases), scoped to `ours`, counting writes; close() ends both. */
export async function scopedRealSync(spec: FederationSpec, ours: (name: string) => boolean): Promise<{ deps: SyncDeps; writes: () => number; resetWrites(): void; close(): Promise<void> }> {
  const counter = writeCounter();
  const redis = await connectRedis(loadTestbed().redis.url);
  const real = await composeSync(spec, dirname(EXAMPLE_SPEC_PATH), { onRequest: counter.onRequest, leases: redisSyncLeases(redis) });
  return { deps: scopeSyncDeps(real, ours), writes: counter.writes, resetWrites: counter.reset, close: async () => { await real.close(); await closeRedis(redis); } };
}
