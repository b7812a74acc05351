// Conformance suite of SyncEffectJournal: the in-memory fake (unit) and the Redis adapter
// (integration, the test bed's Redis) run the same checks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError } from '../../src/core/errors.ts';
import type { PendingEffects } from '../../src/core/sync/model.ts';
import type { SyncEffectJournal } from '../../src/ports.ts';

export interface JournalWorld {
  readonly journal: SyncEffectJournal;
  /** Stores `text` under `key` in `cloud`'s journal as it is, bypassing the adapter (a damaged entry). */
  plant(cloud: string, key: string, text: string): Promise<void>;
}

const cloud = () => `cloud-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const entry = (userId: string): PendingEffects => ({ key: `keystone:${userId}`, home: 'cloud-a', system: 'keystone', effects: [
  { op: 'revokeTokens', system: 'keystone', username: 'cloud-a.alice', userId, reason: 'cloud-a.alice lost fed-cloud-a/p1-members' },
  { op: 'deleteApplicationCredentials', system: 'keystone', username: 'cloud-a.alice', userId, reason: 'cloud-a.alice lost fed-cloud-a/p1-members' },
] });

export function effectJournalContract(name: string, make: () => Promise<JournalWorld>): void {
  describe(`SyncEffectJournal contract: ${name}`, () => {
    it('keeps what is recorded per cloud until it is cleared; recording again replaces', async () => {
      const { journal } = await make();
      const [b, c] = [cloud(), cloud()];
      assert.deepEqual(await journal.pending(b), []);
      await journal.record(b, entry('k1'));
      await journal.record(b, entry('k2'));
      await journal.record(b, entry('k2'));
      await journal.record(c, entry('k3'));
      assert.deepEqual((await journal.pending(b)).sort((x, y) => x.key.localeCompare(y.key)), [entry('k1'), entry('k2')]);
      assert.deepEqual(await journal.pending(c), [entry('k3')]);
      await journal.clear(b, 'keystone:k1');
      await journal.clear(b, 'keystone:k1');
      assert.deepEqual(await journal.pending(b), [entry('k2')]);
      await journal.clear(b, 'keystone:k2');
      await journal.clear(c, 'keystone:k3');
      assert.deepEqual(await journal.pending(b), []);
    });

    it('an entry that cannot be read back is ERR_SYNC_JOURNAL_INVALID naming the cloud and the key', async () => {
      const world = await make();
      const b = cloud();
      for (const text of ['not json', '{"key":"keystone:k9","home":"cloud-a","system":"keystone","effects":[{"op":"deleteUser","system":"keystone","username":"x","userId":"k9","reason":"r"}]}']) {
        await world.plant(b, 'keystone:k9', text);
        await assert.rejects(world.journal.pending(b), (e: unknown) => isBrokerError(e) && e.code === 'ERR_SYNC_JOURNAL_INVALID'
          && (e.details as { cloud?: string; key?: string }).cloud === b && (e.details as { key?: string }).key === 'keystone:k9');
      }
      await world.journal.clear(b, 'keystone:k9');
      assert.deepEqual(await world.journal.pending(b), []);
    });
  });
}
