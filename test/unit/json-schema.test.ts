import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { federationJsonSchema } from '../../src/core/federation/json-schema.ts';
import { exampleDoc } from '../support/example-federation.ts';

const committed = JSON.parse(readFileSync(new URL('../../schema/federation.schema.json', import.meta.url), 'utf8'));

describe('published JSON Schema', () => {
  it('is up to date with the spec model (run `npm run schema` after changing it)', () => {
    assert.deepEqual(committed, JSON.parse(JSON.stringify(federationJsonSchema())));
  });

  it('accepts the demo spec and rejects a spec with an unknown field', () => {
    const validate = new Ajv2020({ strict: false, allErrors: true, formats: { uri: true } }).compile(committed);
    assert.equal(validate(exampleDoc()), true, JSON.stringify(validate.errors));
    const bad = exampleDoc();
    bad.clouds[0].keycloak.realmName = 'x';
    assert.equal(validate(bad), false);
  });
});
