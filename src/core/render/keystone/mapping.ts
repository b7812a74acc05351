// The one OS-FEDERATION mapping of partner cloud P. Rules, in order:
//   0      the ownership marker (never matches)
//   per home cloud H that P trusts:
//     base   user name from OIDC-preferred_username, ephemeral; matches every user of H with the
//            right audience, so a user without grants still authenticates (and gets no project)
//     policy one per policy rule with Keystone grants in P: membership of group <rule> in fed-<H>
// Every rule pins: OIDC-home_cloud = H (stamped by a hard-coded mapper in P's realm, never by the
// user), OIDC-aud = P's Keystone client, and a user name in H's namespace (a regex on the
// downstream-name template, e.g. "^cloud-a\."). Keystone checks the issuer itself (remote_ids).
// Groups: any -> one any_one_of condition over the mirrored paths "/<H>:<path>"; all -> one condition
// per path. Keystone splits every value on ";", so a value containing ";" could never match:
// such a spec is refused here. The domain of a rule comes from the spec, never from a claim.
import { BrokerError } from '../../errors.ts';
import type { JsonValue } from '../../json.ts';
import { keystoneDomainFor } from '../../naming.ts';
import type { CloudSpec, FederationSpec, PolicyRule } from '../../federation/schema.ts';
import { mirroredGroupPath } from '../keycloak/names.ts';
import type { KeystoneCapabilities } from './model.ts';
import { claimAttribute, mappingId, markerRule, sortKeysDeep, type JsonObject } from './names.ts';
import { homesOf } from '../../federation/trust.ts';
import { policyGroups, type GroupRef } from './policy-groups.ts';

export type RuleLabel =
  | { readonly kind: 'marker' }
  | { readonly kind: 'base'; readonly home: string }
  | { readonly kind: 'policy'; readonly home: string; readonly policyRule: string; readonly group: GroupRef };

export interface RenderedMapping {
  readonly id: string;
  /** Keystone mapping rules, keys sorted (the form the adapter reports them in). */
  readonly rules: readonly JsonObject[];
  /** What each rule is for, by index. */
  readonly labels: readonly RuleLabel[];
}

export const USERNAME_CLAIM = 'preferred_username';
export const HOME_CLOUD_CLAIM = 'home_cloud';
export const GROUPS_CLAIM = 'groups';
export const AUDIENCE_CLAIM = 'aud';

export function renderMapping(spec: FederationSpec, partner: CloudSpec, capabilities: KeystoneCapabilities): RenderedMapping {
  const keystone = requireKeystone(partner);
  const rules: JsonValue[] = [markerRule(spec.metadata.name)];
  const labels: RuleLabel[] = [{ kind: 'marker' }];
  for (const home of homesOf(spec, partner.alias)) {
    const pins = homePins(spec, home, keystone.audience, partner.alias);
    const domain = keystoneDomainFor(spec.naming, home);
    rules.push({
      local: [{ user: { name: '{0}', type: 'ephemeral', ...(capabilities.honoursRuleDomain && { domain: { name: formatLiteral(domain) } }) } }],
      remote: [{ type: claimAttribute(USERNAME_CLAIM) }, ...pins],
    });
    labels.push({ kind: 'base', home });
    for (const { rule, group } of policyGroups(spec, home, partner)) {
      rules.push({
        local: [{ group: { domain: { name: formatLiteral(group.domain) }, name: formatLiteral(group.name) } }],
        remote: [...pins, ...groupConditions(rule, home, partner.alias), ...attributeConditions(rule, partner.alias)],
      });
      labels.push({ kind: 'policy', home, policyRule: rule.name, group });
    }
  }
  return { id: mappingId(keystone.identityProvider), rules: rules.map((r) => sortKeysDeep(r) as JsonObject), labels };
}

/** The regex (same meaning in Python's re and JavaScript) a downstream user name of `home` matches. */
export function usernamePattern(spec: FederationSpec, home: string): string {
  // Keycloak stores user names in lower case, so the template's fixed parts are compared in lower case.
  const parts = spec.naming.username.replaceAll('{homeCloud}', home).toLowerCase().split('{username}');
  const last = parts[parts.length - 1] ?? '';
  const prefix = parts.slice(0, -1).map(escapeRegex).join('[\\s\\S]*');
  return `^${prefix}${last === '' ? '' : `[\\s\\S]*${escapeRegex(last)}(?![\\s\\S])`}`;
}

function homePins(spec: FederationSpec, home: string, audience: string, partner: string): JsonObject[] {
  refuseSemicolon(audience, partner, 'the Keystone audience');
  return [
    { any_one_of: [usernamePattern(spec, home)], regex: true, type: claimAttribute(USERNAME_CLAIM) },
    { any_one_of: [home], type: claimAttribute(HOME_CLOUD_CLAIM) },
    { any_one_of: [audience], type: claimAttribute(AUDIENCE_CLAIM) },
  ];
}

function groupConditions(rule: PolicyRule, home: string, partner: string): JsonObject[] {
  const type = claimAttribute(GROUPS_CLAIM);
  const mirrored = (path: string) => refuseSemicolon(mirroredGroupPath(home, path), partner, `group "${path}" of policy rule "${rule.name}"`);
  const any = rule.when.groups?.any;
  return [
    ...(any ? [{ any_one_of: any.map(mirrored), type }] : []),
    ...(rule.when.groups?.all ?? []).map((path) => ({ any_one_of: [mirrored(path)], type })),
  ];
}

function attributeConditions(rule: PolicyRule, partner: string): JsonObject[] {
  return Object.entries(rule.when.attributes ?? {}).map(([claim, wanted]) => ({
    any_one_of: (typeof wanted === 'string' ? [wanted] : wanted).map((v) => refuseSemicolon(v, partner, `attribute "${claim}" of policy rule "${rule.name}"`)),
    type: claimAttribute(claim),
  }));
}

function refuseSemicolon(value: string, partner: string, what: string): string {
  if (!value.includes(';')) return value;
  throw new BrokerError('ERR_KEYSTONE_UNRENDERABLE', `${what} contains ";": Keystone splits claim values on ";", so no mapping rule could ever match it (cloud ${partner})`,
    { details: { cloud: partner, value } });
}

function requireKeystone(partner: CloudSpec): NonNullable<CloudSpec['keystone']> {
  if (partner.keystone) return partner.keystone;
  throw new BrokerError('ERR_INTERNAL', `cloud ${partner.alias} has no keystone section`, { details: { cloud: partner.alias } });
}

/** Keystone runs str.format() over the local part of every matched rule (Zed's DirectMaps is always truthy): keep braces literal. */
function formatLiteral(text: string): string {
  return text.replaceAll('{', '{{').replaceAll('}', '}}');
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
