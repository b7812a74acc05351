// The onboarding use cases (plan, apply, status) over the fakes of all three systems: what
// test/integration/onboarding-apply.test.ts checks against the real servers, in seconds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isEmptyPlan, type Change } from '../../src/core/plan/diff.ts';
import { MANAGED_SYSTEMS } from '../../src/core/systems/index.ts';
import { applyPlan, planFederation, planReachable } from '../../src/services/onboarding.ts';
import { federationStatus, type Condition } from '../../src/services/status.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { fakeFederation } from '../support/fake-federation.ts';
import { withoutCloudC } from '../support/federation.ts';

const where = (c: Change) => (c.desired ?? c.observed)!;
const pending = (changes: readonly Change[]) => changes.filter((c) => c.action !== 'noop');
const systemRank = (c: Change) => MANAGED_SYSTEMS.findIndex((s) => s.name === where(c).system);
const row = (c: Condition) => [c.cloud, c.type, c.status, c.reason];

describe('plan and apply over the fakes', () => {
  it('the first plan creates objects in every system; apply reports each step; the next plan is empty', async () => {
    const w = fakeFederation();
    const plan = await planFederation(w.spec, w.deps);
    assert.deepEqual([...new Set(pending(plan.changes).map((c) => where(c).system))].sort(), ['keycloak', 'keystone', 'kubernetes']);
    assert.equal(plan.summary.conflict, 0);
    const events: string[] = [];
    const report = await applyPlan(plan, w.deps, ({ step, total, status }) => events.push(`${step}/${total} ${status}`));
    const n = pending(plan.changes).length;
    assert.deepEqual([report.applied, report.failed, report.notAttempted, report.total], [n, 0, 0, n]);
    assert.deepEqual(report.outcomes.map((o) => o.status), Array(n).fill('applied'));
    assert.deepEqual(events.slice(0, 2), [`1/${n} start`, `1/${n} done`]);
    assert.equal(events.at(-1), `${n}/${n} done`);
    assert.equal(events.length, 2 * n);
    const again = await planFederation(w.spec, w.deps);
    assert.ok(isEmptyPlan(again), JSON.stringify(pending(again.changes).map((c) => c.key)));
    const writes = w.writes();
    const none = await applyPlan(again, w.deps);
    assert.deepEqual([none.applied, none.total], [0, 0]);
    assert.equal(w.writes(), writes);
  });

  it('creates in registry and kind order (Keycloak, Keystone, Kubernetes) and deletes in reverse', async () => {
    const w = fakeFederation();
    const plan = await planFederation(w.spec, w.deps);
    const ranks = pending(plan.changes).map(systemRank);
    assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b));
    await applyPlan(plan, w.deps);
    const smaller = await planFederation(exampleSpec(withoutCloudC), w.deps);
    const deletions = smaller.changes.filter((c) => c.action === 'delete');
    assert.ok(deletions.some((c) => where(c).system === 'keycloak') && deletions.some((c) => where(c).system === 'keystone'));
    const deletionRanks = deletions.map(systemRank);
    assert.deepEqual(deletionRanks, [...deletionRanks].sort((a, b) => b - a));
    const firstDelete = smaller.changes.findIndex((c) => c.action === 'delete');
    assert.ok(smaller.changes.slice(firstDelete).every((c) => c.action === 'delete'), 'deletions come after every create and update');
  });

  it('a write failing mid-apply holds back the rest of that Keystone only; the other parts are applied; the next plan and apply finish it', async () => {
    const w = fakeFederation();
    const plan = await planFederation(w.spec, w.deps);
    w.keystone.get('cloud-b')!.failAfterWrites = 3;
    const report = await applyPlan(plan, w.deps);
    w.keystone.get('cloud-b')!.failAfterWrites = undefined;
    const inKeystoneB = (c: Change) => where(c).system === 'keystone' && where(c).cloud === 'cloud-b';
    const failed = report.outcomes.filter((o) => o.status === 'failed');
    assert.deepEqual(failed.map((o) => [where(o.change).system, where(o.change).cloud]), [['keystone', 'cloud-b']]);
    const waiting = report.outcomes.filter((o) => o.status === 'notAttempted');
    assert.ok(waiting.length > 0 && waiting.every((o) => inKeystoneB(o.change) && o.waitsFor === 'keystone/cloud-b/global'), JSON.stringify(waiting.map((o) => o.change.key)));
    assert.ok(report.outcomes.filter((o) => !inKeystoneB(o.change)).every((o) => o.status === 'applied'));
    const rest = await planFederation(w.spec, w.deps);
    assert.deepEqual(pending(rest.changes).map((c) => c.key), [...failed, ...waiting].map((o) => o.change.key), 'exactly the held-back part is left');
    const finish = await applyPlan(rest, w.deps);
    assert.deepEqual([finish.failed, finish.notAttempted], [0, 0]);
    assert.ok(isEmptyPlan(await planFederation(w.spec, w.deps)));
  });

  it('a realm the spec names that does not exist fails the whole plan before anything is written', async () => {
    const w = fakeFederation();
    const renamed = exampleSpec((doc) => { doc.clouds[1].keycloak.realm = 'no-such-realm'; });
    await assert.rejects(planFederation(renamed, w.deps), { code: 'ERR_KEYCLOAK_REALM_NOT_FOUND', details: { cloud: 'cloud-b', realm: 'no-such-realm' } });
    await assert.rejects(planReachable(renamed, w.deps), { code: 'ERR_KEYCLOAK_REALM_NOT_FOUND' });
    assert.equal(w.writes(), 0);
  });

  it('a partner client the spec names that does not exist fails the whole plan', async () => {
    const w = fakeFederation(exampleSpec(), { realmClients: ['openstack'] });
    await assert.rejects(planFederation(w.spec, w.deps), { code: 'ERR_KEYCLOAK_CLIENT_NOT_FOUND', details: { cloud: 'cloud-a', realm: 'cloud-a', clientId: 'kubernetes' } });
    assert.equal(w.writes(), 0);
  });

  it('an object at a desired address the broker did not create is a conflict, and apply writes nothing at all', async () => {
    const w = fakeFederation();
    const first = await planFederation(w.spec, w.deps);
    const group = first.changes.find((c) => where(c).system === 'keystone' && where(c).cloud === 'cloud-b' && where(c).kind === 'group')!;
    const { name, domain } = group.desired!.fields as { name: string; domain: string };
    w.keystone.get('cloud-b')!.seed('group', group.desired!.name, { name, domain, description: 'made by hand' });
    const plan = await planFederation(w.spec, w.deps);
    assert.deepEqual(plan.changes.filter((c) => c.action === 'conflict').map((c) => c.key), [group.key]);
    await assert.rejects(applyPlan(plan, w.deps), { code: 'ERR_PLAN_CONFLICT', details: { conflicts: [group.key] } });
    assert.equal(w.writes(), 0);
  });
});

