// The same bad input gets the same error code and exit code in every command, in both JSON spellings.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { wantsJson } from '../../src/cli/output.ts';

const root = new URL('../..', import.meta.url).pathname;
const SPEC = `${root}config/federation.example.yaml`;
const cli = (...args: string[]) => spawnSync(process.execPath, [`${root}bin/fedbroker.mjs`, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FEDBROKER_REDIS_URL: 'redis://127.0.0.1:1' } });

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

  it('knows every spelling of the JSON output option and nothing else', () => {
    assert.equal(wantsJson(['plan', 'x', '--output', 'json']), true);
    assert.equal(wantsJson(['plan', 'x', '--output=json']), true);
    assert.equal(wantsJson(['plan', 'x', '-o', 'json']), true);
    assert.equal(wantsJson(['plan', 'x', '-ojson']), true);
    assert.equal(wantsJson(['plan', 'json']), false, 'a file named json is not the option');
    assert.equal(wantsJson(['plan', 'x', '--output', 'human']), false);
  });
});
