// A fourth managed system, registered only here: a toy "Harbor" over an in-memory fake. It runs
// through the same use cases as Keycloak, Keystone and Kubernetes (plan → apply → re-plan with no
// changes, status, plan output, one instance down), which name no system: adding one means writing
// its description, its I/O half and its adapter, nothing else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKeycloakAdmin } from '../../src/adapters/fakes/keycloak.ts';
import { BrokerError } from '../../src/core/errors.ts';
import type { JsonValue } from '../../src/core/json.ts';
import { isEmptyPlan, type Change } from '../../src/core/plan/diff.ts';
import { formatPlan, planToJson } from '../../src/core/plan/format.ts';
import type { DesiredObject, ObservedObject } from '../../src/core/plan/model.ts';
import { placeholderMetadata } from '../../src/core/render/keycloak/index.ts';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import { trustEdges } from '../../src/core/federation/trust.ts';
import { MANAGED_SYSTEMS } from '../../src/core/systems/index.ts';
import type { SystemDescription } from '../../src/core/systems/model.ts';
import type { ManagedSystemPort } from '../../src/ports.ts';
import { applyPlan, planFederation, planReachable, type OnboardingDeps } from '../../src/services/onboarding.ts';
import { federationStatus } from '../../src/services/status.ts';
import { keycloakSystem } from '../../src/services/systems/keycloak.ts';
import type { ManagedSystem } from '../../src/services/systems/model.ts';
import { exampleSpec } from '../support/example-federation.ts';

const HARBOR_SCOPE = 'harbor';
/** Clouds that run the toy Harbor (cloud-c does not). */
const WITH_HARBOR = new Set(['cloud-a', 'cloud-b']);

/** A robot account's secret lives in a vault the renderer cannot read: the plan carries a reference. */
type RobotSecretRef = { readonly $robotSecret: string };
const isRobotSecretRef = (v: unknown): v is RobotSecretRef => typeof v === 'object' && v !== null && '$robotSecret' in v;

/** Pure half: per trust edge home → partner (with a Harbor), a project fed-<home> and a pull robot. */
const HARBOR_SYSTEM: SystemDescription<{ readonly storageQuota: number }> = {
  name: 'harbor', title: 'Harbor', scopeLabel: 'instance', kindOrder: ['project', 'robotAccount'],
  condition: { type: 'HarborConfigured', inSync: 'Harbor projects match the spec' },
  configuredIn: (cloud) => WITH_HARBOR.has(cloud.alias),
  scopes: (spec) => spec.clouds.filter((c) => WITH_HARBOR.has(c.alias)).map((c) => ({ cloud: c.alias, scope: HARBOR_SCOPE })),
  render: (spec, { storageQuota }) => trustEdges(spec).filter((e) => WITH_HARBOR.has(e.partner)).flatMap(({ home, partner }): DesiredObject[] => {
    const at = { system: 'harbor', cloud: partner, scope: HARBOR_SCOPE };
    return [
      { ...at, kind: 'robotAccount', name: `fed-${home}+pull`, fields: { project: `fed-${home}`, permissions: ['pull'] },
        writeOnly: { secret: { $robotSecret: `${partner}/${home}` } } },
      { ...at, kind: 'project', name: `fed-${home}`, fields: { public: false, storageQuota } },
    ];
  }),
  describeWriteOnly: (v) => (isRobotSecretRef(v) ? `(robot secret ${v.$robotSecret} from the vault)` : undefined),
};

interface Stored { fields: Record<string, JsonValue>; federation?: string; secret?: JsonValue }

/** An in-memory Harbor instance: objects by kind and name, ownership by a federation marker. */
class FakeHarbor implements ManagedSystemPort {
  readonly objects = new Map<string, Stored>();
  writes = 0;
  down = false;
  readonly log: string[] = [];
  constructor(readonly cloud: string) {}

