// `fedbroker export` and `fedbroker import` between two Redis databases of the test bed's Redis
// (db 3 and db 4, emptied before and after): what is imported reads back equal (revisions whole, audit
// records with their times and correlation ids); a second import is refused (ERR_CONFLICT) and changes
// nothing; a damaged file is refused with the line (ERR_IMPORT_INVALID) and writes nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisAuditStore } from '../../src/adapters/redis/audit-store.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../src/adapters/redis/logout-store.ts';
import { RedisRevisionStore } from '../../src/adapters/redis/revision-store.ts';
import { auditRecordOf } from '../../src/core/audit/record.ts';
import { nextRevision } from '../../src/core/revisions/revision.ts';
import { fingerprint } from '../../src/services/api/plans.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { fedbroker } from '../support/federation.ts';
import { loadTestbed } from '../support/testbed.ts';

const base = loadTestbed().redis.url.replace(/\/\d*$/, '');
const SOURCE = `${base}/3`;
const TARGET = `${base}/4`;

describe('export and import between two Redis databases', { timeout: 120_000 }, () => {
  let source: RedisClient;
  let target: RedisClient;
  const dir = mkdtempSync(join(tmpdir(), 'fedbroker-export-'));
  const file = join(dir, 'export.jsonl');

  before(async () => {
    [source, target] = [await connectRedis(SOURCE), await connectRedis(TARGET)];
    await source.flushdb();
    await target.flushdb();
    const revisions = new RedisRevisionStore(source);
    const spec = exampleSpec();
    const renamed = exampleSpec((d) => { d.clouds[1].displayName = 'Cloud B, renamed'; });
    const one = nextRevision({ previous: undefined, spec, fingerprint: fingerprint(spec), author: 'broker', timeMs: Date.now() - 60_000, origin: { kind: 'import', source: '/etc/fedbroker/federation.yaml' }, result: { status: 'imported' } });
    assert.equal(await revisions.append(one), true);
    assert.equal(await revisions.append(nextRevision({ previous: one, spec: renamed, fingerprint: fingerprint(renamed), author: 'carol (https://kc/realms/cloud-b)', timeMs: Date.now(), origin: { kind: 'apply', planId: 'plan-1' } })), true);
    const audit = new RedisAuditStore(source, { retentionDays: 30, now: () => Date.now() });
    for (let i = 0; i < 1500; i++) await audit.append(auditRecordOf({ action: 'sync.change', correlationId: `run-${i % 3}`, cloud: 'cloud-b', n: i }, Date.now() - 1000 + i % 10));
  });

  after(async () => {
    await source.flushdb();
    await target.flushdb();
    await closeRedis(source);
    await closeRedis(target);
  });

  it('exports, imports into an empty Redis, and reads back the same revisions and audit records', async () => {
    const exported = fedbroker('export', '--redis', SOURCE, '--file', file, '-o', 'json');
    assert.equal(exported.status, 0, exported.stderr);
    assert.deepEqual(JSON.parse(exported.stdout), { file, revisions: 2, audit: 1500 });
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 1 + 2 + 1500);
    const imported = fedbroker('import', file, '--redis', TARGET, '-o', 'json');
    assert.equal(imported.status, 0, imported.stderr);
    assert.deepEqual(JSON.parse(imported.stdout), { file, imported: true, revisions: 2, audit: 1500, auditPastRetention: 0 });
    assert.deepEqual(await new RedisRevisionStore(target).all(), await new RedisRevisionStore(source).all());
    const query = (r: RedisClient) => new RedisAuditStore(r, { retentionDays: 30, now: () => Date.now() }).query({ correlationId: 'run-1', limit: 10_000 });
    const strip = (rs: { id: string }[]) => rs.map(({ id: _id, ...rest }) => rest);
    assert.deepEqual(strip(await query(target)), strip(await query(source)));
    assert.equal((await query(target)).length, 500);
  });

  it('a second import is refused with ERR_CONFLICT, and the target keeps what it had', async () => {
    const before = await target.xlen('fedbroker:audit');
    const again = fedbroker('import', file, '--redis', TARGET, '-o', 'json');
    assert.equal(again.status, 1);
    assert.equal(JSON.parse(again.stdout).error.code, 'ERR_CONFLICT');
    assert.equal(await target.xlen('fedbroker:audit'), before);
  });

  it('a damaged file is refused with the line that is wrong (ERR_IMPORT_INVALID); nothing is written', async () => {
    await target.flushdb();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    lines[700] = lines[700]!.replace('"outcome":"ok"', '"outcome":"perhaps"');
    const damaged = join(dir, 'damaged.jsonl');
    writeFileSync(damaged, lines.join('\n'));
    const refused = fedbroker('import', damaged, '--redis', TARGET);
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`${damaged.replace(/[.]/g, '\\.')}:701: not an audit record: audit\\.outcome`));
    assert.match(refused.stderr, /ERR_IMPORT_INVALID/);
    const asJson = fedbroker('import', damaged, '--redis', TARGET, '-o', 'json');
    const error = JSON.parse(asJson.stdout).error;
    assert.equal(error.code, 'ERR_IMPORT_INVALID');
    assert.deepEqual(error.details.problems.map((p: { line: number }) => p.line), [701]);
    assert.equal(await target.dbsize(), 0, 'nothing imported');
  });
});
