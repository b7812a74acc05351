// The server process of bench/backchannel-receipts.bench.ts: the broker's real express app (createApp)
// over HTTPS, composed like `fedbroker serve` composes it (src/cli/logout-compose.ts) except for what
// would leave the machine: the REAL Redis logout store, BullMQ delivery queue and Redis audit store (all
// under the bench's own prefix / queue name), the REAL jose verifier whose JWKS fetch is answered here
// from the bench's public key (fetched once, cached by jose), and the project's FAKE Keycloak adapter
// for the one admin call a receipt makes (userById: the subject behind `sub`). No workers: deliveries
// are enqueued, never run. The audit lines (info, JSON) go to stdout, which the parent discards.
// Configured by BENCH_RECEIPTS (JSON, see ServerConfig); talks to the parent over IPC.
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { parse } from 'yaml';
import { FakeKeycloakSessions, FakeKeystoneRevocation } from '../src/adapters/fakes/logout.ts';
import { createBrokerLogger } from '../src/adapters/log/pino-logger.ts';
import { JoseLogoutTokenVerifier } from '../src/adapters/oidc/logout-token-verifier.ts';
import { BullDeliveryQueue } from '../src/adapters/queue/bullmq-delivery-queue.ts';
import { RedisAuditStore } from '../src/adapters/redis/audit-store.ts';
import { closeRedis, connectRedis, RedisLogoutStore } from '../src/adapters/redis/logout-store.ts';
import { asyncCorrelationScope } from '../src/adapters/correlation.ts';
import { storedAuditLog } from '../src/cli/logout-compose.ts';
import { validateSpec } from '../src/core/federation/validate.ts';
import { logoutIssuers } from '../src/core/logout/token-rules.ts';
import type { RealmUser } from '../src/core/logout/subject.ts';
import { createApp } from '../src/http/app.ts';
import { BrokerMetrics } from '../src/http/metrics.ts';
import type { LogoutDeps } from '../src/services/logout/deps.ts';

export interface ServerConfig {
  readonly specFile: string;
  readonly redisUrl: string;
  /** Prefix of every key of the store and the audit trail; the queue's name. */
  readonly prefix: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** The realm keys the fake JWKS endpoint serves, by issuer. */
  readonly jwks: Record<string, object>;
  /** Users `<userPrefix><n>` exist in every realm (synthesized by the fake adapter on lookup). */
  readonly userPrefix: string;
}

/** The project's fake Keycloak adapter, with any number of users `<prefix><n>` at home in its realm. */
class BenchRealm extends FakeKeycloakSessions {
  readonly lookups = { count: 0 };
  constructor(cloud: string, readonly realm: string, readonly userPrefix: string) { super(cloud); }
  override async userById(realm: string, id: string): Promise<RealmUser | undefined> {
    this.lookups.count += 1;
    if (realm === this.realm && id.startsWith(this.userPrefix)) return { id, username: `user-${id.slice(this.userPrefix.length)}`, attributes: {}, federatedIdentities: [] };
    return super.userById(realm, id);
  }
}

const config = JSON.parse(process.env['BENCH_RECEIPTS'] ?? '{}') as ServerConfig;
const result = validateSpec(parse(readFileSync(config.specFile, 'utf8')));
if (!result.ok) throw new Error(`invalid spec: ${JSON.stringify(result.problems.slice(0, 3))}`);
const spec = result.spec;

const logger = createBrokerLogger(pino.destination({ dest: 1, sync: true }), { level: process.env['FEDBROKER_LOG_LEVEL'] ?? 'info' });
const metrics = new BrokerMetrics(spec.clouds.map((c) => c.alias));
const redis = await connectRedis(config.redisUrl);
const queue = new BullDeliveryQueue(config.redisUrl, { name: config.prefix, onError: (e) => logger.warn({ message: e.message }, 'delivery queue: Redis error') });
const now = () => Date.now();
const { audit, flush } = storedAuditLog(new RedisAuditStore(redis, { prefix: `${config.prefix}:audit`, retentionDays: 1, now }), logger, now, (e) => metrics.observe(e));
const realms = new Map(spec.clouds.map((c) => [c.alias, new BenchRealm(c.alias, c.keycloak.realm, config.userPrefix)]));
const keystones = new Map(spec.clouds.filter((c) => c.keystone).map((c) => [c.alias, new FakeKeystoneRevocation(c.alias)]));
const jwksFetches = { count: 0 };
const verifier = new JoseLogoutTokenVerifier({
  fetchFor: (cloud) => async (input) => {
    jwksFetches.count += 1;
    const url = input instanceof Request ? input.url : input.toString();
    const issuer = logoutIssuers(spec).find((i) => i.cloud === cloud && i.jwksUri === url)?.issuer;
    const key = issuer ? config.jwks[issuer] : undefined;
    return new Response(JSON.stringify({ keys: key ? [key] : [] }), { status: key ? 200 : 404, headers: { 'content-type': 'application/json' } });
  },
});
const deps: LogoutDeps = {
  spec, issuers: logoutIssuers(spec), verifier,
  keycloak: (cloud) => realms.get(cloud) as BenchRealm,
  keystone: (cloud) => keystones.get(cloud),
  store: new RedisLogoutStore(redis, `${config.prefix}:logout`), queue, clock: { now: () => new Date() }, ids: { newId: () => crypto.randomUUID() }, audit,
  correlation: asyncCorrelationScope,
};
// Raised far above the defaults (500/s per cloud, 200/s per source), which a benchmark from one address would hit.
const rateLimits = { perSource: { burst: 1_000_000, perSecond: 1_000_000 }, perCloud: { burst: 1_000_000, perSecond: 1_000_000 } };
const app = createApp({ logout: deps, logger, metrics, ready: () => deps.store.ping(), rateLimits });
const server = createServer({ cert: readFileSync(config.certFile), key: readFileSync(config.keyFile) }, app);
server.headersTimeout = 10_000;
server.requestTimeout = 15_000;
await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve); });

const stats = () => ({
  rssMiB: process.memoryUsage.rss() / 2 ** 20, jwksFetches: jwksFetches.count,
  userLookups: [...realms.values()].reduce((n, r) => n + r.lookups.count, 0), cpuUs: process.cpuUsage(),
});
// --cpu-prof of the parent: a CPU profile of each timed receipts window only (node:inspector), written to msg.file.
const inspector = new Session();
process.on('message', (msg: { cmd: string; file?: string }) => {
  if (msg.cmd === 'stats') process.send?.({ stats: stats() });
  if (msg.cmd === 'prof-start') {
    void (async () => { inspector.connect(); await inspector.post('Profiler.enable'); await inspector.post('Profiler.start'); process.send?.({ profiling: true }); })();
  }
  if (msg.cmd === 'prof-stop') {
    void (async () => {
      const { profile } = await inspector.post('Profiler.stop');
      writeFileSync(msg.file as string, JSON.stringify(profile));
      inspector.disconnect();
      process.send?.({ profiled: msg.file });
    })();
  }
  if (msg.cmd === 'stop') {
    server.closeAllConnections();
    server.close();
    void (async () => { await flush(); await queue.close(); await closeRedis(redis); process.send?.({ stopped: true }); process.exit(0); })();
  }
});
process.send?.({ ready: (server.address() as AddressInfo).port, stats: stats() });
