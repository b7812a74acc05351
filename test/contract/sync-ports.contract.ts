// Conformance suites of the role-sync ports: a partner realm (PartnerRealmSyncPort) and a partner
// Keystone (KeystoneSyncPort). The fakes (unit) and the real adapters (integration, the test bed's
// cloud-b) run the same checks, so the fakes keep the real semantics.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NewPartnerUser } from '../../src/core/sync/model.ts';
import type { KeystoneSyncPort, PartnerRealmSyncPort } from '../../src/ports.ts';

export interface PartnerRealmFixture {
  readonly port: PartnerRealmSyncPort;
  readonly realm: string;
  readonly federation: string;
  readonly home: string;
  /** A mirrored group of `home` the broker owns. */
  readonly ownedGroup: string;
  /** A group in the realm without the broker's markers. */
  readonly handMadeGroup: string;
  /** A fresh user name of the form `<home>.<name>`; the fixture removes what it names when the suite ends. */
  newUsername(): string;
  /** Makes a user by hand (no link) with this name. */
  addHandMadeUser(username: string): Promise<void>;
  /** Starts a session of the (port-created) user in the realm. */
  startSession(userId: string, username: string): Promise<void>;
  /** How many sessions the user has in the realm. */
  sessionCount(userId: string): Promise<number>;
}

