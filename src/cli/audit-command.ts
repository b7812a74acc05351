// `fedbroker audit`: the durable audit trail, the oldest record first: every logout, delivery,
// sync change and admin API call the brokers sharing this Redis recorded, filtered by time, cloud and
// correlation id (one logout's event id is its correlation id).
import { RedisAuditStore } from '../adapters/redis/audit-store.ts';
import { closeRedis, connectRedis } from '../adapters/redis/logout-store.ts';
import { auditQueryOf } from '../core/audit/query.ts';
import { printAuditRecords } from './audit-output.ts';
import { auditRetentionDays, redisUrl } from './logout-compose.ts';
import type { OutputFormat } from './output.ts';

export interface AuditOptions {
  readonly output: OutputFormat;
  readonly redis?: string;
  readonly since?: string;
  readonly cloud?: string;
  readonly correlationId?: string;
  readonly limit?: string;
}

export async function auditCommand(opts: AuditOptions): Promise<number> {
  const now = Date.now();
  const query = auditQueryOf(opts, now);
  const retentionDays = auditRetentionDays();
  const redis = await connectRedis(redisUrl(opts.redis));
  try {
    const records = await new RedisAuditStore(redis, { retentionDays, now: () => now }).query(query);
    return printAuditRecords(records, opts.output);
  } finally {
    await closeRedis(redis);
  }
}
