// One logout, followed by its correlation id on the real test bed: a running broker delivers a global
// logout started with the CLI; `fedbroker audit --correlation-id <event id>` finds its records (started,
// one delivery per target for all six targets, completed), `--cloud` and `--since` narrow the trail,
// and Keycloak's access log and each Keystone's Apache access log show the same id in the
// X-Correlation-Id header of the calls the deliveries made.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { report, startBroker, waitFor, type BrokerProcess } from '../support/broker-process.ts';
import { DEMO_SPEC, fedbroker } from '../support/federation.ts';
import { adminJson, deleteUserIfPresent, jsonBody } from '../support/keycloak-admin.ts';
import { sessionCount } from '../support/sessions.ts';
import { loadTestbed, passwordGrantToken, testbedDir } from '../support/testbed.ts';

const user = `corr-${Date.now().toString(36)}`;
const CLOUDS = ['cloud-a', 'cloud-b', 'cloud-c'];
const redis = () => loadTestbed().redis.url;

interface AuditRecordJson { action: string; correlationId: string; clouds: string[]; outcome: string; detail: Record<string, unknown> }

function audit(...args: string[]): AuditRecordJson[] {
  const run = fedbroker('audit', ...args, '--redis', redis(), '-o', 'json');
  assert.equal(run.status, 0, run.stderr);
  return (JSON.parse(run.stdout) as { records: AuditRecordJson[] }).records;
}

describe('one logout, one correlation id: the audit trail and the systems\' access logs', () => {
  let broker: BrokerProcess | undefined;
  before(async () => {
    const apply = fedbroker('apply', DEMO_SPEC, '--yes');
    assert.equal(apply.status, 0, apply.stderr);
    await deleteUserIfPresent('cloud-a', user);
    await adminJson('/admin/realms/cloud-a/users', jsonBody({ username: user, enabled: true, email: `${user}@a.example`, firstName: 'C', lastName: 'R',
      credentials: [{ type: 'password', value: `${user}-pw`, temporary: false }] }));
    await passwordGrantToken('cloud-a', user, `${user}-pw`);
    broker = await startBroker(DEMO_SPEC);
  });
  after(async () => {
    await broker?.stop();
    await deleteUserIfPresent('cloud-a', user);
  });

  it('fedbroker audit finds every target\'s delivery under the event id; Keycloak and Keystone saw the id', async () => {
    const startedAt = Date.now();
    const started = fedbroker('logout', DEMO_SPEC, `cloud-a:${user}`, '--redis', redis(), '-o', 'json');
    assert.equal(started.status, 0, started.stderr);
    const eventId = (JSON.parse(started.stdout) as { eventId: string }).eventId;
    await waitFor('the logout delivered', async () => (await report(broker!, eventId)).outcome === 'delivered', 20_000, 100);
    assert.equal(await sessionCount('cloud-a', user), 0);

    const records = await waitFor('the completion recorded', async () => {
      const r = audit('--correlation-id', eventId);
      return r.some((x) => x.action === 'logout.completed') && r;
    }, 5_000, 200);
    assert.ok(records.every((r) => r.correlationId === eventId));
    assert.equal(records[0]!.action, 'logout.started', 'the oldest first');
    assert.deepEqual(records[0]!.clouds, CLOUDS);
    const delivered = records.filter((r) => r.action === 'logout.delivered').map((r) => String(r.detail['target'])).sort();
    assert.deepEqual(delivered, CLOUDS.flatMap((c) => [`keycloak/${c}`, `keystone/${c}`]).sort(), 'one delivery record per target, all six');
    assert.ok(records.filter((r) => r.action === 'logout.delivered').every((r) => r.outcome === 'ok' && r.clouds.length === 1));

    const cloudB = audit('--cloud', 'cloud-b', '--since', new Date(startedAt - 1000).toISOString()).filter((r) => r.correlationId === eventId);
    assert.deepEqual(cloudB.map((r) => r.action).sort(), ['logout.delivered', 'logout.delivered', 'logout.started'], 'cloud-b\'s records of this logout');
    assert.ok(audit('--since', '10m', '--limit', '10000').some((r) => r.correlationId === eventId));
    const refused = fedbroker('audit', '--since', 'yesterday', '--redis', redis());
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /ERR_REQUEST_INVALID/);
    assert.match(refused.stderr, /--since/);

    const logs = join(testbedDir(), 'logs');
    const keycloakLines = readFileSync(join(logs, 'keycloak.log'), 'utf8').split('\n').filter((l) => l.includes(`correlation=${eventId}`));
    for (const cloud of CLOUDS) {
      assert.ok(keycloakLines.some((l) => l.includes(`/admin/realms/${cloud}/`)), `Keycloak's access log shows the id on a call into realm ${cloud}:\n${keycloakLines.join('\n')}`);
      const keystoneLines = readFileSync(join(logs, `apache-keystone-${cloud}.log`), 'utf8').split('\n').filter((l) => l.includes(`correlation=${eventId}`));
      assert.ok(keystoneLines.some((l) => l.includes('/v3/users?')), `Keystone of ${cloud} shows the id on the revocation's look-up:\n${keystoneLines.join('\n')}`);
    }
  });
});
