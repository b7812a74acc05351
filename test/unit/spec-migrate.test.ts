// `fedbroker migrate`: the converted text keeps every comment, the order and the layout; --write
// rewrites the file in place; a spec already current is left alone; unknown versions are refused by code.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateSpecText } from '../../src/core/federation/migrate.ts';
import { parseSpecText } from '../../src/core/federation/parse.ts';
import { API_VERSION } from '../../src/core/federation/schema.ts';
import { PREVIOUS_API_VERSION } from '../../src/core/federation/versions.ts';

const root = new URL('../..', import.meta.url).pathname;
const fedbroker = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/fedbroker.mjs'), ...args], { cwd: root, encoding: 'utf8' });
const v1alpha1Text = readFileSync(join(root, 'test/fixtures/federations/example-v1alpha1.yaml'), 'utf8');

const EDGES_V1ALPHA1 = `# Two clouds, one way.
apiVersion: "federation.scs.community/v1alpha1" # quoted on purpose
trust:
  mode: edges
  edges:
    # cloud-a's users may log into cloud-b
    - { from: cloud-a, to: cloud-b } # flow style
    - from: cloud-b   # block style, odd spacing
      to: cloud-a
`;

function tempCopy(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fedbroker-migrate-')), 'federation.yaml');
  writeFileSync(file, text);
  return file;
}

describe('migrate', () => {
  it('converts the v1alpha1 demo spec by changing its apiVersion line only', () => {
    const migrated = migrateSpecText(v1alpha1Text);
    assert.ok(migrated.ok);
    assert.equal(migrated.from, PREVIOUS_API_VERSION);
    assert.equal(migrated.changed, true);
    assert.equal(migrated.text, v1alpha1Text.replace(`apiVersion: ${PREVIOUS_API_VERSION}`, `apiVersion: ${API_VERSION}`));
    const before = parseSpecText(v1alpha1Text);
    const after = parseSpecText(migrated.text);
    assert.ok(before.ok && after.ok);
    assert.equal(after.convertedFrom, undefined, 'the result is read without conversion');
    assert.deepEqual(after.spec, before.spec);
  });

  it('renames the edge keys where they stand, keeping comments, quotes, flow style and spacing', () => {
    const migrated = migrateSpecText(EDGES_V1ALPHA1);
    assert.ok(migrated.ok);
    assert.equal(migrated.text, `# Two clouds, one way.
apiVersion: "${API_VERSION}" # quoted on purpose
trust:
  mode: edges
  edges:
    # cloud-a's users may log into cloud-b
    - { home: cloud-a, partner: cloud-b } # flow style
    - home: cloud-b   # block style, odd spacing
      partner: cloud-a
`);
  });

  it('leaves a spec in the current version byte for byte', () => {
    const current = readFileSync(join(root, 'config/federation.example.yaml'), 'utf8');
    assert.deepEqual(migrateSpecText(current), { ok: true, text: current, from: API_VERSION, changed: false });
  });

  for (const version of ['federation.scs.community/v1beta1', 'federation.scs.community/v1']) {
    it(`refuses ${version} with ERR_SPEC_API_VERSION on its line`, () => {
      const migrated = migrateSpecText(`# header\nkind: Federation\napiVersion: ${version}\n`);
      assert.ok(!migrated.ok);
      assert.deepEqual(migrated.problems.map((p) => [p.code, p.path.join('.'), p.line]), [['ERR_SPEC_API_VERSION', 'apiVersion', 3]]);
    });
  }

  it('refuses invalid YAML with ERR_SPEC_YAML', () => {
    const migrated = migrateSpecText('apiVersion: [unclosed\n');
    assert.ok(!migrated.ok);
    assert.equal(migrated.problems[0]?.code, 'ERR_SPEC_YAML');
  });

  it('fedbroker migrate prints the converted spec and leaves the file; --write rewrites it in place and nothing else', () => {
    const file = tempCopy(EDGES_V1ALPHA1);
    const printed = fedbroker('migrate', file);
    assert.equal(printed.status, 0, printed.stderr);
    assert.match(printed.stdout, /- \{ home: cloud-a, partner: cloud-b \} # flow style/);
    assert.equal(readFileSync(file, 'utf8'), EDGES_V1ALPHA1, 'without --write the file is unchanged');
    const written = fedbroker('migrate', file, '--write');
    assert.equal(written.status, 0, written.stderr);
    assert.equal(readFileSync(file, 'utf8'), printed.stdout);
    assert.deepEqual(readdirSync(join(file, '..')), ['federation.yaml'], 'no temporary file is left');
    const again = fedbroker('migrate', file, '--write');
    assert.equal(again.status, 0);
    assert.match(again.stdout, /already federation\.scs\.community\/v1alpha2/);
    assert.equal(readFileSync(file, 'utf8'), printed.stdout);
  });

  it('fedbroker migrate exits 3 with the code on an unknown version, and 2 on a missing file', () => {
    const file = tempCopy('apiVersion: federation.scs.community/v2\nkind: Federation\n');
    const refused = fedbroker('migrate', file, '--write');
    assert.equal(refused.status, 3);
    assert.match(refused.stderr, /\[ERR_SPEC_API_VERSION\]/);
    assert.equal(readFileSync(file, 'utf8'), 'apiVersion: federation.scs.community/v2\nkind: Federation\n');
    const missing = fedbroker('migrate', join(file, '..', 'nope.yaml'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /ERR_SPEC_FILE/);
  });
});
