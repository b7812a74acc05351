// Plan over the fakes with one part failing: the rest is planned as usual, the failing part is named,
// and nothing that depends on it is created, changed or deleted. Apply with one part failing (when
// planning or in the middle): every other part is applied, the failing one and what needs it are reported.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKeycloakAdmin } from '../../src/adapters/fakes/keycloak.ts';
import { FakeKeystoneAdmin } from '../../src/adapters/fakes/keystone.ts';
import { BrokerError } from '../../src/core/errors.ts';
import { isEmptyPlan, type Change } from '../../src/core/plan/diff.ts';
import { placeholderMetadata } from '../../src/core/render/keycloak/index.ts';
import type { CloudSpec } from '../../src/core/federation/schema.ts';
import type { KeystoneAdminPort } from '../../src/ports.ts';
import { isSecretFromClient } from '../../src/core/render/keycloak/client-secret.ts';
import { applyExitCode } from '../../src/cli/federation-commands.ts';
import { outcomesByPart, type PartOutcome } from '../../src/services/apply-report.ts';
import { applyPlan, applyReachable, planFederation, planReachable, type OnboardingDeps } from '../../src/services/onboarding.ts';
import { federationStatus } from '../../src/services/status.ts';
import { keycloakSystem } from '../../src/services/systems/keycloak.ts';
import { keystoneSystem } from '../../src/services/systems/keystone.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { fakeFederation } from '../support/fake-federation.ts';

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
const pending = (changes: readonly Change[]) => changes.filter((c) => c.action !== 'noop');
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

