// Status: conditions per cloud (DESIGN §4), computed live from the systems, never from a cache:
//   DiscoveryReachable  the cloud's identity-provider metadata can be read (for clouds that are homes)
//   RealmConfigured     the cloud's realm holds exactly what the spec wants (empty plan for it)
//   ExamplesPassed      the spec's policy examples hold (checked when the spec was validated)
import { isBrokerError } from '../core/errors.ts';
import type { Plan } from '../core/plan/diff.ts';
import type { FederationSpec } from '../core/spec/schema.ts';
import { trustEdges } from '../core/spec/trust.ts';
import { planFederation, type OnboardingDeps } from './onboarding.ts';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  readonly cloud: string;
  readonly type: 'DiscoveryReachable' | 'RealmConfigured' | 'ExamplesPassed';
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
    conditions.push(realmCondition(cloud.alias, plan, planError));
    conditions.push({ cloud: cloud.alias, type: 'ExamplesPassed', status: 'True', reason: 'Validated', message: 'policy examples hold' });
  }
  return conditions;
}

function realmCondition(cloud: string, plan: Plan | undefined, error: unknown): Condition {
  if (!plan) {
    const own = isBrokerError(error) && error.details['cloud'] === cloud;
    return { cloud, type: 'RealmConfigured', status: own ? 'False' : 'Unknown', reason: error ? codeOf(error) : 'DiscoveryFailed',
      message: error ? messageOf(error) : 'cannot plan while a home cloud\'s metadata is unreadable' };
  }
  const pending = plan.changes.filter((c) => c.action !== 'noop' && (c.desired ?? c.observed)?.cloud === cloud);
  if (pending.length === 0) return { cloud, type: 'RealmConfigured', status: 'True', reason: 'InSync', message: 'realm matches the spec' };
  const conflicts = pending.filter((c) => c.action === 'conflict').length;
  return { cloud, type: 'RealmConfigured', status: 'False', reason: conflicts > 0 ? 'Conflict' : 'ChangesPending',
    message: `${pending.length} pending change(s)${conflicts ? `, ${conflicts} conflict(s)` : ''}: run \`fedbroker plan\`` };
}

const codeOf = (e: unknown) => (isBrokerError(e) ? e.code : 'ERR_INTERNAL');
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
