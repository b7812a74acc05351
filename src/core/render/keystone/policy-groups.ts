// Which policy rules become Keystone groups in partner cloud P: for every home cloud H that P trusts,
// every rule that can match users of H and grants something in P's Keystone. One group per
// (H, rule), named after the rule, in H's domain fed-<H>; its role assignments are the rule's grants.
import { BrokerError } from '../../errors.ts';
import { keystoneDomainFor } from '../../naming.ts';
import { privilegedKeystoneRoles } from '../../federation/checks.ts';
import type { CloudSpec, FederationSpec, KeystoneGrant, PolicyRule } from '../../federation/schema.ts';
import { trustEdges } from '../../federation/trust.ts';

export interface GroupRef { readonly domain: string; readonly name: string }
export interface ProjectRole { readonly domain: string; readonly project: string; readonly role: string }

export interface PolicyGroup {
  readonly home: string;
  readonly rule: PolicyRule;
  readonly group: GroupRef;
  /** The (project, role) pairs the group's members get, unique, in spec order. */
  readonly grants: readonly ProjectRole[];
}

/** Home clouds whose users may log into `partner`, in spec order. */
export function homesOf(spec: FederationSpec, partner: string): string[] {
  const homes = new Set(trustEdges(spec).filter((e) => e.partner === partner).map((e) => e.home));
  return spec.clouds.map((c) => c.alias).filter((alias) => homes.has(alias));
}

export function keystoneGrantsOf(rule: PolicyRule, partner: string): KeystoneGrant[] {
  return rule.grant.filter((g) => !g.clouds || g.clouds.includes(partner)).flatMap((g) => g.keystone);
}

/** The groups of `home`'s users in `partner`'s Keystone, in policy order. Throws if a privileged role slipped through. */
export function policyGroups(spec: FederationSpec, home: string, partner: CloudSpec): PolicyGroup[] {
  if (!partner.keystone) return [];
  const privileged = privilegedKeystoneRoles(spec.privileged);
  const domain = keystoneDomainFor(spec.naming, home);
  const out: PolicyGroup[] = [];
  for (const rule of spec.policy) {
    if (rule.when.homeClouds && !rule.when.homeClouds.includes(home)) continue;
    const seen = new Set<string>();
    const grants: ProjectRole[] = [];
    for (const grant of keystoneGrantsOf(rule, partner.alias)) {
      for (const role of grant.roles) {
        if (privileged.has(role.toLowerCase())) {
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
