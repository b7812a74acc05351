// Rate limits of the unauthenticated routes, as an express middleware placed first on the route: a
// request over its source's or its cloud's limit is refused with 429 ERR_RATE_LIMITED and a
// Retry-After (whole seconds) before its body is read or its token parsed, so a refused request costs
// nothing and changes nothing. The source is the peer address of the connection (`trust proxy` is
// off: behind a proxy every request counts for the proxy's address); the cloud label and key is a
// spec cloud or `unknown`. Each route has its own limiter (its own buckets).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { BrokerError } from '../core/errors.ts';
import { sourceBlock } from '../core/net-address.ts';
import type { RequestRateLimiter } from '../core/rate-limit.ts';
import type { Clock } from '../ports.ts';
import { boundedLabel, type BrokerMetrics } from './metrics.ts';

/** The routes that are limited: the fixed set of the metric's `route` label. */
export type RateLimitedRoute = 'backchannel';

export interface RateLimitOptions {
  readonly route: RateLimitedRoute;
  readonly limiter: RequestRateLimiter;
  readonly clock: Clock;
  readonly metrics: BrokerMetrics;
  readonly knownClouds: ReadonlySet<string>;
}

export function rateLimited(options: RateLimitOptions): RequestHandler {
  const { route, limiter, clock, metrics, knownClouds } = options;
  return (req: Request, res: Response, next: NextFunction) => {
    const cloud = boundedLabel(req.params['cloud'], knownClouds);
    const admission = limiter.admit(sourceBlock(req.socket.remoteAddress ?? 'unknown'), cloud, clock.now().getTime());
    if (admission.allowed) { next(); return; }
    metrics.rateLimited.inc({ route, cloud, limit: admission.limit });
    const retryAfterS = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
    res.set('Retry-After', String(retryAfterS));
    next(new BrokerError('ERR_RATE_LIMITED', `too many requests ${admission.limit === 'source' ? 'from this address' : `for cloud ${cloud}`}; retry after ${retryAfterS} s`,
      { details: { route, cloud, limit: admission.limit } }));
  };
}
