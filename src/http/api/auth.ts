// Authentication of every /api/v1 route: `Authorization: Bearer <JWT>`, verified by the
// BearerVerifier port (signature, issuer, audience, exp/nbf), read into an Actor. A refusal is 401
// ERR_UNAUTHENTICATED with WWW-Authenticate (RFC 6750) and an audit line; the request id becomes
// the problem's error id and the correlation id of every audit line of the request.
import type { NextFunction, Request, Response } from 'express';
import { actorOf } from '../../core/authz/actor.ts';
import { BrokerError, isBrokerError } from '../../core/errors.ts';
import type { RequestContext } from '../../services/api/authorize.ts';
import type { ApiDeps } from './deps.ts';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

export function authenticate(deps: ApiDeps, route: string) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const requestId = deps.ids.newId();
    res.locals['requestId'] = requestId;
    try {
      const token = BEARER.exec(req.get('authorization') ?? '')?.[1];
      if (token === undefined) throw new BrokerError('ERR_UNAUTHENTICATED', 'the request has no bearer token (Authorization: Bearer <token>)', { details: { reason: 'missing' } });
      const verified = await deps.verifier.verify(token);
      const ctx: RequestContext = { actor: actorOf(verified.issuer, verified.claims, deps.config), requestId, route };
      res.locals['ctx'] = ctx;
      next();
    } catch (error) {
      if (isBrokerError(error, 'ERR_UNAUTHENTICATED')) {
        const reason = String(error.details['reason'] ?? 'invalid');
        res.set('WWW-Authenticate', reason === 'missing' ? 'Bearer realm="fedbroker"' : 'Bearer realm="fedbroker", error="invalid_token"');
        deps.audit.record({ action: 'api.refused', correlationId: requestId, route, code: error.code, reason });
      }
      next(error);
    }
  };
}