export function partnerRealmSyncContract(name: string, make: () => Promise<PartnerRealmFixture>): void {
  describe(`PartnerRealmSyncPort contract: ${name}`, () => {
    const newUser = (f: PartnerRealmFixture): NewPartnerUser => ({
      username: f.newUsername(), enabled: true, identityProvider: f.home, linkUserId: `sub-${Math.random().toString(16).slice(2)}`, linkUserName: 'someone',
      attributes: { home_cloud: [f.home], home_sub: ['the-home-sub'] },
    });

    it('creates a linked user that observe then lists with its home_sub; memberships come and go', async () => {
      const f = await make();
      const user = newUser(f);
      const id = await f.port.createUser(f.realm, user);
      let observed = await f.port.observe(f.realm, f.federation, f.home, [f.ownedGroup]);
      assert.deepEqual(observed.users.find((u) => u.id === id), { id, username: user.username, enabled: true, homeSub: 'the-home-sub' });
      assert.equal(observed.groups.length, 1);
      await f.port.addMembership(f.realm, id, observed.groups[0]!.id);
      await f.port.addMembership(f.realm, id, observed.groups[0]!.id);
      observed = await f.port.observe(f.realm, f.federation, f.home, [f.ownedGroup]);
      assert.ok(observed.groups[0]!.memberIds.includes(id));
      await f.port.removeMembership(f.realm, id, observed.groups[0]!.id);
      await f.port.removeMembership(f.realm, id, observed.groups[0]!.id);
      observed = await f.port.observe(f.realm, f.federation, f.home, [f.ownedGroup]);
      assert.ok(!observed.groups[0]!.memberIds.includes(id));
    });

    it('disables, enables and deletes a user (deleting twice is fine)', async () => {
      const f = await make();
      const id = await f.port.createUser(f.realm, newUser(f));
      await f.port.setEnabled(f.realm, id, false);
      assert.equal((await f.port.observe(f.realm, f.federation, f.home, [])).users.find((u) => u.id === id)?.enabled, false);
      await f.port.setEnabled(f.realm, id, true);
      const again = (await f.port.observe(f.realm, f.federation, f.home, [])).users.find((u) => u.id === id);
      assert.deepEqual([again?.enabled, again?.homeSub], [true, 'the-home-sub'], 'enabling keeps the attributes');
      await f.port.deleteUser(f.realm, id);
      await f.port.deleteUser(f.realm, id);
      assert.equal((await f.port.observe(f.realm, f.federation, f.home, [])).users.find((u) => u.id === id), undefined);
    });

    it('ends every session of a user; a user without sessions or an absent one is no error', async () => {
      const f = await make();
      const user = newUser(f);
      const id = await f.port.createUser(f.realm, user);
      await f.startSession(id, user.username);
      await f.startSession(id, user.username);
      assert.equal(await f.sessionCount(id), 2);
      await f.port.endSessions(f.realm, id);
      assert.equal(await f.sessionCount(id), 0);
      await f.port.endSessions(f.realm, id);
      assert.equal((await f.port.observe(f.realm, f.federation, f.home, [])).users.find((u) => u.id === id)?.enabled, true, 'the user stays, enabled');
      await f.port.deleteUser(f.realm, id);
      await f.port.endSessions(f.realm, id);
    });

    it('observeUsers reads just the users asked for, by home_sub or by name, with the groups and the count of the home\'s users', async () => {
      const f = await make();
      const sub = `sub-${Math.random().toString(16).slice(2)}`;
      const bySub = { ...newUser(f), attributes: { home_cloud: [f.home], home_sub: [sub] } };
      const bySubId = await f.port.createUser(f.realm, bySub);
      const byName = newUser(f);
      const byNameId = await f.port.createUser(f.realm, byName);
      const other = newUser(f);
      await f.port.createUser(f.realm, other);
      const handMade = f.newUsername();
      await f.addHandMadeUser(handMade);
      const all = await f.port.observe(f.realm, f.federation, f.home, [f.ownedGroup]);
      const some = await f.port.observeUsers(f.realm, f.federation, f.home, [f.ownedGroup], { homeSubs: [sub, 'no-such-sub'], names: [byName.username, handMade, 'no-such-user'] });
      assert.deepEqual(some.users.map((u) => u.id).sort(), [bySubId, byNameId].sort(), 'neither the user not asked for nor the hand-made one');
      assert.deepEqual(some.users.find((u) => u.id === bySubId), { id: bySubId, username: bySub.username, enabled: true, homeSub: sub });
      assert.deepEqual(some.groups, all.groups);
      assert.equal(some.userCount, all.users.length);
    });

    it('observes neither users without a link to the home nor groups without the markers', async () => {
      const f = await make();
      const username = f.newUsername();
      await f.addHandMadeUser(username);
      const observed = await f.port.observe(f.realm, f.federation, f.home, [f.ownedGroup, f.handMadeGroup, `/${f.home}:/no/such/group`]);
      assert.equal(observed.users.find((u) => u.username === username), undefined);
      assert.deepEqual(observed.groups.map((g) => g.path), [f.ownedGroup]);
    });

    it('lists as guests the users with a home_cloud attribute, whatever their link, and no others', async () => {
      const f = await make();
      const user = newUser(f);
      const id = await f.port.createUser(f.realm, user);
      const handMade = f.newUsername();
      await f.addHandMadeUser(handMade);
      const guests = await f.port.guests(f.realm);
      assert.deepEqual(guests.find((g) => g.id === id), { id, username: user.username, homeCloud: f.home });
      assert.equal(guests.find((g) => g.username === handMade), undefined);
    });
  });
}

export interface KeystoneSyncFixture {
  readonly port: KeystoneSyncPort;
  readonly federation: string;
  /** A broker-owned group ("<domain>/<name>"). */
  readonly ownedGroup: string;
  /** A fresh unique id `<home>.<name>`; the fixture removes its user when the suite ends. */
  newUniqueId(): string;
  /** A user (removed when the suite ends) with a live token and `credentials` application credentials of her own. */
  userWithCredentials(credentials: number): Promise<{ userId: string; token: string }>;
  /** Whether Keystone accepts the token (validated by an admin). */
  tokenAccepted(token: string): Promise<boolean>;
  /** How many application credentials the user has. */
  applicationCredentialCount(userId: string): Promise<number>;
}

