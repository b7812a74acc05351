// The CLI against a running broker (--server): the real express app over the fakes on an ephemeral
// port, the CLI's main() in this process. Same output as the local commands (the same formatters over
// the same JSON), the same exit codes, problems mapped back to their codes with the errorId, the token
// never printed, plain HTTP refused unless --insecure-http, TLS verified with --ca-file.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPlan, planToJson } from '../../src/core/plan/format.ts';
import { planReachable } from '../../src/services/onboarding.ts';
import { federationStatus } from '../../src/services/status.ts';
import { explainSubject } from '../../src/services/explain.ts';
import { apiWorld, type ApiWorld } from '../support/api-world.ts';
import { runCli, type CliResult } from '../support/cli-in-process.ts';
import { exampleDoc, type MutableDoc } from '../support/example-federation.ts';
import { makeTestTls } from '../support/tls.ts';

const CLEAN_ENV = { FEDBROKER_SERVER: undefined, FEDBROKER_TOKEN: undefined, FEDBROKER_SERVER_CA: undefined };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return String((server.address() as AddressInfo).port);
}

const close = (server: Server) => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });

describe('CLI --server (against the admin API over the fakes)', () => {
  let w: ApiWorld;
  let server: Server;
  let url: string;
  let dir: string;
  const tokens: string[] = [];
  const files: Record<'fed' | 'adminB' | 'bad', string> = { fed: '', adminB: '', bad: '' };

  beforeEach(async () => {
    w = await apiWorld();
    server = createHttpServer(w.app);
    url = `http://127.0.0.1:${await listen(server)}`;
    dir = mkdtempSync(join(tmpdir(), 'fedbroker-cli-remote-'));
    const fed = await w.federationAdmin();
    const adminB = await w.cloudAdmin('cloud-b');
    const bad = await w.token('https://127.0.0.1:18443/realms/cloud-a', { realm_access: { roles: ['fedbroker-cloud-admin'] } }, w.foreignKey);
    tokens.splice(0, tokens.length, fed, adminB, bad);
    for (const [name, token] of Object.entries({ fed, adminB, bad })) {
      files[name as keyof typeof files] = join(dir, `${name}.token`);
      writeFileSync(join(dir, `${name}.token`), `${token}\n`);
    }
  });
  afterEach(async () => close(server));

  /** The CLI against the server with a token file; no output may ever contain a token. */
  async function cli(args: readonly string[], token: keyof typeof files = 'fed', extra: readonly string[] = ['--server', url, '--insecure-http']): Promise<CliResult> {
    const run = await runCli([...args, ...extra, '--token-file', files[token]], CLEAN_ENV);
    for (const t of tokens) {
      assert.ok(!run.stdout.includes(t) && !run.stderr.includes(t), `a token was printed by ${args.join(' ')}`);
      assert.ok(!run.stdout.includes(t.split('.')[2]!) && !run.stderr.includes(t.split('.')[2]!), 'a token signature was printed');
    }
    return run;
  }

  function specFile(change: (doc: MutableDoc) => void = () => {}): string {
    const doc = exampleDoc();
    change(doc);
    const file = join(dir, `spec-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(doc));
    return file;
  }

  /** What the local plan would print over the same fakes, for the same spec. */
  async function localPlan() {
    const { plan, unreachable } = await planReachable(w.deps.current.get(), w.federation.deps);
    assert.equal(unreachable.length, 0);
    return plan;
  }

  it('plan: the JSON is the local plan JSON plus planId and expiresAt; the text is the local formatter\'s plus the plan id; apply --plan-id applies it; plan again is empty', async () => {
    const spec = specFile();
    const expected = await localPlan();
    const json = await cli(['plan', spec, '-o', 'json', '--detailed-exitcode']);
    assert.equal(json.status, 4, json.stderr);
    const body = JSON.parse(json.stdout);
    const { planId, expiresAt, ...rest } = body;
    assert.match(planId, /^\S+$/);
    assert.ok(Number.isFinite(Date.parse(expiresAt)));
    assert.deepEqual(rest, { ...JSON.parse(JSON.stringify(planToJson(expected))), unreachable: [] });
    assert.ok(expected.summary.create > 0);

    const human = await cli(['plan', spec]);
    assert.equal(human.status, 0, human.stderr);
    const idLine = /^Plan id: (\S+) \(kept until [^)]+\); apply exactly this plan with: fedbroker apply --server (\S+) --plan-id \1$/m.exec(human.stdout);
    assert.ok(idLine, human.stdout);
    assert.equal(human.stdout, `${formatPlan(expected)}${idLine[0]}\n`);

    const writes = w.federation.writes();
    const applied = await cli(['apply', '--plan-id', planId, '-o', 'json']);
    assert.equal(applied.status, 0, applied.stderr);
    const report = JSON.parse(applied.stdout);
    assert.equal(report.planId, planId);
    assert.equal(report.applied, expected.summary.create + expected.summary.update + expected.summary.delete);
    assert.deepEqual([report.failed, report.notAttempted, report.unreachable], [0, 0, []]);
    assert.ok(w.federation.writes() > writes);

    const again = await cli(['plan', spec, '--detailed-exitcode']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^No changes: the federation matches the spec\.$/m);
    const twice = await cli(['apply', '--plan-id', planId, '-o', 'json']);
    assert.equal(twice.status, 1);
    assert.equal(JSON.parse(twice.stdout).error.code, 'ERR_PLAN_NOT_FOUND');
  });

  it('apply SPEC --yes plans on the broker, shows the plan and applies exactly it; without --yes and no terminal it refuses (exit 2) and writes nothing', async () => {
    const spec = specFile();
    const writes = w.federation.writes();
    const refused = await cli(['apply', spec, '-o', 'json']);
    assert.equal(refused.status, 2);
    assert.equal(JSON.parse(refused.stdout).error.code, 'ERR_CONFIRMATION_REQUIRED');
    assert.equal(w.federation.writes(), writes);

    const expected = await localPlan();
    const run = await cli(['apply', spec, '--yes']);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.stdout.startsWith(formatPlan(expected)), run.stdout);
    const total = expected.summary.create + expected.summary.update + expected.summary.delete;
    assert.match(run.stdout, new RegExp(`^Apply complete: ${total} change\\(s\\) applied\\.$`, 'm'));
    assert.ok(w.audit.some((a) => a.action === 'api.apply'));
    const empty = await cli(['apply', spec, '--yes', '-o', 'json']);
    assert.equal(empty.status, 0, empty.stderr);
    const body = JSON.parse(empty.stdout);
    assert.deepEqual({ ...body, planId: undefined }, { planId: undefined, applied: 0, failed: 0, notAttempted: 0, total: 0, summary: body.summary, unreachable: [], parts: [] });
  });

  it('a cloud-b admin changing a cloud-a grant: ERR_FORBIDDEN_CLOUD, exit 1, the detail with the errorId of the audited refusal', async () => {
    const spec = specFile((d) => { d.policy[0].grant.push({ clouds: ['cloud-a'], keystone: [{ project: 'p2', roles: ['reader'] }] }); });
    const human = await cli(['plan', spec], 'adminB');
    assert.equal(human.status, 1);
    const line = /^fedbroker: (.+) \[ERR_FORBIDDEN_CLOUD\] \(.*errorId=(\S+?)[,)]/m.exec(human.stderr);
    assert.ok(line, human.stderr);
    assert.ok(w.audit.some((a) => a.action === 'api.refused' && a['correlationId'] === line[2]), `no audited refusal ${line[2]}`);

    const json = await cli(['plan', spec, '-o', 'json'], 'adminB');
    assert.equal(json.status, 1);
    const { error } = JSON.parse(json.stdout);
    assert.equal(error.code, 'ERR_FORBIDDEN_CLOUD');
    assert.equal(error.message, line[1]);
    assert.equal(error.details.status, 403);
    assert.match(error.details.errorId, /^\S+$/);
  });

  it('a token that does not verify: ERR_UNAUTHENTICATED, exit 1; no token at all: ERR_USAGE before any call', async () => {
    const run = await cli(['status', '-o', 'json'], 'bad');
    assert.equal(run.status, 1);
    const { error } = JSON.parse(run.stdout);
    assert.equal(error.code, 'ERR_UNAUTHENTICATED');
    assert.equal(error.details.status, 401);
    assert.ok(error.details.errorId);
    const refusals = w.audit.filter((a) => a.action === 'api.refused').length;
    const none = await runCli(['status', '-o', 'json', '--server', url, '--insecure-http'], CLEAN_ENV);
    assert.equal(none.status, 2);
    assert.equal(JSON.parse(none.stdout).error.code, 'ERR_USAGE');
    assert.equal(w.audit.filter((a) => a.action === 'api.refused').length, refusals);
    const fromEnv = await runCli(['status', '-o', 'json', '--cloud', 'cloud-b'], { FEDBROKER_SERVER: url, FEDBROKER_TOKEN: tokens[0], FEDBROKER_SERVER_CA: undefined });
    assert.equal(JSON.parse(fromEnv.stdout).error.code, 'ERR_USAGE', 'plain HTTP from the environment is refused too');
  });

  it('a server that cannot be reached: ERR_HTTP_UNREACHABLE, exit 1', async () => {
    await close(server);
    const run = await cli(['status', '-o', 'json']);
    assert.equal(run.status, 1);
    assert.equal(JSON.parse(run.stdout).error.code, 'ERR_HTTP_UNREACHABLE');
  });

  it('http:// is refused (ERR_USAGE, exit 2, nothing sent) unless --insecure-http, which warns', async () => {
    const before = w.audit.length;
    const refused = await cli(['status', '-o', 'json'], 'fed', ['--server', url]);
    assert.equal(refused.status, 2);
    assert.equal(JSON.parse(refused.stdout).error.code, 'ERR_USAGE');
    assert.equal(w.audit.length, before);
    const human = await cli(['status'], 'fed', ['--server', url]);
    assert.match(human.stderr, /plain HTTP.*\[ERR_USAGE\]/);
    const allowed = await cli(['status', '-o', 'json']);
    assert.match(allowed.stderr, /^warning: --insecure-http: /m);
    assert.ok(JSON.parse(allowed.stdout).conditions.length > 0);
  });

  it('status: the same conditions and exit code as local status over the same systems; --cloud and a cloud admin\'s scope', async () => {
    const local = await federationStatus(w.deps.current.get(), w.federation.deps);
    const run = await cli(['status', '-o', 'json']);
    assert.deepEqual(JSON.parse(run.stdout), JSON.parse(JSON.stringify({ conditions: local })));
    const expectedExit = local.some((c) => c.status === 'False') ? 1 : local.some((c) => c.reason === 'Unreachable') ? 5 : 0;
    assert.equal(run.status, expectedExit);
    const onlyB = await cli(['status', '-o', 'json', '--cloud', 'cloud-b']);
    assert.deepEqual(JSON.parse(onlyB.stdout).conditions, JSON.parse(JSON.stringify(local.filter((c) => c.cloud === 'cloud-b'))));
    const asB = await cli(['status', '-o', 'json', '--cloud', 'cloud-a'], 'adminB');
    assert.equal(asB.status, 1);
    assert.equal(JSON.parse(asB.stdout).error.code, 'ERR_FORBIDDEN_CLOUD');
    const human = await cli(['status']);
    assert.match(human.stdout, /^CLOUD\s+CONDITION\s+STATUS\s+REASON\s+MESSAGE$/m);
  });

  it('explain who: the same JSON as local explain (with its username key); the spec argument is not needed', async () => {
    const local = await explainSubject(w.deps.current.get(), 'cloud-a', 'alice', w.deps.explain);
    const run = await cli(['explain', 'cloud-a:alice', '-o', 'json']);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), JSON.parse(JSON.stringify({ ...local, subject: { username: local.subject.homeUsername, ...local.subject } })));
    const withSpec = await cli(['explain', specFile(), 'cloud-a:alice', '-o', 'json']);
    assert.equal(withSpec.stdout, run.stdout);
    const malformed = await cli(['explain', 'alice', '-o', 'json']);
    assert.equal(malformed.status, 2);
    assert.equal(JSON.parse(malformed.stdout).error.code, 'ERR_USAGE');
  });

  it('sync: starts a run, follows it to its report, prints it like local sync (dry run, clouds)', async () => {
    const run = await cli(['sync', '--dry-run', '--cloud', 'cloud-b', '-o', 'json']);
    assert.equal(run.status, 0, run.stderr);
    const body = JSON.parse(run.stdout);
    assert.match(body.syncId, /^sync-/);
    assert.deepEqual({ ...body, syncId: undefined }, { syncId: undefined, dryRun: true, stopped: false, stoppedByBrake: false, summary: { added: 0, removed: 0, changed: 0, effects: 0 }, brake: [], failures: [], targets: [] });
    assert.deepEqual(w.syncCalls, [{ clouds: ['cloud-b'], dryRun: true, confirm: false }]);
    const human = await cli(['sync', '--dry-run']);
    assert.equal(human.stdout, 'Sync: 0 added, 0 removed, 0 changed; dry run, nothing written.\n');
    const refused = await cli(['sync', '--cloud', 'cloud-c', '-o', 'json'], 'adminB');
    assert.equal(JSON.parse(refused.stdout).error.code, 'ERR_FORBIDDEN_CLOUD');
  });

  it('logout who --wait follows the delivery report; logout status ID prints it; audit finds the request by its correlation id', async () => {
    const run = await cli(['logout', 'cloud-a:alice', '--wait', '10', '-o', 'json']);
    assert.equal(run.status, 0, run.stderr);
    const started = JSON.parse(run.stdout);
    assert.equal(started.outcome, 'delivered');
    const status = await cli(['logout', 'status', started.eventId, '-o', 'json']);
    assert.equal(status.status, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).id, started.eventId);
    const human = await cli(['logout', 'status', started.eventId]);
    assert.match(human.stdout, new RegExp(`^logout ${started.eventId}: delivered`, 'm'));
    const refused = await cli(['logout', 'status', started.eventId, '-o', 'json'], 'adminB');
    assert.equal(JSON.parse(refused.stdout).error.code, 'ERR_FORBIDDEN_CLOUD');
    const errorId = JSON.parse(refused.stdout).error.details.errorId as string;
    const audit = await cli(['audit', '--correlation-id', errorId, '-o', 'json']);
    assert.equal(audit.status, 0, audit.stderr);
    const records = JSON.parse(audit.stdout).records as { action: string; correlationId: string }[];
    assert.ok(records.length > 0 && records.every((r) => r.correlationId === errorId), audit.stdout);
    assert.ok(records.some((r) => r.action === 'api.refused'));
  });

  it('validate: the broker\'s answer printed as local validate prints it; a plain user is refused; a locally invalid spec shows the local problems, exit 3, nothing sent', async () => {
    const spec = specFile();
    for (const format of [['-o', 'json'], []]) {
      const local = await runCli(['validate', spec, ...format], CLEAN_ENV);
      const run = await cli(['validate', spec, ...format]);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, local.stdout);
    }
    const plain = await w.plainUser('cloud-b');
    tokens.push(plain);
    writeFileSync(files.bad, `${plain}\n`);
    const user = await cli(['validate', spec, '-o', 'json'], 'bad');
    assert.equal(user.status, 1);
    assert.equal(JSON.parse(user.stdout).error.code, 'ERR_FORBIDDEN_CLOUD', 'the spec went to the broker, which refuses a plain user');
    const before = w.audit.length;
    const invalid = specFile((d) => { d.clouds[0].alias = 'Not An Alias'; });
    const bad = await cli(['validate', invalid, '-o', 'json']);
    assert.equal(bad.status, 3);
    assert.equal(bad.stdout, (await runCli(['validate', invalid, '-o', 'json'], CLEAN_ENV)).stdout);
    assert.equal(w.audit.length, before);
  });

  it('without --server the commands stay local: a missing spec is commander\'s usage error; --plan-id needs --server', async () => {
    const status = await runCli(['status'], CLEAN_ENV);
    assert.equal(status.status, 2);
    assert.match(status.stderr, /missing required argument 'spec'/);
    const logout = await runCli(['logout', 'cloud-a:alice', '-o', 'json'], CLEAN_ENV);
    assert.equal(logout.status, 2);
    assert.equal(JSON.parse(logout.stdout).error.code, 'ERR_USAGE');
    const apply = await runCli(['apply', '--plan-id', 'p1', '-o', 'json'], CLEAN_ENV);
    assert.equal(apply.status, 2);
    assert.equal(JSON.parse(apply.stdout).error.code, 'ERR_USAGE');
  });

  it('an answer that is not the API\'s: ERR_API_RESPONSE; a redirect is not followed (ERR_HTTP_REDIRECT)', async () => {
    const other = createHttpServer((req, res) => {
      if (req.url?.startsWith('/moved')) { res.writeHead(302, { location: 'http://127.0.0.1:1/' }).end(); return; }
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>not here</h1>');
    });
    const port = await listen(other);
    try {
      const run = await cli(['status', '-o', 'json'], 'fed', ['--server', `http://127.0.0.1:${port}`, '--insecure-http']);
      assert.equal(run.status, 1);
      assert.equal(JSON.parse(run.stdout).error.code, 'ERR_API_RESPONSE');
      const moved = await cli(['status', '-o', 'json'], 'fed', ['--server', `http://127.0.0.1:${port}/moved`, '--insecure-http']);
      assert.equal(JSON.parse(moved.stdout).error.code, 'ERR_HTTP_REDIRECT');
    } finally {
      await close(other);
    }
  });

  it('a spec the broker finds invalid (422 ERR_SPEC_INVALID) is shown like local spec problems, exit 3; an unknown problem code is ERR_API_RESPONSE', async () => {
    const answers: { status: number; body: unknown }[] = [
      { status: 422, body: { type: 'urn:fedbroker:error:ERR_SPEC_INVALID', title: 't', status: 422, code: 'ERR_SPEC_INVALID', detail: 'the spec is invalid (1 problem)', errorId: 'e-422', problems: [{ path: 'spec.clouds[0].alias', code: 'ERR_SPEC_SCHEMA', message: 'too long' }] } },
      { status: 422, body: { type: 'x', title: 't', status: 422, code: 'ERR_SPEC_INVALID', detail: 'the spec is invalid (1 problem)', errorId: 'e-423', problems: [{ path: 'spec.clouds[0].alias', code: 'ERR_SPEC_SCHEMA', message: 'too long' }] } },
      { status: 409, body: { type: 'x', title: 't', status: 409, code: 'ERR_FROM_THE_FUTURE', detail: 'newer broker', errorId: 'e-409' } },
    ];
    const seen: string[] = [];
    const fake = createHttpServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization === `Bearer ${tokens[0]}` ? 'with token' : 'without token'}`);
      const answer = answers.shift()!;
      res.writeHead(answer.status, { 'content-type': 'application/problem+json' }).end(JSON.stringify(answer.body));
    });
    const port = await listen(fake);
    try {
      const at = ['--server', `http://127.0.0.1:${port}`, '--insecure-http'];
      const spec = specFile();
      const json = await cli(['plan', spec, '-o', 'json'], 'fed', at);
      assert.equal(json.status, 3);
      assert.deepEqual(JSON.parse(json.stdout), { file: spec, valid: false, problems: [{ path: 'clouds[0].alias', code: 'ERR_SPEC_SCHEMA', message: 'too long' }], errorId: 'e-422' });
      const human = await cli(['validate', spec], 'fed', at);
      assert.equal(human.status, 3);
      assert.match(human.stderr, /the broker finds the spec invalid, 1 problem \(errorId=e-423\):\n {2}\S+ {2}clouds\[0\]\.alias: too long {2}\[ERR_SPEC_SCHEMA\]/);
      const unknown = await cli(['status', '-o', 'json'], 'fed', at);
      assert.equal(unknown.status, 1);
      const { error } = JSON.parse(unknown.stdout);
      assert.equal(error.code, 'ERR_API_RESPONSE');
      assert.equal(error.details.errorId, 'e-409');
      assert.deepEqual(seen, ['POST /api/v1/plan with token', 'POST /api/v1/validate with token', 'GET /api/v1/status with token']);
    } finally {
      await close(fake);
    }
  });

  it('https: the broker\'s certificate is verified; without its CA ERR_HTTP_TLS, with --ca-file (or $FEDBROKER_SERVER_CA) it works', async () => {
    const tls = makeTestTls();
    const secure = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, w.app);
    const port = await listen(secure as unknown as Server);
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, tls.caPem);
    try {
      const https = `https://127.0.0.1:${port}`;
      const untrusted = await cli(['status', '-o', 'json'], 'fed', ['--server', https]);
      assert.equal(untrusted.status, 1);
      assert.equal(JSON.parse(untrusted.stdout).error.code, 'ERR_HTTP_TLS');
      const trusted = await cli(['status', '-o', 'json'], 'fed', ['--server', https, '--ca-file', caFile]);
      assert.ok(JSON.parse(trusted.stdout).conditions.length > 0, trusted.stdout);
      assert.equal(trusted.stderr, '');
      const fromEnv = await runCli(['status', '-o', 'json', '--token-file', files.fed], { FEDBROKER_SERVER: https, FEDBROKER_SERVER_CA: caFile, FEDBROKER_TOKEN: undefined });
      assert.equal(fromEnv.stdout, trusted.stdout);
    } finally {
      await close(secure as unknown as Server);
    }
  });
});
