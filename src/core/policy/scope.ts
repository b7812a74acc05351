// Where a policy rule applies: to users of which home clouds, and with which grants in which partner
// cloud. Policy evaluation and every renderer ask these functions, so they cannot disagree.
import type { GrantSpec, PolicyRule } from '../federation/schema.ts';

type Targeted = { readonly clouds?: readonly string[] };
type Conditioned = { readonly when: { readonly homeClouds?: readonly string[] } };

/** Does `grant` apply in partner cloud `cloud`? A grant without `clouds` applies in every partner. */
export function grantAppliesIn(grant: Targeted, cloud: string): boolean {
  return !grant.clouds || grant.clouds.includes(cloud);
}

/** The grants of `rule` that apply in partner cloud `cloud`, in spec order. */
export function grantsIn(rule: Pick<PolicyRule, 'grant'>, cloud: string): GrantSpec[] {
  return rule.grant.filter((g) => grantAppliesIn(g, cloud));
}

/** Can `rule` match users of home cloud `home`? A rule without `when.homeClouds` matches every home. */
export function ruleAppliesToHome(rule: Conditioned, home: string): boolean {
  return !rule.when.homeClouds || rule.when.homeClouds.includes(home);
}

/** The homes of `rule` among `homes` (order kept): those whose users the rule can match. */
export function homesOfRule(rule: Conditioned, homes: readonly string[]): string[] {
  return homes.filter((h) => ruleAppliesToHome(rule, h));
}
