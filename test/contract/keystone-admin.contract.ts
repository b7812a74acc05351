// The conformance suite of KeystoneAdminPort: the real adapter (against a test-bed Keystone) and the
// fake both run it, so the fake keeps the real one's semantics.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError, type ErrorCode } from '../../src/core/errors.ts';
import { diff, isEmptyPlan, type Change, type Plan } from '../../src/core/plan/diff.ts';
import type { DesiredObject, ObservedObject } from '../../src/core/plan/model.ts';
import { KEYSTONE_KIND_ORDER, KEYSTONE_SCOPE, type KeystoneCapabilities, type KeystoneObject } from '../../src/core/render/keystone/model.ts';
import type { KeystoneAdminPort } from '../../src/ports.ts';
import { asObserved, create, newKeystoneRun, only, remove, renderFor, update, withFields, type KeystoneRun } from './keystone-fixtures.ts';

export interface KeystoneContractOptions {
  readonly name: string;
  /** The port under test; called once per suite. */
  port(): Promise<KeystoneAdminPort>;
  /** Which demo cloud's Keystone the port talks to (its rendering is used). */
  readonly demoCloud: string;
}

export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (e: unknown) => { assert.ok(isBrokerError(e, code), `expected ${code}, got ${String(e)}`); return true; });
}

