// The OpenAPI 3.1 document of /api/v1: valid for a real OpenAPI validator, served as generated, made
// from the routes' own request schemas (a field a route refuses is absent from the document).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { API_ROUTES } from '../../src/http/api/router.ts';
import { apiWorld } from '../support/api-world.ts';
import { OPENAPI, validateOpenApi } from '../support/openapi-conformance.ts';

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)', async () => {
    const result = await validateOpenApi(OPENAPI);
    assert.equal(result.valid, true, JSON.stringify(result.errors));
    assert.equal(OPENAPI.openapi, '3.1.1');
  });

  it('a broken document is refused by the same validator (the check can fail)', async () => {
    const broken = structuredClone(OPENAPI);
    broken.paths['/api/v1/plan'].post.responses = 'none';
    assert.equal((await validateOpenApi(broken)).valid, false);
  });

  it('is served at /api/v1/openapi.json as generated, and names every route with bearer security', async () => {
    const w = await apiWorld();
    const res = await w.get('/api/v1/openapi.json');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, OPENAPI);
    const operations = Object.values(OPENAPI.paths as Record<string, Record<string, { operationId: string; security: unknown }>>).flatMap((p) => Object.values(p));
    assert.deepEqual(operations.map((o) => o.operationId).sort(), API_ROUTES.map((r) => r.operationId).sort());
    for (const o of operations) assert.deepEqual(o.security, [{ bearer: [] }]);
  });

  it('request bodies are the validating schemas: closed objects, the spec as the federation schema', () => {
    const apply = OPENAPI.paths['/api/v1/apply'].post.requestBody.content['application/json'].schema;
    assert.equal(apply.additionalProperties, false);
    assert.deepEqual(apply.required, ['planId']);
    const plan = OPENAPI.paths['/api/v1/plan'].post.requestBody.content['application/json'].schema;
    assert.equal(plan.properties.spec.properties.apiVersion.const, 'federation.scs.community/v1alpha2');
    assert.equal(plan.properties.spec.additionalProperties, false);
    const status = OPENAPI.paths['/api/v1/status'].get.parameters;
    assert.deepEqual(status.map((p: { name: string; in: string }) => `${p.in}:${p.name}`), ['query:cloud']);
  });
});
