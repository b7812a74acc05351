// The admin API over fakes for unit tests: the demo spec, the fake federation (one set of fakes for
// every plan and apply), the logout world, the REAL jose bearer verifier over a fake JWKS endpoint
// per issuer (the three cloud realms and a dedicated admin realm), and tokens signed like Keycloak's.
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import request from 'supertest';
import { MemoryAuditStore } from '../../src/adapters/fakes/audit-store.ts';
import { auditRecordOf } from '../../src/core/audit/record.ts';
import { MemoryPlanStore, MemoryRunStore } from '../../src/adapters/memory/api-stores.ts';
import { MemoryRevisionStore } from '../../src/adapters/memory/revision-store.ts';
import { MemoryTrustProposalStore } from '../../src/adapters/memory/trust-proposal-store.ts';
import { ApiModeSpec, GitOpsSpec } from '../../src/services/api/current-spec.ts';
import type { RevisionStore } from '../../src/ports/api.ts';
import { fingerprint } from '../../src/services/api/plans.ts';
import { JoseBearerVerifier } from '../../src/adapters/oidc/bearer-verifier.ts';
import { parseApiConfig, type ApiIssuer } from '../../src/core/authz/config.ts';
import type { ApiDeps, SyncResultJson } from '../../src/http/api/deps.ts';
import { createApp } from '../../src/http/app.ts';
import { BrokerMetrics } from '../../src/http/metrics.ts';
import { clusterKey } from '../../src/core/render/kubernetes/index.ts';
import type { SyncOptions, SyncReport } from '../../src/services/sync.ts';
import { fakeFederation, type FakeFederation } from './fake-federation.ts';
import { fixedHomeDirectory } from './fake-home-directory.ts';
import { logoutWorld, silentLogger, type LogoutWorld } from './logout-fixtures.ts';
import { assertConforms } from './openapi-conformance.ts';

export const REALM = (realm: string) => `https://127.0.0.1:18443/realms/${realm}`;
export const ADMIN_ISSUER = REALM('fed-admins');
export const AUDIENCE = 'fedbroker';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export interface ApiWorld {
  readonly app: ReturnType<typeof createApp>;
  readonly deps: ApiDeps;
  readonly federation: FakeFederation;
  readonly logout: LogoutWorld;
  readonly audit: { action: string; [k: string]: unknown }[];
  readonly now: { ms: number };
  readonly syncCalls: SyncOptions[];
  readonly foreignKey: Key;
  /** A token of `issuer` signed with its key (unless `key`), for the broker's audience, valid 5 minutes. */
  token(issuer: string, claims?: Record<string, unknown>, key?: Key): Promise<string>;
  /** Tokens of the three kinds of caller. */
  federationAdmin(): Promise<string>;
  cloudAdmin(cloud: string): Promise<string>;
  plainUser(cloud: string): Promise<string>;
  get(path: string, token?: string): request.Test;
  post(path: string, body: unknown, token?: string): request.Test;
}

export interface ApiWorldOptions {
  /** api (default: spec revisions in memory, the demo spec as revision 1) or gitops (the demo spec file only). */
  readonly mode?: 'api' | 'gitops';
  /** API mode: the revision store (shared by two worlds = two broker processes). */
  readonly revisions?: RevisionStore;
  /** A variant of the demo spec. */
  readonly mutate?: (doc: Record<string, unknown>) => void;
}

