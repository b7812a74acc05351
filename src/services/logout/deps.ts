// What the logout use cases need, as ports (composed in src/cli/serve and src/cli/logout-commands).
import type { LogoutIssuer, LogoutTimeRules } from '../../core/logout/token-rules.ts';
import type { FederationSpec } from '../../core/federation/schema.ts';
import type { AuditLog, Clock, CorrelationScope, DeliveryQueue, IdSource, KeycloakSessionsPort, KeystoneRevocationPort, LogoutStore, LogoutTokenVerifier } from '../../ports.ts';

export interface LogoutDeps {
  readonly spec: FederationSpec;
  readonly issuers: readonly LogoutIssuer[];
  readonly verifier: LogoutTokenVerifier;
  keycloak(cloud: string): KeycloakSessionsPort;
  /** undefined for a cloud without Keystone. */
  keystone(cloud: string): KeystoneRevocationPort | undefined;
  readonly store: LogoutStore;
  readonly queue: DeliveryQueue;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly audit: AuditLog;
  readonly timeRules?: LogoutTimeRules;
  /** Where deliveries run under their event's correlation id (absent: calls carry none). */
  readonly correlation?: CorrelationScope;
}

/** How long a session stays bound to the logout event that ended it (echo signals coalesce into it). */
export const SESSION_CLAIM_TTL_SECONDS = 24 * 3600;
/** While an event for the same subject is still being delivered, new signals for that subject join it. */
export const SUBJECT_COALESCE_TTL_SECONDS = 30;

export function realmOf(deps: LogoutDeps, cloud: string): string {
  const found = deps.spec.clouds.find((c) => c.alias === cloud);
  if (!found) throw new Error(`cloud ${cloud} is not in the spec`);
  return found.keycloak.realm;
}
