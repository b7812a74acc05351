// Spec versions: v1alpha1 is read as v1alpha2 with every field kept, problems are placed as the old
// file spells them, unknown and newer versions are refused by code, and validate warns once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseSpecText } from '../../src/core/federation/parse.ts';
import { API_VERSION } from '../../src/core/federation/schema.ts';
import { validateSpec } from '../../src/core/federation/validate.ts';
import { PREVIOUS_API_VERSION, READABLE_API_VERSIONS, toCurrentVersion } from '../../src/core/federation/versions.ts';
import { formatPath } from '../../src/core/federation/problems.ts';
import { EXAMPLE_SPEC_PATH } from '../support/example-federation.ts';

const root = new URL('../..', import.meta.url).pathname;
const fedbroker = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/fedbroker.mjs'), ...args], { cwd: root, encoding: 'utf8' });
const V1ALPHA1_EXAMPLE = join(root, 'test/fixtures/federations/example-v1alpha1.yaml');
const v1alpha1Text = readFileSync(V1ALPHA1_EXAMPLE, 'utf8');
const currentText = readFileSync(EXAMPLE_SPEC_PATH, 'utf8');

/** The v1alpha1 demo spec with explicit trust edges (the one part whose spelling changed). */
function v1alpha1WithEdges(): Record<string, unknown> {
  const doc = parse(v1alpha1Text) as Record<string, unknown>;
  doc['trust'] = { mode: 'edges', edges: [{ from: 'cloud-a', to: 'cloud-b' }, { from: 'cloud-c', to: 'cloud-a' }] };
  return doc;
}

describe('spec versions', () => {
  it('the demo spec is in the current version, and its fixture copy in the previous one', () => {
    assert.equal(API_VERSION, 'federation.scs.community/v1alpha2');
    assert.deepEqual(READABLE_API_VERSIONS, [API_VERSION, PREVIOUS_API_VERSION]);
    assert.equal(parse(currentText).apiVersion, API_VERSION);
    assert.equal(parse(v1alpha1Text).apiVersion, PREVIOUS_API_VERSION);
  });

  it('reads the v1alpha1 demo spec as the v1alpha2 one: the same spec, every field kept, and says it converted', () => {
    const old = parseSpecText(v1alpha1Text);
    const current = parseSpecText(currentText);
    assert.ok(old.ok && current.ok);
    assert.equal(old.convertedFrom, PREVIOUS_API_VERSION);
    assert.equal(current.convertedFrom, undefined);
    assert.deepEqual(old.spec, current.spec);
  });

  it('converts a v1alpha1 document field by field: only apiVersion and the edge keys change', () => {
    const doc = v1alpha1WithEdges();
    const converted = toCurrentVersion(doc);
    assert.ok(converted.ok);
    assert.equal(converted.convertedFrom, PREVIOUS_API_VERSION);
    const expected = { ...structuredClone(doc), apiVersion: API_VERSION,
      trust: { mode: 'edges', edges: [{ home: 'cloud-a', partner: 'cloud-b' }, { home: 'cloud-c', partner: 'cloud-a' }] } };
    assert.deepEqual(converted.document, expected);
    assert.equal((doc['trust'] as { edges: { from?: string }[] }).edges[0]?.from, 'cloud-a', 'the input is not changed');
    const result = validateSpec(doc);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.deepEqual(result.spec.trust, expected.trust);
  });

  it('places the problems of a v1alpha1 spec where its file has them (from/to, not home/partner)', () => {
    const doc = v1alpha1WithEdges();
    doc['trust'] = { mode: 'edges', edges: [{ from: 'cloud-a', to: 'cloud-x' }] };
    const result = validateSpec(doc);
    assert.ok(!result.ok);
    assert.deepEqual(result.problems.map((p) => `${p.code} ${formatPath(p.path)}`), ['ERR_SPEC_UNKNOWN_REF trust.edges[0].to']);
  });

  for (const [what, apiVersion] of [['a newer version', 'federation.scs.community/v1beta1'], ['another group', 'example.org/v1alpha1'], ['no version', undefined]] as const) {
    it(`refuses ${what} with ERR_SPEC_API_VERSION at apiVersion, naming the versions it reads`, () => {
      const doc = parse(currentText) as Record<string, unknown>;
      if (apiVersion === undefined) delete doc['apiVersion'];
      else doc['apiVersion'] = apiVersion;
      const result = validateSpec(doc);
      assert.ok(!result.ok);
      assert.deepEqual(result.problems.map((p) => [p.code, formatPath(p.path)]), [['ERR_SPEC_API_VERSION', 'apiVersion']]);
      for (const v of READABLE_API_VERSIONS) assert.ok(result.problems[0]?.message.includes(v), `names ${v}`);
    });
  }

  it('validate warns once on stderr (plan and apply share its loader), naming the file and the fix; the current version gets no warning', () => {
    const old = fedbroker('validate', V1ALPHA1_EXAMPLE, '-o', 'json');
    assert.equal(old.status, 0, old.stderr);
    assert.equal(JSON.parse(old.stdout).valid, true, 'stdout stays JSON');
    const warnings = old.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    assert.equal(warnings.length, 1, old.stderr);
    assert.ok(warnings[0]?.includes(V1ALPHA1_EXAMPLE) && warnings[0].includes(`fedbroker migrate ${V1ALPHA1_EXAMPLE} --write`), warnings[0]);
    const current = fedbroker('validate', EXAMPLE_SPEC_PATH);
    assert.equal(current.status, 0);
    assert.equal(current.stderr, '');
  });
});