export async function apiWorld(options: ApiWorldOptions = {}): Promise<ApiWorld> {
  const logout = await logoutWorld(options.mutate);
  const spec = logout.spec;
  const federation = fakeFederation(spec);
  const config = parseApiConfig({ audience: AUDIENCE, federationAdmin: { issuers: [ADMIN_ISSUER] }, issuers: [{ issuer: ADMIN_ISSUER }] }, spec);
  const keys = new Map<string, { privateKey: Key; jwk: JWK }>();
  for (const i of config.issuers) {
    const pair = await generateKeyPair('ES256', { extractable: true });
    keys.set(i.issuer, { privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid: `kid-${i.issuer}`, alg: 'ES256', use: 'sig' } });
  }
  const foreign = await generateKeyPair('ES256');
  const now = logout.now;
  const verifier = new JoseBearerVerifier({
    config, clock: { now: () => new Date(now.ms) },
    fetchFor: (issuer: ApiIssuer) => async (input) => {
      const url = input instanceof Request ? input.url : input.toString();
      if (url !== issuer.jwksUri) return new Response('not this issuer', { status: 403 });
      return new Response(JSON.stringify({ keys: [keys.get(issuer.issuer)!.jwk] }), { status: 200, headers: { 'content-type': 'application/json' } });
    },
  });
  const current = options.mode === 'gitops' ? new GitOpsSpec(spec, 'federation.example.yaml')
    : await ApiModeSpec.start(options.revisions ?? new MemoryRevisionStore(), { spec, fingerprint: fingerprint(spec), source: 'federation.example.yaml', author: 'broker', timeMs: now.ms });
  const audit: ApiWorld['audit'] = [];
  const syncCalls: SyncOptions[] = [];
  const auditStore = new MemoryAuditStore({ retentionDays: 30, now: () => now.ms });
  let ids = 0;
  const deps: ApiDeps = {
    config, verifier,
    current,
    onboarding: async () => federation.deps,
    explain: { homeDirectory: fixedHomeDirectory, keystone: (cloud) => federation.keystone.get(cloud)!, kubernetes: (cloud, cluster) => federation.kubernetes.get(clusterKey(cloud, cluster))! },
    sync: async (options) => { syncCalls.push(options); return emptySyncReport(options); },
    logout: logout.deps,
    plans: new MemoryPlanStore(), syncRuns: new MemoryRunStore<SyncResultJson>(), trustProposals: new MemoryTrustProposalStore(),
    clock: { now: () => new Date(now.ms) }, ids: { newId: () => `r${++ids}` },
    audit: { record: (e) => { audit.push({ ...e }); logout.deps.audit.record(e); void auditStore.append(auditRecordOf(e, now.ms)); } },
    auditStore,
  };
  const app = createApp({ logout: logout.deps, logger: silentLogger, metrics: new BrokerMetrics(), ready: async () => {}, api: deps });
  const token: ApiWorld['token'] = (issuer, claims = {}, key) => {
    const s = Math.floor(now.ms / 1000);
    const body: Record<string, unknown> = { iss: issuer, aud: AUDIENCE, sub: `sub-${issuer.split('/').pop()}`, iat: s, exp: s + 300, ...claims };
    for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
    return new SignJWT(body).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: keys.get(issuer)?.jwk.kid ?? 'kid-unknown' }).sign(key ?? keys.get(issuer)?.privateKey ?? foreign.privateKey);
  };
  const withToken = (t: request.Test, tk?: string) => (tk === undefined ? t : t.set('Authorization', `Bearer ${tk}`));
  return {
    app, deps, federation, logout, audit, now, syncCalls, foreignKey: foreign.privateKey, token,
    federationAdmin: () => token(ADMIN_ISSUER, { preferred_username: 'fiona', realm_access: { roles: ['fedbroker-federation-admin'] } }),
    cloudAdmin: (cloud) => token(REALM(cloud), { preferred_username: `admin-${cloud}`, realm_access: { roles: ['fedbroker-cloud-admin'] } }),
    plainUser: (cloud) => token(REALM(cloud), { preferred_username: 'alice', realm_access: { roles: ['offline_access'] } }),
    get: (path, tk) => withToken(request(app).get(path), tk),
    post: (path, body, tk) => withToken(request(app).post(path).send(body as object), tk),
  };
}


function emptySyncReport(options: SyncOptions): SyncReport {
  return { targets: [], failures: [], brake: [], stoppedByBrake: false, dryRun: options.dryRun === true, stopped: false, applied: [] };
}

/** A request through the world's app whose response is checked against the OpenAPI document. */
export async function conformingCall(w: ApiWorld, method: 'get' | 'post', path: string, token: string | undefined, body?: unknown): Promise<request.Response> {
  const res = method === 'get' ? await w.get(path, token) : await w.post(path, body ?? {}, token);
  assertConforms(res, method, path.split('?')[0]!);
  return res;
}
