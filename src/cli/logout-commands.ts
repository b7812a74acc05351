// `fedbroker logout <spec> <home>:<user>`: admin-initiated global logout (queued; the workers of a
// running `fedbroker serve` deliver it; --wait follows the report). `fedbroker logout status <id>`.
import { BrokerError, isBrokerError } from '../core/errors.ts';
import type { DeliveryReport } from '../core/logout/report.ts';
import { adminLogout, logoutReport } from '../services/logout/admin.ts';
import { loadValidSpec } from './load.ts';
import { auditLogger, composeLogout, redisUrl } from './logout-compose.ts';
import { EXIT, printJson, type OutputFormat } from './output.ts';
import { parseSubjectArgument, requireHomeCloudIn } from './subject-arg.ts';
import { closeRedis, RedisLogoutStore, connectRedis } from '../adapters/redis/logout-store.ts';

export interface LogoutOptions { output: OutputFormat; redis?: string; wait?: string }

export async function logoutCommand(file: string, who: string, opts: LogoutOptions): Promise<number> {
  const parsed = parseSubjectArgument(who);
  const loaded = await loadValidSpec(file, opts.output);
  if ('exitCode' in loaded) return loaded.exitCode;
  const subject = requireHomeCloudIn(loaded.spec, parsed);
  const composed = await composeLogout(loaded.spec, loaded.baseDir, { redisUrl: redisUrl(opts.redis), logger: auditLogger(2) });
  try {
    const started = await adminLogout(composed.deps, subject.homeCloud, subject.username);
    let report: DeliveryReport | undefined;
    const waitMs = Number(opts.wait ?? 0) * 1000;
    for (const until = Date.now() + waitMs; waitMs > 0 && Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      report = await logoutReport(composed.deps, started.eventId);
      if (report.outcome !== 'pending') break;
    }
    if (opts.output === 'json') printJson({ eventId: started.eventId, coalesced: started.coalesced, ...(report && { outcome: report.outcome }) });
    else console.log(started.eventId);
    return report && report.outcome !== 'delivered' ? EXIT.FAILED : EXIT.OK;
  } finally {
    await composed.close();
  }
}

export async function logoutStatusCommand(eventId: string, opts: { output: OutputFormat; redis?: string }): Promise<number> {
  const redis = await connectRedis(redisUrl(opts.redis)).catch((cause) => { throw isBrokerError(cause) ? cause : new BrokerError('ERR_QUEUE_UNAVAILABLE', 'Redis cannot be reached', { cause }); });
  try {
    const report = await logoutReport({ store: new RedisLogoutStore(redis) }, eventId);
    if (opts.output === 'json') printJson(report);
    else printReport(report);
    return report.outcome === 'failed' ? EXIT.FAILED : EXIT.OK;
  } finally {
    await closeRedis(redis);
  }
}

function printReport(r: DeliveryReport): void {
  console.log(`logout ${r.id}: ${r.outcome}${r.latencyMs !== undefined ? ` in ${r.latencyMs} ms` : ''}`);
  console.log(`  subject ${r.subject.homeCloud}:${r.subject.homeUsername ?? r.subject.homeSub} (source ${r.source} at ${r.cloud}, ${new Date(r.receivedAt).toISOString()})`);
  if (r.coalesced?.length) console.log(`  joined signals: ${r.coalesced.join(', ')}`);
  for (const d of r.deliveries) {
    console.log(`  ${`${d.system}/${d.cloud}`.padEnd(20)} ${d.status.padEnd(10)} attempts=${d.attempts}${d.latencyMs !== undefined ? ` ${d.latencyMs} ms` : ''}${d.detail ? `  ${d.detail}` : ''}${d.lastError && d.status !== 'delivered' ? `  [${d.lastError.code}] ${d.lastError.message}` : ''}`);
  }
}
