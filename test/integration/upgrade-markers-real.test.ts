// Upgrade of the broker on the real test bed: objects written with the previous release's markers (no
// marker version) are adopted by this release without a change. cloud-c is offboarded, then onboarded
// again through systems that render the previous markers, so every object about cloud-c in Keycloak,
// Keystone and Kubernetes is created (or rewritten) by "the previous release"; then the current broker
// plans: 0 changes in each system, and applying changes nothing (same ids, markers left as they were).
// The test bed is left with the demo federation applied by the current release (after hook).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { composeOnboarding } from '../../src/cli/compose.ts';
import { MANAGED_BY_KEY, MANAGED_BY_VALUE, MARKER_VERSION_ATTRIBUTE, MARKER_VERSION_KEY } from '../../src/core/managed.ts';
import { isEmptyPlan } from '../../src/core/plan/diff.ts';
import { addressKey, type ObservedObject } from '../../src/core/plan/model.ts';
import { applyPlan, planFederation, type OnboardingDeps, type UnreachablePart } from '../../src/services/onboarding.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { DEMO_SPEC, fedbroker, withoutCloudC, writeSpecVariant } from '../support/federation.ts';
import { keystoneAdminApi } from '../support/keystone-testbed.ts';
import { adminJson } from '../support/keycloak-admin.ts';
import { previousMarkerDeps } from '../support/previous-markers.ts';
import { kubeAdminFetch, SPEC_DIR } from './kubernetes-testbed.ts';

const SYSTEMS = ['keycloak', 'keystone', 'kubernetes'];

/** Deps over the real systems, and a close for every adapter they opened. */
async function realDeps(): Promise<OnboardingDeps & { close(): Promise<void> }> {
  const deps = await composeOnboarding(exampleSpec(), SPEC_DIR);
  const closers = new Set<{ close(): Promise<void> }>();
  return {
    systems: deps.systems.map((s) => ({ ...s, adapter: (cloud: string, scope: string) => {
      const port = s.adapter(cloud, scope);
      if ('close' in port && typeof port.close === 'function') closers.add(port as { close(): Promise<void> });
      return port;
    } })),
    close: async () => { for (const c of closers) await c.close(); },
  };
}

/** Every object the broker observes in every scope (its own, and whatever sits where the spec wants one). */
async function observeAll(deps: OnboardingDeps): Promise<ObservedObject[]> {
  const spec = exampleSpec();
  const out: ObservedObject[] = [];
  for (const system of deps.systems) {
    const unreachable: UnreachablePart[] = [];
    const { desired } = await system.render({ spec, unreachable });
    assert.deepEqual(unreachable, [], `${system.description.name} is readable`);
    for (const { cloud, scope } of system.description.scopes(spec)) {
      out.push(...await system.adapter(cloud, scope).observe(scope, spec.metadata.name, desired.filter((d) => d.cloud === cloud && d.scope === scope)));
    }
  }
  return out;
}

/** Owned objects whose observed markers carry no marker version: written with the previous release's markers. */
function previousMarked(observed: readonly ObservedObject[]): Map<string, string[]> {
  const bySystem = new Map(SYSTEMS.map((s) => [s, [] as string[]]));
  for (const o of observed) {
    const text = JSON.stringify(o.fields);
    if (o.managed && text.includes(MANAGED_BY_VALUE) && !text.includes(MARKER_VERSION_KEY) && !text.includes(MARKER_VERSION_ATTRIBUTE)) {
      bySystem.get(o.system)?.push(addressKey(o));
    }
  }
  return bySystem;
}

/** The server-side ids of every object: the systems' own ids, and each cluster's broker-labelled RBAC objects' uids. */
async function serverIds(observed: readonly ObservedObject[]): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const o of observed) if (o.id !== undefined) ids[addressKey(o)] = o.id;
  for (const cloud of ['cloud-a', 'cloud-b', 'cloud-c']) {
    for (const kind of ['clusterrolebindings', 'rolebindings']) {
      const list = await kubeAdminFetch(cloud, `/apis/rbac.authorization.k8s.io/v1/${kind}?labelSelector=${encodeURIComponent(`${MANAGED_BY_KEY}=${MANAGED_BY_VALUE}`)}`);
      assert.equal(list.status, 200, list.text);
      for (const item of (list.body as { items: { metadata: { name: string; namespace?: string; uid: string } }[] }).items) {
        ids[`kubernetes/${cloud}/${kind}/${item.metadata.namespace ?? ''}/${item.metadata.name}`] = item.metadata.uid;
      }
    }
  }
  return ids;
}

