// The effect journal contract on the in-memory fake.
import { MemoryEffectJournal } from '../../src/adapters/fakes/effect-journal.ts';
import { effectJournalContract } from '../contract/effect-journal.contract.ts';

effectJournalContract('memory fake', async () => {
  const journal = new MemoryEffectJournal();
  return { journal, plant: async (cloud, key, text) => { journal.entries.set(cloud, new Map([...(journal.entries.get(cloud) ?? []), [key, text]])); } };
});
