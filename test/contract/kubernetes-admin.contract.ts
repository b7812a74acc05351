// The conformance suite of KubernetesAdminPort: the real adapter (against the test bed's cluster
// cloud-b) and the fake both run it, so the fake keeps the real one's semantics.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError, type ErrorCode } from '../../src/core/errors.ts';
import type { JsonValue } from '../../src/core/json.ts';
import { can } from '../../src/core/explain/kubernetes.ts';
import { compareFields } from '../../src/core/plan/compare.ts';
import { diff, isEmptyPlan } from '../../src/core/plan/diff.ts';
import type { DesiredObject, ObservedObject } from '../../src/core/plan/model.ts';
import { KUBERNETES_KIND_ORDER, type KubernetesObject } from '../../src/core/render/kubernetes/index.ts';
import type { KubernetesAdminPort } from '../../src/ports.ts';
import { create, handMadeBinding, homeGroup, newKubeRun, pickKube, remove, update, withKubeFields, type KubeRun } from './kubernetes-fixtures.ts';

export interface KubernetesContractOptions {
  readonly name: string;
  /** The port under test (cloud-b's cluster "cloud-b" of the demo spec); called once. */
  port(): Promise<KubernetesAdminPort>;
  /** Puts a binding in place by hand (no broker labels), outside the port. */
  seed(manifest: Record<string, JsonValue>): Promise<void>;
  /** Removes a binding put in place by `seed` (idempotent). */
  unseed(kind: 'RoleBinding' | 'ClusterRoleBinding', namespace: string | undefined, name: string): Promise<void>;
  /** `view` grants get/list pods (on the test bed: aggregated ClusterRoles, see kubernetes-testbed.ts). */
  readonly viewGrantsPods: boolean;
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (e: unknown) => { assert.ok(isBrokerError(e, code), `expected ${code}, got ${String(e)}`); return true; });
}

