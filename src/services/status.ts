// Status: conditions per cloud (DESIGN §4), computed live from the systems, never from a cache:
//   DiscoveryReachable  the cloud's identity-provider metadata can be read (for clouds that are homes)
//   RealmConfigured     the cloud's realm holds exactly what the spec wants (empty plan for it)
//   KeystoneConfigured  the same for its Keystone; the message says where ephemeral users land
//   RbacApplied         the same for its Kubernetes clusters (RBAC and authentication config)
//   ExamplesPassed      the spec's policy examples hold (checked when the spec was validated)
import { isBrokerError } from '../core/errors.ts';
import type { Plan } from '../core/plan/diff.ts';
import type { FederationSpec } from '../core/spec/schema.ts';
import { trustEdges } from '../core/spec/trust.ts';
import { planFederation, type OnboardingDeps } from './onboarding.ts';

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
  const conditions: Condition[] = [];
  const discovery = await Promise.all(spec.clouds.map(async (cloud): Promise<Condition> => {
    if (!homes.has(cloud.alias)) return { cloud: cloud.alias, type: 'DiscoveryReachable', status: 'Unknown', reason: 'NotAHome', message: 'no trust edge uses this cloud as home' };
    try {
      await deps.homeMetadata.read(cloud);
      return { cloud: cloud.alias, type: 'DiscoveryReachable', status: 'True', reason: 'Read', message: `${cloud.homeProtocol} metadata read` };
    } catch (error) {
      return { cloud: cloud.alias, type: 'DiscoveryReachable', status: 'False', reason: codeOf(error), message: messageOf(error) };
    }
  }));
  conditions.push(...discovery);
  let plan: Plan | undefined;
  let planError: unknown;
  if (discovery.every((c) => c.status !== 'False')) {
    try { plan = await planFederation(spec, deps); } catch (error) { planError = error; }
  }
  for (const cloud of spec.clouds) {
    conditions.push(systemCondition(cloud.alias, 'keycloak', 'RealmConfigured', 'realm matches the spec', plan, planError));
    if (cloud.keystone && deps.keystone) {
      const capabilities = await deps.keystone(cloud.alias).capabilities().catch(() => undefined);
      const where = capabilities ? (capabilities.honoursRuleDomain ? 'ephemeral users land in their fed-<home> domain' : 'ephemeral users land in the identity provider\'s domain (Keystone before 2024.1)') : 'capabilities unknown';
      conditions.push(systemCondition(cloud.alias, 'keystone', 'KeystoneConfigured', `Keystone matches the spec; ${where}`, plan, planError));
    }
    if (cloud.kubernetes && deps.kubernetes) {
      conditions.push(systemCondition(cloud.alias, 'kubernetes', 'RbacApplied', 'RBAC and authentication config match the spec', plan, planError));
    }
    conditions.push({ cloud: cloud.alias, type: 'ExamplesPassed', status: 'True', reason: 'Validated', message: 'policy examples hold' });
  }
  return conditions;
}

function systemCondition(cloud: string, system: string, type: Condition['type'], inSync: string, plan: Plan | undefined, error: unknown): Condition {
  if (!plan) {
    const own = isBrokerError(error) && error.details['cloud'] === cloud;
    return { cloud, type, status: own ? 'False' : 'Unknown', reason: error ? codeOf(error) : 'DiscoveryFailed',
      message: error ? messageOf(error) : 'cannot plan while a home cloud\'s metadata is unreadable' };
  }
  const pending = plan.changes.filter((c) => c.action !== 'noop' && (c.desired ?? c.observed)?.cloud === cloud && (c.desired ?? c.observed)?.system === system);
  if (pending.length === 0) return { cloud, type, status: 'True', reason: 'InSync', message: inSync };
  const conflicts = pending.filter((c) => c.action === 'conflict').length;
  return { cloud, type, status: 'False', reason: conflicts > 0 ? 'Conflict' : 'ChangesPending',
    message: `${pending.length} pending change(s)${conflicts ? `, ${conflicts} conflict(s)` : ''}: run \`fedbroker plan\`` };
}

const codeOf = (e: unknown) => (isBrokerError(e) ? e.code : 'ERR_INTERNAL');
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
