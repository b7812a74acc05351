// Explain, Keystone part (docs/design.md §4): what a user gets in partner cloud P's Keystone, computed the way
// Keystone computes it: the claims of P's access token become the WSGI assertion mod_auth_openidc
// hands to Keystone (OIDC-<claim>, lists joined with ";"), the generated mapping runs through
// evaluateMapping (checked against Keystone's own engine), and the mapped groups' role assignments
// give the projects. The result names the generated rules that matched.
import type { JsonValue } from '../json.ts';
import { downstreamUsername } from '../naming.ts';
import type { PolicySubject } from '../subject.ts';
import { groupsReferenced } from '../render/keycloak/index.ts';
import { realmUrl } from '../federation/realm-url.ts';
import { mirroredGroupPath } from '../render/keycloak/names.ts';
import { renderPartnerKeystone } from '../render/keystone/index.ts';
import { AUDIENCE_CLAIM, GROUPS_CLAIM, HOME_CLOUD_CLAIM, renderMapping, USERNAME_CLAIM, type RuleLabel } from '../render/keystone/mapping.ts';
import { ZED_CAPABILITIES, type KeystoneCapabilities } from '../render/keystone/model.ts';
import { CLAIM_PREFIX, identityProviderDomain } from '../render/keystone/names.ts';
import type { FederationSpec } from '../federation/schema.ts';
import { evaluateMapping, type Assertion, type MappedGroup } from './keystone-mapping-engine.ts';

export { evaluateMapping, type Assertion, type MappedGroup, type MappingEvaluation } from './keystone-mapping-engine.ts';

export type Claims = Readonly<Record<string, JsonValue>>;

export interface KeystoneProjectGrant { readonly domain: string; readonly project: string; readonly roles: readonly string[]; readonly viaGroups: readonly string[] }
export interface MatchedRule { readonly index: number; readonly label: RuleLabel; readonly description: string }

export type KeystoneExplanation =
  | { readonly target: string; readonly outcome: 'not-configured'; readonly reason: string }
  | {
    readonly target: string;
    readonly outcome: 'refused';
    /** What Keystone answers: 403 issuer not among the IdP's remote ids; 401 no rule matched; 500 the mapping itself fails. */
    readonly status: 401 | 403 | 500;
    readonly reason: string;
    readonly identityProvider: string;
    readonly matchedRules: readonly MatchedRule[];
  }
  | {
    readonly target: string;
    readonly outcome: 'authenticated';
    readonly identityProvider: string;
    /** Keystone user: name (REMOTE_USER = sub when no rule names one), domain where the shadow user lands, type. */
    readonly user: { readonly name: string; readonly domain: string; readonly type: string };
    readonly groups: readonly MappedGroup[];
    /** Projects reachable through the groups' role assignments (implied roles, e.g. member → reader, not listed). */
    readonly projects: readonly KeystoneProjectGrant[];
    readonly matchedRules: readonly MatchedRule[];
    readonly capabilities: KeystoneCapabilities;
  };

/** The assertion mod_auth_openidc builds from token claims (OIDCClaimPrefix "OIDC-", OIDCClaimDelimiter ";"). */
export function claimsToAssertion(claims: Claims): Assertion {
  const text = (v: JsonValue): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'boolean') return v ? '1' : '0';
    if (typeof v === 'number') return String(v);
    return JSON.stringify(v);
  };
  const out: Record<string, string> = {};
  for (const [claim, value] of Object.entries(claims)) {
    if (value === null) continue;
    out[`${CLAIM_PREFIX}${claim}`] = Array.isArray(value) ? value.map(text).join(';') : text(value);
  }
  return out;
}

/**
 * The claims partner `target`'s realm puts into a Keystone access token of a brokered subject (see
 * render/keycloak): iss, aud/azp = the Keystone client, preferred_username = the downstream user name (naming.username, lower case),
 * home_cloud, groups as mirrored paths of the groups policy refers to. Home attributes are added as
 * claims of the same name, which assumes the partner realm passes them on (it does not yet).
 */
export function brokeredClaims(spec: FederationSpec, subject: PolicySubject, target: string): Claims {
  const partner = spec.clouds.find((c) => c.alias === target);
  const referenced = new Set(groupsReferenced(spec.policy, subject.homeCloud, target));
  const groups = subject.groups.filter((g) => referenced.has(g)).map((g) => mirroredGroupPath(subject.homeCloud, g));
  const audience = partner?.keystone?.audience ?? 'openstack';
  return {
    ...Object.fromEntries(Object.entries(subject.attributes).map(([k, v]) => [k, v.length === 1 ? v[0] as string : [...v]])),
    ...(partner && { iss: realmUrl(partner.keycloak.url, partner.keycloak.realm) }),
    aud: audience,
    azp: audience,
    sub: `${subject.homeCloud}:${subject.homeUsername}`,
    [USERNAME_CLAIM]: downstreamUsername(spec.naming, subject.homeCloud, subject.homeUsername).toLowerCase(),
    [HOME_CLOUD_CLAIM]: subject.homeCloud,
    ...(groups.length > 0 && { [GROUPS_CLAIM]: groups }),
  };
}

