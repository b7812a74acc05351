// Composition of the admin API inside `fedbroker serve --api-config FILE` (docs/api.md): the bearer
// verifier (one HttpOut per issuer: its origin, its CA bundle), the managed systems for a spec
// (cached per set of cloud entries), explain, role sync and logout over the serve's own ports, and
// the plans, sync runs and trust proposals in Redis (shared by every broker process).
import { readApiConfigFile } from '../adapters/api-config-file.ts';
import { caBundle } from '../adapters/ca-files.ts';
import { asyncCorrelationScope } from '../adapters/correlation.ts';
import { HttpOut } from '../adapters/http-out.ts';
import { RedisPlanStore, RedisRunStore } from '../adapters/redis/api-stores.ts';
import { JoseBearerVerifier } from '../adapters/oidc/bearer-verifier.ts';
import type { RedisClient } from '../adapters/redis/logout-store.ts';
import { RedisTrustProposalStore } from '../adapters/redis/trust-proposal-store.ts';
import { canonicalJson } from '../core/canonical-json.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import type { ApiDeps, SyncResultJson } from '../http/api/deps.ts';
import { runSync, type SyncDeps } from '../services/sync.ts';
import type { LogoutDeps } from '../services/logout/deps.ts';
import type { OnboardingDeps } from '../services/onboarding.ts';
import type { AuditStore } from '../ports.ts';
import type { CurrentSpec } from '../services/api/current-spec.ts';
import { composeOnboarding } from './compose.ts';
import { composeExplain } from './explain-command.ts';

export interface ComposedApi {
  readonly deps: ApiDeps;
  close(): Promise<void>;
}

export async function composeApi(file: string, current: CurrentSpec, baseDir: string, logout: LogoutDeps, sync: SyncDeps | undefined, auditStore: AuditStore, redis: RedisClient): Promise<ComposedApi> {
  const spec = current.get();
  const { config, baseDir: configDir } = await readApiConfigFile(file, spec);
  const outs = new Map<string, HttpOut>();
  for (const i of config.issuers) {
    const caPem = await caBundle(i.caFile, i.cloud ? baseDir : configDir, { cloud: i.cloud ?? 'api', server: `issuer ${i.issuer}` });
    outs.set(i.issuer, new HttpOut({ allowedOrigins: [new URL(i.jwksUri).origin], caPem, maxBodyBytes: 256 * 1024 }));
  }
  const systems = new Map<string, Promise<OnboardingDeps>>();
  const onboarding = (s: FederationSpec): Promise<OnboardingDeps> => {
    const key = canonicalJson(s.clouds);
    let composed = systems.get(key);
    if (!composed) {
      composed = composeOnboarding(s, baseDir);
      systems.set(key, composed);
      if (systems.size > 4) systems.delete(systems.keys().next().value as string);
    }
    return composed;
  };
  const deps: ApiDeps = {
    config,
    verifier: new JoseBearerVerifier({ config, clock: logout.clock, fetchFor: (i) => (outs.get(i.issuer) as HttpOut).fetch }),
    current,
    onboarding,
    explain: await composeExplain(spec, baseDir),
    // The logout deps' spec is the current one within the clouds composed at start (serve-spec.ts).
    ...(sync && { sync: (options) => runSync(logout.spec, sync, options) }),
    logout,
    plans: new RedisPlanStore(redis), syncRuns: new RedisRunStore<SyncResultJson>(redis), trustProposals: new RedisTrustProposalStore(redis),
    clock: logout.clock, ids: logout.ids, audit: logout.audit, auditStore, correlation: asyncCorrelationScope,
  };
  return { deps, close: async () => { for (const o of outs.values()) await o.close(); } };
}
