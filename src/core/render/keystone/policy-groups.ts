// Which policy rules become Keystone groups in partner cloud P: for every home cloud H that P trusts,
// every rule that can match users of H and grants something in P's Keystone. One group per
// (H, rule), named after the rule, in H's domain fed-<H>; its role assignments are the rule's grants.
import { BrokerError } from '../../errors.ts';
import { keystoneDomainFor } from '../../naming.ts';
import { isPrivilegedKeystoneRole } from '../../policy/safety.ts';
import type { CloudSpec, FederationSpec, KeystoneGrant, PolicyRule } from '../../federation/schema.ts';
import { grantsIn, ruleAppliesToHome } from '../../policy/scope.ts';

export interface GroupRef { readonly domain: string; readonly name: string }
export interface ProjectRole { readonly domain: string; readonly project: string; readonly role: string }

export interface PolicyGroup {
  readonly home: string;
  readonly rule: PolicyRule;
  readonly group: GroupRef;
  /** The (project, role) pairs the group's members get, unique, in spec order. */
  readonly grants: readonly ProjectRole[];
}

export function keystoneGrantsOf(rule: PolicyRule, partner: string): KeystoneGrant[] {
  return grantsIn(rule, partner).flatMap((g) => g.keystone);
}

/** The groups of `home`'s users in `partner`'s Keystone, in policy order. Throws if a privileged role slipped through. */
export function policyGroups(spec: FederationSpec, home: string, partner: CloudSpec): PolicyGroup[] {
  if (!partner.keystone) return [];
  const domain = keystoneDomainFor(spec.naming, home);
  const out: PolicyGroup[] = [];
  for (const rule of spec.policy) {
    if (!ruleAppliesToHome(rule, home)) continue;
    const seen = new Set<string>();
    const grants: ProjectRole[] = [];
    for (const grant of keystoneGrantsOf(rule, partner.alias)) {
      for (const role of grant.roles) {
        if (isPrivilegedKeystoneRole(spec.privileged, role)) {
          throw new BrokerError('ERR_POLICY_PRIVILEGED', `policy rule "${rule.name}" grants the privileged Keystone role "${role}" in cloud ${partner.alias}; the broker never renders it`,
            { details: { cloud: partner.alias, policyRule: rule.name, role } });
        }
        const key = JSON.stringify([grant.domain, grant.project, role]);
        if (seen.has(key)) continue;
        seen.add(key);
        grants.push({ domain: grant.domain, project: grant.project, role });
      }
    }
    if (grants.length > 0) out.push({ home, rule, group: { domain, name: rule.name }, grants });
  }
  return out;
}