async function deleteBrokerRbac(cloud: string): Promise<void> {
  const selector = `labelSelector=${encodeURIComponent(`${MANAGED_BY_KEY}=${MANAGED_BY_VALUE}`)}`;
  for (const path of ['/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', '/apis/rbac.authorization.k8s.io/v1/rolebindings']) {
    const list = await kubeAdminFetch(cloud, `${path}?${selector}`);
    assert.equal(list.status, 200, list.text);
    for (const item of (list.body as { items: { metadata: { name: string; namespace?: string } }[] }).items) {
      const at = item.metadata.namespace === undefined ? `${path}/${item.metadata.name}` : `/apis/rbac.authorization.k8s.io/v1/namespaces/${item.metadata.namespace}/rolebindings/${item.metadata.name}`;
      const deleted = await kubeAdminFetch(cloud, at, { method: 'DELETE' });
      assert.ok(deleted.status === 200 || deleted.status === 404, deleted.text);
    }
  }
}

describe('upgrade: objects marked by the previous release are adopted without a change', () => {
  const offboard = writeSpecVariant('upgrade-without-cloud-c', withoutCloudC);
  let deps: OnboardingDeps & { close(): Promise<void> };
  let marked: Map<string, string[]>;
  let ids: Record<string, string>;

  before(async () => {
    deps = await realDeps();
    const removed = fedbroker('apply', offboard, '--yes');
    assert.equal(removed.status, 0, removed.stdout + removed.stderr);
    // Offboarding leaves cloud-c's own cluster alone (it is no longer in the spec); its broker RBAC goes
    // here, so that the previous release creates it anew.
    await deleteBrokerRbac('cloud-c');
    // cloud-c onboarded again by "the previous release": its objects are created with unversioned markers.
    const previous = previousMarkerDeps(deps);
    const report = await applyPlan(await planFederation(exampleSpec(), previous), previous);
    assert.equal(report.failed + report.notAttempted, 0, 'the previous markers are applied');
    assert.ok(report.applied > 0, 'onboarding cloud-c writes objects');
    const observed = await observeAll(deps);
    marked = previousMarked(observed);
    ids = await serverIds(observed);
  });

  after(async () => {
    await deps?.close();
    // Leave cloud-c as the current release writes it: offboarded and onboarded again.
    assert.equal(fedbroker('apply', offboard, '--yes').status, 0, 'cloud-c offboarded');
    // The offboarding took cloud-c's identity provider, and with it the links of its brokered users;
    // the users go too, so that later logins and role sync start from cloud-c's onboarding.
    for (const realm of ['cloud-a', 'cloud-b']) {
      const users = await adminJson<{ id: string }[]>(`/admin/realms/${realm}/users?q=home_cloud:cloud-c&max=1000`);
      for (const user of users) await adminJson(`/admin/realms/${realm}/users/${user.id}`, { method: 'DELETE' });
    }
    const restored = fedbroker('apply', DEMO_SPEC, '--yes');
    assert.equal(restored.status, 0, restored.stdout + restored.stderr);
    const plan = fedbroker('plan', DEMO_SPEC, '--detailed-exitcode');
    assert.equal(plan.status, 0, `the demo federation is left converged: ${plan.stdout}`);
  });

  it('the previous markers really landed: objects without a marker version in Keycloak, Keystone and Kubernetes', async () => {
    for (const system of SYSTEMS) assert.ok((marked.get(system) ?? []).length > 0, `${system} holds objects with the previous markers`);
    // Keystone's entities, read directly: the domain of cloud-c's users in cloud-a has the markers, not the version.
    const keystone = await keystoneAdminApi('cloud-a');
    const { domains } = await keystone.get('/v3/domains?name=fed-cloud-c') as { domains: Record<string, unknown>[] };
    assert.equal(domains[0]?.['fedbroker_managed_by'], MANAGED_BY_VALUE);
    assert.equal(domains[0]?.[MARKER_VERSION_ATTRIBUTE], undefined, 'created without a marker version');
  });

  it('the current broker plans 0 changes for each system, and applying writes nothing', async () => {
    const plan = await planFederation(exampleSpec(), deps);
    for (const system of SYSTEMS) {
      const changes = plan.changes.filter((c) => (c.desired ?? c.observed)?.system === system);
      assert.ok(changes.length > 0, `${system} is planned`);
      assert.deepEqual(changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.key} ${JSON.stringify(c.fieldChanges)}`), [], `${system}: 0 changes`);
    }
    assert.ok(isEmptyPlan(plan));
    const cli = fedbroker('plan', DEMO_SPEC, '--detailed-exitcode');
    assert.equal(cli.status, 0, cli.stdout + cli.stderr);
    assert.match(cli.stdout, /No changes: the federation matches the spec\./);
    const apply = fedbroker('apply', DEMO_SPEC, '--yes');
    assert.equal(apply.status, 0, apply.stdout + apply.stderr);
    assert.match(apply.stdout, /No changes: the federation matches the spec\./);
  });

  it('no object was recreated and the old markers were left as they were', async () => {
    const observed = await observeAll(deps);
    assert.deepEqual(await serverIds(observed), ids, 'same ids');
    assert.deepEqual(previousMarked(observed), marked, 'the broker does not rewrite markers for their version alone');
  });
});