/** What `claims` (of an access token of `target`'s realm) get in `target`'s Keystone, and which generated rule says so. */
export function explainKeystone(spec: FederationSpec, claims: Claims, target: string, capabilities: KeystoneCapabilities = ZED_CAPABILITIES): KeystoneExplanation {
  const partner = spec.clouds.find((c) => c.alias === target);
  if (!partner?.keystone) return { target, outcome: 'not-configured', reason: `cloud ${target} has no keystone section in the spec` };
  const identityProvider = partner.keystone.identityProvider;
  const issuer = realmUrl(partner.keycloak.url, partner.keycloak.realm);
  if (claims['iss'] !== issuer) {
    return { target, outcome: 'refused', status: 403, identityProvider, matchedRules: [],
      reason: `the token's issuer ${JSON.stringify(claims['iss'] ?? null)} is not ${issuer}, the identity provider's remote id` };
  }
  const mapping = renderMapping(spec, partner, capabilities);
  const result = evaluateMapping(mapping.rules, claimsToAssertion(claims));
  const matchedRules = result.matchedRules.map((index) => describeRule(index, mapping.labels[index]));
  if (result.outcome === 'no-rule-matched') {
    return { target, outcome: 'refused', status: 401, identityProvider, matchedRules, reason: refusalReason(claims, partner.keystone.audience) };
  }
  if (result.outcome === 'error') {
    return { target, outcome: 'refused', status: 500, identityProvider, matchedRules, reason: `Keystone's mapping engine fails on this mapping (${result.error}): ${result.message}` };
  }
  const name = typeof result.user['name'] === 'string' ? result.user['name'] : String(claims['sub'] ?? '');
  const ruleDomain = (result.user['domain'] as { name?: string } | undefined)?.name;
  const domain = capabilities.honoursRuleDomain && ruleDomain ? ruleDomain : identityProviderDomain(identityProvider);
  return {
    target, outcome: 'authenticated', identityProvider, capabilities, matchedRules,
    user: { name, domain, type: result.user.type },
    groups: result.groups,
    projects: projectsOf(spec, target, result.groups, capabilities),
  };
}

function projectsOf(spec: FederationSpec, target: string, groups: readonly MappedGroup[], capabilities: KeystoneCapabilities): KeystoneProjectGrant[] {
  const partner = spec.clouds.find((c) => c.alias === target);
  if (!partner) return [];
  const member = new Set(groups.map((g) => JSON.stringify([g.domain.name, g.name])));
  const projects = new Map<string, { domain: string; project: string; roles: Set<string>; viaGroups: Set<string> }>();
  for (const o of renderPartnerKeystone(spec, partner, capabilities)) {
    if (o.kind !== 'roleAssignment') continue;
    const group = o.fields['group'] as { domain: string; name: string };
    const project = o.fields['project'] as { domain: string; name: string };
    if (!member.has(JSON.stringify([group.domain, group.name]))) continue;
    const key = JSON.stringify([project.domain, project.name]);
    const entry = projects.get(key) ?? { domain: project.domain, project: project.name, roles: new Set(), viaGroups: new Set() };
    entry.roles.add(String(o.fields['role']));
    entry.viaGroups.add(`${group.domain}/${group.name}`);
    projects.set(key, entry);
  }
  return [...projects.values()]
    .map((p) => ({ domain: p.domain, project: p.project, roles: [...p.roles].sort(), viaGroups: [...p.viaGroups].sort() }))
    .sort((a, b) => `${a.domain}/${a.project}`.localeCompare(`${b.domain}/${b.project}`));
}

function describeRule(index: number, label: RuleLabel | undefined): MatchedRule {
  const l: RuleLabel = label ?? { kind: 'marker' };
  const description = l.kind === 'marker' ? 'ownership marker (never matches)'
    : l.kind === 'base' ? `base rule for users of ${l.home}: user name, no groups`
      : `policy rule "${l.policyRule}" for users of ${l.home}: group ${l.group.domain}/${l.group.name}`;
  return { index, label: l, description };
}

function refusalReason(claims: Claims, audience: string): string {
  const audiences = [claims[AUDIENCE_CLAIM]].flat();
  if (!audiences.includes(audience)) return `no mapping rule matched: the token's audience ${JSON.stringify(claims[AUDIENCE_CLAIM] ?? null)} does not include "${audience}" (Keystone answers 401)`;
  if (typeof claims[HOME_CLOUD_CLAIM] !== 'string') return 'no mapping rule matched: the token carries no home_cloud claim (not a brokered user of a trusted home cloud; Keystone answers 401)';
  return 'no mapping rule matched: the home cloud is not trusted by this cloud or the user name is outside its namespace (Keystone answers 401)';
}
