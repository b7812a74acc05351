// One admin API route as data: method, path, request and response schemas, handler. The router
// (./router.ts) mounts them behind authentication; the OpenAPI document (./openapi.ts) is made
// from the same list.
import type { z } from 'zod';
import type { Actor } from '../../core/authz/actor.ts';
import type { RequestContext } from '../../services/api/authorize.ts';
import type { ApiDeps } from './deps.ts';

export interface ApiRequest<B, Q> {
  readonly ctx: RequestContext & { readonly actor: Actor };
  readonly body: B;
  readonly query: Q;
  readonly params: Readonly<Record<string, string>>;
}

export interface ApiResult { readonly status: number; readonly body: unknown }

export interface ApiRoute<B = unknown, Q = unknown> {
  readonly method: 'get' | 'post';
  /** Express path below /api/v1, e.g. `/sync/:id`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly body?: z.ZodType<B>;
  readonly query?: z.ZodType<Q>;
  /** Body limit (express syntax); default DEFAULT_BODY_LIMIT. */
  readonly bodyLimit?: string;
  /** Success statuses and their body schemas; the problem responses are added to every route. */
  readonly responses: Readonly<Record<number, z.ZodType>>;
  handle(deps: ApiDeps, req: ApiRequest<B, Q>): Promise<ApiResult>;
}

export const DEFAULT_BODY_LIMIT = '16kb';
/** A spec may be up to 1 MiB (SPEC_MAX_BYTES), plus the envelope. */
export const SPEC_BODY_LIMIT = '1100kb';

/** Keeps each route's body and query types while listing routes of different types together. */
export function route<B, Q>(r: ApiRoute<B, Q>): ApiRoute {
  return r as unknown as ApiRoute;
}
