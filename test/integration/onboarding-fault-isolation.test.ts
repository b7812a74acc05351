/**
 * One cloud's outage does not stop plan, apply and status for the others. The federation is applied,
 * then a broker-owned Keystone group and a Keycloak identity-provider mapper of cloud-b are deleted by
 * hand (pending changes), and cloud-a's Keystone (Apache and uwsgi) is stopped:
 * - `plan` exits 5 (partial), lists cloud-a's Keystone as unreachable with its code, and plans every
 *   other part exactly as it did with everything up;
 * - `status` marks cloud-a's KeystoneConfigured Unknown (Unreachable), its ExamplesPassed not True (its
 *   examples need that Keystone), and every other condition as it was, none carrying cloud-a's error;
 * - `apply` applies cloud-b's pending changes, exits 5 and reports cloud-a's Keystone unreachable (its
 *   part's condition Unknown, every other part's condition free of its error); status after it is
 *   truthful (cloud-b in sync, cloud-a's Keystone Unreachable);
 * - once cloud-a's Keystone is back, apply finishes (exit 0) and the next plan is empty.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { DEMO_SPEC, fedbrokerAsync } from '../support/federation.ts';
import { adminJson } from '../support/keycloak-admin.ts';
import { keystoneAdminApi } from '../support/keystone-testbed.ts';
import { testbedCloud } from '../support/testbed.ts';

const root = new URL('../..', import.meta.url).pathname;
const DOWN = 'cloud-a';
let keystoneDown = false;
const keystone = (action: 'up' | 'down') => {
  execFileSync('bash', [`${root}scripts/testbed/keystone.sh`, action, DOWN], { stdio: 'pipe', timeout: 120_000 });
  keystoneDown = action === 'down';
};

interface PlanJson { changes: { system: string; cloud: string; scope: string; kind: string; name: string; action: string }[]; unreachable: { system: string; cloud: string; part: string; code: string; message: string }[] }
interface Condition { cloud: string; type: string; status: string; reason: string; message: string }
interface PartJson { cloud: string; system: string; applied: string[]; failed: { key: string; code: string }[]; notAttempted: { key: string }[]; unreachable: { code: string }[]; condition: Condition }
interface ApplyJson { applied: number; failed: number; notAttempted: number; unreachable: PlanJson['unreachable']; parts: PartJson[] }

const changeKeys = (plan: PlanJson) => plan.changes.map((c) => `${c.action} ${c.system}/${c.cloud}/${c.scope}/${c.kind}/${c.name}`).sort();

let planBefore: PlanJson;
let statusBefore: Condition[];
/** The keys of the changes pending in cloud-b before cloud-a's Keystone is stopped. */
let pendingInB: string[];

/** Deletes a broker-owned Keystone group (and so its role assignments) and a Keycloak identity-provider mapper in cloud-b. */
async function makeChangesPendingInCloudB(): Promise<void> {
  const ks = await keystoneAdminApi('cloud-b');
  const domains = (await ks.get('/v3/domains?name=fed-cloud-a')).domains as { id: string }[];
  const groups = (await ks.get(`/v3/groups?domain_id=${domains[0]!.id}`)).groups as { id: string; name: string }[];
  assert.ok(groups.length > 0, 'cloud-b\'s Keystone has broker groups for cloud-a\'s users');
  await ks.send('DELETE', `/v3/groups/${groups[0]!.id}`);
  const mappers = await adminJson<{ id: string; name: string }[]>('/admin/realms/cloud-b/identity-provider/instances/cloud-a/mappers');
  assert.ok(mappers.length > 0, 'cloud-b\'s identity provider for cloud-a has broker mappers');
  await adminJson(`/admin/realms/cloud-b/identity-provider/instances/cloud-a/mappers/${mappers[0]!.id}`, { method: 'DELETE' });
}

