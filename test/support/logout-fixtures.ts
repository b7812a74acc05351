// A logout world of fakes for unit tests: the demo spec, fake realms with alice at home in cloud-a
// and as cloud-a.alice in cloud-b and cloud-c, fake Keystones, the memory store and queue, the REAL
// jose verifier over a fake JWKS endpoint per realm, and logout tokens signed like Keycloak's.
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import pino from 'pino';
import { FakeKeycloakSessions, FakeKeystoneRevocation, MemoryDeliveryQueue, MemoryLogoutStore } from '../../src/adapters/fakes/logout.ts';
import { JoseLogoutTokenVerifier } from '../../src/adapters/oidc/logout-token-verifier.ts';
import { BACKCHANNEL_LOGOUT_EVENT, logoutIssuers } from '../../src/core/logout/token-rules.ts';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import type { AuditLog } from '../../src/ports.ts';
import type { LogoutDeps } from '../../src/services/logout/deps.ts';
import { deliverLogout } from '../../src/services/logout/deliver.ts';
import { exampleSpec } from './example-federation.ts';

export const ISSUER = (cloud: string) => `https://127.0.0.1:18443/realms/${cloud}`;
export const ALICE_A = 'a1a1a1a1-0000-4000-8000-00000000a11c';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export interface LogoutWorld {
  spec: FederationSpec;
  deps: LogoutDeps;
  keycloak: Map<string, FakeKeycloakSessions>;
  keystone: Map<string, FakeKeystoneRevocation>;
  store: MemoryLogoutStore;
  queue: MemoryDeliveryQueue;
  audit: { action: string; [k: string]: unknown }[];
  now: { ms: number };
  jwksFetches: { count: number; byCloud: string[] };
  /** A logout token for cloud's realm, signed with the realm key unless `key` is given. */
  token(cloud: string, claims?: Record<string, unknown>, header?: Record<string, unknown>, key?: Key): Promise<string>;
  foreignKey: Key;
  /** The private ES256 key of cloud's realm (published as `kid-<cloud>`), to sign hand-made tokens. */
  realmKey(cloud: string): Key;
}

export async function logoutWorld(mutate?: (doc: Record<string, unknown>) => void): Promise<LogoutWorld> {
  const spec = exampleSpec(mutate);
  const keys = new Map<string, { privateKey: Key; jwk: JWK }>();
  for (const c of spec.clouds) {
    const pair = await generateKeyPair('ES256', { extractable: true });
    keys.set(ISSUER(c.alias), { privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid: `kid-${c.alias}`, alg: 'ES256', use: 'sig' } });
  }
  const foreign = await generateKeyPair('ES256');
  const jwksFetches = { count: 0, byCloud: [] as string[] };
  const verifier = new JoseLogoutTokenVerifier({
    fetchFor: (cloud) => async (input) => {
      jwksFetches.count += 1;
      jwksFetches.byCloud.push(cloud);
      const url = input instanceof Request ? input.url : input.toString();
      // A cloud's fetch serves only its own realm's keys, like the per-cloud HttpOut does.
      if (!url.startsWith(`${ISSUER(cloud)}/`)) return new Response('not this cloud\'s Keycloak', { status: 403 });
      const issuer = url.replace(/\/protocol\/openid-connect\/certs$/, '');
      const key = keys.get(issuer);
      return new Response(JSON.stringify({ keys: key ? [key.jwk] : [] }), { status: key ? 200 : 404, headers: { 'content-type': 'application/json' } });
    },
  });
  const keycloak = new Map(spec.clouds.map((c) => [c.alias, new FakeKeycloakSessions(c.alias)]));
  const keystone = new Map(spec.clouds.map((c) => [c.alias, new FakeKeystoneRevocation(c.alias)]));
  const a = keycloak.get('cloud-a') as FakeKeycloakSessions;
  a.addUser('cloud-a', { id: ALICE_A, username: 'alice', attributes: {}, federatedIdentities: [] }, ['sid-a-1', 'sid-a-2']);
  for (const partner of ['cloud-b', 'cloud-c']) {
    (keycloak.get(partner) as FakeKeycloakSessions).addUser(partner, {
      id: `${partner}-alice-id`, username: 'cloud-a.alice', attributes: { home_cloud: ['cloud-a'], home_sub: [ALICE_A] },
      federatedIdentities: [{ identityProvider: 'cloud-a', userId: ALICE_A, userName: 'alice' }],
    }, [`sid-${partner}-1`]);
    (keystone.get(partner) as FakeKeystoneRevocation).shadowUsers.add('cloud-a.alice');
  }
  const store = new MemoryLogoutStore();
  const queue = new MemoryDeliveryQueue({ firstDelayMs: 5, maxDelayMs: 20, maxAttempts: 50 });
  const audit: LogoutWorld['audit'] = [];
  const auditLog: AuditLog = { record: (entry) => { audit.push({ ...entry }); } };
  const now = { ms: Date.UTC(2026, 0, 1, 12, 0, 0) };
  let ids = 0;
  const deps: LogoutDeps = {
    spec, issuers: logoutIssuers(spec), verifier,
    keycloak: (cloud) => keycloak.get(cloud) as FakeKeycloakSessions,
    keystone: (cloud) => keystone.get(cloud),
    store, queue, clock: { now: () => new Date(now.ms) }, ids: { newId: () => `id${++ids}` }, audit: auditLog,
  };
  queue.process((job, attempt) => deliverLogout(deps, job, attempt));
  return {
    spec, deps, keycloak, keystone, store, queue, audit, now, jwksFetches, foreignKey: foreign.privateKey,
    realmKey: (cloud) => (keys.get(ISSUER(cloud)) as { privateKey: Key }).privateKey,
    async token(cloud, claims = {}, header = {}, key) {
      const signing = keys.get(ISSUER(cloud)) as { privateKey: Key; jwk: JWK };
      const body = { iss: ISSUER(cloud), aud: 'fed-cloud-b', iat: Math.floor(now.ms / 1000), jti: `jti-${Math.random().toString(36).slice(2)}`,
        sub: ALICE_A, sid: 'sid-a-1', events: { [BACKCHANNEL_LOGOUT_EVENT]: {} }, ...claims };
      for (const [k, v] of Object.entries(body)) if (v === undefined) delete (body as Record<string, unknown>)[k];
      return new SignJWT(body).setProtectedHeader({ alg: 'ES256', typ: 'logout+jwt', kid: signing.jwk.kid as string, ...header }).sign(key ?? signing.privateKey);
    },
  };
}

export const silentLogger = pino({ level: 'silent' });
