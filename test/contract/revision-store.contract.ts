// The RevisionStore contract (src/ports/api.ts), run on the memory store (unit) and on Redis
// (integration): consecutive numbers only, one successor of a revision under concurrency, update in
// place, newest-first listing with a bound, export of all, import into an empty store only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError } from '../../src/core/errors.ts';
import { finished, nextRevision, type Revision } from '../../src/core/revisions/revision.ts';
import type { RevisionStore } from '../../src/ports/api.ts';
import { exampleSpec } from '../support/example-federation.ts';

const base = exampleSpec();
const renamed = exampleSpec((d) => { d.clouds[1].displayName = 'Cloud B, renamed'; });

function revisionAfter(previous: Revision | undefined, spec = base): Revision {
  return nextRevision({ previous, spec, fingerprint: `fp-${(previous?.number ?? 0) + 1}`, author: 'tester', timeMs: 1_700_000_000_000, origin: previous ? { kind: 'apply', planId: 'plan-1' } : { kind: 'import', source: 'spec.yaml' } });
}

export function revisionStoreContract(name: string, make: () => Promise<RevisionStore>): void {
  describe(`RevisionStore contract (${name})`, () => {
    it('starts empty; appends 1, 2, ... and reads them back whole', async () => {
      const store = await make();
      assert.equal(await store.latest(), undefined);
      const one = revisionAfter(undefined);
      assert.equal(await store.append(one), true);
      const two = revisionAfter(one, renamed);
      assert.equal(await store.append(two), true);
      assert.deepEqual(await store.get(2), two);
      assert.equal((await store.latest())?.number, 2);
      assert.equal((await store.get(2))?.spec.clouds[1]?.displayName, 'Cloud B, renamed');
      assert.deepEqual((await store.get(2))?.diff.map((d) => d.path), ['clouds[cloud-b].displayName']);
      assert.equal(await store.get(3), undefined);
    });

    it('refuses a number that does not follow the latest; of two concurrent successors exactly one is stored', async () => {
      const store = await make();
      const one = revisionAfter(undefined);
      assert.equal(await store.append({ ...one, number: 2 }), false);
      assert.equal(await store.append(one), true);
      assert.equal(await store.append(one), false, 'revision 1 again');
      const results = await Promise.all([store.append(revisionAfter(one, renamed)), store.append({ ...revisionAfter(one), author: 'other' })]);
      assert.deepEqual(results.filter(Boolean).length, 1);
      assert.equal((await store.latest())?.number, 2);
    });

    it('updates a revision in place (its outcome); an unknown one is ERR_NOT_FOUND', async () => {
      const store = await make();
      const one = revisionAfter(undefined);
      await store.append(one);
      const done = finished(one, { status: 'applied', applied: 3, failed: 0, notAttempted: 0, unreachable: 0 }, 1_700_000_001_000);
      await store.update(done);
      assert.deepEqual((await store.get(1))?.result, done.result);
      assert.equal((await store.get(1))?.finishedAt, '2023-11-14T22:13:21.000Z');
      await assert.rejects(store.update({ ...done, number: 7 }), (e) => isBrokerError(e) && e.code === 'ERR_NOT_FOUND');
    });

    it('lists the newest first without specs, bounded, below a number', async () => {
      const store = await make();
      let previous: Revision | undefined;
      for (let i = 0; i < 5; i++) { const r = revisionAfter(previous); await store.append(r); previous = r; }
      const listed = await store.list({ limit: 3 });
      assert.deepEqual(listed.map((r) => r.number), [5, 4, 3]);
      assert.equal('spec' in listed[0]!, false);
      assert.deepEqual((await store.list({ limit: 10, before: 3 })).map((r) => r.number), [2, 1]);
      assert.deepEqual((await store.all()).map((r) => r.number), [1, 2, 3, 4, 5]);
    });

    it('imports into an empty store, all at once; a store with revisions refuses with ERR_CONFLICT and keeps its own', async () => {
      const source = await make();
      let previous: Revision | undefined;
      for (let i = 0; i < 3; i++) { const r = revisionAfter(previous); await source.append(r); previous = r; }
      const target = await make();
      await target.importAll(await source.all());
      assert.deepEqual(await target.all(), await source.all());
      assert.equal((await target.latest())?.number, 3);
      assert.equal(await target.append(revisionAfter(await target.latest())), true, 'numbering goes on after an import');
      await assert.rejects(target.importAll(await source.all()), (e) => isBrokerError(e) && e.code === 'ERR_CONFLICT');
      assert.equal((await target.latest())?.number, 4);
    });
  });
}
