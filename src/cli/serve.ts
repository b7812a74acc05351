// `fedbroker serve`: the broker's HTTP API (back-channel logout receiver, health, metrics), the
// delivery workers, the LOGOUT-event poller, the role-sync job and its admin-event poller, in one process. TLS with --tls-cert/--tls-key (the
// back-channel URL in the spec is https); plain HTTP only with --insecure-http (TLS in front).
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { asyncCorrelationScope } from '../adapters/correlation.ts';
import { BrokerError } from '../core/errors.ts';
import { DEFAULT_RATE_LIMITS, parseBucketLimit, type BucketLimit, type RateLimits } from '../core/rate-limit.ts';
import { createApp } from '../http/app.ts';
import { BrokerMetrics } from '../http/metrics.ts';
import { startLogoutWorkers } from '../jobs/logout-worker.ts';
import { startSyncJob, type SyncJobHandle } from '../jobs/sync-job.ts';
import { runSync } from '../services/sync.ts';
import { startSyncEventPoller, type SyncEventPollerHandle } from '../jobs/sync-event-poller.ts';
import { RedisLogoutStore } from '../adapters/redis/logout-store.ts';
import { loadValidSpec } from './load.ts';
import { auditLogger, composeLogout, redisUrl } from './logout-compose.ts';
import { EXIT, type OutputFormat } from './output.ts';
import { composeSync, redisSyncLeases, syncLeaseTtlMs } from './sync-compose.ts';
import { composeApi, type ComposedApi } from './serve-api.ts';
import { DEFAULT_SHUTDOWN_GRACE_MS, drainServe } from './serve-drain.ts';
import { composedSpecOf, servedSpec, specModeOf } from './serve-spec.ts';

/**
 * Production default of the LOGOUT-event poll (ms): one admin GET per realm per interval. A logout
 * that only a realm event reports (e.g. RP-initiated at a partner realm) is fanned out within about
 * one interval plus ~200 ms. `--poll-interval` / FEDBROKER_POLL_INTERVAL_MS override it (0 disables).
 */
export const DEFAULT_POLL_INTERVAL_MS = 1000;

/**
 * Default of role sync's admin-event poll (ms): one admin GET per home realm per interval; a removal
 * at home reaches every partner within about one interval plus the targeted sync's own time
 * (docs/sync.md). `--sync-event-interval` / FEDBROKER_SYNC_EVENT_INTERVAL_MS override it (0 disables).
 */
export const DEFAULT_SYNC_EVENT_INTERVAL_MS = 1000;

/** Where serve listens without --listen / FEDBROKER_LISTEN: the demo spec's broker URL. */
export const DEFAULT_LISTEN = '127.0.0.1:17443';

export interface ServeOptions {
  spec: string;
  listen?: string;
  tlsCert?: string;
  tlsKey?: string;
  redis?: string;
  pollInterval?: string;
  /** Period of the role-sync job in ms, 0 disables (default: the spec's sync.intervalSeconds). */
  syncInterval?: string;
  /** Poll interval of the home admin events in ms (role sync's event path), 0 disables. */
  syncEventInterval?: string;
  /** `<per second>:<burst>` of each source address (IPv6: each /64). */
  rateLimitSource?: string;
  /** `<per second>:<burst>` of each cloud. */
  rateLimitCloud?: string;
  insecureHttp?: boolean;
  insecureUnauthenticatedAdminApi?: boolean;
  /** The admin API's configuration file (docs/api.md); without it /api/v1 is not mounted. */
  apiConfig?: string;
  /** How long a stop (SIGTERM/SIGINT) may take to finish the work in flight, in ms. */
  shutdownGrace?: string;
  /** gitops (default: the spec file is the only source) or api (spec revisions in Redis through the admin API). */
  specMode?: string;
  /** Format of a start-up error (and of an invalid spec's problems). */
  output?: OutputFormat;
}