  async observe(scope: string, federation: string, desired: readonly DesiredObject[]): Promise<ObservedObject[]> {
    this.#reachable();
    const wanted = new Set(desired.map((d) => `${d.kind}/${d.name}`));
    return [...this.objects].filter(([key, o]) => o.federation === federation || wanted.has(key)).map(([key, o]) => {
      const [kind, name] = key.split(/\/(.*)/s) as [string, string];
      return { system: 'harbor', cloud: this.cloud, scope, kind, name, fields: o.fields, managed: o.federation === federation };
    });
  }

  async apply(change: Change, writeOnly: Readonly<Record<string, JsonValue>>): Promise<void> {
    this.#reachable();
    const a = (change.desired ?? change.observed)!;
    const key = `${a.kind}/${a.name}`;
    this.writes += 1;
    this.log.push(`${change.action} ${key}`);
    if (change.action === 'delete') { this.objects.delete(key); return; }
    this.objects.set(key, { fields: { ...change.desired!.fields }, federation: 'scs-demo', ...(writeOnly['secret'] !== undefined && { secret: writeOnly['secret'] }) });
  }

  #reachable(): void {
    if (this.down) throw new BrokerError('ERR_HTTP_UNREACHABLE', `cannot reach the Harbor of ${this.cloud}`, { details: { url: `https://harbor.${this.cloud}.invalid/` } });
  }
}

/** I/O half: asks each instance nothing but its quota default, resolves robot secrets from a "vault". */
function harborSystem(instances: ReadonlyMap<string, FakeHarbor>, vault: (ref: string) => string): ManagedSystem {
  return {
    description: HARBOR_SYSTEM,
    render: async ({ spec }) => ({ desired: HARBOR_SYSTEM.render(spec, { storageQuota: 10 }) }),
    adapter: (cloud) => instances.get(cloud)!,
    resolveWriteOnly: async (value) => (isRobotSecretRef(value) ? vault(value.$robotSecret) : value),
  };
}

function world(spec: FederationSpec = exampleSpec()) {
  const keycloak = new Map(spec.clouds.map((c) => [c.alias, new FakeKeycloakAdmin({ cloud: c.alias, realms: { [c.keycloak.realm]: ['openstack', 'kubernetes'] } })]));
  const harbor = new Map([...WITH_HARBOR].map((c) => [c, new FakeHarbor(c)]));
  const deps: OnboardingDeps = { systems: [
    keycloakSystem({ admin: (cloud) => keycloak.get(cloud)!, homeMetadata: { read: async (cloud) => placeholderMetadata(cloud) } }),
    harborSystem(harbor, (ref) => `robot-secret-of-${ref}`),
  ] };
  return { spec, deps, keycloak, harbor };
}

const systemOf = (c: Change) => (c.desired ?? c.observed)?.system;
const pending = (changes: readonly Change[]) => changes.filter((c) => c.action !== 'noop');

