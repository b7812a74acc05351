// `fedbroker export` and `fedbroker import` (docs/api.md, "Export and import"): the spec revisions of
// API mode and the durable audit trail, out of one Redis and into another (backup, a new store).
// Import reads and checks the whole file first, then writes into an empty revision store in one step,
// then the audit records in one step; nothing is half-written by a bad file.
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { RedisAuditStore } from '../adapters/redis/audit-store.ts';
import { closeRedis, connectRedis, type RedisClient } from '../adapters/redis/logout-store.ts';
import { RedisRevisionStore } from '../adapters/redis/revision-store.ts';
import { auditLine, exportHeader, readExport, revisionLine } from '../core/backup/export-file.ts';
import { BrokerError } from '../core/errors.ts';
import { auditRetentionDays, redisUrl } from './logout-compose.ts';
import { EXIT, printJson, type OutputFormat } from './output.ts';

const PAGE = 1000;

export interface ExportOptions { readonly redis?: string; readonly file?: string; readonly output: OutputFormat }
export interface ImportOptions { readonly redis?: string; readonly output: OutputFormat; readonly auditOnly?: boolean }

async function withRedis<T>(url: string | undefined, work: (redis: RedisClient) => Promise<T>): Promise<T> {
  const redis = await connectRedis(redisUrl(url)).catch((cause: unknown) => { throw new BrokerError('ERR_STORE_UNAVAILABLE', 'Redis cannot be reached', { cause }); });
  try { return await work(redis); } finally { await closeRedis(redis); }
}

export async function exportCommand(opts: ExportOptions): Promise<number> {
  const now = Date.now();
  return withRedis(opts.redis, async (redis) => {
    const revisions = await new RedisRevisionStore(redis).all();
    const audit = new RedisAuditStore(redis, { retentionDays: auditRetentionDays(), now: () => now });
    // The audit trail is read whole before the header is written: the header carries its count.
    const records = [];
    for (let page = await audit.page(undefined, PAGE); page.length > 0; page = await audit.page(page[page.length - 1]!.id, PAGE)) records.push(...page);
    const out = opts.file ? createWriteStream(opts.file, { mode: 0o600 }) : process.stdout;
    const write = async (line: string) => { if (!out.write(`${line}\n`)) await once(out, 'drain'); };
    await write(exportHeader(now, revisions.length, records.length));
    for (const r of revisions) await write(revisionLine(r));
    for (const r of records) await write(auditLine(r));
    if (opts.file) {
      (out as ReturnType<typeof createWriteStream>).end();
      await once(out, 'finish');
      const summary = { file: opts.file, revisions: revisions.length, audit: records.length };
      if (opts.output === 'json') printJson(summary);
      else console.log(`exported ${revisions.length} spec revisions and ${records.length} audit records to ${opts.file}`);
    }
    return EXIT.OK;
  });
}

export async function importCommand(file: string, opts: ImportOptions): Promise<number> {
  let text: string;
  try { text = await readFile(file, 'utf8'); } catch (cause) {
    throw new BrokerError('ERR_IMPORT_INVALID', `cannot read export file ${file}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, { cause, details: { file } });
  }
  const read = readExport(text);
  if (!read.ok) {
    if (opts.output !== 'json') for (const p of read.problems) console.error(`${file}:${p.line}: ${p.message}`);
    const count = `${read.problems.length}${read.problems.length >= 20 ? ' or more' : ''} problem${read.problems.length === 1 ? '' : 's'}`;
    throw new BrokerError('ERR_IMPORT_INVALID', `${file} is not an export this broker can import (${count}); nothing was imported`, { details: { file, problems: read.problems } });
  }
  const now = Date.now();
  const retentionMs = auditRetentionDays() * 24 * 3600 * 1000;
  const audit = read.audit.filter((r) => Date.parse(r.time) >= now - retentionMs);
  return withRedis(opts.redis, async (redis) => {
    const revisions = new RedisRevisionStore(redis);
    if (!opts.auditOnly) {
      const latest = await revisions.latest();
      if (latest) throw new BrokerError('ERR_CONFLICT', `this Redis holds spec revisions already (latest ${latest.number}): import goes into an empty store only; nothing was imported`, { details: { latest: latest.number } });
      await revisions.importAll(read.revisions);
    }
    try {
      await new RedisAuditStore(redis, { retentionDays: auditRetentionDays(), now: () => now }).importAll(audit);
    } catch (error) {
      if (opts.auditOnly) throw error;
      throw new BrokerError('ERR_STORE_UNAVAILABLE', `the ${read.revisions.length} spec revisions were imported, the audit records were not: run \`fedbroker import ${file} --audit-only\``, { cause: error });
    }
    const summary = { file, imported: true, revisions: opts.auditOnly ? 0 : read.revisions.length, audit: audit.length, auditPastRetention: read.audit.length - audit.length };
    if (opts.output === 'json') printJson(summary);
    else console.log(`imported ${summary.revisions} spec revisions and ${audit.length} audit records${summary.auditPastRetention > 0 ? ` (${summary.auditPastRetention} older than the retention left out)` : ''}`);
    return EXIT.OK;
  });
}