describe('status over the fakes', () => {
  const TYPES = ['DiscoveryReachable', 'RealmConfigured', 'KeystoneConfigured', 'RbacApplied', 'ExamplesPassed',
    'KubernetesTokenLifetimeBound', 'KeystoneGrantsRevocable', 'CredentialsLeastPrivilege', 'CredentialsLeastPrivilege', 'CredentialsLeastPrivilege'];

  it('one condition per system a cloud has, pending before apply and in sync after', async () => {
    const w = fakeFederation();
    const before = await federationStatus(w.spec, w.deps);
    for (const cloud of ['cloud-a', 'cloud-b', 'cloud-c']) assert.deepEqual(before.filter((c) => c.cloud === cloud).map((c) => c.type), TYPES);
    assert.ok(before.filter((c) => ['RealmConfigured', 'KeystoneConfigured', 'RbacApplied'].includes(c.type)).every((c) => c.status === 'False' && c.reason === 'ChangesPending'));
    await applyPlan(await planFederation(w.spec, w.deps), w.deps);
    const after = await federationStatus(w.spec, w.deps);
    assert.deepEqual(after.filter((c) => c.status !== 'True').map(row), []);
    assert.equal(after.find((c) => c.cloud === 'cloud-a' && c.type === 'KeystoneConfigured')?.message,
      'Keystone matches the spec; ephemeral users land in the identity provider\'s domain (Keystone before 2024.1)');
    assert.equal(after.find((c) => c.cloud === 'cloud-b' && c.type === 'DiscoveryReachable')?.message, 'oidc metadata read');
    assert.equal(after.find((c) => c.cloud === 'cloud-c' && c.type === 'DiscoveryReachable')?.message, 'saml metadata read');
  });

  it('the Keystone message says where ephemeral users land when Keystone honours the rule\'s domain', async () => {
    const w = fakeFederation(exampleSpec(), { keystoneCapabilities: { honoursRuleDomain: true, evidence: 'mapping schema_version' } });
    await applyPlan(await planFederation(w.spec, w.deps), w.deps);
    const status = await federationStatus(w.spec, w.deps);
    assert.deepEqual(status.find((c) => c.cloud === 'cloud-b' && c.type === 'KeystoneConfigured')?.message, 'Keystone matches the spec; ephemeral users land in their fed-<home> domain');
  });

  it('a cluster that cannot be read is Unknown (Unreachable); a home whose metadata cannot be read is not DiscoveryReachable; the rest is as usual', async () => {
    const w = fakeFederation();
    await applyPlan(await planFederation(w.spec, w.deps), w.deps);
    w.down.add('kubernetes:cloud-b');
    w.down.add('metadata:cloud-a');
    const status = await federationStatus(w.spec, w.deps);
    assert.deepEqual(status.filter((c) => c.status !== 'True').map(row), [
      ['cloud-a', 'DiscoveryReachable', 'False', 'ERR_HTTP_UNREACHABLE'],
      ['cloud-b', 'RbacApplied', 'Unknown', 'Unreachable'],
      ['cloud-b', 'ExamplesPassed', 'Unknown', 'Unreachable'],
      ['cloud-b', 'CredentialsLeastPrivilege', 'Unknown', 'Unreachable'],
    ]);
    assert.equal(status.find((c) => c.cloud === 'cloud-b' && c.type === 'CredentialsLeastPrivilege' && c.status === 'Unknown')?.system, 'kubernetes/cloud-b');
    assert.match(status.find((c) => c.cloud === 'cloud-b' && c.type === 'RbacApplied')!.message, /^ERR_HTTP_UNREACHABLE: cannot reach kubernetes:cloud-b/);
    assert.match(status.find((c) => c.cloud === 'cloud-b' && c.type === 'ExamplesPassed')!.message, /^3 policy example\(s\) targeting cloud-b cannot be checked: cannot read .*kubernetes/);
  });

  it('a plan that fails on one cloud\'s spec mistake: that cloud\'s conditions are False with the code, the others Unknown', async () => {
    const w = fakeFederation();
    const renamed = exampleSpec((doc) => { doc.clouds[1].keycloak.realm = 'no-such-realm'; });
    const status = await federationStatus(renamed, w.deps);
    assert.deepEqual(status.filter((c) => c.type === 'RealmConfigured').map(row), [
      ['cloud-a', 'RealmConfigured', 'Unknown', 'NotPlanned'],
      ['cloud-b', 'RealmConfigured', 'False', 'ERR_KEYCLOAK_REALM_NOT_FOUND'],
      ['cloud-c', 'RealmConfigured', 'Unknown', 'NotPlanned'],
    ]);
    assert.ok(status.filter((c) => c.type === 'DiscoveryReachable').every((c) => c.status === 'Unknown' && c.reason === 'NotPlanned'));
    assert.deepEqual(status.filter((c) => c.type === 'ExamplesPassed').map(row), [
      ['cloud-a', 'ExamplesPassed', 'Unknown', 'NotPlanned'],
      ['cloud-b', 'ExamplesPassed', 'Unknown', 'NotPlanned'],
      ['cloud-c', 'ExamplesPassed', 'True', 'NoExamples'],
    ]);
  });
});

