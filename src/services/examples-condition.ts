// ExamplesPassed of a cloud T: do the policy examples that target T hold in T's live configuration?
// Validation checked every example against the policy (src/core/federation/examples.ts); the renderers
// turn that policy into the objects of T's systems that carry grants (description.carriesPolicy:
// Keycloak identity providers and mappers, Keystone mapping and groups, Kubernetes RBAC). So the
// examples hold live exactly when those systems of T, observed by the status plan, hold what the
// validated policy renders (no pending change) and the homes the examples' subjects come from could be
// read (their identity providers in T are held back otherwise):
//   True    NoExamples         no example targets T
//   True    LiveConfigMatches  every system of T that carries policy is in sync
//   False   ConfigDrift        such a system has pending changes or conflicts (named, with counts)
//   Unknown Unreachable        such a system, or an examples' home's metadata, could not be read
//   Unknown NotPlanned         the federation could not be planned at all
import { isBrokerError } from '../core/errors.ts';
import type { CloudSpec, FederationSpec } from '../core/federation/schema.ts';
import type { ReachablePlan } from './onboarding.ts';
import type { Condition } from './status.ts';
import type { ManagedSystem } from './systems/model.ts';

const TYPE = 'ExamplesPassed';

export function examplesCondition(spec: FederationSpec, cloud: CloudSpec, systems: readonly ManagedSystem[], reachable: ReachablePlan | undefined, planError: unknown): Condition {
  const examples = spec.policy.flatMap((rule) => rule.examples).filter((e) => e.target === cloud.alias);
  const at = (status: Condition['status'], reason: string, message: string): Condition => ({ cloud: cloud.alias, type: TYPE, status, reason, message });
  if (examples.length === 0) return at('True', 'NoExamples', 'no policy example targets this cloud');
  const these = `${examples.length} policy example(s) targeting ${cloud.alias}`;
  if (!reachable) return at('Unknown', 'NotPlanned', `${these} cannot be checked: the federation could not be planned: ${isBrokerError(planError) ? planError.code : 'ERR_INTERNAL'}`);

  const carriers = systems.map((s) => s.description).filter((d) => d.carriesPolicy && d.configuredIn(cloud)).map((d) => d.name);
  const drift = carriers.flatMap((system) => {
    const pending = reachable.plan.changes.filter((c) => c.action !== 'noop' && (c.desired ?? c.observed)?.cloud === cloud.alias && (c.desired ?? c.observed)?.system === system);
    const conflicts = pending.filter((c) => c.action === 'conflict').length;
    return pending.length === 0 ? [] : [`${system} (${pending.length} pending change(s)${conflicts ? `, ${conflicts} conflict(s)` : ''})`];
  });
  if (drift.length > 0) return at('False', 'ConfigDrift', `${these} are not backed by the live configuration: ${drift.join(', ')} differ from what the validated policy renders: run \`fedbroker plan\``);

  const homes = new Set(examples.map((e) => e.subject.homeCloud).filter((home) => home !== cloud.alias));
  const unread = reachable.unreachable.filter((u) => (u.part === 'system' && u.cloud === cloud.alias && carriers.includes(u.system)) || (u.part === 'metadata' && homes.has(u.cloud)))
    .map((u) => (u.part === 'metadata' ? `the metadata of home ${u.cloud}` : `${u.system}${u.scope ? ` ${u.scope}` : ''}`));
  if (unread.length > 0) return at('Unknown', 'Unreachable', `${these} cannot be checked: cannot read ${unread.join(', ')}`);
  return at('True', 'LiveConfigMatches', `${these} hold: the live ${carriers.join(', ')} configuration is what the validated policy renders`);
}
