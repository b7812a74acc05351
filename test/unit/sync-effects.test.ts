// The effects of a removal (src/core/sync/effects.ts, docs/sync.md): revoking Keystone tokens and
// deleting application credentials after a removed Keystone membership, ending partner-realm
// sessions of a user disabled or deleted at home; shown in the report, not counted by the brake,
// applied once (a re-run without drift writes nothing).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { brakeFindings } from '../../src/core/sync/brake.ts';
import { withKeystoneRemovalEffects, withRealmRemovalEffects } from '../../src/core/sync/effects.ts';
import { formatSync, summarize } from '../../src/core/sync/format.ts';
import type { SyncChange, SyncTarget } from '../../src/core/sync/model.ts';
import { isInSync, runSync } from '../../src/services/sync.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { ADMINS, changesOf, P1, syncWorld } from '../support/sync-world.ts';

const remove = (username: string, userId: string, group: string): SyncChange =>
  ({ op: 'removeMembership', system: 'keystone', username, userId, group, groupId: `id-${group}`, reason: 'policy rule p1-members no longer matches alice of cloud-a' });

describe('removal effects (pure)', () => {
  it('revokes tokens and deletes application credentials once per user, after all removals', () => {
    const changes = withKeystoneRemovalEffects([remove('cloud-a.alice', 'k1', 'fed-cloud-a/p1-members'), remove('cloud-a.alice', 'k1', 'fed-cloud-a/p1-admins'), remove('cloud-a.carol', 'k2', 'fed-cloud-a/p1-admins')]);
    assert.deepEqual(changes.map((c) => `${c.op} ${'userId' in c ? c.userId : ''}`), [
      'removeMembership k1', 'removeMembership k1', 'removeMembership k2', 'revokeTokens k1', 'deleteApplicationCredentials k1', 'revokeTokens k2', 'deleteApplicationCredentials k2']);
    assert.match(changes[3]!.reason, /cloud-a\.alice lost fed-cloud-a\/p1-members \(policy rule p1-members no longer matches alice of cloud-a\)/);
  });

  it('adds nothing without a removal, and nothing for a membership added', () => {
    const add: SyncChange = { op: 'addMembership', system: 'keystone', username: 'cloud-a.alice', userId: 'k1', group: 'fed-cloud-a/p1-members', groupId: 'g', reason: 'r' };
    assert.deepEqual(withKeystoneRemovalEffects([add]), [add]);
    assert.deepEqual(withRealmRemovalEffects([]), []);
  });

  it('ends realm sessions after disabling and before deleting a user', () => {
    const changes = withRealmRemovalEffects([
      { op: 'disableUser', system: 'keycloak', username: 'cloud-a.carol', userId: 'u1', reason: 'carol is disabled at home in cloud-a' },
      { op: 'deleteUser', system: 'keycloak', username: 'cloud-a.dave', userId: 'u2', reason: 'no such user at home in cloud-a (deleted there)' },
    ]);
    assert.deepEqual(changes.map((c) => `${c.op} ${'userId' in c ? c.userId : ''}`), ['disableUser u1', 'endSessions u1', 'endSessions u2', 'deleteUser u2']);
    assert.equal(changes[1]!.reason, 'carol is disabled at home in cloud-a');
  });

  it('effects are shown with their reason and counted apart; the brake does not count them as removals', () => {
    const changes = withKeystoneRemovalEffects([1, 2, 3, 4].map((i) => remove(`cloud-a.u${i}`, `k${i}`, 'fed-cloud-a/p1-members')));
    const target: SyncTarget = { home: 'cloud-a', partner: 'cloud-b', system: 'keystone', changes, observedUsers: 4, observedMemberships: 4 };
    assert.deepEqual(summarize([target]), { added: 0, removed: 4, changed: 0, effects: 8 });
    assert.deepEqual(brakeFindings(exampleSpec(), [target]), [], '4 removals stay below minRemovals 5, whatever the number of effects');
    const text = formatSync({ targets: [target], brake: [], failures: [], dryRun: true, stoppedByBrake: false });
    assert.match(text, /^cloud-b keystone \(users of cloud-a\): 0 added, 4 removed, 0 changed, 8 effects$/m);
    assert.match(text, /^ {2}! revoke the live tokens of cloud-a\.u1 {2}\(cloud-a\.u1 lost fed-cloud-a\/p1-members/m);
    assert.match(text, /^ {2}! delete the application credentials of cloud-a\.u1 /m);
  });
});

describe('removal effects in a sync run over the fakes', () => {
  it('removed from a home group: membership gone, tokens revoked and application credentials deleted in each partner Keystone, once', async () => {
    const w = syncWorld();
    await runSync(w.spec, w.deps);
    const ks = w.keystones.get('cloud-b')!;
    const alice = ks.userId('cloud-a.alice')!;
    ks.addApplicationCredential(alice);
    ks.addApplicationCredential(alice);
    w.homes.get('cloud-a')!.addUser('alice', []);
    const report = await runSync(w.spec, w.deps);
    assert.deepEqual(changesOf(report, 'cloud-b', 'keystone'), ['removeMembership cloud-a.alice fed-cloud-a/p1-members', 'revokeTokens cloud-a.alice', 'deleteApplicationCredentials cloud-a.alice']);
    assert.deepEqual(changesOf(report, 'cloud-c', 'keystone'), ['removeMembership cloud-a.alice fed-cloud-a/p1-members', 'revokeTokens cloud-a.alice', 'deleteApplicationCredentials cloud-a.alice']);
    assert.deepEqual(changesOf(report, 'cloud-b', 'keycloak'), ['removeMembership cloud-a.alice /cloud-a:/projects/p1/members'], 'still enabled at home: her realm sessions stay');
    assert.equal(ks.revocations.get(alice), 1);
    assert.equal(ks.applicationCredentials.get(alice), undefined);
    const before = w.writes();
    const again = await runSync(w.spec, w.deps);
    assert.ok(isInSync(again));
    assert.equal(w.writes(), before, 'a re-run writes nothing');
    assert.equal(ks.revocations.get(alice), 1, 'and does not revoke again');
  });

  it('disabled at home: partner users disabled and their sessions ended, memberships gone, tokens revoked', async () => {
    const w = syncWorld();
    await runSync(w.spec, w.deps);
    const realm = w.realms.get('cloud-b')!;
    const carol = realm.userByName('cloud-a.carol')!;
    realm.sessions.set(carol.id, 2);
    w.homes.get('cloud-a')!.addUser('carol', [P1, ADMINS], { enabled: false });
    const report = await runSync(w.spec, w.deps);
    assert.deepEqual(changesOf(report, 'cloud-b', 'keycloak'), ['disableUser cloud-a.carol', 'endSessions cloud-a.carol',
      'removeMembership cloud-a.carol /cloud-a:/projects/p1/admins', 'removeMembership cloud-a.carol /cloud-a:/projects/p1/members']);
    assert.equal(realm.userByName('cloud-a.carol')!.enabled, false);
    assert.equal(realm.sessions.get(carol.id), undefined);
    assert.equal(w.keystones.get('cloud-b')!.revocations.get(w.keystones.get('cloud-b')!.userId('cloud-a.carol')!), 1);
    assert.ok(isInSync(await runSync(w.spec, w.deps)));
  });

  it('deleted at home: sessions ended, then the partner user deleted', async () => {
    const w = syncWorld();
    await runSync(w.spec, w.deps);
    w.homes.get('cloud-a')!.removeUser('alice');
    const report = await runSync(w.spec, w.deps);
    assert.deepEqual(changesOf(report, 'cloud-b', 'keycloak'), ['endSessions cloud-a.alice', 'deleteUser cloud-a.alice']);
    assert.equal(w.realms.get('cloud-b')!.userByName('cloud-a.alice'), undefined);
    assert.ok(isInSync(await runSync(w.spec, w.deps)));
  });
});
