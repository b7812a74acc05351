// Conformance suite of AuditStore: the in-memory store (unit) and the Redis stream (integration, the
// test bed's Redis) run the same checks. Each world has its own clock, moved by the test.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auditRecordOf } from '../../src/core/audit/record.ts';
import type { AuditStore } from '../../src/ports.ts';

export interface AuditWorld {
  readonly store: AuditStore;
  /** The store's clock (ms), and moving it. */
  now(): number;
  advance(ms: number): void;
}

const DAY = 24 * 3600 * 1000;
const unique = (what: string) => `${what}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** `retentionDays` is what `make` configured. */
export function auditStoreContract(name: string, make: () => Promise<AuditWorld>, retentionDays = 30): void {
  describe(`AuditStore contract: ${name}`, () => {
    it('finds one correlation id\'s records, the oldest first, with their clouds, actor and outcome', async () => {
      const world = await make();
      const id = unique('corr');
      const other = unique('corr');
      await world.store.append(auditRecordOf({ action: 'logout.started', correlationId: id, cloud: 'cloud-a', targets: ['keycloak/cloud-a', 'keystone/cloud-b'] }, world.now()));
      await world.store.append(auditRecordOf({ action: 'logout.delivered', correlationId: other, target: 'keycloak/cloud-c' }, world.now()));
      await world.store.append(auditRecordOf({ action: 'logout.retrying', correlationId: id, target: 'keystone/cloud-b', error: { code: 'ERR_HTTP_UNREACHABLE' } }, world.now() + 1));
      await world.store.append(auditRecordOf({ action: 'api.refused', correlationId: id, actor: { sub: 's1', username: 'bob', issuer: 'https://kc/realms/cloud-b' }, cloud: 'cloud-b' }, world.now() + 2));
      const found = await world.store.query({ correlationId: id, limit: 100 });
      assert.deepEqual(found.map((r) => [r.action, r.clouds, r.outcome, r.actor]), [
        ['logout.started', ['cloud-a', 'cloud-b'], 'ok', 'broker'],
        ['logout.retrying', ['cloud-b'], 'retrying', 'broker'],
        ['api.refused', ['cloud-b'], 'refused', 'bob (https://kc/realms/cloud-b)'],
      ]);
      assert.deepEqual(found[1]!.detail, { target: 'keystone/cloud-b', error: { code: 'ERR_HTTP_UNREACHABLE' } });
      assert.equal(new Set(found.map((r) => r.id)).size, 3, 'each record has its own id');
      assert.deepEqual((await world.store.query({ correlationId: id, limit: 2 })).map((r) => r.action), ['logout.started', 'logout.retrying'], 'the limit keeps the oldest');
      assert.deepEqual(await world.store.query({ correlationId: unique('none'), limit: 10 }), []);
    });

    it('filters by time and cloud together', async () => {
      const world = await make();
      const tag = unique('t');
      const start = world.now();
      await world.store.append(auditRecordOf({ action: 'sync.change', correlationId: `${tag}-1`, cloud: 'cloud-b' }, world.now()));
      world.advance(1000);
      const since = world.now();
      await world.store.append(auditRecordOf({ action: 'sync.change', correlationId: `${tag}-2`, cloud: 'cloud-b' }, world.now()));
      await world.store.append(auditRecordOf({ action: 'sync.change', correlationId: `${tag}-3`, cloud: 'cloud-c' }, world.now()));
      const ours = (rs: { correlationId: string }[]) => rs.map((r) => r.correlationId).filter((c) => c.startsWith(tag));
      assert.deepEqual(ours(await world.store.query({ sinceMs: start, cloud: 'cloud-b', limit: 10_000 })), [`${tag}-1`, `${tag}-2`]);
      assert.deepEqual(ours(await world.store.query({ sinceMs: since, cloud: 'cloud-b', limit: 10_000 })), [`${tag}-2`]);
      assert.deepEqual(ours(await world.store.query({ sinceMs: since, limit: 10_000 })), [`${tag}-2`, `${tag}-3`]);
    });

    it('keeps records for the retention period only', async () => {
      const world = await make();
      const id = unique('old');
      await world.store.append(auditRecordOf({ action: 'logout.started', correlationId: id, cloud: 'cloud-a' }, world.now()));
      world.advance((retentionDays - 1) * DAY);
      assert.equal((await world.store.query({ correlationId: id, limit: 10 })).length, 1, 'inside the retention');
      world.advance(2 * DAY);
      assert.deepEqual(await world.store.query({ correlationId: id, limit: 10 }), [], 'past the retention');
      assert.deepEqual((await world.store.query({ cloud: 'cloud-a', limit: 10_000 })).filter((r) => r.correlationId === id), []);
    });

    it('pages through every record in store order (export) and imports an export whole, times and correlation kept', async () => {
      const world = await make();
      const tag = unique('export');
      for (let i = 0; i < 5; i++) await world.store.append(auditRecordOf({ action: 'sync.change', correlationId: `${tag}-${i % 2}`, cloud: 'cloud-b', n: i }, world.now() + i));
      const seen: { id: string; correlationId: string; detail: Record<string, unknown> }[] = [];
      for (let page = await world.store.page(undefined, 2); page.length > 0; page = await world.store.page(page[page.length - 1]!.id, 2)) seen.push(...page);
      const ours = seen.filter((r) => r.correlationId.startsWith(tag));
      assert.deepEqual(ours.map((r) => r.detail['n']), [0, 1, 2, 3, 4]);
      assert.equal(new Set(seen.map((r) => r.id)).size, seen.length, 'no record twice');

      const target = await make();
      const moved = unique('moved');
      const records = ours.map(({ id: _id, ...r }) => ({ ...(r as Omit<typeof r, 'id'>), correlationId: `${moved}-${r.correlationId.endsWith('-0') ? 0 : 1}` }));
      await target.store.importAll(records as never);
      const back = await target.store.query({ correlationId: `${moved}-0`, limit: 10 });
      assert.deepEqual(back.map((r) => r.detail['n']), [0, 2, 4]);
      assert.deepEqual(back.map((r) => r.time), ours.filter((r) => r.correlationId.endsWith('-0')).map((r) => (r as unknown as { time: string }).time));
    });
  });
}
