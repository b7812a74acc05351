// Status: conditions per cloud (docs/design.md §4), computed live from the systems, never from a cache:
// A cloud that cannot be reached has its own conditions Unknown (reason Unreachable) with its error;
// the other clouds' conditions are computed as usual and never carry that error.
//   DiscoveryReachable  the cloud's identity-provider metadata can be read (for clouds that are homes)
//   RealmConfigured     the cloud's realm holds exactly what the spec wants (empty plan for it)
//   KeystoneConfigured  the same for its Keystone; the message says where ephemeral users land
//   RbacApplied         the same for its Kubernetes clusters (RBAC and authentication config)
//   ExamplesPassed      the spec's policy examples hold (checked when the spec was validated)
import { isBrokerError } from '../core/errors.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import { trustEdges } from '../core/federation/trust.ts';
import { planReachable, type OnboardingDeps, type ReachablePlan, type UnreachablePart } from './onboarding.ts';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  readonly cloud: string;
  readonly type: 'DiscoveryReachable' | 'RealmConfigured' | 'KeystoneConfigured' | 'RbacApplied' | 'ExamplesPassed';
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
}

export async function federationStatus(spec: FederationSpec, deps: OnboardingDeps): Promise<Condition[]> {
  const homes = new Set(trustEdges(spec).map((e) => e.home));
  let reachable: ReachablePlan | undefined;
  let planError: unknown;
  try { reachable = await planReachable(spec, deps); } catch (error) { planError = error; }
  const unreachable = reachable?.unreachable ?? [];
  const conditions: Condition[] = [];
  for (const cloud of spec.clouds) {
    conditions.push(discoveryCondition(cloud.alias, homes.has(cloud.alias), cloud.homeProtocol, unreachable, planError));
    conditions.push(systemCondition(cloud.alias, 'keycloak', 'RealmConfigured', 'realm matches the spec', reachable, planError));
    if (cloud.keystone && deps.keystone) {
      const capabilities = await deps.keystone(cloud.alias).capabilities().catch(() => undefined);
      const where = capabilities ? (capabilities.honoursRuleDomain ? 'ephemeral users land in their fed-<home> domain' : 'ephemeral users land in the identity provider\'s domain (Keystone before 2024.1)') : 'capabilities unknown';
      conditions.push(systemCondition(cloud.alias, 'keystone', 'KeystoneConfigured', `Keystone matches the spec; ${where}`, reachable, planError));
    }
    if (cloud.kubernetes && deps.kubernetes) {
      conditions.push(systemCondition(cloud.alias, 'kubernetes', 'RbacApplied', 'RBAC and authentication config match the spec', reachable, planError));
    }
    conditions.push({ cloud: cloud.alias, type: 'ExamplesPassed', status: 'True', reason: 'Validated', message: 'policy examples hold' });
  }
  return conditions;
}

function discoveryCondition(cloud: string, isHome: boolean, protocol: string, unreachable: readonly UnreachablePart[], planError: unknown): Condition {
  const type = 'DiscoveryReachable';
  if (!isHome) return { cloud, type, status: 'Unknown', reason: 'NotAHome', message: 'no trust edge uses this cloud as home' };
  const failed = unreachable.find((u) => u.part === 'metadata' && u.cloud === cloud);
  if (failed) return { cloud, type, status: 'False', reason: codeOf(failed.error), message: messageOf(failed.error) };
  if (planError) return { cloud, type, status: 'Unknown', reason: 'NotPlanned', message: `the federation could not be planned: ${codeOf(planError)}` };
  return { cloud, type, status: 'True', reason: 'Read', message: `${protocol} metadata read` };
}

function systemCondition(cloud: string, system: string, type: Condition['type'], inSync: string, reachable: ReachablePlan | undefined, error: unknown): Condition {
  if (!reachable) {
    const own = isBrokerError(error) && error.details['cloud'] === cloud;
    return { cloud, type, status: own ? 'False' : 'Unknown', reason: own ? codeOf(error) : 'NotPlanned',
      message: own ? messageOf(error) : `the federation could not be planned because of another cloud: ${codeOf(error)}` };
  }
  const down = reachable.unreachable.find((u) => u.part === 'system' && u.system === system && u.cloud === cloud);
  if (down) return { cloud, type, status: 'Unknown', reason: 'Unreachable', message: `${codeOf(down.error)}: ${messageOf(down.error)}` };
  const pending = reachable.plan.changes.filter((c) => c.action !== 'noop' && (c.desired ?? c.observed)?.cloud === cloud && (c.desired ?? c.observed)?.system === system);
  if (pending.length === 0) return { cloud, type, status: 'True', reason: 'InSync', message: inSync };
  const conflicts = pending.filter((c) => c.action === 'conflict').length;
  return { cloud, type, status: 'False', reason: conflicts > 0 ? 'Conflict' : 'ChangesPending',
    message: `${pending.length} pending change(s)${conflicts ? `, ${conflicts} conflict(s)` : ''}: run \`fedbroker plan\`` };
}

const codeOf = (e: unknown) => (isBrokerError(e) ? e.code : 'ERR_INTERNAL');
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
