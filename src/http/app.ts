// The broker's HTTP API (docs/design.md §8): express 5 + helmet, small body limits, one error middleware
// mapping codes through ./problem.ts. Routes:
//   POST /api/v1/logout/backchannel/:cloud   OIDC back-channel logout receiver (urlencoded logout_token),
//                                            rate-limited per source and per cloud first (./rate-limit.ts)
//   GET  /api/v1/logout/events/:id           delivery report: only with the insecure unauthenticated admin API flag
//   /api/v1/...                              the authenticated admin API, when configured (./api/router.ts, docs/api.md)
//   GET  /healthz  /readyz  /metrics
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { BrokerError, isBrokerError } from '../core/errors.ts';
import { DEFAULT_RATE_LIMITS, RequestRateLimiter, type RateLimits } from '../core/rate-limit.ts';
import { causeChain, redactValue } from '../core/redact.ts';
import { logoutReport } from '../services/logout/admin.ts';
import type { LogoutDeps } from '../services/logout/deps.ts';
import { receiveBackchannelLogout } from '../services/logout/receive.ts';
import { boundedLabel, resultLabel, type BrokerMetrics } from './metrics.ts';
import { createApiRouter } from './api/router.ts';
import type { ApiDeps } from './api/deps.ts';
import { fromHttpLibraryError, toProblem } from './problem.ts';
import { rateLimited } from './rate-limit.ts';

export const BACKCHANNEL_BODY_LIMIT = '16kb';

export interface AppDeps {
  readonly logout: LogoutDeps;
  readonly logger: Logger;
  readonly metrics: BrokerMetrics;
  /** Throws when a dependency the broker needs (Redis) is not usable. */
  readonly ready: () => Promise<void>;
  /** Limits of the unauthenticated routes, per source and per cloud (default DEFAULT_RATE_LIMITS; time from logout.clock). */
  readonly rateLimits?: RateLimits;
  /** Mounts the admin routes without authentication (TODO: OIDC bearer auth, docs/design.md §8). */
  readonly insecureUnauthenticatedAdminApi?: boolean;
  /** The authenticated admin API (`serve --api-config`); absent: not mounted. */
  readonly api?: ApiDeps;
}

/** A route that reads a form refuses any other body (JSON, text) with a code of its own. */
function formBodyOnly(req: Request, _res: Response, next: NextFunction): void {
  if (req.is('application/x-www-form-urlencoded') === false) {
    next(new BrokerError('ERR_REQUEST_CONTENT_TYPE', `the request body must be application/x-www-form-urlencoded, not ${req.get('content-type') ?? 'untyped'}`));
  } else next();
}

/**
 * Counts every /api/v1 request when answered, by the template of the route that took it (bounded: the
 * routes this app defines) or `unmatched`, never by the path a caller sent.
 */
function countApiRequests(metrics: BrokerMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.once('finish', () => {
      const template = (req.route as { path?: unknown } | undefined)?.path;
      const mount = typeof res.locals['mount'] === 'string' ? res.locals['mount'] : '';
      metrics.apiRequest(typeof template === 'string' ? `${mount}${template}` : 'unmatched', res.statusCode);
    });
    next();
  };
}

/** Remembers where the router a request enters is mounted (Express resets `baseUrl` when it leaves). */
function rememberMount(req: Request, res: Response, next: NextFunction): void {
  res.locals['mount'] = req.baseUrl;
  next();
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(helmet());

  app.get('/healthz', (_req, res) => { res.json({ status: 'ok' }); });
  app.get('/readyz', async (_req, res, next) => {
    try { await deps.ready(); res.json({ status: 'ready' }); } catch (error) { next(error); }
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.use('/api/v1', countApiRequests(deps.metrics));

  // Metric labels: the clouds of the spec, or `unknown` for whatever a caller puts into the path.
  const knownClouds: ReadonlySet<string> = new Set(deps.logout.spec.clouds.map((c) => c.alias));
  const logout = express.Router();
  logout.use((_req, res, next) => { res.set('Cache-Control', 'no-store'); next(); });
  const backchannelLimit = rateLimited({ route: 'backchannel', limiter: new RequestRateLimiter(deps.rateLimits ?? DEFAULT_RATE_LIMITS), clock: deps.logout.clock, metrics: deps.metrics, knownClouds });
  logout.post('/backchannel/:cloud', backchannelLimit, formBodyOnly, express.urlencoded({ extended: false, limit: BACKCHANNEL_BODY_LIMIT, parameterLimit: 10 }), async (req: Request, res: Response, next: NextFunction) => {
    const cloud = String(req.params['cloud']);
    try {
      const token = (req.body as Record<string, unknown> | undefined)?.['logout_token'];
      if (typeof token !== 'string' || token === '') throw new BrokerError('ERR_LOGOUT_MALFORMED', 'the request has no logout_token form parameter');
      const started = await receiveBackchannelLogout(deps.logout, cloud, token);
      deps.metrics.logoutTokens.inc({ cloud: boundedLabel(cloud, knownClouds), result: 'accepted' });
      res.status(200).json({ eventId: started.eventId, coalesced: started.coalesced });
    } catch (error) {
      deps.metrics.logoutTokens.inc({ cloud: boundedLabel(cloud, knownClouds), result: resultLabel(isBrokerError(error) ? error.code : undefined) });
      next(error);
    }
  });
  if (deps.insecureUnauthenticatedAdminApi) {
    logout.get('/events/:id', async (req, res, next) => {
      try { res.json(await logoutReport(deps.logout, String(req.params['id']))); } catch (error) { next(error); }
    });
  }
  app.use('/api/v1/logout', rememberMount, logout);
  if (deps.api) app.use('/api/v1', rememberMount, createApiRouter(deps.api));

  app.use((_req, _res, next) => { next(new BrokerError('ERR_NOT_FOUND', 'no such route')); });
  app.use((raw: unknown, req: Request, res: Response, _next: NextFunction) => {
    const error = fromHttpLibraryError(raw);
    // An admin API request has an id already: its audit lines carry it as their correlation id.
    const errorId = typeof res.locals['requestId'] === 'string' ? res.locals['requestId'] : randomUUID();
    const problem = toProblem(error, errorId);
    // Code, message, error id and the cause chain as name/code/message only (never whole error objects,
    // which may hold request configs, headers or token payloads), redacted here whatever the logger does.
    const log = redactValue({ errorId, code: problem.code, status: problem.status, method: req.method, path: req.path,
      ...(isBrokerError(error) ? { message: error.message, details: error.details } : { message: problem.detail }) }) as Record<string, unknown>;
    if (problem.status >= 500) deps.logger.error({ ...log, causes: causeChain(isBrokerError(error) ? error.cause : error) }, 'request failed');
    else if (problem.code === 'ERR_RATE_LIMITED') deps.logger.debug(log, 'request refused'); // a flood must not flood the log too: the metric counts them
    else deps.logger.warn(log, 'request refused');
    res.status(problem.status).set('Cache-Control', 'no-store').type('application/problem+json').send(JSON.stringify(problem));
  });
  return app;
}
