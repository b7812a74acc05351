// Which spec `fedbroker serve` runs (docs/api.md, "GitOps mode and API mode"): the file's (GitOps,
// the default), or the latest revision in Redis (API mode; the file is imported as revision 1 into an
// empty store). A revision read back is validated again like a file, so a revision a newer broker
// wrote that this one cannot read stops the start instead of being half-understood.
import { resolve } from 'node:path';
import { RedisRevisionStore } from '../adapters/redis/revision-store.ts';
import { closeRedis, connectRedis } from '../adapters/redis/logout-store.ts';
import { BrokerError } from '../core/errors.ts';
import { composedView } from '../core/federation/composed-view.ts';
import { formatPath } from '../core/federation/problems.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import { validateSpec } from '../core/federation/validate.ts';
import type { Logger } from 'pino';
import { ApiModeSpec, GitOpsSpec, type CurrentSpec } from '../services/api/current-spec.ts';
import { fingerprint } from '../services/api/plans.ts';

export type SpecMode = 'gitops' | 'api';

/** How often a broker in API mode looks for a revision another process recorded. */
const REFRESH_MS = 5000;

export function specModeOf(value: string | undefined): SpecMode {
  if (value === undefined || value === 'gitops') return 'gitops';
  if (value === 'api') return 'api';
  throw new BrokerError('ERR_CONFIG_INVALID', `--spec-mode must be gitops (the spec file is the only source) or api (spec revisions through the admin API), not "${value}"`);
}

export interface ServedSpec {
  readonly current: CurrentSpec;
  close(): Promise<void>;
}

export async function servedSpec(mode: SpecMode, file: string, spec: FederationSpec, redisUrl: string, logger: Logger): Promise<ServedSpec> {
  if (mode === 'gitops') return { current: new GitOpsSpec(spec, file), close: async () => {} };
  const redis = await connectRedis(redisUrl).catch((cause: unknown) => { throw new BrokerError('ERR_STORE_UNAVAILABLE', 'Redis cannot be reached (spec revisions of API mode)', { cause }); });
  try {
    const current = await ApiModeSpec.start(new RedisRevisionStore(redis), { spec, fingerprint: fingerprint(spec), source: resolve(file), author: 'broker', timeMs: Date.now() });
    const latest = current.latest();
    const checked = validateSpec(latest.spec);
    if (!checked.ok) {
      throw new BrokerError('ERR_STORE_CORRUPT', `spec revision ${latest.number} in Redis is not a valid spec for this broker: ${checked.problems.map((p) => `${formatPath(p.path)}: ${p.message}`).slice(0, 5).join('; ')}`, { details: { revision: latest.number } });
    }
    if (current.imported) logger.info({ revision: 1, file }, 'API mode: spec file imported as revision 1');
    else if (latest.fingerprint !== fingerprint(spec)) {
      logger.warn({ revision: latest.number, file }, `API mode: running spec revision ${latest.number}; the spec file differs and is not read again (fedbroker export shows the revisions)`);
    } else logger.info({ revision: latest.number }, `API mode: running spec revision ${latest.number}`);
    // Revisions another broker process records reach this one's logout hub within a few seconds.
    const refresh = setInterval(() => {
      current.refresh().catch((e: unknown) => { logger.warn({ code: (e as { code?: string }).code }, 'API mode: the latest spec revision could not be read; keeping the one this process has'); });
    }, REFRESH_MS);
    refresh.unref();
    return { current, close: async () => { clearInterval(refresh); await closeRedis(redis); } };
  } catch (error) {
    await closeRedis(redis);
    throw error;
  }
}

/**
 * The spec serve's long-running parts act on (logout hub, sync job): the current one, within the clouds
 * they composed clients for at start. Logs once per revision which clouds wait for a restart.
 */
export function composedSpecOf(current: CurrentSpec, started: FederationSpec, logger: Logger): () => FederationSpec {
  if (current.mode === 'gitops') return () => started;
  let seen: { revision: number; spec: FederationSpec } | undefined;
  return () => {
    const latest = current.latest();
    if (seen?.revision === latest.number) return seen.spec;
    const view = composedView(latest.spec, started);
    if (view.pending.length > 0) {
      logger.warn({ revision: latest.number, clouds: view.pending }, `spec revision ${latest.number} adds clouds or changes their connection (${view.pending.join(', ')}): the logout hub and role sync take them at the next start of serve`);
    }
    seen = { revision: latest.number, spec: view.spec };
    return view.spec;
  };
}
