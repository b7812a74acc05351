// Policy evaluation: what a federated subject gets in one partner cloud, and which rules say so.
import type { FederationSpec, KubernetesGrant, PolicyRule } from '../federation/schema.ts';
import { isTrusted } from '../federation/trust.ts';
import type { PolicySubject } from '../subject.ts';
import { grantsIn, ruleAppliesToHome } from './scope.ts';

export interface KeystoneEntitlement { readonly domain: string; readonly project: string; readonly roles: readonly string[] }
export interface KubernetesEntitlement {
  readonly cluster: string;
  readonly namespace?: string;
  readonly clusterRole?: string;
  readonly role?: string;
}

export interface Entitlements {
  readonly target: string;
  readonly keystone: readonly KeystoneEntitlement[];
  readonly kubernetes: readonly KubernetesEntitlement[];
  readonly matchedRules: readonly string[];
}

export function ruleMatches(rule: PolicyRule, subject: PolicySubject): boolean {
  const { groups, attributes } = rule.when;
  if (!ruleAppliesToHome(rule, subject.homeCloud)) return false;
  if (groups?.any && !groups.any.some((g) => subject.groups.includes(g))) return false;
  if (groups?.all && !groups.all.every((g) => subject.groups.includes(g))) return false;
  for (const [key, wanted] of Object.entries(attributes ?? {})) {
    const have = subject.attributes[key] ?? [];
    const options = typeof wanted === 'string' ? [wanted] : wanted;
    if (!options.some((v) => have.includes(v))) return false;
  }
  return true;
}

/** Everything policy grants `subject` in `target`; empty when `target` does not trust the subject's home. */
export function evaluatePolicy(spec: FederationSpec, subject: PolicySubject, target: string): Entitlements {
  const keystone = new Map<string, { domain: string; project: string; roles: Set<string> }>();
  const kubernetes = new Map<string, KubernetesEntitlement>();
  const matchedRules: string[] = [];
  const targetCloud = spec.clouds.find((c) => c.alias === target);
  if (!targetCloud || subject.homeCloud === target || !isTrusted(spec, subject.homeCloud, target)) {
    return { target, keystone: [], kubernetes: [], matchedRules };
  }
  const clusterNames = (targetCloud.kubernetes?.clusters ?? []).map((c) => c.name);
  for (const rule of spec.policy) {
    if (!ruleMatches(rule, subject)) continue;
    const grants = grantsIn(rule, target);
    if (grants.length === 0) continue;
    matchedRules.push(rule.name);
    for (const g of grants) {
      if (targetCloud.keystone) {
        for (const k of g.keystone) {
          const key = `${k.domain}\u0000${k.project}`;
          const entry = keystone.get(key) ?? { domain: k.domain, project: k.project, roles: new Set<string>() };
          k.roles.forEach((r) => entry.roles.add(r));
          keystone.set(key, entry);
        }
      }
      for (const k of g.kubernetes) {
        for (const cluster of k.cluster ? clusterNames.filter((c) => c === k.cluster) : clusterNames) {
          const entitlement = kubernetesEntitlement(cluster, k);
          kubernetes.set(JSON.stringify(entitlement), entitlement);
        }
      }
    }
  }
  return {
    target,
    keystone: [...keystone.values()]
      .map((e) => ({ domain: e.domain, project: e.project, roles: [...e.roles].sort() }))
      .sort((a, b) => `${a.domain}/${a.project}`.localeCompare(`${b.domain}/${b.project}`)),
    kubernetes: [...kubernetes.values()].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    matchedRules,
  };
}

function kubernetesEntitlement(cluster: string, grant: KubernetesGrant): KubernetesEntitlement {
  return {
    cluster,
    ...(grant.namespace !== undefined && { namespace: grant.namespace }),
    ...(grant.clusterRole !== undefined && { clusterRole: grant.clusterRole }),
    ...(grant.role !== undefined && { role: grant.role }),
  };
}
