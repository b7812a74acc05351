// Cross-reference and safety checks of a spec whose parts have the right shape. Works on the parts
// that parsed (with their original index), so one run reports every problem it can see.
import type { CloudSpec, FederationSpec, PolicyRule } from './schema.ts';
import { isPrivilegedKeystoneRole } from '../policy/safety.ts';
import { defaultRoleRules } from '../policy/kubernetes-default-roles.ts';
import { kubernetesBindingRefusal, type RefusalKind } from '../policy/kubernetes-privilege.ts';
import { formatPath, problem, type SpecPath, type SpecProblem } from './problems.ts';

export interface Indexed<T> { readonly index: number; readonly value: T }

export interface SpecParts {
  /** Every cloud alias the document names, including clouds whose other fields are invalid. */
  readonly aliases: readonly string[];
  readonly clouds: readonly Indexed<CloudSpec>[];
  readonly policy: readonly Indexed<PolicyRule>[];
  readonly trust?: FederationSpec['trust'];
  readonly naming?: FederationSpec['naming'];
  readonly privileged?: FederationSpec['privileged'];
}

export function checkSpecParts(parts: SpecParts): SpecProblem[] {
  return [
    ...checkNaming(parts.naming),
    ...checkClouds(parts.clouds),
    ...checkTrust(parts),
    ...parts.policy.flatMap((rule) => checkRule(parts, rule)),
    ...checkPrivilegeAllowances(parts),
    ...duplicates(parts.policy.map((r) => ({ key: r.value.name, path: ['policy', r.index, 'name'] })), 'policy rule name'),
  ];
}

function checkNaming(naming: FederationSpec['naming'] | undefined): SpecProblem[] {
  if (!naming) return [];
  const out: SpecProblem[] = [];
  if (!naming.username.includes('{homeCloud}') || !naming.username.includes('{username}')) {
    out.push(problem('ERR_SPEC_NAMING', ['naming', 'username'], 'the username template must contain {homeCloud} and {username}',
      'keep both placeholders, e.g. "{homeCloud}.{username}", so users of two clouds never collide'));
  }
  if (!naming.keystoneDomain.includes('{homeCloud}')) {
    out.push(problem('ERR_SPEC_NAMING', ['naming', 'keystoneDomain'], 'the Keystone domain template must contain {homeCloud}',
      'use e.g. "fed-{homeCloud}": each home cloud needs its own domain'));
  }
  return out;
}

function checkClouds(clouds: readonly Indexed<CloudSpec>[]): SpecProblem[] {
  return [
    ...duplicates(clouds.map((c) => ({ key: c.value.alias, path: ['clouds', c.index, 'alias'] })), 'cloud alias'),
    ...duplicates(clouds.map((c) => ({ key: `${c.value.keycloak.url.replace(/\/$/, '')} realm ${c.value.keycloak.realm}`, path: ['clouds', c.index, 'keycloak', 'realm'] })), 'Keycloak realm'),
    ...duplicates(clouds.flatMap((c) => c.value.emailDomains.map((d, i) => ({ key: d, path: ['clouds', c.index, 'emailDomains', i] }))), 'email domain',
      'an email domain identifies one home cloud; remove it from all but one cloud'),
    ...clouds.flatMap((c) => duplicates((c.value.kubernetes?.clusters ?? []).map((k, i) => ({ key: k.name, path: ['clouds', c.index, 'kubernetes', 'clusters', i, 'name'] })), 'cluster name')),
  ];
}

function checkTrust(parts: SpecParts): SpecProblem[] {
  if (parts.trust?.mode !== 'edges') return [];
  const known = new Set(parts.aliases);
  const out: SpecProblem[] = [];
  parts.trust.edges.forEach((edge, i) => {
    const path: SpecPath = ['trust', 'edges', i];
    for (const end of ['home', 'partner'] as const) {
      if (!known.has(edge[end])) out.push(unknownCloud([...path, end], edge[end], known));
    }
    if (edge.home === edge.partner) out.push(problem('ERR_SPEC_TRUST', path, `cloud "${edge.home}" cannot trust itself`, 'remove this edge; a cloud\'s own users are home there'));
  });
  out.push(...duplicates(parts.trust.edges.map((e, i) => ({ key: `${e.home} -> ${e.partner}`, path: ['trust', 'edges', i] })), 'trust edge'));
  return out;
}

function checkRule(parts: SpecParts, { index, value: rule }: Indexed<PolicyRule>): SpecProblem[] {
  const base: SpecPath = ['policy', index];
  const clouds = new Map(parts.clouds.map((c) => [c.value.alias, c.value]));
  const known = new Set(parts.aliases);
  const out: SpecProblem[] = [];
  (rule.when.homeClouds ?? []).forEach((h, i) => { if (!known.has(h)) out.push(unknownCloud([...base, 'when', 'homeClouds', i], h, known)); });
  if (rule.when.attributes && Object.keys(rule.when.attributes).length > 0) {
    out.push(problem('ERR_SPEC_GRANT', [...base, 'when', 'attributes'], 'attribute conditions are not supported yet: partner realms do not carry home attributes into their tokens, so Keystone and Kubernetes could not enforce them',
      'express the condition as a home group and use when.groups'));
  }
  rule.grant.forEach((grant, g) => {
    const gPath: SpecPath = [...base, 'grant', g];
    (grant.clouds ?? []).forEach((c, i) => { if (!known.has(c)) out.push(unknownCloud([...gPath, 'clouds', i], c, known)); });
    const targets = (grant.clouds ?? [...known]).map((c) => clouds.get(c)).filter((c): c is CloudSpec => c !== undefined);
    grant.keystone.forEach((k, i) => {
      k.roles.forEach((role, r) => {
        if (isPrivilegedKeystoneRole(parts.privileged, role)) {
          out.push(problem('ERR_SPEC_PRIVILEGED_GRANT', [...gPath, 'keystone', i, 'roles', r], `policy may not grant the privileged Keystone role "${role}"`,
            'grant a non-privileged role such as "member"; privileged roles are assigned by cloud admins, not by federation policy'));
        }
      });
      if (grant.clouds && targets.some((t) => !t.keystone)) {
        out.push(problem('ERR_SPEC_GRANT', [...gPath, 'keystone', i], `a target cloud of this grant has no keystone section: ${targets.filter((t) => !t.keystone).map((t) => t.alias).join(', ')}`,
          'add a keystone section to that cloud or remove it from "clouds"'));
      }
    });
    grant.kubernetes.forEach((k, i) => out.push(...checkKubernetesGrant([...gPath, 'kubernetes', i], k, targets, parts.privileged, rule.name)));
  });
  return out;
}

