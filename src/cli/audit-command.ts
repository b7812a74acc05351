// `fedbroker audit`: the durable audit trail, the oldest record first: every logout, delivery,
// sync change and admin API call the brokers sharing this Redis recorded, filtered by time, cloud and
// correlation id (one logout's event id is its correlation id).
import { RedisAuditStore } from '../adapters/redis/audit-store.ts';
import { closeRedis, connectRedis } from '../adapters/redis/logout-store.ts';
import { auditLine, auditQueryOf } from '../core/audit/query.ts';
import { auditRetentionDays, redisUrl } from './logout-compose.ts';
import { EXIT, printJson, type OutputFormat } from './output.ts';

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
    if (opts.output === 'json') printJson({ records });
    else if (records.length === 0) console.log('no audit records match');
    else for (const r of records) console.log(auditLine(r));
    return EXIT.OK;
  } finally {
    await closeRedis(redis);
  }
}
