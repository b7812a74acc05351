// Conformance suite of LeaseStore: the in-memory fake (unit, its clock moved by the test) and the
// Redis adapter (integration, real waiting on the test bed's Redis) run the same checks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LeaseStore } from '../../src/ports.ts';

const unique = () => `lease-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

export interface LeaseWorld {
  readonly store: LeaseStore;
  /** Lets `ms` pass (the fake's clock moves; for Redis the test waits). */
  elapse(ms: number): Promise<void>;
}

/** `ttl` is the lease time-to-live the checks use: short enough to wait for on a real Redis. */
export function leaseStoreContract(name: string, make: () => Promise<LeaseWorld>, ttl = 300): void {
  describe(`LeaseStore contract: ${name}`, () => {
    it('one holder at a time: a second token is refused while the first holds it', async () => {
      const { store } = await make();
      const lease = unique();
      assert.equal(await store.acquire(lease, 't1', 10_000), true);
      assert.equal(await store.acquire(lease, 't2', 10_000), false);
      assert.equal(await store.acquire(lease, 't1', 10_000), false, 'not re-entrant: the holder renews instead');
      assert.equal(await store.holds(lease, 't1'), true);
      assert.equal(await store.holds(lease, 't2'), false);
      assert.equal(await store.holds(unique(), 't1'), false);
      await store.release(lease, 't1');
    });

    it('release is compare-and-delete: only the holder frees it, then another can take it', async () => {
      const { store } = await make();
      const lease = unique();
      await store.acquire(lease, 't1', 10_000);
      assert.equal(await store.release(lease, 't2'), false);
      assert.equal(await store.holds(lease, 't1'), true, 'a wrong token released nothing');
      assert.equal(await store.release(lease, 't1'), true);
      assert.equal(await store.release(lease, 't1'), false);
      assert.equal(await store.acquire(lease, 't2', 10_000), true);
      await store.release(lease, 't2');
    });

    it('a lease not renewed expires after its TTL; renewing keeps it; a lost lease cannot be renewed or released', async () => {
      const world = await make();
      const { store } = world;
      const kept = unique();
      const lost = unique();
      await store.acquire(kept, 't1', ttl);
      await store.acquire(lost, 't1', ttl);
      await world.elapse(ttl * 0.6);
      assert.equal(await store.renew(kept, 't1', ttl), true);
      assert.equal(await store.renew(kept, 't2', ttl), false, 'another token cannot renew');
      await world.elapse(ttl * 0.6);
      assert.equal(await store.holds(kept, 't1'), true, 'renewed: still held past the first TTL');
      assert.equal(await store.holds(lost, 't1'), false, 'not renewed: expired');
      assert.equal(await store.renew(lost, 't1', ttl), false);
      assert.equal(await store.acquire(lost, 't2', 10_000), true, 'an expired lease can be taken by another');
      assert.equal(await store.renew(lost, 't1', ttl), false, 'the old holder cannot take it back by renewing');
      assert.equal(await store.release(lost, 't1'), false, 'nor free it');
      assert.equal(await store.holds(lost, 't2'), true);
      await store.release(lost, 't2');
      await store.release(kept, 't1');
    });
  });
}