export function keystoneAdminContract(options: KeystoneContractOptions): void {
  let port: KeystoneAdminPort;
  let run: KeystoneRun;
  let capabilities: KeystoneCapabilities;
  let desired: KeystoneObject[];
  const handMade: DesiredObject[] = [];

  const observe = (federation = run.federation, wanted: readonly DesiredObject[] = desired) => port.observe(KEYSTONE_SCOPE, federation, wanted);
  const plan = async (wanted: readonly DesiredObject[] = desired): Promise<Plan> => diff(wanted, await observe(run.federation, wanted), KEYSTONE_KIND_ORDER);
  const applyAll = async (p: Plan) => { for (const c of p.changes) await port.apply(c, c.action === 'delete' ? {} : c.desired?.writeOnly as Record<string, never> ?? {}); };
  const observedAt = async (d: DesiredObject, federation = run.federation) => (await observe(federation, [d])).find((o) => o.kind === d.kind && o.name === d.name);
  /** Makes an object as an admin would: without the broker's markers. */
  const byHand = async (d: DesiredObject) => { handMade.push(d); await port.apply(create(d), {}); };
  const offboard = async () => applyAll(diff([], (await observe(run.federation, [])).filter((o) => o.managed), KEYSTONE_KIND_ORDER));

  describe(`KeystoneAdminPort contract: ${options.name}`, () => {
    before(async () => {
      port = await options.port();
      run = newKeystoneRun();
      capabilities = await port.capabilities();
      desired = renderFor(run, options.demoCloud, port.cloud, capabilities);
    });

    after(async () => {
      await offboard().catch(() => undefined);
      for (const d of handMade.reverse()) await port.apply(remove(asObserved(d)), {}).catch(() => undefined);
      await offboard().catch(() => undefined);
    });

    it('reports its capabilities, the same every time', async () => {
      assert.equal(typeof capabilities.honoursRuleDomain, 'boolean');
      assert.match(capabilities.evidence, /\S/);
      assert.deepEqual(await port.capabilities(), capabilities);
    });

    it('lives in the one Keystone scope and has nothing of a new federation', async () => {
      await rejectsWith(port.observe('RegionOne', run.federation, []), 'ERR_INTERNAL');
      assert.deepEqual((await observe(run.federation, [])).filter((o) => o.managed), []);
      assert.deepEqual(await port.federatedUsers(`idp-${run.tag}`), []);
    });

    it('onboards: creates everything in order, observes it as ours and equal, then plans nothing', async () => {
      const first = await plan();
      assert.equal(first.summary.conflict, 0, JSON.stringify(first.changes.filter((c) => c.action === 'conflict').map((c) => c.reason)));
      assert.ok(first.changes.some((c) => c.action === 'noop' && c.desired?.kind === 'role' && c.desired.name === 'member'), 'an existing role is used as is');
      await applyAll(first);
      const again = await plan();
      assert.ok(isEmptyPlan(again), JSON.stringify(again.changes.filter((c) => c.action !== 'noop').map((c) => [c.action, c.key, c.fieldChanges])));
      const seen = await observe(run.federation, []);
      for (const kind of KEYSTONE_KIND_ORDER) assert.ok(seen.some((o) => o.kind === kind && o.managed), `some ${kind} is listed as ours without being asked for`);
      assert.ok(!seen.some((o) => o.kind === 'role' && o.name === 'member' && o.managed), 'an adopted role never becomes ours');
      assert.deepEqual((await observe(`${run.federation}-other`, [])).filter((o) => o.managed), [], 'another federation sees none of it');
    });

    it('tells whether removed memberships end roles at once: no identity provider yet, then one without a TTL and no expiring membership', async () => {
      assert.deepEqual(await port.authorizationTtl(`idp-missing-${run.tag}`, 5), { identityProviderFound: false, identityProviderTtl: null, usersChecked: 0, expiringMemberships: 0 });
      const idp = desired.find((d) => d.kind === 'identityProvider');
      assert.ok(idp, 'the rendering has an identity provider');
      assert.deepEqual(await port.authorizationTtl(idp.name, 5), { identityProviderFound: true, identityProviderTtl: null, usersChecked: 0, expiringMemberships: 0 });
    });

    it('refuses to create what exists, to update what does not, and objects whose references are missing', async () => {
      for (const kind of ['domain', 'group', 'identityProvider', 'mapping', 'protocol'] as const) {
        await rejectsWith(port.apply(create(only(desired, kind)), {}), 'ERR_CONFLICT');
      }
      await port.apply(create(only(desired, 'roleAssignment')), {});
      const ghost = withFields(only(desired, 'group'), (f) => ({ ...f, name: `ghost-${run.tag}` }));
      await rejectsWith(port.apply(update({ ...ghost, name: `${ghost.fields['domain'] as string}/ghost-${run.tag}` }, asObserved(ghost)), {}), 'ERR_NOT_FOUND');
      const orphan = withFields(only(desired, 'group'), (f) => ({ ...f, domain: `nowhere-${run.tag}` }));
      await rejectsWith(port.apply(create({ ...orphan, name: `nowhere-${run.tag}/${orphan.fields['name'] as string}` }), {}), 'ERR_NOT_FOUND');
      const dangling = withFields(only(desired, 'protocol'), (f) => ({ ...f, mapping_id: `no-such-mapping-${run.tag}` }));
      await assert.rejects(port.apply(create({ ...dangling, name: `${dangling.name}-x` }), {}));
      await rejectsWith(port.apply(create({ ...only(desired, 'domain'), cloud: `not-${port.cloud}` }), {}), 'ERR_INTERNAL');
    });

    it('repairs drift and follows a shrinking policy (mapping rules, groups, assignments, created role)', async () => {
      const group = only(desired, 'group');
      const drifted = withFields(group, (f) => ({ ...f, description: 'changed by hand' }));
      await port.apply(update(drifted, await observedAt(group) as ObservedObject), {});
      const repair = await plan();
      assert.deepEqual(repair.changes.filter((c) => c.action !== 'noop').map((c) => [c.action, c.desired?.name]), [['update', group.name]]);
      await applyAll(repair);
      const smaller = renderFor(run, options.demoCloud, port.cloud, capabilities, 'p1-admins');
      const shrink = await plan(smaller);
      const actions = shrink.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.desired?.kind ?? c.observed?.kind}`);
      for (const expected of ['update mapping', 'delete group', 'delete roleAssignment', 'delete role']) assert.ok(actions.includes(expected), `${expected} in ${actions.join(', ')}`);
      await applyAll(shrink);
      assert.ok(isEmptyPlan(await plan(smaller)));
      assert.equal((await observe(run.federation, [])).some((o) => o.kind === 'role' && o.name === run.newRole), false, 'the role the broker created is gone');
      await applyAll(await plan());
      assert.ok(isEmptyPlan(await plan()), 'and back');
    });

    it('reports an object an admin made at a desired address as not ours (a plan conflict)', async () => {
      const group = only(desired, 'group');
      const domain = String(group.fields['domain']);
      const name = `hand-${run.tag}`;
      const wantedGroup = withFields({ ...group, name: `${domain}/${name}` }, (f) => ({ ...f, name }));
      const handGroup: DesiredObject = { ...wantedGroup, fields: { name, domain } };
      await byHand(handGroup);
      const conflicts = (await plan([...desired, wantedGroup])).changes.filter((c) => c.action === 'conflict');
      assert.deepEqual(conflicts.map((c) => c.desired?.name), [wantedGroup.name]);
      await rejectsWith(port.apply(conflicts[0] as Change, {}), 'ERR_CONFLICT');
      assert.equal((await observedAt(handGroup))?.managed, false);
    });

    it('offboards: deletes what it made, keeps adopted roles, releases a domain that holds foreign objects', async () => {
      await offboard();
      const left = await observe(run.federation, desired);
      assert.deepEqual(left.filter((o) => o.managed), []);
      assert.ok(left.some((o) => o.kind === 'role' && o.name === 'member'), 'the existing role is still there');
      const handGroup = handMade.find((d) => d.kind === 'group') as DesiredObject;
      const released = left.find((o) => o.kind === 'domain' && o.name === handGroup.fields['domain']);
      assert.ok(released, 'the domain holding a group made by hand is kept');
      assert.equal(released.fields['enabled'], false, 'and disabled');
      assert.ok(!left.some((o) => o.kind === 'identityProvider' || o.kind === 'mapping' || o.kind === 'protocol'), 'federation objects gone');
      await port.apply(remove(asObserved(handGroup)), {});
      await port.apply(remove({ ...released, managed: true }), {});
      assert.equal(await observedAt(only(desired, 'domain', (d) => d.name === released.name)), undefined, 'empty now, it can go');
      await port.apply(remove(asObserved(only(desired, 'mapping'))), {});
    });
  });
}
