// The durable audit trail in Redis (AuditStore):
//   <p>                 a stream, one entry per record (field `r`: the record as JSON); entries older
//                       than the retention are trimmed on append (XADD MINID, approximate)
//   <p>:corr:<id>       the stream ids of one correlation id (list), expiring with the retention
// A time query reads the stream from that time on in pages; a correlation query reads its list.
import { BrokerError } from '../../core/errors.ts';
import { AUDIT_QUERY_MAX, matchesAuditQuery, type AuditQuery, type AuditRecord, type NewAuditRecord } from '../../core/audit/record.ts';
import type { AuditStore } from '../../ports.ts';
import type { RedisClient } from './logout-store.ts';

const PAGE = 500;
/** An export's records, appended in one script (all or none), each with its correlation list entry. */
const IMPORT = `for i = 2, #ARGV, 2 do
  local id = redis.call('XADD', KEYS[1], '*', 'r', ARGV[i + 1])
  local list = KEYS[1] .. ':corr:' .. ARGV[i]
  redis.call('RPUSH', list, id)
  redis.call('PEXPIRE', list, ARGV[1])
end
return 1`;
/** Stream ids carry Redis's clock, records the broker's: a time query starts this much earlier, then filters by the record's time. */
const CLOCK_SLACK_MS = 5 * 60 * 1000;

export interface RedisAuditStoreOptions {
  readonly prefix?: string;
  readonly retentionDays: number;
  /** The clock that decides what is past the retention (ms). */
  readonly now: () => number;
}

export class RedisAuditStore implements AuditStore {
  readonly #redis: RedisClient;
  readonly #p: string;
  readonly #retentionMs: number;
  readonly #now: () => number;

  constructor(redis: RedisClient, options: RedisAuditStoreOptions) {
    this.#redis = redis;
    this.#p = options.prefix ?? 'fedbroker:audit';
    this.#retentionMs = options.retentionDays * 24 * 3600 * 1000;
    this.#now = options.now;
  }

  async append(record: NewAuditRecord): Promise<void> {
    const oldest = Math.max(0, this.#now() - this.#retentionMs);
    await this.#do(async () => {
      const id = await this.#redis.xadd(this.#p, 'MINID', '~', String(oldest), '*', 'r', JSON.stringify(record));
      const list = `${this.#p}:corr:${record.correlationId}`;
      await this.#redis.multi().rpush(list, id ?? '').pexpire(list, this.#retentionMs).exec();
    });
  }

  async query(query: AuditQuery): Promise<AuditRecord[]> {
    const limit = Math.min(Math.max(1, query.limit), AUDIT_QUERY_MAX);
    const oldest = Math.max(query.sinceMs ?? 0, this.#now() - this.#retentionMs);
    const bounded = { ...query, sinceMs: oldest };
    return this.#do(async () => (query.correlationId !== undefined ? this.#byCorrelation(query.correlationId, bounded, limit) : this.#byTime(bounded, limit)));
  }

  async #byCorrelation(correlationId: string, query: AuditQuery, limit: number): Promise<AuditRecord[]> {
    const ids = await this.#redis.lrange(`${this.#p}:corr:${correlationId}`, 0, -1);
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.xrange(this.#p, id, id);
    const results = ids.length > 0 ? (await pipeline.exec()) ?? [] : [];
    const out: AuditRecord[] = [];
    for (const [error, entries] of results) {
      if (error) throw error;
      for (const entry of entries as [string, string[]][]) {
        const record = parse(entry);
        if (record && matchesAuditQuery(record, query)) out.push(record);
      }
      if (out.length >= limit) break;
    }
    return out.slice(0, limit);
  }

  async #byTime(query: AuditQuery, limit: number): Promise<AuditRecord[]> {
    const out: AuditRecord[] = [];
    let start = String(Math.max(0, (query.sinceMs ?? 0) - CLOCK_SLACK_MS));
    for (;;) {
      const page = await this.#redis.xrange(this.#p, start, '+', 'COUNT', PAGE) as [string, string[]][];
      for (const entry of page) {
        const record = parse(entry);
        if (record && matchesAuditQuery(record, query)) out.push(record);
        if (out.length >= limit) return out;
      }
      if (page.length < PAGE) return out;
      start = `(${page[page.length - 1]![0]}`;
    }
  }

  async page(after: string | undefined, count: number): Promise<AuditRecord[]> {
    const oldest = this.#now() - this.#retentionMs;
    const entries = await this.#do(() => this.#redis.xrange(this.#p, after === undefined ? '-' : `(${after}`, '+', 'COUNT', Math.max(1, count)) as Promise<[string, string[]][]>);
    return entries.flatMap((e) => { const r = parse(e); return r && Date.parse(r.time) >= oldest ? [r] : []; });
  }

  async importAll(records: readonly NewAuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const args = [String(this.#retentionMs), ...records.flatMap((r) => [r.correlationId, JSON.stringify(r)])];
    await this.#do(() => this.#redis.eval(IMPORT, 1, this.#p, ...args));
  }

  async #do<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (cause) {
      throw new BrokerError('ERR_QUEUE_UNAVAILABLE', 'Redis is not reachable: the audit trail cannot be read or written', { cause });
    }
  }
}

function parse([id, fields]: [string, string[]]): AuditRecord | undefined {
  const at = fields.indexOf('r');
  if (at < 0) return undefined;
  try {
    return { id, ...(JSON.parse(fields[at + 1]!) as NewAuditRecord) };
  } catch {
    return undefined;
  }
}
