// Status: conditions per cloud (docs/design.md §4), computed live from the systems, never from a cache:
// A cloud that cannot be reached has its own conditions Unknown (reason Unreachable) with its error;
// the other clouds' conditions are computed as usual and never carry that error.
//   DiscoveryReachable  the cloud's identity-provider metadata can be read (for clouds that are homes)
//   one per managed system the cloud has (its description's condition), the system's part of the
//   cloud holds exactly what the spec wants (empty plan for it):
//     RealmConfigured     Keycloak: the cloud's realm
//     KeystoneConfigured  its Keystone; the message says where ephemeral users land
//     RbacApplied         its Kubernetes clusters (RBAC and authentication config)
//   ExamplesPassed      the policy examples that target the cloud hold in its live configuration
//                       (./examples-condition.ts: reasons NoExamples, LiveConfigMatches, ConfigDrift, ...)
//   KeystoneGrantsRevocable   its Keystone keeps no login-made (expiring) membership that would outlive a
//                       removal by role sync (core/sync/revocation-facts.ts)
//   KubernetesTokenLifetimeBound  one per cluster: Kubernetes keeps nothing per user; how long a token
//                       already issued lives (and whether that is within the spec's tokenLifetimeSeconds)
//   CredentialsLeastPrivilege  one per system (and cluster) with its own credentials: the broker's
//                       identity there is not a full admin (core/credentials.ts judges; False says the fix)
import { isBrokerError } from '../core/errors.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import { trustEdges } from '../core/federation/trust.ts';
import { judgeCredentials } from '../core/credentials.ts';
import type { OwnIdentity } from './systems/model.ts';
import { examplesCondition } from './examples-condition.ts';
import { planReachable, type OnboardingDeps, type ReachablePlan, type UnreachablePart } from './onboarding.ts';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  readonly cloud: string;
  /** DiscoveryReachable, ExamplesPassed, or the condition of a managed system (RealmConfigured, ...). */
  readonly type: string;
  /** The system (and scope, e.g. the cluster) a per-system condition such as CredentialsLeastPrivilege is about. */
  readonly system?: string;
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
    for (const system of deps.systems.filter((s) => s.description.configuredIn(cloud))) {
      const { name, condition } = system.description;
      const inSync = system.inSyncMessage ? await system.inSyncMessage(cloud) : condition.inSync;
      conditions.push(systemCondition(cloud.alias, name, condition.type, inSync, reachable, planError));
    }
    conditions.push(examplesCondition(spec, cloud, deps.systems, reachable, planError));
    for (const system of deps.systems.filter((s) => s.revocationFacts && s.description.configuredIn(cloud))) {
      const facts = await (system.revocationFacts as NonNullable<typeof system.revocationFacts>)(cloud);
      conditions.push(...facts.map(({ scope, ...fact }) => ({ cloud: cloud.alias, ...fact, ...(scope !== undefined && { system: `kubernetes/${scope}` }) })));
    }
    for (const system of deps.systems.filter((s) => s.ownIdentities && s.description.configuredIn(cloud))) {
      const identities = await (system.ownIdentities as NonNullable<typeof system.ownIdentities>)(cloud);
      conditions.push(...identities.map((own) => credentialsCondition(cloud.alias, system.description.name, own)));
    }
  }
  return conditions;
}

function credentialsCondition(cloud: string, system: string, own: OwnIdentity): Condition {
  const where = own.scope ? `${system}/${own.scope}` : system;
  const type = 'CredentialsLeastPrivilege';
  if ('error' in own) return { cloud, type, system: where, status: 'Unknown', reason: 'Unreachable', message: `${where}: ${codeOf(own.error)}: ${messageOf(own.error)}` };
  const judged = judgeCredentials(own.identity);
  return { cloud, type, system: where, status: judged.leastPrivilege ? 'True' : 'False', reason: judged.reason, message: `${where}: ${judged.message}` };
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
