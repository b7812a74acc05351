// Orphans (docs/sync.md): what the broker made in a partner for a home that is no longer federated
// with it is removed by the next full run and reported; a user deleted at home loses her Keystone user.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import { formerHomeOf, keycloakOrphanTargets, keystoneOrphanTargets } from '../../src/core/sync/orphans.ts';
import { runSync, type SyncReport } from '../../src/services/sync.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { ADMINS, world as fakeWorld } from '../support/sync-fake-world.ts';

const aliases = ['cloud-a', 'cloud-b', 'cloud-c'];
/** The demo mesh without the trust edge cloud-c → cloud-b. */
const withoutCtoB = () => exampleSpec((doc) => {
  doc.trust = { mode: 'edges', edges: aliases.flatMap((from) => aliases.filter((to) => to !== from && !(from === 'cloud-c' && to === 'cloud-b')).map((to) => ({ home: from, partner: to }))) };
});

/** The demo federation as fakes, with a second user of cloud-c in a policy group. */
function world(spec: FederationSpec) {
  const w = fakeWorld(spec);
  w.homes.get('cloud-c')!.addUser('dave', [ADMINS]);
  return w;
}

const ops = (report: SyncReport, home: string, partner: string) => report.targets.filter((t) => t.home === home && t.partner === partner)
  .flatMap((t) => t.changes.map((c) => `${t.system} ${c.op} ${'username' in c ? c.username : c.op === 'createUser' ? c.user.username : c.uniqueId}`)).sort();

