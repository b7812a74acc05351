// `fedbroker revisions` and `fedbroker trust` against a running broker in API mode: the real express
// app over the fakes on an ephemeral port, the CLI's main() in this process. A change applied through
// the broker becomes revision 2 with its diff; a rollback plans revision 1 again and `apply --plan-id`
// records it as revision 3; a trust edge proposed, listed, accepted (a plan) and applied; another
// withdrawn; the commands refuse to run without --server (exit 2, ERR_USAGE).
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiWorld, type ApiWorld } from '../support/api-world.ts';
import { runCli, type CliResult } from '../support/cli-in-process.ts';
import { exampleDoc, type MutableDoc } from '../support/example-federation.ts';

const CLEAN_ENV = { FEDBROKER_SERVER: undefined, FEDBROKER_TOKEN: undefined, FEDBROKER_SERVER_CA: undefined };
const EDGES = (doc: MutableDoc) => { doc['trust'] = { mode: 'edges', edges: [{ home: 'cloud-a', partner: 'cloud-b' }, { home: 'cloud-c', partner: 'cloud-a' }, { home: 'cloud-a', partner: 'cloud-c' }] }; };

describe('CLI --server: spec revisions and trust proposals (API mode)', () => {
  let w: ApiWorld;
  let server: Server;
  let url: string;
  let dir: string;
  let tokenFile: string;

  beforeEach(async () => {
    w = await apiWorld({ mutate: EDGES });
    server = createServer(w.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'fedbroker-cli-revisions-'));
    tokenFile = join(dir, 'fed.token');
    writeFileSync(tokenFile, `${await w.federationAdmin()}\n`);
  });
  afterEach(async () => { server.closeAllConnections(); await new Promise<void>((resolve) => server.close(() => resolve())); });

  const cli = (args: readonly string[]): Promise<CliResult> => runCli([...args, '--server', url, '--insecure-http', '--token-file', tokenFile], CLEAN_ENV);
  function specFile(change: (doc: MutableDoc) => void): string {
    const doc = exampleDoc();
    EDGES(doc);
    change(doc);
    const file = join(dir, `spec-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(doc));
    return file;
  }
  const planIdOf = (stdout: string) => /^Plan id: (\S+) /m.exec(stdout)?.[1];

  it('revisions: a change applied through the broker is revision 2 with its diff; a rollback to 1 is planned and applied as revision 3', async () => {
    const first = await cli(['revisions', '-o', 'json']);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).latest, 1);
    // The broker's state matches revision 1 first, so the change below plans only itself.
    const settle = await cli(['apply', specFile(() => {}), '--yes']);
    assert.equal(settle.status, 0, settle.stderr);

    const renamed = specFile((doc) => { (doc['clouds'] as { alias: string; displayName: string }[]).find((c) => c.alias === 'cloud-b')!.displayName = 'Cloud B (renamed)'; });
    const applied = await cli(['apply', renamed, '--yes']);
    assert.equal(applied.status, 0, applied.stderr);
    const list = await cli(['revisions']);
    assert.equal(list.status, 0, list.stderr);
    const latest = Number(/^spec revisions \(latest (\d+)\)/.exec(list.stdout)?.[1]);
    assert.ok(latest >= 2, list.stdout);
    assert.match(list.stdout, new RegExp(`^\\s+${latest}  \\S+  .*plan \\S+  \\[applied: `, 'm'));
    assert.match(list.stdout, /^\s+1 .*imported from /m);

    const shown = await cli(['revisions', 'show', String(latest)]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /^ {2}~ clouds\[cloud-b\]\.displayName: "Cloud B" → "Cloud B \(renamed\)"$/m);

    const rollback = await cli(['revisions', 'rollback', String(latest - 1)]);
    assert.equal(rollback.status, 0, rollback.stderr);
    const planId = planIdOf(rollback.stdout);
    assert.ok(planId, rollback.stdout);
    assert.match(rollback.stdout, /name: "Federation: Cloud B \(renamed\)" → "Federation: Cloud B"/);
    const back = await cli(['apply', '--plan-id', planId]);
    assert.equal(back.status, 0, back.stderr);
    const { revision: after, spec } = JSON.parse((await cli(['revisions', 'show', String(latest + 1), '-o', 'json'])).stdout);
    assert.equal(spec.clouds.find((c: { alias: string }) => c.alias === 'cloud-b').displayName, 'Cloud B', 'the spec of revision 1 again (a federation admin sees it whole)');
    assert.deepEqual([after.origin.kind, after.origin.to], ['rollback', latest - 1]);
    assert.equal(after.result.status, 'applied');

    const bad = await cli(['revisions', 'show', 'x']);
    assert.equal(bad.status, 2);
    const missing = await cli(['revisions', 'show', '999', '-o', 'json']);
    assert.equal(missing.status, 1);
    assert.equal(JSON.parse(missing.stdout).error.code, 'ERR_NOT_FOUND');
  });

  it('trust: propose cloud-b → cloud-c, list it, accept it (a plan with the identity provider), apply it; withdraw another', async () => {
    const settle = await cli(['apply', specFile(() => {}), '--yes']);
    assert.equal(settle.status, 0, settle.stderr);
    const proposed = await cli(['trust', 'propose', 'cloud-b', 'cloud-c', '-o', 'json']);
    assert.equal(proposed.status, 0, proposed.stderr);
    const { proposal } = JSON.parse(proposed.stdout) as { proposal: { id: string; status: string } };
    assert.equal(proposal.status, 'pending');
    const listed = await cli(['trust', 'list']);
    assert.match(listed.stdout, new RegExp(`^${proposal.id}  cloud-b → cloud-c  pending  proposed by `, 'm'));

    const accepted = await cli(['trust', 'accept', proposal.id]);
    assert.equal(accepted.status, 0, accepted.stderr);
    const planId = planIdOf(accepted.stdout);
    assert.ok(planId, accepted.stdout);
    assert.match(accepted.stdout, /^Keycloak cloud-c \(realm cloud-c\)\n(?: .*\n)* {2}\+ identityProvider cloud-b$/m, 'cloud-c gets cloud-b as identity provider');
    assert.match(accepted.stdout, /^Keycloak cloud-b \(realm cloud-b\)\n(?: .*\n)* {2}\+ client fed-cloud-c$/m, 'cloud-b gets the client for cloud-c');
    const applied = await cli(['apply', '--plan-id', planId, '-o', 'json']);
    assert.equal(applied.status, 0, applied.stderr);
    assert.ok(JSON.parse(applied.stdout).applied > 0);
    const done = JSON.parse((await cli(['trust', 'list', '-o', 'json'])).stdout) as { proposals: { id: string; status: string; revision?: number }[] };
    const mine = done.proposals.find((p) => p.id === proposal.id);
    assert.equal(mine?.status, 'accepted');
    assert.ok(typeof mine?.revision === 'number');

    const other = JSON.parse((await cli(['trust', 'propose', 'cloud-c', 'cloud-b', '-o', 'json'])).stdout) as { proposal: { id: string } };
    const withdrawn = await cli(['trust', 'withdraw', other.proposal.id]);
    assert.equal(withdrawn.status, 0, withdrawn.stderr);
    assert.match(withdrawn.stdout, new RegExp(`^${other.proposal.id}  cloud-c → cloud-b  withdrawn`, 'm'));
  });

  it('without --server they refuse with ERR_USAGE (exit 2): the revisions live in the running broker', async () => {
    for (const args of [['revisions', '-o', 'json'], ['trust', 'list', '-o', 'json'], ['revisions', 'rollback', '1', '-o', 'json']]) {
      const run = await runCli(args, CLEAN_ENV);
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stdout} ${run.stderr}`);
      assert.equal(JSON.parse(run.stdout).error.code, 'ERR_USAGE');
    }
  });
});
