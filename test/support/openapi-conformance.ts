// Checks of the admin API against its own OpenAPI document: the document is validated by a real
// OpenAPI 3.1 validator (@seriousme/openapi-schema-validator), and every response a test receives
// is checked against the document's schema for its operation and status (ajv, JSON Schema 2020-12).
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import type { Response } from 'supertest';
import { openApiDocument } from '../../src/http/api/openapi.ts';
import { API_ROUTES } from '../../src/http/api/router.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

export const OPENAPI: Doc = JSON.parse(JSON.stringify(openApiDocument(API_ROUTES)));

const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
const compiled = new Map<string, ValidateFunction>();

export async function validateOpenApi(doc: Doc): Promise<{ valid: boolean; errors?: unknown }> {
  return new Validator().validate(doc);
}

/** The operation of a concrete request path (`/api/v1/sync/sync-r3` → `/api/v1/sync/{id}`). */
function operationOf(method: string, path: string): { template: string; op: Doc } {
  const bare = path.split('?')[0]!;
  for (const [template, item] of Object.entries(OPENAPI.paths as Record<string, Doc>)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(bare) && item[method]) return { template, op: item[method] };
  }
  throw new Error(`no operation in the OpenAPI document for ${method.toUpperCase()} ${bare}`);
}

/** The response matches the documented status, content type and schema of its operation. */
export function assertConforms(res: Response, method: 'get' | 'post', path: string): void {
  const { template, op } = operationOf(method, path);
  const documented = op.responses[String(res.status)];
  assert.ok(documented, `${method.toUpperCase()} ${template} does not document status ${res.status}`);
  const [contentType, media] = Object.entries(documented.content as Record<string, Doc>)[0]!;
  assert.ok(String(res.headers['content-type']).startsWith(contentType), `${template} ${res.status}: content type ${res.headers['content-type']}, documented ${contentType}`);
  const key = `${method} ${template} ${res.status}`;
  let validate = compiled.get(key);
  if (!validate) { validate = ajv.compile(media.schema); compiled.set(key, validate); }
  assert.ok(validate(res.body), `${key}: the response does not match the document: ${JSON.stringify(validate.errors)}\n${JSON.stringify(res.body).slice(0, 500)}`);
}
