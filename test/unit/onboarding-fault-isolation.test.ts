// Plan over the fakes with one part failing: the rest is planned as usual, the failing part is named,
// and nothing that depends on it is created, changed or deleted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKeycloakAdmin } from '../../src/adapters/fakes/keycloak.ts';
import { FakeKeystoneAdmin } from '../../src/adapters/fakes/keystone.ts';
import { BrokerError } from '../../src/core/errors.ts';
import { isEmptyPlan, type Change } from '../../src/core/plan/diff.ts';
import { placeholderMetadata } from '../../src/core/render/keycloak/index.ts';
import type { CloudSpec } from '../../src/core/federation/schema.ts';
import type { KeystoneAdminPort } from '../../src/ports.ts';
import { applyPlan, planFederation, planReachable, type OnboardingDeps } from '../../src/services/onboarding.ts';
import { keycloakSystem } from '../../src/services/systems/keycloak.ts';
import { keystoneSystem } from '../../src/services/systems/keystone.ts';
import { exampleSpec } from '../support/example-federation.ts';

const spec = exampleSpec();
const CLOUDS = spec.clouds.map((c) => c.alias);

function world() {
  const keycloak = new Map(spec.clouds.map((c) => [c.alias, new FakeKeycloakAdmin({ cloud: c.alias, realms: { [c.keycloak.realm]: ['openstack', 'kubernetes'] } })]));
  const keystone = new Map(CLOUDS.map((c) => [c, new FakeKeystoneAdmin({ cloud: c })]));
  const down = { keystone: new Set<string>(), metadata: new Set<string>() };
  const outage = (what: string) => new BrokerError('ERR_HTTP_UNREACHABLE', `cannot reach ${what}`, { details: { url: `https://${what}.invalid/` } });
  const failing = (port: KeystoneAdminPort, cloud: string): KeystoneAdminPort => new Proxy(port, {
    get: (target, prop, receiver) => {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (down.keystone.has(cloud) ? Promise.reject(outage(`keystone-${cloud}`)) : value.apply(target, args));
    },
  });
  const deps: OnboardingDeps = { systems: [
    keycloakSystem({
      admin: (cloud) => keycloak.get(cloud)!,
      homeMetadata: { read: async (cloud: CloudSpec) => {
        if (down.metadata.has(cloud.alias)) throw outage(`metadata-${cloud.alias}`);
        return placeholderMetadata(cloud);
      } },
    }),
    keystoneSystem((cloud) => failing(keystone.get(cloud)!, cloud)),
  ] };
  const writes = () => [...keycloak.values(), ...keystone.values()].reduce((n, f) => n + f.writes, 0);
  return { deps, down, writes };
}

const where = (c: Change) => c.desired ?? c.observed;
const keysOf = (changes: readonly Change[]) => changes.filter((c) => c.action !== 'noop').map((c) => c.key).sort();

describe('plan with one part unreachable', () => {
  it('a stopped Keystone: every other part is planned as with all up; the Keystone is named and gets no change', async () => {
    const all = world();
    const full = await planReachable(spec, all.deps);
    assert.deepEqual(full.unreachable, []);
    const partial = world();
    partial.down.keystone.add('cloud-a');
    const { plan, unreachable } = await planReachable(spec, partial.deps);
    assert.deepEqual(unreachable.map((u) => [u.system, u.cloud, u.part]), [['keystone', 'cloud-a', 'system']]);
    assert.ok(!plan.changes.some((c) => where(c)?.system === 'keystone' && where(c)?.cloud === 'cloud-a'));
    const others = keysOf(full.plan.changes.filter((c) => !(where(c)?.system === 'keystone' && where(c)?.cloud === 'cloud-a')));
    assert.ok(others.length > 0);
    assert.deepEqual(keysOf(plan.changes), others);
    await assert.rejects(planFederation(spec, partial.deps), { code: 'ERR_HTTP_UNREACHABLE' });
  });

  it('applying the reachable part and re-planning converges everything but the stopped Keystone; it catches up when back', async () => {
    const w = world();
    w.down.keystone.add('cloud-b');
    const { plan } = await planReachable(spec, w.deps);
    await applyPlan(plan, w.deps);
    const again = await planReachable(spec, w.deps);
    assert.ok(isEmptyPlan(again.plan), JSON.stringify(keysOf(again.plan.changes)));
    w.down.keystone.clear();
    const back = await planReachable(spec, w.deps);
    assert.ok(back.plan.changes.filter((c) => c.action !== 'noop').every((c) => where(c)?.system === 'keystone' && where(c)?.cloud === 'cloud-b'));
    assert.ok(!isEmptyPlan(back.plan));
    await applyPlan(back.plan, w.deps);
    assert.ok(isEmptyPlan(await planFederation(spec, w.deps)));
  });

  it('an unreadable home metadata: its identity providers in partner realms are neither created, changed nor deleted', async () => {
    const w = world();
    await applyPlan(await planFederation(spec, w.deps), w.deps);
    const before = w.writes();
    w.down.metadata.add('cloud-a');
    const { plan, unreachable } = await planReachable(spec, w.deps);
    assert.deepEqual(unreachable.map((u) => [u.system, u.cloud, u.part]), [['keycloak', 'cloud-a', 'metadata']]);
    assert.ok(isEmptyPlan(plan), 'nothing to do, and in particular no delete of cloud-a\'s identity providers');
    const fresh = world();
    fresh.down.metadata.add('cloud-a');
    const first = await planReachable(spec, fresh.deps);
    const idps = first.plan.changes.filter((c) => where(c)?.kind === 'identityProvider').map((c) => `${where(c)?.cloud}<-${where(c)?.name}`).sort();
    assert.ok(idps.length > 0);
    assert.ok(!idps.some((x) => x.endsWith('<-cloud-a')), idps.join(', '));
    assert.ok(idps.some((x) => x.endsWith('<-cloud-b')));
    assert.equal(w.writes(), before);
  });
});
