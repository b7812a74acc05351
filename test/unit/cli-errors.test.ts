// The same bad input gets the same error code and exit code in every command, in both JSON spellings.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { wantsJson } from '../../src/cli/output.ts';
import type { CliRun } from '../support/cli-batch.ts';

const root = new URL('../..', import.meta.url).pathname;
const SPEC = `${root}config/federation.example.yaml`;
const MISSING = `${root}test/fixtures/federations/no-such-spec.yaml`;
const cli = (...args: string[]) => spawnSync(process.execPath, [`${root}bin/fedbroker.mjs`, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FEDBROKER_REDIS_URL: 'redis://127.0.0.1:1' } });

/** Many CLI runs in one process (test/support/cli-batch.ts): each run's exit code, stdout and stderr. */
function batch(runs: readonly (readonly string[])[]): CliRun[] {
  const child = spawnSync(process.execPath, ['--import', 'tsx', `${root}test/support/cli-batch.ts`, JSON.stringify(runs)],
    { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, FEDBROKER_REDIS_URL: 'redis://127.0.0.1:1' } });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as CliRun[];
}

describe('CLI errors', () => {
  it('a user argument without a home cloud is ERR_USAGE with exit 2 in explain and logout, whatever the JSON spelling', () => {
    for (const command of ['explain', 'logout']) {
      for (const json of [['--output', 'json'], ['--output=json'], ['-o', 'json']]) {
        const run = cli(command, SPEC, 'alice', ...json);
        assert.equal(run.status, 2, `${command} ${json.join(' ')}: ${run.stderr}`);
        const error = JSON.parse(run.stdout).error;
        assert.equal(error.code, 'ERR_USAGE', `${command} ${json.join(' ')}`);
        assert.equal(error.details.argument, 'alice');
      }
    }
  });

  const JSON_SPELLINGS = [['--output', 'json'], ['--output=json']] as const;

  it('a home cloud the spec does not have is ERR_USAGE with exit 2 in explain and logout, before anything is composed', () => {
    const cases = ['explain', 'logout'].flatMap((command) => [...JSON_SPELLINGS.map((json) => [command, SPEC, 'cloud-x:alice', ...json]), [command, SPEC, 'cloud-x:alice']]);
    const runs = batch(cases);
    cases.forEach((args, i) => {
      const run = runs[i]!;
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      if (args.includes('json') || args.includes('--output=json')) {
        const error = JSON.parse(run.stdout).error;
        assert.equal(error.code, 'ERR_USAGE', args.join(' '));
        assert.deepEqual([error.details.argument, error.details.cloud], ['cloud-x:alice', 'cloud-x']);
      } else {
        assert.match(run.stderr, /\[ERR_USAGE\]/, args.join(' '));
      }
    });
  });

  it('every command gives a JSON error with its code for --output json and for --output=json', () => {
    // A missing spec file; logout status: a Redis that cannot be reached.
    const commands: [string[], string, number][] = [
      [['validate', MISSING], 'ERR_SPEC_FILE', 2],
      [['plan', MISSING], 'ERR_SPEC_FILE', 2],
      [['apply', MISSING, '--yes'], 'ERR_SPEC_FILE', 2],
      [['status', MISSING], 'ERR_SPEC_FILE', 2],
      [['explain', MISSING, 'cloud-a:alice'], 'ERR_SPEC_FILE', 2],
      [['logout', MISSING, 'cloud-a:alice'], 'ERR_SPEC_FILE', 2],
      [['logout', 'status', 'some-event', '--redis', 'redis://127.0.0.1:1'], 'ERR_QUEUE_UNAVAILABLE', 1],
      [['serve', '--spec', MISSING], 'ERR_SPEC_FILE', 2],
    ];
    const cases = commands.flatMap(([args, code, exit]) => JSON_SPELLINGS.map((json) => ({ args: [...args, ...json], code, exit })));
    const runs = batch(cases.map((c) => c.args));
    cases.forEach(({ args, code, exit }, i) => {
      const run = runs[i]!;
      assert.equal(run.status, exit, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(JSON.parse(run.stdout).error.code, code, args.join(' '));
    });
  });

  it('a usage error commander finds (missing argument, unknown option) is a JSON ERR_USAGE too, exit 2', () => {
    const wrong = [['plan'], ['explain'], ['logout', SPEC], ['logout', 'status'], ['serve'], ['validate', SPEC, '--no-such-option']];
    const cases = wrong.flatMap((args) => JSON_SPELLINGS.map((json) => [...args, ...json]));
    const runs = batch([...cases, ['plan']]);
    cases.forEach((args, i) => {
      const run = runs[i]!;
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      const error = JSON.parse(run.stdout).error;
      assert.equal(error.code, 'ERR_USAGE', args.join(' '));
      assert.match(error.details.reason, /^commander\./);
    });
    const human = runs.at(-1)!;
    assert.equal(human.status, 2);
    assert.equal(human.stdout, '', 'human mode leaves stdout empty');
    assert.match(human.stderr, /missing required argument/);
  });

  it('knows every spelling of the JSON output option and nothing else', () => {
    assert.equal(wantsJson(['plan', 'x', '--output', 'json']), true);
    assert.equal(wantsJson(['plan', 'x', '--output=json']), true);
    assert.equal(wantsJson(['plan', 'x', '-o', 'json']), true);
    assert.equal(wantsJson(['plan', 'x', '-ojson']), true);
    assert.equal(wantsJson(['plan', 'json']), false, 'a file named json is not the option');
    assert.equal(wantsJson(['plan', 'x', '--output', 'human']), false);
  });
});