describe('ExamplesPassed: the examples targeting a cloud hold in its live configuration', () => {
  const examplesRows = (status: readonly Condition[]) => status.filter((c) => c.type === 'ExamplesPassed').map(row);

  it('before apply the live configuration drifts from the policy (False, ConfigDrift naming the systems); after apply it matches; a cloud no example targets says so', async () => {
    const w = fakeFederation();
    const before = await federationStatus(w.spec, w.deps);
    assert.deepEqual(examplesRows(before), [
      ['cloud-a', 'ExamplesPassed', 'False', 'ConfigDrift'],
      ['cloud-b', 'ExamplesPassed', 'False', 'ConfigDrift'],
      ['cloud-c', 'ExamplesPassed', 'True', 'NoExamples'],
    ]);
    assert.match(before.find((c) => c.cloud === 'cloud-b' && c.type === 'ExamplesPassed')!.message,
      /^3 policy example\(s\) targeting cloud-b are not backed by the live configuration: keycloak \(\d+ pending change\(s\)\), keystone \(\d+ pending change\(s\)\), kubernetes \(\d+ pending change\(s\)\) differ/);
    await applyPlan(await planFederation(w.spec, w.deps), w.deps);
    const after = await federationStatus(w.spec, w.deps);
    assert.deepEqual(examplesRows(after), [
      ['cloud-a', 'ExamplesPassed', 'True', 'LiveConfigMatches'],
      ['cloud-b', 'ExamplesPassed', 'True', 'LiveConfigMatches'],
      ['cloud-c', 'ExamplesPassed', 'True', 'NoExamples'],
    ]);
    assert.equal(after.find((c) => c.cloud === 'cloud-a' && c.type === 'ExamplesPassed')!.message,
      '1 policy example(s) targeting cloud-a hold: the live keycloak, keystone, kubernetes configuration is what the validated policy renders');
    assert.equal(after.find((c) => c.cloud === 'cloud-c' && c.type === 'ExamplesPassed')!.message, 'no policy example targets this cloud');
  });

  it('a RoleBinding removed by hand in cloud-b makes cloud-b\'s examples False (ConfigDrift, kubernetes); cloud-a is unaffected', async () => {
    const w = fakeFederation();
    const plan = await planFederation(w.spec, w.deps);
    await applyPlan(plan, w.deps);
    const binding = plan.changes.map(where).find((o) => o.system === 'kubernetes' && o.cloud === 'cloud-b' && o.kind === 'RoleBinding');
    assert.ok(binding, 'the plan binds a role in cloud-b');
    const cluster = [...w.kubernetes.values()].find((k) => k.cloud === 'cloud-b')!;
    cluster.unseed('RoleBinding', binding.name);
    const status = await federationStatus(w.spec, w.deps);
    assert.deepEqual(status.filter((c) => c.status !== 'True').map(row), [
      ['cloud-b', 'RbacApplied', 'False', 'ChangesPending'],
      ['cloud-b', 'ExamplesPassed', 'False', 'ConfigDrift'],
    ]);
    assert.match(status.find((c) => c.cloud === 'cloud-b' && c.type === 'ExamplesPassed')!.message, /are not backed by the live configuration: kubernetes \(1 pending change\(s\)\) differ/);
  });

  it('a conflict at a desired address is ConfigDrift with the conflict counted', async () => {
    const w = fakeFederation();
    const first = await planFederation(w.spec, w.deps);
    const group = first.changes.find((c) => where(c).system === 'keystone' && where(c).cloud === 'cloud-b' && where(c).kind === 'group')!;
    const { name, domain } = group.desired!.fields as { name: string; domain: string };
    w.keystone.get('cloud-b')!.seed('group', group.desired!.name, { name, domain, description: 'made by hand' });
    const status = await federationStatus(w.spec, w.deps);
    assert.match(status.find((c) => c.cloud === 'cloud-b' && c.type === 'ExamplesPassed')!.message, /keystone \(\d+ pending change\(s\), 1 conflict\(s\)\)/);
  });

  it('the examples\' home unreadable: Unknown (Unreachable, its metadata) in the target only; the home\'s own examples are unaffected', async () => {
    const w = fakeFederation();
    await applyPlan(await planFederation(w.spec, w.deps), w.deps);
    w.down.add('metadata:cloud-c');
    const status = await federationStatus(w.spec, w.deps);
    assert.deepEqual(examplesRows(status), [
      ['cloud-a', 'ExamplesPassed', 'Unknown', 'Unreachable'],
      ['cloud-b', 'ExamplesPassed', 'True', 'LiveConfigMatches'],
      ['cloud-c', 'ExamplesPassed', 'True', 'NoExamples'],
    ]);
    assert.equal(status.find((c) => c.cloud === 'cloud-a' && c.type === 'ExamplesPassed')!.message, '1 policy example(s) targeting cloud-a cannot be checked: cannot read the metadata of home cloud-c');
  });

  it('a spec without examples is True (NoExamples) everywhere, in sync or not', async () => {
    const spec = exampleSpec((doc) => { for (const rule of doc.policy) delete rule.examples; });
    const w = fakeFederation(spec);
    assert.deepEqual(examplesRows(await federationStatus(w.spec, w.deps)).map((r) => r.slice(2)), [['True', 'NoExamples'], ['True', 'NoExamples'], ['True', 'NoExamples']]);
  });
});