export function kubernetesAdminContract(options: KubernetesContractOptions): void {
  let port: KubernetesAdminPort;
  let run: KubeRun;
  const cleanups: (() => Promise<void>)[] = [];

  const observedAt = async (d: DesiredObject, federation = run.federation): Promise<ObservedObject | undefined> =>
    (await port.observe(d.scope, federation, [d])).find((o) => o.kind === d.kind && o.name === d.name);
  const mustObserve = async (d: DesiredObject): Promise<ObservedObject> => {
    const o = await observedAt(d);
    assert.ok(o, `${d.kind} ${d.name} is observed`);
    return o;
  };
  const removeLater = (d: DesiredObject, federation = run.federation) => cleanups.push(async () => {
    const o = await observedAt(d, federation);
    if (o?.managed) await port.apply(remove(o), {});
  });
  const ensureNamespace = async (name: string) => {
    const ns: KubernetesObject = { ...pickKube(run, 'Namespace'), name };
    if (!(await observedAt(ns))) await port.apply(create(ns), {});
  };

  describe(`KubernetesAdminPort contract: ${options.name}`, () => {
    before(async () => {
      port = await options.port();
      run = newKubeRun(port.cloud, port.cluster);
    });
    after(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    it('renders what the suite needs (namespace, two RoleBindings, one ClusterRoleBinding)', () => {
      assert.deepEqual(run.objects.map((o) => o.kind).sort(), ['ClusterRoleBinding', 'Namespace', 'RoleBinding', 'RoleBinding']);
    });

    it('creates a missing namespace, observes it as not owned, and never deletes it', async () => {
      const ns: KubernetesObject = { ...pickKube(run, 'Namespace'), name: run.extra };
      assert.equal(await observedAt(ns), undefined);
      await port.apply(create(ns), {});
      const o = await mustObserve(ns);
      assert.equal(o.managed, false);
      assert.equal(diff([ns], [o], KUBERNETES_KIND_ORDER).summary.noop, 1, 'an existing namespace is a no-op (shared)');
      assert.equal((await port.observe(ns.scope, run.federation, [])).some((x) => x.kind === 'Namespace'), false, 'never listed as ours');
      await rejectsWith(port.apply(create(ns), {}), 'ERR_CONFLICT');
      await rejectsWith(port.apply(remove({ ...o, managed: true }), {}), 'ERR_KUBERNETES_UNSUPPORTED_KIND');
      assert.ok(await observedAt(ns), 'still there');
    });

    it('refuses a RoleBinding in a namespace that does not exist (ERR_NOT_FOUND)', async () => {
      const rb = pickKube(run, 'RoleBinding');
      const missing = { ...rb, name: rb.name.replace(`${run.ns}/`, `${run.ns}-missing/`) };
      await rejectsWith(port.apply(create(missing), {}), 'ERR_NOT_FOUND');
    });

    for (const kind of ['RoleBinding', 'ClusterRoleBinding'] as const) {
      it(`${kind}: create → observed as ours → conflict on re-create → update → delete (twice) → gone`, async () => {
        await ensureNamespace(run.ns);
        const d = pickKube(run, kind);
        removeLater(d);
        await port.apply(create(d), {});
        const created = await mustObserve(d);
        assert.equal(created.managed, true);
        assert.deepEqual(compareFields(d.fields, created.fields), [], 'observed fields hold the desired ones');
        assert.ok((await port.observe(d.scope, run.federation, [])).some((o) => o.kind === kind && o.name === d.name), 'listed as ours without being asked for');
        await rejectsWith(port.apply(create(d), {}), 'ERR_CONFLICT');

        const changed = withKubeFields(d, (f) => ({ ...f, subjects: [...(f.subjects as JsonValue[]), { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: homeGroup('cloud-c', '/extra') }] }));
        await port.apply(update(changed, created), {});
        const updated = await mustObserve(changed);
        assert.deepEqual(compareFields(changed.fields, updated.fields), [], 'observed fields hold the updated ones');
        const back = await mustObserve(d);
        assert.equal(compareFields(d.fields, back.fields).length, 1, 'an extra subject is drift');

        await port.apply(remove(updated), {});
        assert.equal(await observedAt(d), undefined, 'gone after delete');
        await port.apply(remove(updated), {});
      });
    }

    it('deletes only the object it observed (uid precondition)', async () => {
      await ensureNamespace(run.ns);
      const d = pickKube(run, 'RoleBinding', (o) => o.name.includes('viewers'));
      removeLater(d);
      await port.apply(create(d), {});
      const first = await mustObserve(d);
      await port.apply(remove(first), {});
      await port.apply(create(d), {});
      await rejectsWith(port.apply(remove(first), {}), 'ERR_CONFLICT');
      assert.ok(await observedAt(d), 'the new object stays');
    });

    it('observes a hand-made binding at a desired address as not ours: a conflict, never listed, never changed or deleted', async () => {
      await ensureNamespace(run.ns);
      const d = pickKube(run, 'RoleBinding', (o) => o.name.includes('editors'));
      const [ns, name] = d.name.split('/') as [string, string];
      await options.seed(handMadeBinding('RoleBinding', ns, name, 'someone-else'));
      try {
        await handMade(d);
      } finally {
        await options.unseed('RoleBinding', ns, name);
      }
    });

    async function handMade(d: KubernetesObject): Promise<void> {
      const o = await mustObserve(d);
      assert.equal(o.managed, false);
      assert.equal((await port.observe(d.scope, run.federation, [])).some((x) => x.name === d.name), false, 'not listed without being asked for');
      const plan = diff([d], [o], KUBERNETES_KIND_ORDER);
      assert.equal(plan.summary.conflict, 1);
      await rejectsWith(port.apply(plan.changes[0]!, {}), 'ERR_CONFLICT');
      await rejectsWith(port.apply(update(d, o), {}), 'ERR_CONFLICT');
      await rejectsWith(port.apply(remove(o), {}), 'ERR_CONFLICT');
      assert.deepEqual((await mustObserve(d)).fields['subjects'], o.fields['subjects'], 'unchanged');
    }

    it("never lists another federation's objects", async () => {
      const other = newKubeRun(port.cloud, port.cluster, (doc) => { doc.metadata.name = `${run.federation}-other`; });
      const d = other.objects.find((o) => o.kind === 'ClusterRoleBinding') as KubernetesObject;
      removeLater(d, other.federation);
      await port.apply(create(d), {});
      assert.equal((await port.observe(d.scope, run.federation, [])).some((o) => o.name === d.name), false);
      assert.ok((await port.observe(d.scope, other.federation, [])).some((o) => o.name === d.name && o.managed));
    });

    it('plan → apply → plan is empty; a removed rule is pruned exactly', async () => {
      await ensureNamespace(run.ns);
      for (const d of run.objects.filter((o) => o.kind !== 'Namespace')) removeLater(d);
      const observe = () => port.observe(port.cluster, run.federation, run.objects);
      for (const change of diff(run.objects, await observe(), KUBERNETES_KIND_ORDER).changes) await port.apply(change, change.desired?.writeOnly as Record<string, JsonValue> ?? {});
      assert.ok(isEmptyPlan(diff(run.objects, await observe(), KUBERNETES_KIND_ORDER)), 're-plan is empty');
      const fewer = run.objects.filter((o) => !o.name.includes('editors'));
      const prune = diff(fewer, await port.observe(port.cluster, run.federation, fewer), KUBERNETES_KIND_ORDER);
      assert.deepEqual(prune.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.observed?.name}`),
        [`delete ${run.objects.find((o) => o.name.includes('editors'))?.name}`]);
      for (const change of prune.changes) await port.apply(change, {});
      assert.ok(isEmptyPlan(diff(fewer, await port.observe(port.cluster, run.federation, fewer), KUBERNETES_KIND_ORDER)));
    });

    it('reads the RBAC it applied, and the cluster agrees with explain on it', async () => {
      await ensureNamespace(run.ns);
      const d = pickKube(run, 'RoleBinding', (o) => o.name.includes('viewers'));
      if (!(await observedAt(d))) await port.apply(create(d), {});
      removeLater(d);
      const rbac = await port.readRbac();
      const binding = rbac.bindings.find((b) => b.kind === 'RoleBinding' && b.namespace === run.ns && d.name.endsWith(`/${b.name}`));
      assert.ok(binding, 'binding listed');
      assert.equal(binding.policyRule, 'viewers');
      assert.ok(rbac.roles.some((r) => r.kind === 'ClusterRole' && r.name === 'view'));
      const member = { username: 'oidc:cloud-a.zed', groups: [homeGroup('cloud-a', run.group)] };
      const cases = [
        { who: member, ns: run.ns, expect: options.viewGrantsPods },
        { who: member, ns: 'default', expect: false },
        { who: { username: 'oidc:cloud-a.nobody', groups: [] }, ns: run.ns, expect: false },
      ];
      for (const c of cases) {
        const request = { verb: 'list', resource: 'pods', namespace: c.ns };
        const answer = await port.accessReview(c.who, request);
        assert.equal(answer.allowed, c.expect, `${c.who.username} list pods in ${c.ns}`);
        assert.equal(can(rbac, c.who, request).allowed, c.expect, `explain: ${c.who.username} list pods in ${c.ns}`);
      }
    });
  });
}