before(async () => {
  const converge = await fedbrokerAsync('apply', DEMO_SPEC, '--yes');
  assert.equal(converge.status, 0, converge.stderr);
  await makeChangesPendingInCloudB();
  const plan = await fedbrokerAsync('plan', DEMO_SPEC, '-o', 'json');
  assert.equal(plan.status, 0, plan.stderr);
  planBefore = JSON.parse(plan.stdout);
  assert.deepEqual(planBefore.unreachable, []);
  pendingInB = planBefore.changes.filter((c) => c.cloud === 'cloud-b').map((c) => `${c.system}/${c.cloud}/${c.scope}/${c.kind}/${c.name}`).sort();
  assert.deepEqual(planBefore.changes.map((c) => c.cloud).filter((c) => c !== 'cloud-b'), [], 'only cloud-b has pending changes');
  assert.deepEqual([...new Set(planBefore.changes.map((c) => `${c.system} ${c.action}`))].sort(), ['keycloak create', 'keystone create']);
  const status = await fedbrokerAsync('status', DEMO_SPEC, '-o', 'json');
  statusBefore = JSON.parse(status.stdout).conditions;
  keystone('down');
});

after(() => { if (keystoneDown) keystone('up'); });

describe(`with ${DOWN}'s Keystone stopped`, () => {
  it('plan goes on for every reachable part and exits 5, naming what it could not read', async () => {
    const run = await fedbrokerAsync('plan', DEMO_SPEC, '-o', 'json');
    assert.equal(run.status, 5, run.stderr);
    const plan: PlanJson = JSON.parse(run.stdout);
    assert.deepEqual(plan.unreachable.map((u) => [u.system, u.cloud, u.part, u.code]), [['keystone', DOWN, 'system', 'ERR_HTTP_UNREACHABLE']]);
    assert.ok(plan.unreachable[0]!.message.includes(new URL(testbedCloud(DOWN).keystone.url).port), plan.unreachable[0]!.message);
    assert.ok(!plan.changes.some((c) => c.system === 'keystone' && c.cloud === DOWN), 'nothing is planned for the stopped Keystone');
    const others = (p: PlanJson) => changeKeys(p).filter((k) => !k.includes(`keystone/${DOWN}/`));
    assert.deepEqual(others(plan), others(planBefore), 'the other parts are planned exactly as with everything up');
  });

  it('the human plan says on stderr what was not planned', async () => {
    const run = await fedbrokerAsync('plan', DEMO_SPEC);
    assert.equal(run.status, 5);
    assert.match(run.stderr, new RegExp(`Not planned: keystone of ${DOWN}: ERR_HTTP_UNREACHABLE`));
  });

  it('status: the stopped Keystone is Unknown with its own error; every other condition is as before and never carries it', async () => {
    const run = await fedbrokerAsync('status', DEMO_SPEC, '-o', 'json');
    const conditions: Condition[] = JSON.parse(run.stdout).conditions;
    const down = conditions.find((c) => c.cloud === DOWN && c.type === 'KeystoneConfigured');
    assert.equal(down?.status, 'Unknown');
    assert.equal(down?.reason, 'Unreachable');
    assert.match(down?.message ?? '', /^ERR_HTTP_UNREACHABLE: /);
    // The examples targeting cloud-a state Keystone grants: with its Keystone down they cannot be known to hold.
    const examples = conditions.find((c) => c.cloud === DOWN && c.type === 'ExamplesPassed');
    assert.notEqual(examples?.status, 'True', examples?.message);
    if (examples?.reason === 'Unreachable') assert.match(examples.message, /cannot read keystone/);
    else assert.equal(examples?.reason, 'ConfigDrift', 'False only when another system of cloud-a drifts');
    // cloud-a's own conditions that need its Keystone: its configuration, its examples, the check of its Keystone credentials.
    const own = (c: Condition) => c.cloud === DOWN && (c.type === 'KeystoneConfigured' || c.type === 'ExamplesPassed' || c.type === 'KeystoneGrantsRevocable'
      || (c.type === 'CredentialsLeastPrivilege' && c.message.startsWith('keystone: ')));
    const rest = (list: Condition[]) => list.filter((c) => !own(c)).map((c) => `${c.cloud} ${c.type} ${c.status} ${c.reason}`);
    assert.deepEqual(rest(conditions), rest(statusBefore));
    for (const c of conditions.filter((x) => !own(x))) assert.ok(!c.message.includes('ERR_HTTP_UNREACHABLE'), `${c.cloud} ${c.type}: ${c.message}`);
    assert.equal(run.status, statusBefore.some((c) => c.status === 'False') ? 1 : 5);
  });

  it('apply applies every other part\'s pending changes, exits 5, reports the stopped Keystone; conditions of the other parts never carry its error', async () => {
    const run = await fedbrokerAsync('apply', DEMO_SPEC, '--yes', '-o', 'json');
    assert.equal(run.status, 5, run.stderr);
    const report: ApplyJson = JSON.parse(run.stdout);
    assert.deepEqual(report.unreachable.map((u) => [u.system, u.cloud, u.part, u.code]), [['keystone', DOWN, 'system', 'ERR_HTTP_UNREACHABLE']]);
    assert.deepEqual([report.applied, report.failed, report.notAttempted], [pendingInB.length, 0, 0]);
    assert.deepEqual(report.parts.flatMap((p) => p.applied).sort(), pendingInB, 'exactly cloud-b\'s pending changes were applied');
    const down = report.parts.find((p) => p.cloud === DOWN && p.system === 'keystone')!;
    assert.deepEqual([down.condition.type, down.condition.status, down.condition.reason, down.unreachable[0]?.code], ['KeystoneConfigured', 'Unknown', 'Unreachable', 'ERR_HTTP_UNREACHABLE']);
    for (const p of report.parts.filter((x) => x !== down)) {
      assert.deepEqual([p.condition.status, p.condition.reason], ['True', 'Applied'], `${p.cloud} ${p.system}`);
      assert.ok(!p.condition.message.includes('ERR_HTTP_UNREACHABLE'), `${p.cloud} ${p.system}: ${p.condition.message}`);
    }
    const human = await fedbrokerAsync('apply', DEMO_SPEC, '--yes');
    assert.equal(human.status, 5, 'nothing left to apply, but a part is still unreachable');
    assert.match(human.stderr, new RegExp(`Not planned: keystone of ${DOWN}: ERR_HTTP_UNREACHABLE`));
  });

  it('after the partial apply, plan has nothing left but the stopped Keystone, and status is truthful', async () => {
    const plan = await fedbrokerAsync('plan', DEMO_SPEC, '-o', 'json');
    assert.equal(plan.status, 5);
    assert.deepEqual(changeKeys(JSON.parse(plan.stdout)), []);
    const run = await fedbrokerAsync('status', DEMO_SPEC, '-o', 'json');
    const conditions: Condition[] = JSON.parse(run.stdout).conditions;
    const row = (cloud: string, type: string) => { const c = conditions.find((x) => x.cloud === cloud && x.type === type); return [c?.status, c?.reason]; };
    assert.deepEqual(row(DOWN, 'KeystoneConfigured'), ['Unknown', 'Unreachable']);
    for (const type of ['RealmConfigured', 'KeystoneConfigured', 'RbacApplied', 'ExamplesPassed']) assert.equal(row('cloud-b', type)[0], 'True', `cloud-b ${type}`);
    for (const c of conditions.filter((x) => x.cloud !== DOWN)) assert.ok(!c.message.includes('ERR_HTTP_UNREACHABLE'), `${c.cloud} ${c.type}: ${c.message}`);
    assert.equal(run.status, conditions.some((c) => c.status === 'False') ? 1 : 5);
  });

  it('once the Keystone is back, apply finishes and the next plan is empty', async () => {
    keystone('up');
    const run = await fedbrokerAsync('apply', DEMO_SPEC, '--yes', '-o', 'json');
    assert.equal(run.status, 0, run.stderr);
    const report: ApplyJson = JSON.parse(run.stdout);
    assert.deepEqual([report.failed, report.notAttempted, report.unreachable], [0, 0, []]);
    const plan = await fedbrokerAsync('plan', DEMO_SPEC, '--detailed-exitcode', '-o', 'json');
    assert.equal(plan.status, 0, 'no changes');
    assert.deepEqual(changeKeys(JSON.parse(plan.stdout)), []);
  });
});