describe('apply with one part failing (over the fakes of all three systems)', () => {
  const ERROR = 'ERR_HTTP_UNREACHABLE';
  const cloudOf = (c: Change) => where(c)!.cloud;
  const systemOf = (c: Change) => where(c)!.system;
  const needsSecretOf = (home: string) => (c: Change) => Object.values(c.desired?.writeOnly ?? {})
    .some((v) => isSecretFromClient(v) && v.$secretFromClient.cloud === home);
  const noForeignError = (parts: readonly PartOutcome[], own: (p: PartOutcome) => boolean) => {
    for (const p of parts.filter((x) => !own(x))) assert.ok(!p.condition.message.includes(ERROR) && p.failed.length === 0, `${p.cloud} ${p.system}: ${p.condition.message}`);
  };
  const descriptions = (w: ReturnType<typeof fakeFederation>) => w.deps.systems.map((s) => s.description);

  it('a cluster unreadable when planning: everything else is applied; its part is reported Unreachable; back, the next apply does just that cluster', async () => {
    const w = fakeFederation();
    w.down.add('kubernetes:cloud-b');
    const reachable = await planReachable(w.spec, w.deps);
    const report = await applyReachable(reachable, w.deps);
    assert.ok(report.applied > 0);
    assert.deepEqual([report.failed, report.notAttempted], [0, 0]);
    const parts = outcomesByPart(w.spec, descriptions(w), report, reachable.unreachable);
    const down = (p: PartOutcome) => p.cloud === 'cloud-b' && p.system === 'kubernetes';
    assert.deepEqual(parts.filter(down).map((p) => [p.condition.type, p.condition.status, p.condition.reason, p.unreachable[0]?.code]), [['RbacApplied', 'Unknown', 'Unreachable', ERROR]]);
    assert.deepEqual(parts.filter((p) => !down(p)).map((p) => p.condition.status), parts.filter((p) => !down(p)).map(() => 'True'));
    noForeignError(parts, down);
    w.down.clear();
    const back = await planFederation(w.spec, w.deps);
    assert.ok(pending(back.changes).length > 0 && pending(back.changes).every((c) => systemOf(c) === 'kubernetes' && cloudOf(c) === 'cloud-b'));
    await applyPlan(back, w.deps);
    assert.ok(isEmptyPlan(await planFederation(w.spec, w.deps)));
  });

  it('a home Keycloak that goes away mid-apply: the rest of its realm and the partner identity providers needing its client secrets (with their mappers) wait; everything else is applied', async () => {
    const w = fakeFederation();
    const plan = await planFederation(w.spec, w.deps);
    w.down.add('keycloak:cloud-a');
    const report = await applyPlan(plan, w.deps);
    const outcome = new Map(report.outcomes.map((o) => [o.change.key, o]));
    const inRealmA = (c: Change) => systemOf(c) === 'keycloak' && cloudOf(c) === 'cloud-a';
    // cloud-a's Keystone identity provider and clusters' authentication config trust that realm: they wait too.
    const trustsRealmA = (c: Change) => cloudOf(c) === 'cloud-a' && ['identityProvider', 'AuthenticationConfiguration'].includes(where(c)!.kind) && systemOf(c) !== 'keycloak';
    const idps = pending(plan.changes).filter(needsSecretOf('cloud-a'));
    assert.ok(idps.length > 0 && idps.every((c) => !inRealmA(c)), 'partners of cloud-a have identity providers needing its secrets');
    assert.deepEqual(report.outcomes.filter((o) => o.status === 'failed').map((o) => [systemOf(o.change), cloudOf(o.change), (o.error as { code?: string }).code]), [['keycloak', 'cloud-a', ERROR]]);
    for (const c of pending(plan.changes).filter(inRealmA).slice(1)) assert.equal(outcome.get(c.key)?.status, 'notAttempted', c.key);
    for (const c of idps) assert.equal(outcome.get(c.key)?.status, 'notAttempted', c.key);
    const mappersOf = (c: Change) => pending(plan.changes).filter((m) => where(m)!.kind === 'identityProviderMapper' && cloudOf(m) === cloudOf(c) && m.desired?.fields['identityProviderAlias'] === where(c)!.name);
    for (const m of idps.flatMap(mappersOf)) assert.equal(outcome.get(m.key)?.status, 'notAttempted', m.key);
    const trusting = pending(plan.changes).filter(trustsRealmA);
    assert.ok(trusting.length > 0);
    for (const c of trusting) assert.deepEqual(outcome.get(c.key), { change: c, status: 'notAttempted', waitsFor: 'keycloak/cloud-a/cloud-a' });
    // ... and so does the Keystone protocol joining that identity provider.
    const protocols = pending(plan.changes).filter((c) => systemOf(c) === 'keystone' && cloudOf(c) === 'cloud-a' && where(c)!.kind === 'protocol');
    for (const c of protocols) assert.match(outcome.get(c.key)?.status === 'notAttempted' ? (outcome.get(c.key) as { waitsFor: string }).waitsFor : '', /^keystone\/cloud-a\/global\/identityProvider\//);
    // Home clients of other realms for partner cloud-a point into cloud-a's realm (redirect URI): they wait, with their default scopes.
    const pointingAtA = pending(plan.changes).filter((c) => !inRealmA(c) && c.desired?.pointsAt?.some((p) => p.cloud === 'cloud-a'));
    for (const c of pointingAtA) assert.equal(outcome.get(c.key)?.status, 'notAttempted', c.key);
    // Whatever else waits, waits for cloud-a's realm or for a change that waits itself; the rest is applied.
    const notAttempted = report.outcomes.filter((o) => o.status === 'notAttempted');
    const waitingKeys = new Set(notAttempted.map((o) => o.change.key));
    for (const o of notAttempted) assert.ok(o.waitsFor.startsWith('keycloak/cloud-a') || waitingKeys.has(o.waitsFor), `${o.change.key} waits for ${o.waitsFor}`);
    const waiting = new Set([...pending(plan.changes).filter(inRealmA), ...idps, ...idps.flatMap(mappersOf), ...trusting, ...protocols, ...pointingAtA].map((c) => c.key));
    for (const o of notAttempted) {
      const related = waiting.has(o.change.key) || (where(o.change)!.kind === 'clientDefaultScope' && pointingAtA.some((c) => where(o.change)!.name.startsWith(`${where(c)!.name}/`)));
      assert.ok(related, `${o.change.key} is related to cloud-a's realm`);
    }
    for (const c of pending(plan.changes).filter((x) => systemOf(x) !== 'keycloak' && cloudOf(x) !== 'cloud-a')) assert.equal(outcome.get(c.key)?.status, 'applied', c.key);
    assert.equal(report.failed + report.notAttempted + report.applied, pending(plan.changes).length);
    assert.ok(report.applied > report.notAttempted, 'most of the federation is applied');

    const parts = outcomesByPart(w.spec, descriptions(w), report, []);
    const own = (p: PartOutcome) => p.cloud === 'cloud-a' && p.system === 'keycloak';
    assert.deepEqual(parts.filter(own).map((p) => [p.condition.status, p.condition.reason]), [['False', 'ApplyFailed']]);
    assert.match(parts.find(own)!.condition.message, new RegExp(`first: ${ERROR}: `));
    const partner = parts.find((p) => p.system === 'keycloak' && p.cloud === cloudOf(idps[0]!))!;
    assert.deepEqual([partner.condition.status, partner.condition.reason], ['False', 'DependencyNotApplied']);
    assert.match(partner.condition.message, /wait for keycloak\/cloud-a\//);
    assert.ok(parts.filter((p) => p.system !== 'keycloak' && p.cloud !== 'cloud-a').every((p) => p.condition.status === 'True'));
    assert.ok(parts.filter((p) => p.system !== 'keycloak' && p.cloud === 'cloud-a').every((p) => p.condition.reason === 'DependencyNotApplied'));
    noForeignError(parts, own);

    // Status is truthful while cloud-a's Keycloak is away: its realm Unreachable, the partner realm still pending, the rest in sync;
    // no other cloud's condition carries cloud-a's error.
    const status = await federationStatus(w.spec, w.deps);
    const row = (cloud: string, type: string) => { const c = status.find((x) => x.cloud === cloud && x.type === type)!; return [c.status, c.reason]; };
    assert.deepEqual(row('cloud-a', 'RealmConfigured'), ['Unknown', 'Unreachable']);
    assert.deepEqual(row(partner.cloud, 'RealmConfigured'), ['False', 'ChangesPending']);
    assert.deepEqual(row(partner.cloud, 'KeystoneConfigured'), ['True', 'InSync']);
    for (const c of status.filter((x) => x.cloud !== 'cloud-a')) assert.ok(!c.message.includes(ERROR), `${c.cloud} ${c.type}: ${c.message}`);

    w.down.clear();
    const finish = await applyPlan(await planFederation(w.spec, w.deps), w.deps);
    assert.deepEqual([finish.failed, finish.notAttempted, finish.applied], [0, 0, report.failed + report.notAttempted]);
    assert.ok(isEmptyPlan(await planFederation(w.spec, w.deps)));
  });

  it('a home Keycloak unreadable when planning: the partner identity providers needing its secrets are not attempted; the rest is applied', async () => {
    const w = fakeFederation();
    w.down.add('keycloak:cloud-a');
    const reachable = await planReachable(w.spec, w.deps);
    assert.deepEqual(reachable.unreachable.map((u) => [u.system, u.cloud, u.part]), [['keycloak', 'cloud-a', 'system']]);
    const report = await applyReachable(reachable, w.deps);
    const idps = report.outcomes.filter((o) => needsSecretOf('cloud-a')(o.change));
    assert.ok(idps.length > 0);
    assert.deepEqual([...new Set(idps.map((o) => o.status === 'notAttempted' && o.waitsFor))], ['keycloak/cloud-a']);
    assert.equal(report.failed, 0);
    assert.ok(report.applied > 0);
    const waitingKeys = new Set(report.outcomes.filter((o) => o.status === 'notAttempted').map((o) => o.change.key));
    for (const o of report.outcomes.filter((x) => x.status === 'notAttempted')) {
      assert.ok(o.waitsFor === 'keycloak/cloud-a' || waitingKeys.has(o.waitsFor), `${o.change.key} waits for ${o.waitsFor}`);
      if (systemOf(o.change) !== 'keycloak') assert.equal(cloudOf(o.change), 'cloud-a', `${o.change.key}: only cloud-a's Keystone and clusters trust that realm`);
    }
  });

  it('the exit code: 0 all applied, 5 some failed, waited or were unreachable while others were applied, 7 nothing could be applied (6 is the sync brake)', () => {
    const r = (applied: number, failed: number, notAttempted: number) => ({ applied, failed, notAttempted, total: applied + failed + notAttempted, outcomes: [] });
    assert.equal(applyExitCode(r(3, 0, 0), 0), 0);
    assert.equal(applyExitCode(r(0, 0, 0), 0), 0);
    assert.equal(applyExitCode(r(3, 0, 0), 1), 5);
    assert.equal(applyExitCode(r(0, 0, 0), 1), 5);
    assert.equal(applyExitCode(r(3, 1, 2), 0), 5);
    assert.equal(applyExitCode(r(0, 1, 2), 0), 7);
    assert.equal(applyExitCode(r(0, 0, 2), 1), 7);
  });
});
