import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const fedbroker = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/fedbroker.mjs'), ...args], { cwd: root, encoding: 'utf8' });

describe('fedbroker validate', () => {
  it('exits 0 on the demo spec', () => {
    const run = fedbroker('validate', 'config/federation.example.yaml');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /valid \(3 clouds, 6 trust edges, 2 policy rules/);
  });

  it('prints every problem with file:line and code, and exits 3', () => {
    const run = fedbroker('validate', 'test/fixtures/federations/five-mistakes.yaml');
    assert.equal(run.status, 3);
    const lines = run.stderr.split('\n').filter((l) => /five-mistakes\.yaml:\d+:\d+/.test(l));
    assert.equal(lines.length, 6, run.stderr);
    for (const code of ['ERR_SPEC_SCHEMA', 'ERR_SPEC_UNKNOWN_REF', 'ERR_SPEC_PRIVILEGED_GRANT']) assert.match(run.stderr, new RegExp(code));
    assert.match(run.stderr, /fix: /);
  });

  it('gives machine-readable JSON with --output json', () => {
    const bad = fedbroker('validate', 'test/fixtures/federations/five-mistakes.yaml', '--output', 'json');
    const report = JSON.parse(bad.stdout);
    assert.equal(report.valid, false);
    assert.equal(report.problems.length, 6);
    assert.deepEqual(report.problems[0], {
      code: 'ERR_SPEC_SCHEMA', path: 'clouds[0].keycloak.url', pathSegments: ['clouds', 0, 'keycloak', 'url'],
      message: 'must be an https:// URL', hint: 'see schema/federation.schema.json', line: 13, column: 7,
    });
    const good = JSON.parse(fedbroker('validate', 'config/federation.example.yaml', '-o', 'json').stdout);
    assert.equal(good.valid, true);
    assert.equal(good.summary.examples, 4);
  });

  it('exits 2 with a coded error for a missing file or a bad option', () => {
    const missing = fedbroker('validate', 'no/such/file.yaml', '-o', 'json');
    assert.equal(missing.status, 2);
    assert.equal(JSON.parse(missing.stdout).error.code, 'ERR_SPEC_FILE');
    assert.equal(fedbroker('validate', 'config/federation.example.yaml', '-o', 'xml').status, 2);
    assert.equal(fedbroker('validate').status, 2);
  });

  it('reports a YAML syntax error with its line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedbroker-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'apiVersion: federation.scs.community/v1alpha1\nclouds: [\n');
    const run = fedbroker('validate', file, '-o', 'json');
    assert.equal(run.status, 3);
    assert.equal(JSON.parse(run.stdout).problems[0].code, 'ERR_SPEC_YAML');
  });
});
