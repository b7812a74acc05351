// `fedbroker logout <spec> <home>:<user>`: admin-initiated global logout (queued; the workers of a
// running `fedbroker serve` deliver it; --wait follows the report); with `--cloud X` her sessions end in
// cloud X only. `fedbroker logout status <id>`.
import { BrokerError, isBrokerError } from '../core/errors.ts';
import type { DeliveryReport } from '../core/logout/report.ts';
import { adminCloudLogout, adminLogout, logoutReport } from '../services/logout/admin.ts';
import { loadValidSpec } from './load.ts';
import { auditLogger, composeLogout, redisUrl } from './logout-compose.ts';
import { printLogoutReport, printLogoutStarted } from './logout-output.ts';
import type { OutputFormat } from './output.ts';
import { parseSubjectArgument, requireHomeCloudIn } from './subject-arg.ts';
import { closeRedis, RedisLogoutStore, connectRedis } from '../adapters/redis/logout-store.ts';

export interface LogoutOptions { output: OutputFormat; redis?: string; wait?: string; cloud?: string }

export async function logoutCommand(file: string, who: string, opts: LogoutOptions): Promise<number> {
  const parsed = parseSubjectArgument(who);
  const loaded = await loadValidSpec(file, opts.output);
  if ('exitCode' in loaded) return loaded.exitCode;
  const subject = requireHomeCloudIn(loaded.spec, parsed);
  const composed = await composeLogout(loaded.spec, loaded.baseDir, { redisUrl: redisUrl(opts.redis), logger: auditLogger(2) });
  try {
    const started = opts.cloud === undefined
      ? await adminLogout(composed.deps, subject.homeCloud, subject.username)
      : await adminCloudLogout(composed.deps, opts.cloud, subject.homeCloud, subject.username);
    let report: DeliveryReport | undefined;
    const waitMs = Number(opts.wait ?? 0) * 1000;
    for (const until = Date.now() + waitMs; waitMs > 0 && Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      report = await logoutReport(composed.deps, started.eventId);
      if (report.outcome !== 'pending') break;
    }
    return printLogoutStarted(started, report, opts.output);
  } finally {
    await composed.close();
  }
}

export async function logoutStatusCommand(eventId: string, opts: { output: OutputFormat; redis?: string }): Promise<number> {
  const redis = await connectRedis(redisUrl(opts.redis)).catch((cause) => { throw isBrokerError(cause) ? cause : new BrokerError('ERR_QUEUE_UNAVAILABLE', 'Redis cannot be reached', { cause }); });
  try {
    const report = await logoutReport({ store: new RedisLogoutStore(redis) }, eventId);
    return printLogoutReport(report, opts.output);
  } finally {
    await closeRedis(redis);
  }
}
