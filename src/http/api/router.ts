// /api/v1, the admin API (docs/api.md): every route authenticated with an OIDC bearer token
// (./auth.ts), its body and query validated by its schema (./request.ts), authorized per cloud by
// its use case; answers are JSON, errors problem+json through the app's one error middleware.
// GET /api/v1/openapi.json describes the routes and needs no token.
import express, { type NextFunction, type Request, type Response } from 'express';
import { BrokerError } from '../../core/errors.ts';
import type { RequestContext } from '../../services/api/authorize.ts';
import { authenticate } from './auth.ts';
import type { ApiDeps } from './deps.ts';
import { openApiDocument } from './openapi.ts';
import { parseRequest } from './request.ts';
import { DEFAULT_BODY_LIMIT, type ApiRoute } from './route.ts';
import { AUDIT_ROUTES } from './routes-audit.ts';
import { FEDERATION_ROUTES } from './routes-federation.ts';
import { OPERATION_ROUTES } from './routes-operations.ts';
import { REVISION_ROUTES } from './routes-revisions.ts';
import { TRUST_ROUTES } from './routes-trust.ts';

export const API_ROUTES: readonly ApiRoute[] = [...FEDERATION_ROUTES, ...OPERATION_ROUTES, ...AUDIT_ROUTES, ...REVISION_ROUTES, ...TRUST_ROUTES];

export function createApiRouter(deps: ApiDeps): express.Router {
  const router = express.Router();
  router.use((_req, res, next) => { res.set('Cache-Control', 'no-store'); next(); });
  const document = openApiDocument(API_ROUTES);
  router.get('/openapi.json', (_req, res) => { res.json(document); });
  for (const r of API_ROUTES) {
    const body = r.body ? [jsonOnly, express.json({ limit: r.bodyLimit ?? DEFAULT_BODY_LIMIT, strict: true })] : [];
    router[r.method](r.path, authenticate(deps, `${r.method.toUpperCase()} /api/v1${r.path}`), ...body, handler(deps, r));
  }
  return router;
}

/** A route with a body takes JSON only. */
function jsonOnly(req: Request, _res: Response, next: NextFunction): void {
  if (req.is('application/json') === false || (req.is('application/json') === null && Number(req.get('content-length') ?? 0) > 0)) {
    next(new BrokerError('ERR_REQUEST_CONTENT_TYPE', `the request body must be application/json, not ${req.get('content-type') ?? 'untyped'}`));
  } else next();
}

function handler(deps: ApiDeps, r: ApiRoute) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const ctx = res.locals['ctx'] as RequestContext;
      const body = r.body ? parseRequest(r.body, req.body, 'body') : undefined;
      const query = r.query ? parseRequest(r.query, { ...req.query }, 'query') : undefined;
      const params = Object.fromEntries(Object.entries(req.params).map(([k, v]) => [k, String(v)]));
      // API mode: the latest revision, also when another broker process recorded it.
      await deps.current.refresh();
      // The request id is the correlation id of what the call does (sent along to Keycloak and Keystone).
      const handle = () => r.handle(deps, { ctx, body, query, params });
      const result = await (deps.correlation ? deps.correlation.run(ctx.requestId, handle) : handle());
      res.status(result.status).json(result.body);
    } catch (error) {
      next(error);
    }
  };
}
