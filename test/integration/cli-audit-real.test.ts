// The CLI's own changes in the durable audit trail: `fedbroker apply --yes` of a changed spec (cloud-b's
// display name) and a writing `fedbroker sync --cloud cloud-b`, with FEDBROKER_REDIS_URL set, each leave
// one record under the run id they print, with the OS user and host as actor and the outcome; `fedbroker
// audit --correlation-id` finds it. Without FEDBROKER_REDIS_URL an apply that changes something says on
// stderr that nothing was recorded. The demo spec is applied again at the end.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { DEMO_SPEC, writeSpecVariant } from '../support/federation.ts';
import { loadTestbed } from '../support/testbed.ts';

const root = new URL('../..', import.meta.url).pathname;

function cli(env: NodeJS.ProcessEnv, ...args: string[]) {
  return spawnSync(process.execPath, [join(root, 'bin/fedbroker.mjs'), ...args], { cwd: root, encoding: 'utf8', timeout: 180_000, env });
}

const withoutRedis = () => { const env = { ...process.env }; delete env['FEDBROKER_REDIS_URL']; return env; };

describe('the CLI\'s apply and sync in the durable audit trail', { timeout: 300_000 }, () => {
  const env = { ...withoutRedis(), FEDBROKER_REDIS_URL: loadTestbed().redis.url };
  const renamed = writeSpecVariant('cli-audit-renamed', (doc) => { doc.clouds[1].displayName = 'Cloud B (audited)'; });
  const renamedAgain = writeSpecVariant('cli-audit-renamed-again', (doc) => { doc.clouds[1].displayName = 'Cloud B (not audited)'; });
  after(() => { assert.equal(cli(withoutRedis(), 'apply', DEMO_SPEC, '--yes').status, 0); });

  for (const [command, args, action, spec] of [['apply', ['apply', renamed, '--yes'], 'cli.apply', renamed], ['sync', ['sync', DEMO_SPEC, '--cloud', 'cloud-b'], 'cli.sync', DEMO_SPEC]] as const) {
    it(`${command}: one record under the run id it prints, found by fedbroker audit`, () => {
      const run = cli(env, ...args, '-o', 'json');
      assert.equal(run.status, 0, run.stderr);
      const runId = /audit run id: (cli-\S+)/.exec(run.stderr)?.[1];
      assert.ok(runId, run.stderr);
      JSON.parse(run.stdout); // stdout stays the command's JSON
      const found = cli(env, 'audit', '--correlation-id', runId, '-o', 'json');
      assert.equal(found.status, 0, found.stderr);
      const records = JSON.parse(found.stdout).records as { action: string; actor: string; outcome: string; clouds: string[]; detail: Record<string, unknown> }[];
      assert.deepEqual(records.map((r) => r.action), [action]);
      assert.equal(records[0]!.actor, `${userInfo().username} (cli@${hostname()})`);
      assert.equal(records[0]!.outcome, 'ok');
      assert.equal(records[0]!.detail['spec'], spec);
      if (command === 'sync') assert.deepEqual(records[0]!.clouds, ['cloud-b']);
      else assert.ok(records[0]!.clouds.length > 0 && Number(records[0]!.detail['applied']) > 0, JSON.stringify(records[0]));
    });
  }

  it('without FEDBROKER_REDIS_URL, apply says that no durable record was written', () => {
    const run = cli(withoutRedis(), 'apply', renamedAgain, '--yes', '-o', 'json');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /no durable audit record of this apply/);
  });
});
