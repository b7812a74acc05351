// Keycloak keeps 255 characters of a description (a longer one is a database error, answered 500).
// The federation's name is capped at 63, so every rendered description, markers included, fits for
// any valid name; a longer name is refused at metadata.name.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderKeycloak } from '../../src/core/render/keycloak/index.ts';
import { validateSpec } from '../../src/core/federation/validate.ts';
import { formatPath } from '../../src/core/federation/problems.ts';
import { exampleDoc, exampleSpec } from '../support/example-federation.ts';
import { demoHomeMetadata } from '../support/metadata.ts';

const KEYCLOAK_DESCRIPTION_MAX = 255;

function descriptions(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => descriptions(v, out));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'description' && typeof v === 'string') out.push(v);
      else descriptions(v, out);
    }
  }
  return out;
}

describe('rendered Keycloak descriptions fit Keycloak', () => {
  it('with the longest federation name allowed (63), every description is at most 255 characters', () => {
    const longest = 'f'.repeat(63);
    const spec = exampleSpec((doc) => { (doc['metadata'] as Record<string, unknown>)['name'] = longest; });
    const all = renderKeycloak(spec, demoHomeMetadata(spec)).flatMap((o) => descriptions(o.fields));
    assert.ok(all.some((d) => d.includes(longest)), 'the flows carry the federation name in their description');
    for (const d of all) assert.ok(d.length <= KEYCLOAK_DESCRIPTION_MAX, `${d.length} characters: ${d}`);
  });

  it('a federation name of 64 characters is refused with ERR_SPEC_SCHEMA at metadata.name', () => {
    const doc = exampleDoc();
    (doc['metadata'] as Record<string, unknown>)['name'] = 'f'.repeat(64);
    const result = validateSpec(doc);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(result.problems.map((p) => `${p.code} ${formatPath(p.path)}`), ['ERR_SPEC_SCHEMA metadata.name']);
    assert.match(result.problems[0]!.message, /63/);
  });
});
