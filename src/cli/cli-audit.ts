// The durable audit records of the CLI's own changes (`fedbroker apply`, `fedbroker sync`; docs/audit.md,
// "The CLI's records"): into the same Redis audit trail as serve's, under a run id the command prints,
// with the OS user and host as the actor. Best effort, by decision: the CLI runs with the admin's own
// credentials on the admin's shell, so an unreachable audit store does not stop an apply or a sync; it
// is said on stderr, once, with what was not recorded.
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { RedisAuditStore } from '../adapters/redis/audit-store.ts';
import { closeRedis, connectRedis, type RedisClient } from '../adapters/redis/logout-store.ts';
import { auditRecordOf } from '../core/audit/record.ts';
import { auditRetentionDays } from './logout-compose.ts';

export interface CliAudit {
  /** The correlation id of this command's records (printed by the command). */
  readonly runId: string;
  record(action: string, fields: Record<string, unknown>): void;
  /** Waits for the writes; says on stderr what could not be recorded. */
  close(): Promise<void>;
}

function osUser(): string {
  try { return userInfo().username; } catch { return `uid ${process.getuid?.() ?? 'unknown'}`; }
}

/** `url`: the --redis option, else FEDBROKER_REDIS_URL; without either nothing is recorded (said once). */
export async function openCliAudit(command: 'apply' | 'sync', url: string | undefined = process.env['FEDBROKER_REDIS_URL']): Promise<CliAudit> {
  const runId = `cli-${command}-${randomUUID()}`;
  const actor = { username: osUser(), issuer: `cli@${hostname()}` };
  if (!url) {
    console.error(`note: no durable audit record of this ${command} (set FEDBROKER_REDIS_URL to record it with the broker's audit trail)`);
    return { runId, record: () => {}, close: async () => {} };
  }
  let redis: RedisClient | undefined;
  try { redis = await connectRedis(url); } catch { /* said below */ }
  if (!redis) {
    console.error(`warning: the audit trail's Redis cannot be reached: this ${command} goes on without a durable audit record`);
    return { runId, record: () => {}, close: async () => {} };
  }
  const store = new RedisAuditStore(redis, { retentionDays: auditRetentionDays(), now: () => Date.now() });
  const writes: Promise<boolean>[] = [];
  return {
    runId,
    record: (action, fields) => { writes.push(store.append(auditRecordOf({ action, correlationId: runId, actor, ...fields }, Date.now())).then(() => true, () => false)); },
    close: async () => {
      const lost = (await Promise.all(writes)).filter((ok) => !ok).length;
      if (lost > 0) console.error(`warning: ${lost} audit record(s) of this ${command} could not be written (run id ${runId})`);
      await closeRedis(redis);
    },
  };
}
