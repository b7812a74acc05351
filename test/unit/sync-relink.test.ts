// A home offboarded and onboarded again before a sync removed its users (docs/sync.md "Offboarded and
// back"): deleting the home's identity provider deleted the links of its brokered users in the partner,
// who kept their home_cloud and home_sub attributes. The next sync links each of them to the provider
// made since (same user id, memberships kept), instead of failing to create a user that exists; a
// user of the same name without those attributes is not the broker's and is left alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runSync, type SyncReport } from '../../src/services/sync.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { world } from '../support/sync-fake-world.ts';

const ops = (report: SyncReport, partner: string) => report.targets.filter((t) => t.partner === partner && t.system === 'keycloak')
  .flatMap((t) => t.changes.map((c) => `${c.op} ${'username' in c ? c.username : c.op === 'createUser' ? c.user.username : ''}`)).sort();

describe('brokered users that lost their link when their home was offboarded', () => {
  it('are linked again by the next sync, keeping their id and memberships; the run after makes no change', async () => {
    const w = world(exampleSpec());
    await runSync(exampleSpec(), w.deps, { clouds: ['cloud-b'] });
    const realm = w.realms.get('cloud-b')!;
    const alice = realm.userByName('cloud-a.alice')!;
    const groupsBefore = [...realm.groups.values()].filter((g) => g.members.has(alice.id)).map((g) => g.path);
    assert.ok(groupsBefore.length > 0);
    alice.links.length = 0; // the identity provider cloud-a was deleted and made again

    const report = await runSync(exampleSpec(), w.deps, { clouds: ['cloud-b'] });
    assert.deepEqual(report.failures, []);
    assert.deepEqual(ops(report, 'cloud-b'), ['linkUser cloud-a.alice']);
    const change = report.targets.flatMap((t) => t.changes).find((c) => c.op === 'linkUser')!;
    assert.match(change.reason, /lost its link .* deleted \(offboarding\)/);
    assert.equal(realm.userByName('cloud-a.alice')!.id, alice.id, 'the same user');
    assert.deepEqual(alice.links.map((l) => [l.identityProvider, l.userId, l.userName]), [['cloud-a', 'cloud-a-alice-id', 'alice']]);
    assert.deepEqual([...realm.groups.values()].filter((g) => g.members.has(alice.id)).map((g) => g.path), groupsBefore, 'memberships kept');
    assert.deepEqual(ops(await runSync(exampleSpec(), w.deps, { clouds: ['cloud-b'] }), 'cloud-b'), [], 'nothing left to do');
  });

  it('a user of the same name without the home\'s attributes is not the broker\'s: not linked, the creation is refused and reported', async () => {
    const w = world(exampleSpec());
    const realm = w.realms.get('cloud-b')!;
    const hand = realm.addUserByHand('cloud-a.alice');
    const report = await runSync(exampleSpec(), w.deps, { clouds: ['cloud-b'] });
    assert.ok(!ops(report, 'cloud-b').includes('linkUser cloud-a.alice'));
    assert.deepEqual(hand.links, []);
    assert.ok(report.failures.some((f) => f.cloud === 'cloud-b' && (f.error as { code?: string }).code === 'ERR_CONFLICT'), JSON.stringify(report.failures.map((f) => String(f.error))));
  });

  it('an unlinked user whose home_sub is another person\'s (deleted and made again at home) is replaced, not linked', async () => {
    const w = world(exampleSpec());
    await runSync(exampleSpec(), w.deps, { clouds: ['cloud-b'] });
    const realm = w.realms.get('cloud-b')!;
    const old = realm.userByName('cloud-a.alice')!;
    old.links.length = 0;
    old.attributes['home_sub'] = ['someone-else'];
    const report = await runSync(exampleSpec(), w.deps, { clouds: ['cloud-b'] });
    assert.deepEqual(report.failures, []);
    assert.ok(ops(report, 'cloud-b').includes('deleteUser cloud-a.alice') && ops(report, 'cloud-b').includes('createUser cloud-a.alice'), ops(report, 'cloud-b').join(', '));
    assert.ok(!ops(report, 'cloud-b').includes('linkUser cloud-a.alice'));
    assert.notEqual(realm.userByName('cloud-a.alice')!.id, old.id);
  });
});
