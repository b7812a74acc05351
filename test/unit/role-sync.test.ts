// Role sync over the fakes (docs/sync.md): pre-provisioning, no-drift runs without writes, drift and
// home changes repaired with reasons, ownership, the brake, an unreadable home and a partner down.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isInSync, runSync, type SyncReport } from '../../src/services/sync.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { ADMINS, P1, world, type World } from '../support/sync-fake-world.ts';

const changesOf = (report: SyncReport, partner: string, system: string) =>
  report.targets.filter((t) => t.partner === partner && t.system === system).flatMap((t) => t.changes.map((c) => `${c.op} ${'username' in c ? c.username : c.op === 'createUser' ? c.user.username : c.uniqueId}${'group' in c ? ` ${c.group}` : ''}`));

function isMember(w: World, cloud: string, username: string, path: string): boolean {
  const realm = w.realms.get(cloud)!;
  const user = realm.userByName(username);
  return user !== undefined && realm.groupByPath(path)!.members.has(user.id);
}

function inKeystoneGroup(w: World, cloud: string, uniqueId: string, group: string): boolean {
  const ks = w.keystones.get(cloud)!;
  const id = ks.userId(uniqueId);
  return id !== undefined && ks.groups.get(group)!.members.has(id);
}

describe('role sync over the fakes', () => {
  it('pre-provisions linked partner users with mirrored groups and Keystone users with memberships; the next run writes nothing', async () => {
    const w = world();
    const first = await runSync(w.spec, w.deps);
    assert.deepEqual(first.failures, []);
    const alice = w.realms.get('cloud-b')!.userByName('cloud-a.alice')!;
    assert.deepEqual(alice.links, [{ identityProvider: 'cloud-a', userId: 'cloud-a-alice-id', userName: 'alice' }]);
    assert.deepEqual(alice.attributes['home_cloud'], ['cloud-a']);
    assert.ok(isMember(w, 'cloud-b', 'cloud-a.alice', `/cloud-a:${P1}`));
    assert.ok(inKeystoneGroup(w, 'cloud-b', 'cloud-a.alice', 'fed-cloud-a/p1-members'));
    assert.ok(!inKeystoneGroup(w, 'cloud-b', 'cloud-a.alice', 'fed-cloud-a/p1-admins'));
    assert.ok(inKeystoneGroup(w, 'cloud-c', 'cloud-a.carol', 'fed-cloud-a/p1-admins'));
    assert.equal(w.realms.get('cloud-b')!.userByName('cloud-a.bob'), undefined, 'no policy group, no pre-provisioned user');
    // A SAML home's link is the NameID its home client sends: the user name.
    assert.deepEqual(w.realms.get('cloud-a')!.userByName('cloud-c.carol')!.links, [{ identityProvider: 'cloud-c', userId: 'carol', userName: 'carol' }]);
    const reason = first.targets.find((t) => t.partner === 'cloud-b' && t.system === 'keystone' && t.home === 'cloud-a')!.changes.find((c) => c.op === 'addMembership')!.reason;
    assert.match(reason, /policy rule p1-members/);

    const writes = w.writes();
    const second = await runSync(w.spec, w.deps);
    assert.ok(isInSync(second), JSON.stringify(second.targets.flatMap((t) => t.changes)));
    assert.equal(w.writes(), writes, 'a run without drift makes no write');
  });

  it('a dry run reports the changes and writes nothing', async () => {
    const w = world();
    const report = await runSync(w.spec, w.deps, { dryRun: true });
    assert.ok(changesOf(report, 'cloud-b', 'keycloak').includes('createUser cloud-a.alice'));
    assert.equal(w.writes(), 0);
    assert.deepEqual(report.applied, []);
  });

  it('repairs a drift made by hand: a membership added in a partner realm, one removed in Keystone', async () => {
    const w = world();
    await runSync(w.spec, w.deps);
    const realm = w.realms.get('cloud-b')!;
    realm.groupByPath(`/cloud-a:${ADMINS}`)!.members.add(realm.userByName('cloud-a.alice')!.id);
    const ks = w.keystones.get('cloud-b')!;
    ks.groups.get('fed-cloud-a/p1-members')!.members.delete(ks.userId('cloud-a.alice')!);
    const report = await runSync(w.spec, w.deps);
    assert.deepEqual(changesOf(report, 'cloud-b', 'keycloak'), [`removeMembership cloud-a.alice /cloud-a:${ADMINS}`]);
    assert.deepEqual(changesOf(report, 'cloud-b', 'keystone'), ['addMembership cloud-a.alice fed-cloud-a/p1-members']);
    assert.ok(!isMember(w, 'cloud-b', 'cloud-a.alice', `/cloud-a:${ADMINS}`));
    assert.ok(inKeystoneGroup(w, 'cloud-b', 'cloud-a.alice', 'fed-cloud-a/p1-members'));
    assert.ok(isInSync(await runSync(w.spec, w.deps)));
  });

  it('follows home changes: removed from a group, disabled, deleted; each with its reason', async () => {
    const w = world();
    await runSync(w.spec, w.deps);
    const home = w.homes.get('cloud-a')!;
    home.addUser('alice', []);
    home.addUser('carol', [P1, ADMINS], { enabled: false });
    await runSync(w.spec, w.deps); // carol disabled
    home.removeUser('carol');
    const deleted = await runSync(w.spec, w.deps);
    assert.deepEqual(changesOf(deleted, 'cloud-b', 'keycloak'), ['endSessions cloud-a.carol', 'deleteUser cloud-a.carol']);
    assert.match(deleted.targets.find((t) => t.partner === 'cloud-b' && t.system === 'keycloak' && t.home === 'cloud-a')!.changes[0]!.reason, /deleted/);
    assert.equal(w.realms.get('cloud-b')!.userByName('cloud-a.carol'), undefined);
    assert.ok(!isMember(w, 'cloud-b', 'cloud-a.alice', `/cloud-a:${P1}`));
    assert.ok(w.realms.get('cloud-b')!.userByName('cloud-a.alice'), 'a user out of every policy group stays (without memberships)');
    assert.ok(!inKeystoneGroup(w, 'cloud-b', 'cloud-a.alice', 'fed-cloud-a/p1-members'));
    assert.ok(!inKeystoneGroup(w, 'cloud-c', 'cloud-a.carol', 'fed-cloud-a/p1-admins'));
  });

  it('disables the partner user of a user disabled at home and removes her grants; enables her again', async () => {
    const w = world();
    await runSync(w.spec, w.deps);
    w.homes.get('cloud-a')!.addUser('carol', [P1, ADMINS], { enabled: false });
    const report = await runSync(w.spec, w.deps);
    assert.deepEqual(changesOf(report, 'cloud-b', 'keycloak').sort(), ['disableUser cloud-a.carol', 'endSessions cloud-a.carol', `removeMembership cloud-a.carol /cloud-a:${ADMINS}`, `removeMembership cloud-a.carol /cloud-a:${P1}`]);
    assert.equal(w.realms.get('cloud-b')!.userByName('cloud-a.carol')!.enabled, false);
    assert.ok(!inKeystoneGroup(w, 'cloud-b', 'cloud-a.carol', 'fed-cloud-a/p1-members'));
    w.homes.get('cloud-a')!.addUser('carol', [P1, ADMINS]);
    await runSync(w.spec, w.deps);
    assert.equal(w.realms.get('cloud-b')!.userByName('cloud-a.carol')!.enabled, true);
    assert.ok(inKeystoneGroup(w, 'cloud-b', 'cloud-a.carol', 'fed-cloud-a/p1-admins'));
  });

  it('never touches hand-made users, hand-made groups or their memberships', async () => {
    const w = world();
    const realm = w.realms.get('cloud-b')!;
    const handUser = realm.addUserByHand('cloud-a.dave');
    realm.groupByPath(`/cloud-a:${P1}`)!.members.add(handUser.id);
    const handGroup = realm.addGroup('/cloud-a:/projects/p1/hand-made', {});
    const ks = w.keystones.get('cloud-b')!;
    const handKeystoneGroup = ks.addGroup('fed-cloud-a/hand-made', undefined);
    await runSync(w.spec, w.deps);
    handGroup.members.add(realm.userByName('cloud-a.alice')!.id);
    handKeystoneGroup.members.add(ks.userId('cloud-a.alice')!);
    const report = await runSync(w.spec, w.deps);
    assert.ok(isInSync(report), JSON.stringify(report.targets.flatMap((t) => t.changes)));
    assert.ok(realm.groupByPath(`/cloud-a:${P1}`)!.members.has(handUser.id));
    assert.ok(handGroup.members.has(realm.userByName('cloud-a.alice')!.id));
  });

  it('the brake: a run that would remove too many memberships stops before writing; --confirm runs it', async () => {
    const w = world();
    const home = w.homes.get('cloud-a')!;
    for (let i = 0; i < 20; i++) home.addUser(`user${i}`, [P1]);
    await runSync(w.spec, w.deps);
    for (let i = 0; i < 20; i++) home.addUser(`user${i}`, []); // e.g. the home group was renamed
    const writes = w.writes();
    const stopped = await runSync(w.spec, w.deps);
    assert.equal(stopped.stoppedByBrake, true);
    assert.equal(w.writes(), writes, 'nothing written');
    const finding = stopped.brake.find((b) => b.partner === 'cloud-b' && b.system === 'keycloak')!;
    assert.deepEqual([finding.what, finding.removals, finding.observed, finding.limitPercent], ['memberships', 20, 23, 10]);
    const confirmed = await runSync(w.spec, w.deps, { confirm: true });
    assert.equal(confirmed.stoppedByBrake, false);
    assert.ok(!isMember(w, 'cloud-b', 'cloud-a.user0', `/cloud-a:${P1}`));
  });

  it('the brake follows the spec: a small removal below minRemovals passes, with minRemovals 0 it stops', async () => {
    const strict = world(exampleSpec((doc) => { doc.sync = { brake: { maxRemovalPercent: 10, minRemovals: 0 } }; }));
    const lax = world();
    for (const w of [strict, lax]) {
      await runSync(w.spec, w.deps);
      w.homes.get('cloud-a')!.addUser('alice', []);
    }
    assert.equal((await runSync(lax.spec, lax.deps)).stoppedByBrake, false);
    assert.equal((await runSync(strict.spec, strict.deps)).stoppedByBrake, true);
  });

  for (const fault of ['down', 'page fails half-way'] as const) {
    it(`a home that cannot be read (${fault}) is not "users gone": its users stay, the failure is reported, other homes sync`, async () => {
      const w = world();
      for (let i = 0; i < 5; i++) w.homes.get('cloud-a')!.addUser(`user${i}`, [P1]);
      await runSync(w.spec, w.deps);
      const home = w.homes.get('cloud-a')!;
      if (fault === 'down') home.down = true;
      else { home.pageSize = 3; home.failAfterPages = 1; }
      w.homes.get('cloud-c')!.addUser('erin', [ADMINS]);
      const report = await runSync(w.spec, w.deps);
      assert.deepEqual(report.failures.map((f) => [f.cloud, f.part]), [['cloud-a', 'home']]);
      assert.equal(report.targets.filter((t) => t.home === 'cloud-a').length, 0);
      assert.ok(isMember(w, 'cloud-b', 'cloud-a.alice', `/cloud-a:${P1}`));
      assert.ok(inKeystoneGroup(w, 'cloud-b', 'cloud-a.alice', 'fed-cloud-a/p1-members'));
      assert.ok(isMember(w, 'cloud-b', 'cloud-c.erin', `/cloud-c:${ADMINS}`), 'the other home is synced');
    });
  }

  it('one partner down does not stop the others; it is reported and the next run catches up', async () => {
    const w = world();
    w.realms.get('cloud-b')!.down = true;
    const report = await runSync(w.spec, w.deps);
    assert.deepEqual(report.failures.map((f) => [f.cloud, f.system, f.part]), [['cloud-b', 'keycloak', 'partner']]);
    assert.ok(isMember(w, 'cloud-c', 'cloud-a.alice', `/cloud-a:${P1}`));
    assert.ok(inKeystoneGroup(w, 'cloud-b', 'cloud-a.alice', 'fed-cloud-a/p1-members'), 'the same cloud\'s Keystone is synced');
    w.realms.get('cloud-b')!.down = false;
    await runSync(w.spec, w.deps);
    assert.ok(isMember(w, 'cloud-b', 'cloud-a.alice', `/cloud-a:${P1}`));
  });

  it('--cloud limits the run to one partner', async () => {
    const w = world();
    const report = await runSync(w.spec, w.deps, { clouds: ['cloud-c'] });
    assert.deepEqual([...new Set(report.targets.map((t) => t.partner))], ['cloud-c']);
    assert.equal(w.realms.get('cloud-b')!.userByName('cloud-a.alice'), undefined);
  });
});
