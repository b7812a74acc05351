// Conformance suites of the logout ports: the fakes (unit) and the real adapters (integration) run
// the same checks, so the fakes keep the real semantics.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pendingDelivery, type LogoutEventRecord } from '../../src/core/logout/report.ts';
import type { DeliveryAttempt, DeliveryJob, DeliveryQueue, KeystoneRevocationPort, LogoutStore } from '../../src/ports.ts';

const unique = () => `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

export function logoutStoreContract(name: string, make: () => Promise<LogoutStore>): void {
  describe(`LogoutStore contract: ${name}`, () => {
    it('claimOnce is true once per key until released', async () => {
      const store = await make();
      const key = unique();
      assert.equal(await store.claimOnce(key, 60), true);
      assert.equal(await store.claimOnce(key, 60), false);
      await store.release(key);
      assert.equal(await store.claimOnce(key, 60), true);
    });
    it('claimSession answers the holder to later claimants', async () => {
      const store = await make();
      const key = unique();
      assert.equal(await store.claimSession(key, 'e1', 60), undefined);
      assert.equal(await store.claimSession(key, 'e2', 60), 'e1');
      assert.equal(await store.claimSession(key, 'e1', 60), 'e1');
    });
    it('events are created once, coalesced signals and deliveries are kept, checkpoints round-trip', async () => {
      const store = await make();
      const id = unique();
      const event: LogoutEventRecord = { id, source: 'admin', cloud: 'cloud-a', subject: { homeCloud: 'cloud-a', homeSub: 's' }, receivedAt: 1, correlationId: id, targets: [{ system: 'keycloak', cloud: 'cloud-a' }] };
      assert.equal(await store.createEvent(event), true);
      assert.equal(await store.createEvent({ ...event, cloud: 'cloud-b' }), false);
      await store.addCoalesced(id, 'x1');
      await store.addCoalesced(id, 'x1');
      assert.deepEqual(await store.event(id), { ...event, coalesced: ['x1'] });
      assert.equal(await store.event(unique()), undefined);
      const d = { ...pendingDelivery({ system: 'keycloak', cloud: 'cloud-a' }), attempts: 2, status: 'retrying' as const };
      await store.saveDelivery(id, d);
      await store.saveDelivery(id, { ...d, attempts: 3 });
      assert.deepEqual(await store.deliveries(id), [{ ...d, attempts: 3 }]);
      const cloud = unique();
      assert.equal(await store.checkpoint(cloud), undefined);
      await store.saveCheckpoint(cloud, { time: 5, ids: ['a', 'b'] });
      assert.deepEqual(await store.checkpoint(cloud), { time: 5, ids: ['a', 'b'] });
      await store.ping();
    });
  });
}

export function deliveryQueueContract(name: string, make: () => Promise<DeliveryQueue>): void {
  describe(`DeliveryQueue contract: ${name}`, () => {
    it('runs each key once, retries a failing job with backoff until it succeeds, numbering attempts', async () => {
      const queue = await make();
      const seen: { key: string; attempt: DeliveryAttempt }[] = [];
      const done = new Map<string, () => void>();
      const finished = (key: string) => new Promise<void>((resolve) => done.set(key, resolve));
      queue.process(async (job: DeliveryJob, attempt) => {
        seen.push({ key: job.key, attempt });
        if (job.key.endsWith('flaky') && attempt.attempt < 3) throw new Error('target down');
        done.get(job.key)?.();
      });
      try {
        const run = unique();
        const ok = { key: `${run}-ok`, eventId: run, target: { system: 'keycloak' as const, cloud: 'cloud-a' } };
        const flaky = { key: `${run}-flaky`, eventId: run, target: { system: 'keystone' as const, cloud: 'cloud-b' } };
        const both = Promise.all([finished(ok.key), finished(flaky.key)]);
        await queue.enqueue([ok, flaky]);
        await queue.enqueue([ok]);
        await both;
        await new Promise((r) => setTimeout(r, 300));
        assert.deepEqual(seen.filter((s) => s.key === ok.key).map((s) => s.attempt.attempt), [1]);
        assert.deepEqual(seen.filter((s) => s.key === flaky.key).map((s) => s.attempt.attempt), [1, 2, 3]);
        assert.ok(seen.every((s) => s.attempt.final === false));
      } finally {
        await queue.close();
      }
    });

    it('drain lets the job under way finish, then takes no new job', async () => {
      const queue = await make();
      const run = unique();
      const ran: string[] = [];
      let started!: () => void;
      const startedP = new Promise<void>((resolve) => { started = resolve; });
      queue.process(async (job) => {
        if (job.key.endsWith('slow')) { started(); await new Promise((r) => setTimeout(r, 400)); }
        ran.push(job.key);
      });
      try {
        await queue.enqueue([{ key: `${run}-slow`, eventId: run, target: { system: 'keycloak' as const, cloud: 'cloud-a' } }]);
        await startedP;
        assert.equal(await queue.drain(5000), true);
        assert.deepEqual(ran, [`${run}-slow`]);
        await queue.enqueue([{ key: `${run}-late`, eventId: run, target: { system: 'keycloak' as const, cloud: 'cloud-b' } }]).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 300));
        assert.deepEqual(ran, [`${run}-slow`], 'a drained queue started a new job');
      } finally {
        await queue.close();
      }
    });

    it('drain gives up at the end of the grace period when a job does not finish', async () => {
      const queue = await make();
      const run = unique();
      let started!: () => void;
      const startedP = new Promise<void>((resolve) => { started = resolve; });
      // Never settles: a delivery that ends after its worker was closed is the next owner's to finish.
      queue.process(async () => { started(); await new Promise<void>(() => undefined); });
      try {
        await queue.enqueue([{ key: `${run}-hangs`, eventId: run, target: { system: 'keystone' as const, cloud: 'cloud-a' } }]);
        await startedP;
        const t0 = Date.now();
        assert.equal(await queue.drain(300), false);
        const took = Date.now() - t0;
        assert.ok(took >= 250 && took < 2000, `drain took ${took} ms for a 300 ms grace period`);
      } finally {
        await queue.close();
      }
    });
  });
}

export interface KeystoneFixture {
  readonly port: KeystoneRevocationPort;
  /** Logs a federated user in (a new one, or `uniqueId` again); returns their unique id and a check whether the token still validates. */
  login(uniqueId?: string): Promise<{ uniqueId: string; tokenValid(): Promise<boolean> }>;
}

export function keystoneRevocationContract(name: string, make: () => Promise<KeystoneFixture>): void {
  describe(`KeystoneRevocationPort contract: ${name}`, () => {
    it('an unknown user revokes nothing, idempotently', async () => {
      const { port } = await make();
      assert.equal(await port.revokeFederatedUser(`nobody-${unique()}`), 0);
      assert.equal(await port.revokeFederatedUser(`nobody-${unique()}`), 0);
    });
    it('revokes the live token of a federated user; a repeated revocation is harmless; the next login works', async () => {
      const fixture = await make();
      const login = await fixture.login();
      assert.equal(await login.tokenValid(), true);
      assert.equal(await fixture.port.revokeFederatedUser(login.uniqueId), 1);
      assert.equal(await login.tokenValid(), false);
      assert.ok(await fixture.port.revokeFederatedUser(login.uniqueId) <= 1);
      assert.equal(await login.tokenValid(), false);
      const again = await fixture.login(login.uniqueId);
      assert.equal(again.uniqueId, login.uniqueId);
      assert.equal(await again.tokenValid(), true, 'a login after the revocation gets a working token');
    });
  });
}