export async function serveCommand(opts: ServeOptions): Promise<number> {
  const loaded = await loadValidSpec(opts.spec, opts.output ?? 'human');
  if ('exitCode' in loaded) return loaded.exitCode;
  const logger = auditLogger(1);
  const [host, port] = parseListen(opts.listen ?? process.env['FEDBROKER_LISTEN'] ?? DEFAULT_LISTEN);
  const certFile = opts.tlsCert ?? process.env['FEDBROKER_TLS_CERT'];
  const keyFile = opts.tlsKey ?? process.env['FEDBROKER_TLS_KEY'];
  if (!certFile !== !keyFile) throw new BrokerError('ERR_CONFIG_INVALID', '--tls-cert and --tls-key go together');
  if (!certFile && !opts.insecureHttp) throw new BrokerError('ERR_CONFIG_INVALID', 'serve needs --tls-cert and --tls-key, or --insecure-http when TLS terminates in front of the broker');
  if (!certFile) logger.warn({ insecure: 'http' }, 'INSECURE: serving plain HTTP (--insecure-http); terminate TLS in front of the broker');
  if (opts.insecureUnauthenticatedAdminApi) logger.warn({ insecure: 'admin-api' }, 'INSECURE: the admin API (/api/v1/logout/events) is mounted WITHOUT authentication (--insecure-unauthenticated-admin-api)');
  const apiConfig = opts.apiConfig ?? process.env['FEDBROKER_API_CONFIG'];
  const specMode = specModeOf(opts.specMode ?? process.env['FEDBROKER_SPEC_MODE']);
  if (specMode === 'api' && !apiConfig) throw new BrokerError('ERR_CONFIG_INVALID', '--spec-mode api changes the spec through the admin API: it needs --api-config');
  const served = await servedSpec(specMode, opts.spec, loaded.spec, redisUrl(opts.redis), logger);
  const { current } = served;
  // API mode: the latest revision, not the file, from here on.
  const spec = current.get();
  for (const c of spec.clouds.filter((c) => c.keycloak.insecureAcceptUntypedLogoutTokens)) {
    logger.warn({ insecure: 'untyped-logout-tokens', cloud: c.alias }, `INSECURE: cloud ${c.alias} accepts logout tokens typed JWT (insecureAcceptUntypedLogoutTokens)`);
  }
  const intervalMs = Number(opts.pollInterval ?? process.env['FEDBROKER_POLL_INTERVAL_MS'] ?? DEFAULT_POLL_INTERVAL_MS);
  if (!Number.isInteger(intervalMs) || intervalMs < 0) throw new BrokerError('ERR_CONFIG_INVALID', `--poll-interval must be a whole number of milliseconds (0 disables), not "${String(opts.pollInterval ?? process.env['FEDBROKER_POLL_INTERVAL_MS'])}"`);
  const syncIntervalMs = syncIntervalOf(opts.syncInterval ?? process.env['FEDBROKER_SYNC_INTERVAL_MS'], spec.sync.intervalSeconds);
  const leaseTtlMs = syncLeaseTtlMs();
  const syncEventMs = intervalOf('--sync-event-interval', opts.syncEventInterval ?? process.env['FEDBROKER_SYNC_EVENT_INTERVAL_MS'], DEFAULT_SYNC_EVENT_INTERVAL_MS);
  const rateLimits = rateLimitsOf(opts);
  const graceMs = intervalOf('--shutdown-grace', opts.shutdownGrace ?? process.env['FEDBROKER_SHUTDOWN_GRACE_MS'], DEFAULT_SHUTDOWN_GRACE_MS);
  const metrics = new BrokerMetrics(spec.clouds.map((c) => c.alias));
  const specOf = composedSpecOf(current, spec, logger);
  const composed = await composeLogout(spec, loaded.baseDir, { redisUrl: redisUrl(opts.redis), logger, onAudit: (e) => metrics.observe(e), keepTokensFresh: true, specOf });
  const { deps } = composed;
  if (current.mode === 'api' && current.imported) deps.audit.record({ action: 'spec.import', correlationId: 'spec-revision-1', revision: 1, source: current.latest().origin.kind === 'import' ? opts.spec : undefined });
  const workers = await startLogoutWorkers(deps, logger, { pollIntervalMs: intervalMs });
  const sync = syncIntervalMs > 0 || syncEventMs > 0 || apiConfig
    ? await composeSync(spec, loaded.baseDir, { leases: redisSyncLeases(composed.redis, leaseTtlMs), keepTokensFresh: true }) : undefined;
  const syncJob: SyncJobHandle | undefined = sync && syncIntervalMs > 0 ? startSyncJob(async (signal) => { await current.refresh(); return runSync(specOf(), sync, { signal }); }, deps.audit, logger, deps.ids, { intervalMs: syncIntervalMs, correlation: asyncCorrelationScope }) : undefined;
  const syncPoller: SyncEventPollerHandle | undefined = sync && syncEventMs > 0
    ? startSyncEventPoller({ ...sync, spec, store: new RedisLogoutStore(composed.redis, 'fedbroker:sync'), clock: deps.clock, audit: deps.audit }, logger, syncEventMs) : undefined;
  const api: ComposedApi | undefined = apiConfig ? await composeApi(apiConfig, current, loaded.baseDir, deps, sync, composed.auditStore, composed.redis) : undefined;
  const app = createApp({ logout: deps, logger, metrics, ready: () => deps.store.ping(), rateLimits, insecureUnauthenticatedAdminApi: !!opts.insecureUnauthenticatedAdminApi, ...(api && { api: api.deps }) });
  const server: Server = certFile && keyFile
    ? createHttpsServer({ cert: await readFile(certFile), key: await readFile(keyFile) }, app)
    : createHttpServer(app);
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  await new Promise<void>((resolvePromise, reject) => { server.once('error', reject); server.listen(port, host, resolvePromise); });
  logger.info({ listen: `${certFile ? 'https' : 'http'}://${host}:${port}`, adminApi: api ? 'authenticated' : 'off', specMode, ...(current.mode === 'api' && { specRevision: current.latest().number }), pollIntervalMs: intervalMs, syncIntervalMs, syncEventIntervalMs: syncEventMs, rateLimits, clouds: spec.clouds.map((c) => c.alias) }, 'fedbroker serving');
  await new Promise<void>((resolvePromise) => {
    const stop = () => { resolvePromise(); };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  logger.info({ graceMs }, 'fedbroker stopping');
  await drainServe({
    server,
    jobs: [
      { name: 'logout poller', run: () => workers.stop() },
      ...(syncJob ? [{ name: 'sync job', run: () => syncJob.stop() }] : []),
      ...(syncPoller ? [{ name: 'admin-event poller', run: () => syncPoller.stop() }] : []),
    ],
    queue: deps.queue,
    release: [
      ...(sync ? [{ name: 'sync clients', run: () => sync.close() }] : []),
      ...(api ? [{ name: 'admin API clients', run: () => api.close() }] : []),
      { name: 'logout clients', run: () => composed.close() },
      { name: 'spec store', run: () => served.close() },
    ],
  }, graceMs, logger);
  return EXIT.OK;
}

/** The sync job's period (ms): the flag, else the environment, else the spec's seconds; 0 disables. */
export function syncIntervalOf(value: string | undefined, specSeconds: number): number {
  if (value === undefined) return specSeconds * 1000;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) throw new BrokerError('ERR_CONFIG_INVALID', `--sync-interval must be a whole number of milliseconds (0 disables), not "${value}"`);
  return ms;
}

/** A poll interval in ms from a flag or the environment (0 disables); ERR_CONFIG_INVALID for anything else. */
export function intervalOf(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = Number(value);
  if (value.trim() === '' || !Number.isInteger(ms) || ms < 0) throw new BrokerError('ERR_CONFIG_INVALID', `${flag} must be a whole number of milliseconds (0 disables), not "${value}"`);
  return ms;
}

/** The limits of the unauthenticated routes: flags, else environment, else DEFAULT_RATE_LIMITS. */
export function rateLimitsOf(opts: Pick<ServeOptions, 'rateLimitSource' | 'rateLimitCloud'>, env: NodeJS.ProcessEnv = process.env): RateLimits {
  const limit = (flag: string, value: string | undefined, fallback: BucketLimit): BucketLimit => {
    if (value === undefined) return fallback;
    const parsed = parseBucketLimit(value);
    if (!parsed) throw new BrokerError('ERR_CONFIG_INVALID', `${flag} must be <requests per second>:<burst>, e.g. 100:200, not "${value}"`);
    return parsed;
  };
  return {
    perSource: limit('--rate-limit-source', opts.rateLimitSource ?? env['FEDBROKER_RATE_LIMIT_SOURCE'], DEFAULT_RATE_LIMITS.perSource),
    perCloud: limit('--rate-limit-cloud', opts.rateLimitCloud ?? env['FEDBROKER_RATE_LIMIT_CLOUD'], DEFAULT_RATE_LIMITS.perCloud),
  };
}

function parseListen(value: string): [string, number] {
  const m = /^(.*):(\d+)$/.exec(value);
  if (!m) throw new BrokerError('ERR_CONFIG_INVALID', `--listen must be host:port, not "${value}"`);
  return [m[1]!.replace(/^\[|\]$/g, ''), Number(m[2])];
}