function checkKubernetesGrant(path: SpecPath, k: PolicyRule['grant'][number]['kubernetes'][number], targets: CloudSpec[], privileged: FederationSpec['privileged'] | undefined, rule: string): SpecProblem[] {
  const out: SpecProblem[] = [];
  if ((k.clusterRole === undefined) === (k.role === undefined)) {
    out.push(problem('ERR_SPEC_GRANT', path, 'a Kubernetes grant needs exactly one of "clusterRole" or "role"', 'keep one of the two'));
  }
  if (k.role !== undefined && k.namespace === undefined) {
    out.push(problem('ERR_SPEC_GRANT', [...path, 'namespace'], 'a namespaced "role" needs a "namespace"', 'add "namespace", or use "clusterRole"'));
  }
  for (const field of ['clusterRole', 'role'] as const) {
    const name = k[field];
    if (name === undefined) continue;
    const roleKind = field === 'role' ? 'Role' : 'ClusterRole';
    const refusal = kubernetesBindingRefusal(privileged, rule, { ...(k.namespace !== undefined && { namespace: k.namespace }), roleKind, roleName: name }, defaultRoleRules(roleKind, name));
    if (refusal) out.push(KUBERNETES_REFUSALS[refusal.kind](path, field, refusal.reason));
  }
  if (k.cluster !== undefined && !targets.some((t) => t.kubernetes?.clusters.some((c) => c.name === k.cluster))) {
    out.push(problem('ERR_SPEC_UNKNOWN_REF', [...path, 'cluster'], `no target cloud of this grant has a cluster named "${k.cluster}"`,
      'use a cluster name from clouds[].kubernetes.clusters, or omit "cluster" to mean every cluster of the target cloud'));
  }
  return out;
}

const OPT_IN_HINT = 'bind it in a namespace of its own; if this is really wanted, add { rule: <rule name>, reason: ... } to privileged.allow';

const KUBERNETES_REFUSALS: Record<RefusalKind, (path: SpecPath, field: 'clusterRole' | 'role', reason: string) => SpecProblem> = {
  'forbidden-role': (path, field, reason) => problem('ERR_SPEC_PRIVILEGED_GRANT', [...path, field], `policy may not bind this role: ${reason}`,
    'bind a non-privileged role such as "view" or "edit" in a namespace; cluster-admin, "system:*" and privileged ClusterRoles are never granted by federation policy'),
  'system-namespace': (path, _field, reason) => problem('ERR_SPEC_SYSTEM_NAMESPACE', [...path, 'namespace'], `policy may not bind roles here: ${reason}`, OPT_IN_HINT),
  'cluster-wide-privilege': (path, field, reason) => problem('ERR_SPEC_PRIVILEGED_EFFECT', [...path, field], `policy may not bind this role cluster-wide: ${reason}`, OPT_IN_HINT),
  'unknown-role': (path, field, reason) => problem('ERR_SPEC_PRIVILEGED_EFFECT', [...path, field], reason, OPT_IN_HINT),
};

/** Every `privileged.allow` entry names a policy rule of the spec. */
function checkPrivilegeAllowances(parts: SpecParts): SpecProblem[] {
  const rules = new Set(parts.policy.map((r) => r.value.name));
  return (parts.privileged?.allow ?? []).flatMap((a, i) => rules.has(a.rule) ? [] : [problem('ERR_SPEC_UNKNOWN_REF', ['privileged', 'allow', i, 'rule'], `no policy rule is named "${a.rule}"`,
    `use a name from policy[].name: ${[...rules].join(', ') || '(none)'}`)]);
}

function unknownCloud(path: SpecPath, alias: string, known: Set<string>): SpecProblem {
  return problem('ERR_SPEC_UNKNOWN_REF', path, `unknown cloud "${alias}"`, `use one of the aliases in clouds[]: ${[...known].join(', ') || '(none)'}`);
}

function duplicates(entries: { key: string; path: SpecPath }[], what: string, hint?: string): SpecProblem[] {
  const seen = new Map<string, SpecPath>();
  const out: SpecProblem[] = [];
  for (const { key, path } of entries) {
    const first = seen.get(key);
    if (first) out.push(problem('ERR_SPEC_DUPLICATE', path, `duplicate ${what} "${key}" (first defined at ${formatPath(first)})`, hint ?? `give each ${what} a unique value`));
    else seen.set(key, path);
  }
  return out;
}