describe('a fourth managed system from the registry', () => {
  it('plan → apply → re-plan: the toy Harbor is created beside Keycloak and then has no changes', async () => {
    const { spec, deps, harbor } = world();
    const plan = await planFederation(spec, deps);
    const harborChanges = pending(plan.changes).filter((c) => systemOf(c) === 'harbor');
    // cloud-a and cloud-b each trust the other two clouds: two projects and two robots each.
    assert.equal(harborChanges.length, 8);
    assert.ok(harborChanges.every((c) => c.action === 'create'));
    assert.ok(pending(plan.changes).some((c) => systemOf(c) === 'keycloak'));
    const report = await applyPlan(plan, deps);
    assert.equal(report.applied, pending(plan.changes).length);
    assert.equal(harbor.get('cloud-a')!.writes + harbor.get('cloud-b')!.writes, 8);
    assert.equal(harbor.get('cloud-b')!.objects.get('robotAccount/fed-cloud-a+pull')?.secret, 'robot-secret-of-cloud-b/cloud-a', 'the write-only reference was resolved by the system\'s own hook');
    const again = await planFederation(spec, deps);
    assert.ok(isEmptyPlan(again), JSON.stringify(pending(again.changes).map((c) => c.key)));
    assert.equal(again.summary.noop, plan.changes.length);
  });

  it('applies in the system\'s kind order (projects before robots) after Keycloak, and deletes what the spec no longer wants', async () => {
    const { spec, deps, harbor } = world();
    const order: string[] = [];
    await applyPlan(await planFederation(spec, deps), deps, ({ change, status }) => { if (status === 'done') order.push(`${systemOf(change)}/${change.desired?.kind}`); });
    const firstHarbor = order.findIndex((o) => o.startsWith('harbor/'));
    assert.ok(firstHarbor > 0 && order.slice(0, firstHarbor).every((o) => o.startsWith('keycloak/')), 'Keycloak (registered first) runs first');
    assert.deepEqual([...new Set(order.slice(firstHarbor))], ['harbor/project', 'harbor/robotAccount']);

    const withoutCloudC = world(exampleSpec((doc) => {
      doc.clouds = doc.clouds.filter((c: { alias: string }) => c.alias !== 'cloud-c');
      for (const rule of doc.policy) rule.examples = rule.examples.filter((e: { target: string; subject: { homeCloud: string } }) => e.target !== 'cloud-c' && e.subject.homeCloud !== 'cloud-c');
    }));
    const shrunk = { ...withoutCloudC, deps: { systems: [withoutCloudC.deps.systems[0]!, harborSystem(harbor, () => 'unused')] } };
    const removal = await planFederation(shrunk.spec, shrunk.deps);
    const harborRemoval = pending(removal.changes).filter((c) => systemOf(c) === 'harbor');
    assert.deepEqual(harborRemoval.map((c) => `${c.action} ${c.key}`), [
      'delete harbor/cloud-a/harbor/robotAccount/fed-cloud-c+pull',
      'delete harbor/cloud-b/harbor/robotAccount/fed-cloud-c+pull',
      'delete harbor/cloud-a/harbor/project/fed-cloud-c',
      'delete harbor/cloud-b/harbor/project/fed-cloud-c',
    ]);
  });

  it('an object at a desired address that the broker did not create is a conflict; apply writes nothing', async () => {
    const { spec, deps, harbor, keycloak } = world();
    harbor.get('cloud-a')!.objects.set('project/fed-cloud-b', { fields: { public: true } });
    const plan = await planFederation(spec, deps);
    assert.deepEqual(plan.changes.filter((c) => c.action === 'conflict').map((c) => c.key), ['harbor/cloud-a/harbor/project/fed-cloud-b']);
    await assert.rejects(applyPlan(plan, deps), { code: 'ERR_PLAN_CONFLICT' });
    assert.equal([...harbor.values(), ...keycloak.values()].reduce((n, f) => n + f.writes, 0), 0);
  });

  it('the plan output titles it from its description and shows where its write-only values come from', async () => {
    const { spec, deps } = world();
    const plan = await planFederation(spec, deps);
    const text = formatPlan(plan, { systems: [...MANAGED_SYSTEMS, HARBOR_SYSTEM] });
    assert.match(text, /^Harbor cloud-b \(instance harbor\)\n {2}\+ project fed-cloud-a$/m);
    assert.match(text, /^ {6}secret: \(robot secret cloud-b\/cloud-a from the vault\)$/m);
    assert.doesNotMatch(text, /robot-secret-of/);
    assert.match(formatPlan(plan), /^harbor cloud-b \(scope harbor\)$/m, 'a system the formatter was not told about is titled by its name');
    const json = planToJson(plan) as { changes: { system: string; writeOnly?: string[] }[] };
    assert.deepEqual(json.changes.filter((c) => c.system === 'harbor' && c.writeOnly).map((c) => c.writeOnly), Array(4).fill(['secret']));
  });

  it('status reports its condition for the clouds that have it, in registry order', async () => {
    const { spec, deps } = world();
    const before = await federationStatus(spec, deps);
    assert.deepEqual(before.filter((c) => c.cloud === 'cloud-a').map((c) => c.type), ['DiscoveryReachable', 'RealmConfigured', 'HarborConfigured', 'ExamplesPassed', 'KubernetesTokenLifetimeBound', 'CredentialsLeastPrivilege']);
    assert.ok(!before.some((c) => c.cloud === 'cloud-c' && c.type === 'HarborConfigured'));
    assert.deepEqual(before.filter((c) => c.type === 'HarborConfigured').map((c) => [c.cloud, c.status, c.reason]), [['cloud-a', 'False', 'ChangesPending'], ['cloud-b', 'False', 'ChangesPending']]);
    await applyPlan(await planFederation(spec, deps), deps);
    const after = await federationStatus(spec, deps);
    assert.deepEqual(after.filter((c) => c.type === 'HarborConfigured').map((c) => [c.cloud, c.status, c.reason, c.message]),
      [['cloud-a', 'True', 'InSync', 'Harbor projects match the spec'], ['cloud-b', 'True', 'InSync', 'Harbor projects match the spec']]);
  });

  it('ExamplesPassed looks only at systems that carry policy: a Keycloak drift makes it False, a Harbor drift leaves it True', async () => {
    const { spec, deps, harbor } = world();
    const before = await federationStatus(spec, deps);
    assert.deepEqual(before.filter((c) => c.type === 'ExamplesPassed').map((c) => [c.cloud, c.status, c.reason]),
      [['cloud-a', 'False', 'ConfigDrift'], ['cloud-b', 'False', 'ConfigDrift'], ['cloud-c', 'True', 'NoExamples']]);
    assert.doesNotMatch(before.find((c) => c.cloud === 'cloud-a' && c.type === 'ExamplesPassed')!.message, /harbor/);
    await applyPlan(await planFederation(spec, deps), deps);
    harbor.get('cloud-a')!.objects.delete('project/fed-cloud-b');
    const drifted = await federationStatus(spec, deps);
    assert.deepEqual(drifted.filter((c) => c.cloud === 'cloud-a' && ['HarborConfigured', 'ExamplesPassed'].includes(c.type)).map((c) => [c.type, c.status, c.reason]),
      [['HarborConfigured', 'False', 'ChangesPending'], ['ExamplesPassed', 'True', 'LiveConfigMatches']]);
    assert.equal(drifted.find((c) => c.cloud === 'cloud-a' && c.type === 'ExamplesPassed')!.message,
      '1 policy example(s) targeting cloud-a hold: the live keycloak configuration is what the validated policy renders');
  });

  it('one Harbor down: it is named unreachable, nothing of it is planned, the rest is planned as with all up', async () => {
    const all = world();
    const full = await planReachable(all.spec, all.deps);
    const w = world();
    w.harbor.get('cloud-a')!.down = true;
    const { plan, unreachable } = await planReachable(w.spec, w.deps);
    assert.deepEqual(unreachable.map((u) => [u.system, u.cloud, u.part, u.scope]), [['harbor', 'cloud-a', 'system', HARBOR_SCOPE]]);
    const outside = (c: Change) => !((c.desired ?? c.observed)?.system === 'harbor' && (c.desired ?? c.observed)?.cloud === 'cloud-a');
    assert.ok(plan.changes.every(outside));
    assert.deepEqual(pending(plan.changes).map((c) => c.key), pending(full.plan.changes).filter(outside).map((c) => c.key));
    await assert.rejects(planFederation(w.spec, w.deps), { code: 'ERR_HTTP_UNREACHABLE' });
    const status = await federationStatus(w.spec, w.deps);
    assert.deepEqual(status.filter((c) => c.type === 'HarborConfigured').map((c) => [c.cloud, c.status, c.reason]), [['cloud-a', 'Unknown', 'Unreachable'], ['cloud-b', 'False', 'ChangesPending']]);
  });
});
