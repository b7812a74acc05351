// The OpenAPI 3.1 document of /api/v1, made from the route list (./routes.ts) and the same zod
// schemas that validate the requests (./schemas.ts): no hand-kept copy.
import { z } from 'zod';
import type { ApiRoute } from './route.ts';
import { problemResponse } from './schemas.ts';

/** Every problem status a route may answer with (codes: src/http/problem.ts). */
const PROBLEM_STATUSES: Readonly<Record<number, string>> = {
  400: 'The request is malformed or does not match the schema (ERR_REQUEST_INVALID, with each problem\'s path).',
  401: 'No bearer token, or one that does not verify (ERR_UNAUTHENTICATED).',
  403: 'Outside the caller\'s scope (ERR_FORBIDDEN_CLOUD), or a privileged grant (ERR_FORBIDDEN_PRIVILEGED).',
  404: 'No such object (plan, run, event, cloud, user).',
  409: 'The plan is stale (ERR_PLAN_STALE), has conflicts, or a sync lease is held elsewhere.',
  413: 'The request body is larger than the route accepts (ERR_REQUEST_BODY_TOO_LARGE).',
  415: 'The request body is not application/json (ERR_REQUEST_CONTENT_TYPE).',
  422: 'The spec in the request is invalid (ERR_SPEC_INVALID, with each problem\'s path and code).',
  500: 'A fault of the broker or its configuration.',
  502: 'A system the broker calls answered wrongly.',
  503: 'A system the broker needs cannot be reached.',
};

type JsonSchema = Record<string, unknown>;

export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

export function openApiDocument(routes: readonly ApiRoute[]): JsonSchema {
  const problem = { description: '', content: { 'application/problem+json': { schema: jsonSchemaOf(problemResponse, 'output') } } };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = `/api/v1${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
    const pathParams = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = r.query ? jsonSchemaOf(r.query, 'input') : undefined;
    const queryParams = Object.entries((query?.['properties'] ?? {}) as Record<string, JsonSchema>).map(([name, schema]) => ({
      name, in: 'query', required: ((query?.['required'] ?? []) as string[]).includes(name), schema,
    }));
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(r.responses)) responses[status] = { description: 'Success.', content: { 'application/json': { schema: jsonSchemaOf(schema, 'output') } } };
    for (const [status, description] of Object.entries(PROBLEM_STATUSES)) responses[status] = { ...problem, description };
    (paths[path] ??= {})[r.method] = {
      operationId: r.operationId, summary: r.summary, security: [{ bearer: [] }],
      ...(pathParams.length + queryParams.length > 0 && { parameters: [...pathParams, ...queryParams] }),
      ...(r.body && { requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(r.body, 'input') } } } }),
      responses,
    };
  }
  return {
    openapi: '3.1.1',
    info: { title: 'SCS Federation Broker admin API', version: '1', description: 'Authenticated with OIDC bearer tokens; authorized per cloud (docs/api.md).' },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
  };
}