describe('orphans of a home no longer federated with a partner', () => {
  it('names the former home of a downstream name by the naming template, also for a cloud the spec no longer has', () => {
    const { naming } = exampleSpec();
    assert.equal(formerHomeOf(naming, 'cloud-c.carol'), 'cloud-c');
    assert.equal(formerHomeOf(naming, 'cloud-z.bob.smith'), 'cloud-z');
    assert.equal(formerHomeOf(naming, 'hand-made'), undefined);
  });

  it('an edge removed from the spec: the next run deletes the realm users and Keystone users it left in the partner, and says why', async () => {
    const w = world(exampleSpec());
    await runSync(exampleSpec(), w.deps);
    assert.ok(w.realms.get('cloud-b')!.userByName('cloud-c.carol'));
    assert.ok(w.keystones.get('cloud-b')!.userId('cloud-c.carol'));
    const hand = w.realms.get('cloud-b')!.addUserByHand('someone', [], { home_cloud: ['cloud-c'] });

    const report = await runSync(withoutCtoB(), w.deps);
    assert.deepEqual(ops(report, 'cloud-c', 'cloud-b'), ['keycloak deleteUser cloud-c.carol', 'keycloak deleteUser cloud-c.dave',
      'keycloak endSessions cloud-c.carol', 'keycloak endSessions cloud-c.dave', 'keystone deleteFederatedUser cloud-c.carol', 'keystone deleteFederatedUser cloud-c.dave']);
    const reasons = report.targets.filter((t) => t.home === 'cloud-c' && t.partner === 'cloud-b').flatMap((t) => t.changes.map((c) => c.reason));
    assert.ok(reasons.every((r) => r.endsWith('orphan: cloud-c is no longer a home of cloud-b (no trust edge)')), reasons.join('; '));
    const realmOrder = report.targets.find((t) => t.home === 'cloud-c' && t.partner === 'cloud-b' && t.system === 'keycloak')!.changes.map((c) => `${c.op} ${'username' in c ? c.username : ''}`);
    assert.deepEqual(realmOrder, ['endSessions cloud-c.carol', 'deleteUser cloud-c.carol', 'endSessions cloud-c.dave', 'deleteUser cloud-c.dave'], 'her sessions end before she goes');
    assert.equal(w.realms.get('cloud-b')!.userByName('cloud-c.carol'), undefined);
    assert.equal(w.keystones.get('cloud-b')!.userId('cloud-c.dave'), undefined);
    assert.ok(w.realms.get('cloud-b')!.users.has(hand.id), 'a user whose name does not fit the naming template stays');
    assert.ok(w.realms.get('cloud-a')!.userByName('cloud-c.carol'), 'cloud-c is still a home of cloud-a');
    assert.deepEqual(ops(await runSync(withoutCtoB(), w.deps), 'cloud-c', 'cloud-b'), [], 'nothing left to remove');
  });

  it('the brake sees a whole home going at once, and --confirm removes it', async () => {
    const spec = exampleSpec((doc) => { doc.sync = { brake: { maxRemovalPercent: 10, minRemovals: 2 } }; });
    const w = world(spec);
    await runSync(spec, w.deps);
    const offboarded = exampleSpec((doc) => {
      doc.sync = { brake: { maxRemovalPercent: 10, minRemovals: 2 } };
      doc.trust = { mode: 'edges', edges: aliases.flatMap((from) => aliases.filter((to) => to !== from && !(from === 'cloud-c' && to === 'cloud-b')).map((to) => ({ home: from, partner: to }))) };
    });
    const braked = await runSync(offboarded, w.deps);
    assert.equal(braked.stoppedByBrake, true);
    assert.deepEqual(braked.brake.map((b) => `${b.home}→${b.partner} ${b.system} ${b.what} ${b.removals}/${b.observed}`), ['cloud-c→cloud-b keycloak users 2/2', 'cloud-c→cloud-b keystone users 2/2']);
    assert.ok(w.realms.get('cloud-b')!.userByName('cloud-c.carol'), 'nothing written');
    await runSync(offboarded, w.deps, { confirm: true });
    assert.equal(w.realms.get('cloud-b')!.userByName('cloud-c.carol'), undefined);
  });

  it('a partner system that cannot be read is reported and its orphans stay', async () => {
    const w = world(exampleSpec());
    await runSync(exampleSpec(), w.deps);
    w.keystones.get('cloud-b')!.down = true;
    const report = await runSync(withoutCtoB(), w.deps);
    assert.ok(report.failures.some((f) => f.cloud === 'cloud-b' && f.system === 'keystone' && f.part === 'partner'));
    assert.deepEqual(ops(report, 'cloud-c', 'cloud-b'), ['keycloak deleteUser cloud-c.carol', 'keycloak deleteUser cloud-c.dave', 'keycloak endSessions cloud-c.carol', 'keycloak endSessions cloud-c.dave']);
    w.keystones.get('cloud-b')!.down = false;
    assert.ok(w.keystones.get('cloud-b')!.userId('cloud-c.carol'));
  });

  it('pure targets: the partner\'s own users and users of current homes are never orphans', () => {
    const spec = withoutCtoB();
    const homes = new Set(['cloud-a']);
    const guests = [{ id: '1', username: 'cloud-a.alice', homeCloud: 'cloud-a' }, { id: '2', username: 'cloud-b.x', homeCloud: 'cloud-b' }, { id: '3', username: 'cloud-z.y', homeCloud: 'cloud-z' }];
    const targets = keycloakOrphanTargets(spec, 'cloud-b', homes, guests);
    assert.deepEqual(targets.map((t) => [t.home, t.changes.map((c) => `${c.op}: ${c.reason}`)]), [['cloud-z', ['endSessions: before deleting: orphan: cloud-z is no longer in the federation (offboarded)', 'deleteUser: orphan: cloud-z is no longer in the federation (offboarded)']]]);
    const ks = keystoneOrphanTargets(spec, 'cloud-b', homes, [{ id: 'k1', uniqueId: 'cloud-a.alice' }, { id: 'k2', uniqueId: 'cloud-c.carol' }, { id: 'k3', uniqueId: 'admin' }]);
    assert.deepEqual(ks.map((t) => [t.home, t.changes.map((c) => c.op)]), [['cloud-c', ['deleteFederatedUser']]]);
  });
});

describe('a user deleted at home', () => {
  it('loses her Keystone user in every partner (memberships, application credentials and tokens go with it)', async () => {
    const w = world(exampleSpec());
    await runSync(exampleSpec(), w.deps);
    assert.ok(w.keystones.get('cloud-b')!.userId('cloud-a.alice'));
    w.homes.get('cloud-a')!.removeUser('alice');
    const report = await runSync(exampleSpec(), w.deps);
    assert.deepEqual(ops(report, 'cloud-a', 'cloud-b'), ['keycloak deleteUser cloud-a.alice', 'keycloak endSessions cloud-a.alice', 'keystone deleteFederatedUser cloud-a.alice']);
    for (const p of ['cloud-b', 'cloud-c']) assert.equal(w.keystones.get(p)!.userId('cloud-a.alice'), undefined, p);
  });
});
