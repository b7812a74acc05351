// In-memory SyncEffectJournal with the Redis adapter's semantics (entries stored as JSON text, so a
// test can plant a malformed one); `down` makes every call fail, like Redis unreachable.
import { BrokerError } from '../../core/errors.ts';
import { readPendingEffects } from '../../core/sync/journal.ts';
import type { PendingEffects } from '../../core/sync/model.ts';
import type { SyncEffectJournal } from '../../ports.ts';

export class MemoryEffectJournal implements SyncEffectJournal {
  down = false;
  readonly entries = new Map<string, Map<string, string>>();

  async record(cloud: string, entry: PendingEffects): Promise<void> {
    this.#check();
    this.#of(cloud).set(entry.key, JSON.stringify(entry));
  }

  async clear(cloud: string, key: string): Promise<void> {
    this.#check();
    this.#of(cloud).delete(key);
  }

  async pending(cloud: string): Promise<PendingEffects[]> {
    this.#check();
    return [...this.#of(cloud)].map(([key, stored]) => readPendingEffects(cloud, key, stored));
  }

  #of(cloud: string): Map<string, string> {
    const entries = this.entries.get(cloud) ?? new Map<string, string>();
    this.entries.set(cloud, entries);
    return entries;
  }

  #check(): void {
    if (this.down) throw new BrokerError('ERR_QUEUE_UNAVAILABLE', 'Redis is not reachable (sync effect journal, fake)');
  }
}
