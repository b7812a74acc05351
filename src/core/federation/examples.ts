// Policy examples: each rule may say "this subject, in this target cloud, gets exactly this".
// Examples are evaluated against the whole policy, so they also catch grants added by other rules.
import { evaluatePolicy, type KeystoneEntitlement, type KubernetesEntitlement } from '../policy/evaluate.ts';
import type { FederationSpec, PolicyExample } from './schema.ts';
import { problem, type SpecProblem } from './problems.ts';

export function checkExamples(spec: FederationSpec): SpecProblem[] {
  return spec.policy.flatMap((rule, r) => rule.examples.flatMap((example, e) => {
    const path = ['policy', r, 'examples', e];
    const known = new Set(spec.clouds.map((c) => c.alias));
    const refs: [string[], string][] = [[['subject', 'homeCloud'], example.subject.homeCloud], [['target'], example.target]];
    const unknown = refs.filter(([, alias]) => !known.has(alias));
    if (unknown.length > 0) {
      return unknown.map(([p, alias]) => problem('ERR_SPEC_UNKNOWN_REF', [...path, ...p], `unknown cloud "${alias}" in example`, `use one of: ${[...known].join(', ')}`));
    }
    const diff = compareExample(spec, example);
    if (diff.length === 0) return [];
    const label = example.name ?? `${example.subject.homeCloud}:${example.subject.username} in ${example.target}`;
    return [problem('ERR_SPEC_EXAMPLE_FAILED', [...path, 'expect'], `example "${label}" does not hold: ${diff.join('; ')}`,
      'fix the rule or the example; `fedbroker explain --claims` shows what the policy grants')];
  }));
}

function compareExample(spec: FederationSpec, example: PolicyExample): string[] {
  const attributes = Object.fromEntries(Object.entries(example.subject.attributes).map(([k, v]) => [k, typeof v === 'string' ? [v] : v]));
  const { homeCloud, username, groups } = example.subject;
  const actual = evaluatePolicy(spec, { homeCloud, homeUsername: username, groups, attributes }, example.target);
  const clusters = spec.clouds.find((c) => c.alias === example.target)?.kubernetes?.clusters.map((c) => c.name) ?? [];
  const expectedKeystone = example.expect.keystone.map((k) => keystoneKey({ ...k, roles: [...k.roles].sort() }));
  const expectedKubernetes = example.expect.kubernetes.flatMap((k) =>
    (k.cluster ? [k.cluster] : clusters).map((cluster) => kubernetesKey({ ...k, cluster })));
  return [
    ...setDiff('Keystone', expectedKeystone, actual.keystone.map(keystoneKey)),
    ...setDiff('Kubernetes', expectedKubernetes, actual.kubernetes.map(kubernetesKey)),
  ];
}

const keystoneKey = (k: KeystoneEntitlement): string => `${k.domain}/${k.project}: ${[...new Set(k.roles)].sort().join(',')}`;
const kubernetesKey = (k: KubernetesEntitlement): string =>
  `${k.cluster}/${k.namespace ?? '*'}: ${k.clusterRole !== undefined ? `ClusterRole ${k.clusterRole}` : `Role ${k.role ?? '?'}`}`;

function setDiff(system: string, expected: string[], actual: string[]): string[] {
  const missing = expected.filter((e) => !actual.includes(e));
  const unexpected = actual.filter((a) => !expected.includes(a));
  return [
    ...missing.map((m) => `${system} grant expected but not given: ${m}`),
    ...unexpected.map((u) => `${system} grant given but not expected: ${u}`),
  ];
}