export function keystoneSyncContract(name: string, make: () => Promise<KeystoneSyncFixture>): void {
  describe(`KeystoneSyncPort contract: ${name}`, () => {
    it('creates a federated user that observe lists by its unique id; memberships come and go', async () => {
      const f = await make();
      const uniqueId = f.newUniqueId();
      const id = await f.port.createFederatedUser(uniqueId);
      let observed = await f.port.observe(f.federation, [f.ownedGroup, 'no-such-domain/no-such-group']);
      assert.deepEqual(observed.users.find((u) => u.id === id), { id, uniqueId });
      assert.deepEqual(observed.groups.map((g) => g.name), [f.ownedGroup]);
      await f.port.addMembership(id, observed.groups[0]!.id);
      await f.port.addMembership(id, observed.groups[0]!.id);
      observed = await f.port.observe(f.federation, [f.ownedGroup]);
      assert.ok(observed.groups[0]!.memberIds.includes(id));
      assert.deepEqual(await f.port.observeGroups(f.federation, [f.ownedGroup, 'no-such-domain/no-such-group']), observed.groups, 'observeGroups answers the groups observe does');
      await f.port.removeMembership(id, observed.groups[0]!.id);
      await f.port.removeMembership(id, observed.groups[0]!.id);
      observed = await f.port.observe(f.federation, [f.ownedGroup]);
      assert.ok(!observed.groups[0]!.memberIds.includes(id));
    });

    it('lists every federated user and deletes one with its memberships (deleting twice is fine)', async () => {
      const f = await make();
      const uniqueId = f.newUniqueId();
      const id = await f.port.createFederatedUser(uniqueId);
      const group = (await f.port.observe(f.federation, [f.ownedGroup])).groups[0]!;
      await f.port.addMembership(id, group.id);
      assert.deepEqual((await f.port.federatedUsers()).find((u) => u.id === id), { id, uniqueId });
      await f.port.deleteUser(id);
      await f.port.deleteUser(id);
      assert.equal((await f.port.federatedUsers()).find((u) => u.id === id), undefined);
      assert.ok(!(await f.port.observe(f.federation, [f.ownedGroup])).groups[0]!.memberIds.includes(id));
    });

    it('revokes a user\'s live tokens; the user stays, with its id, enabled, and its memberships', async () => {
      const f = await make();
      const { userId, token } = await f.userWithCredentials(0);
      const uniqueId = f.newUniqueId();
      const federated = await f.port.createFederatedUser(uniqueId);
      const group = (await f.port.observe(f.federation, [f.ownedGroup])).groups[0]!;
      await f.port.addMembership(federated, group.id);
      assert.equal(await f.tokenAccepted(token), true);
      await f.port.revokeTokens(userId);
      await f.port.revokeTokens(federated);
      assert.equal(await f.tokenAccepted(token), false, 'a token issued before the revocation is refused');
      const observed = await f.port.observe(f.federation, [f.ownedGroup]);
      assert.deepEqual(observed.users.find((u) => u.id === federated), { id: federated, uniqueId });
      assert.ok(observed.groups[0]!.memberIds.includes(federated), 'the membership stays');
      await f.port.revokeTokens('0123456789abcdef0123456789abcdef');
    });

    it('deletes every application credential of a user; none left is 0', async () => {
      const f = await make();
      const { userId } = await f.userWithCredentials(2);
      assert.equal(await f.applicationCredentialCount(userId), 2);
      assert.equal(await f.port.deleteApplicationCredentials(userId), 2);
      assert.equal(await f.applicationCredentialCount(userId), 0);
      assert.equal(await f.port.deleteApplicationCredentials(userId), 0);
    });

    it('does not observe a group of another federation', async () => {
      const f = await make();
      assert.deepEqual((await f.port.observe(`other-${f.federation}`, [f.ownedGroup])).groups, []);
      assert.deepEqual(await f.port.observeGroups(`other-${f.federation}`, [f.ownedGroup]), []);
    });
  });
}
