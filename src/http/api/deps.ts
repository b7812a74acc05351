// What the admin API's routes need, as ports and use-case dependencies (composed in src/cli/serve-api.ts).
import type { ApiConfig } from '../../core/authz/config.ts';
import type { AuditLog, AuditStore, Clock, CorrelationScope, IdSource } from '../../ports.ts';
import type { BearerVerifier, PlanStore, RunStore, TrustProposalStore } from '../../ports/api.ts';
import type { CurrentSpec } from '../../services/api/current-spec.ts';
import type { ExplainDeps } from '../../services/explain.ts';
import type { LogoutDeps } from '../../services/logout/deps.ts';
import type { OnboardingDeps } from '../../services/onboarding.ts';
import type { SyncOptions, SyncReport } from '../../services/sync.ts';
import type { z } from 'zod';
import type { syncReportResponse } from './schemas.ts';

export type SyncResultJson = NonNullable<z.infer<typeof syncReportResponse>['result']>;

export interface ApiDeps {
  readonly config: ApiConfig;
  readonly verifier: BearerVerifier;
  /** The current spec: the file's (GitOps mode) or the latest revision's (API mode, with the revisions). */
  readonly current: CurrentSpec;
  /** The adapters of every managed system for a spec's clouds (plan, apply, status). */
  readonly onboarding: (spec: ApiSpec) => Promise<OnboardingDeps>;
  /** Explain over the current spec's clouds. */
  readonly explain: ExplainDeps;
  /** One role-sync run of the current spec; absent when serve runs without sync. */
  readonly sync?: (options: SyncOptions) => Promise<SyncReport>;
  readonly logout: LogoutDeps;
  readonly plans: PlanStore;
  readonly syncRuns: RunStore<SyncResultJson>;
  /** Trust edges proposed by a partner, waiting for the home (API mode). */
  readonly trustProposals: TrustProposalStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly audit: AuditLog;
  /** The durable audit trail GET /audit reads. */
  readonly auditStore: AuditStore;
  /** Each request's calls under its request id (X-Correlation-Id). */
  readonly correlation?: CorrelationScope;
  readonly planTtlMs?: number;
}

type ApiSpec = ReturnType<CurrentSpec['get']>;
