/**
 * One cloud's outage does not stop plan and status for the others. cloud-a's Keystone (Apache and
 * uwsgi) is stopped for the duration of the test:
 * - `plan` exits 5 (partial), lists cloud-a's Keystone as unreachable with its code, and plans every
 *   other part exactly as it did with everything up;
 * - `status` marks cloud-a's KeystoneConfigured Unknown (Unreachable), its ExamplesPassed not True (its
 *   examples need that Keystone), and every other condition as it was, none carrying cloud-a's error;
 * - `apply` (which runs whole plans only) refuses, naming the cloud, and changes nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { DEMO_SPEC, fedbrokerAsync } from '../support/federation.ts';
import { testbedCloud } from '../support/testbed.ts';

const root = new URL('../..', import.meta.url).pathname;
const DOWN = 'cloud-a';
const keystone = (action: 'up' | 'down') => execFileSync('bash', [`${root}scripts/testbed/keystone.sh`, action, DOWN], { stdio: 'pipe', timeout: 120_000 });

interface PlanJson { changes: { system: string; cloud: string; scope: string; kind: string; name: string; action: string }[]; unreachable: { system: string; cloud: string; part: string; code: string; message: string }[] }
interface Condition { cloud: string; type: string; status: string; reason: string; message: string }

const changeKeys = (plan: PlanJson) => plan.changes.map((c) => `${c.action} ${c.system}/${c.cloud}/${c.scope}/${c.kind}/${c.name}`).sort();

let planBefore: PlanJson;
let statusBefore: Condition[];

before(async () => {
  const plan = await fedbrokerAsync('plan', DEMO_SPEC, '-o', 'json');
  assert.equal(plan.status, 0, plan.stderr);
  planBefore = JSON.parse(plan.stdout);
  assert.deepEqual(planBefore.unreachable, []);
  const status = await fedbrokerAsync('status', DEMO_SPEC, '-o', 'json');
  statusBefore = JSON.parse(status.stdout).conditions;
  keystone('down');
});

after(() => { keystone('up'); });

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
    const own = (c: Condition) => c.cloud === DOWN && (c.type === 'KeystoneConfigured' || c.type === 'ExamplesPassed');
    const rest = (list: Condition[]) => list.filter((c) => !own(c)).map((c) => `${c.cloud} ${c.type} ${c.status} ${c.reason}`);
    assert.deepEqual(rest(conditions), rest(statusBefore));
    for (const c of conditions.filter((x) => x !== down)) assert.ok(!c.message.includes('ERR_HTTP_UNREACHABLE'), `${c.cloud} ${c.type}: ${c.message}`);
    assert.equal(run.status, statusBefore.some((c) => c.status === 'False') ? 1 : 5);
  });

  it('apply runs whole plans only: it refuses with the code of the outage and writes nothing', async () => {
    const run = await fedbrokerAsync('apply', DEMO_SPEC, '--yes', '-o', 'json');
    assert.equal(run.status, 1);
    const error = JSON.parse(run.stdout).error;
    assert.equal(error.code, 'ERR_HTTP_UNREACHABLE');
    const after = await fedbrokerAsync('plan', DEMO_SPEC, '-o', 'json');
    assert.deepEqual(changeKeys(JSON.parse(after.stdout)).filter((k) => !k.includes(`keystone/${DOWN}/`)), changeKeys(planBefore).filter((k) => !k.includes(`keystone/${DOWN}/`)));
  });
});
