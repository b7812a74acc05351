// `fedbroker sync`: one full role-sync run (docs/sync.md). Exit codes: 0 done (or nothing to do),
// 1 a change failed, 5 partial (a home or a partner system could not be read, a cloud's lease was held
// by another process or lost, or its removal effect journal could not be used), 6 stopped by the brake.
// A writing run needs Redis (the leases and the journal).
import { closeRedis, connectRedis, type RedisClient } from '../adapters/redis/logout-store.ts';
import { syncRunToJson } from '../core/sync/format.ts';
import { runSync } from '../services/sync.ts';
import { openCliAudit } from './cli-audit.ts';
import { loadValidSpec } from './load.ts';
import type { OutputFormat } from './output.ts';
import { printSyncRun } from './sync-output.ts';
import { redisUrl } from './logout-compose.ts';
import { composeSync, redisSyncLeases, syncLeaseTtlMs } from './sync-compose.ts';

export interface SyncCommandOptions { output: OutputFormat; cloud?: string[]; dryRun?: boolean; confirm?: boolean; redis?: string }

export async function syncCommand(file: string, opts: SyncCommandOptions): Promise<number> {
  const loaded = await loadValidSpec(file, opts.output);
  if ('exitCode' in loaded) return loaded.exitCode;
  const ttlMs = syncLeaseTtlMs();
  // A dry run writes nothing and takes no lease, so it needs no Redis.
  const redis: RedisClient | undefined = opts.dryRun ? undefined : await connectRedis(redisUrl(opts.redis));
  const deps = await composeSync(loaded.spec, loaded.baseDir, redis ? { leases: redisSyncLeases(redis, ttlMs) } : {}).catch(async (error: unknown) => {
    if (redis) await closeRedis(redis);
    throw error;
  });
  try {
    const audit = opts.dryRun ? undefined : await openCliAudit('sync', redisUrl(opts.redis));
    if (audit) console.error(`audit run id: ${audit.runId}`);
    const report = await runSync(loaded.spec, deps, { ...(opts.cloud && { clouds: opts.cloud }), dryRun: opts.dryRun === true, confirm: opts.confirm === true });
    const json = syncRunToJson(report);
    audit?.record('cli.sync', { spec: file, clouds: [...new Set(report.targets.map((t) => t.partner))].sort(), summary: json.summary, failures: json.failures.length, stoppedByBrake: report.stoppedByBrake,
      outcome: report.stoppedByBrake ? 'refused' : report.failures.length > 0 ? 'failed' : 'ok' });
    await audit?.close();
    return printSyncRun(json, opts.output);
  } finally {
    await deps.close();
    if (redis) await closeRedis(redis);
  }
}
