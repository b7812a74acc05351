// The PlanStore and RunStore contracts (src/ports/api.ts), on memory (unit) and Redis (integration):
// a plan reads back until it expires; of concurrent claims exactly one gets it; a run is replaced as
// it goes running → done; unknown ids are undefined.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PlanStore, RunStore, StoredPlan } from '../../src/ports/api.ts';
import { exampleSpec } from '../support/example-federation.ts';

const NOW = Date.parse('2026-12-01T10:00:00Z');

function storedPlan(id: string, ttlMs = 60_000): StoredPlan {
  return {
    id, spec: exampleSpec(), baseFingerprint: 'base', planFingerprint: 'plan', baseRevision: 3,
    plan: { changes: [], summary: { create: 0, update: 0, delete: 0, noop: 0, conflict: 0 } } as unknown as StoredPlan['plan'],
    createdBy: { subject: 's', issuer: 'https://kc/realms/cloud-b', federationAdmin: false, cloudAdminOf: 'cloud-b' } as StoredPlan['createdBy'],
    createdAt: NOW, expiresAt: NOW + ttlMs,
  };
}

export function apiStoresContract(name: string, make: () => Promise<{ plans: PlanStore; runs: RunStore<{ n: number }> }>): void {
  describe(`PlanStore and RunStore contract (${name})`, () => {
    it('keeps a plan whole until it expires', async () => {
      const { plans } = await make();
      const plan = storedPlan('plan-1');
      await plans.save(plan);
      const back = await plans.get('plan-1', NOW + 1000);
      assert.deepEqual(JSON.parse(JSON.stringify(back)), JSON.parse(JSON.stringify(plan)));
      assert.equal(back?.spec.clouds[1]?.alias, 'cloud-b');
      assert.equal(await plans.get('plan-1', NOW + 60_000), undefined, 'expired at its expiresAt');
      assert.equal(await plans.get('plan-unknown', NOW), undefined);
    });

    it('a plan is claimed once: of ten concurrent claims exactly one gets it, later ones none', async () => {
      const { plans } = await make();
      await plans.save(storedPlan('plan-2'));
      const claims = await Promise.all(Array.from({ length: 10 }, () => plans.claim('plan-2', NOW + 1000)));
      assert.equal(claims.filter((c) => c !== undefined).length, 1);
      assert.equal(claims.find((c) => c)?.id, 'plan-2');
      assert.equal(await plans.claim('plan-2', NOW + 1000), undefined);
      assert.equal(await plans.get('plan-2', NOW + 1000), undefined);
      await plans.save(storedPlan('plan-3', 10));
      assert.equal(await plans.claim('plan-3', NOW + 10), undefined, 'an expired plan is not claimed');
    });

    it('a run record is replaced as the run goes on', async () => {
      const { runs } = await make();
      await runs.put({ id: 'sync-1', status: 'running', clouds: ['cloud-b'], startedAt: NOW });
      assert.equal((await runs.get('sync-1'))?.status, 'running');
      await runs.put({ id: 'sync-1', status: 'done', clouds: ['cloud-b'], startedAt: NOW, result: { n: 3 } });
      assert.deepEqual(await runs.get('sync-1'), { id: 'sync-1', status: 'done', clouds: ['cloud-b'], startedAt: NOW, result: { n: 3 } });
      assert.equal(await runs.get('sync-unknown'), undefined);
    });
  });
}
