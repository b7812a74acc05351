// Names and ownership markers of the Keystone objects the broker creates, in one place, so the
// renderer, explain, the adapter and the fake agree.
//
// Where the managed-by marker lives (Keystone has no labels):
// - domains, projects, groups, roles: extra attributes FEDBROKER_MANAGED_BY, FEDBROKER_FEDERATION and the
//   marker version FEDBROKER_MARKER_VERSION (absent on objects of the previous release)
//   (Keystone keeps unknown attributes of these entities and returns them; it turns "-" in their
//   names into "_", hence the underscores);
// - identity provider: its description (the only free field; extra attributes are refused with 400),
//   "[<managed-by> <federation>] <marker version> <what>";
// - mapping: a first rule that can never match (its remote types are the marker keys, which no
//   assertion carries: Keystone sees only "OIDC-*" variables); a mapping keeps nothing but its rules;
//   the rule has the previous release's form (no version: its mapping is that of its identity provider);
// Ownership never depends on the marker version (src/core/managed.ts), and the previous release reads
// these markers too (a rollback keeps ownership).
// - protocol: ours when its identity provider is ours; role assignment: ours when its group is ours.
import {
  FEDERATION_KEY, isManaged, MANAGED_BY_KEY, MANAGED_BY_VALUE, MARKER_VERSION, MARKER_VERSION_ATTRIBUTE, MARKER_VERSION_KEY, markersFromText,
} from '../../managed.ts';
import type { JsonValue } from '../../json.ts';

export const FEDBROKER_MANAGED_BY = 'fedbroker_managed_by';
export const FEDBROKER_FEDERATION = 'fedbroker_federation';
export const FEDBROKER_MARKER_VERSION = MARKER_VERSION_ATTRIBUTE;
/** The protocol id Keystone's Apache front protects (…/protocols/openid/auth). */
export const OPENID_PROTOCOL = 'openid';
/** What mod_auth_openidc puts in front of every claim (OIDCClaimPrefix); Keystone's assertion_prefix. */
export const CLAIM_PREFIX = 'OIDC-';
/** The claim Keystone compares with the identity provider's remote_ids. */
export const ISSUER_ATTRIBUTE = `${CLAIM_PREFIX}iss`;

export type JsonObject = { [key: string]: JsonValue };

export function entityMarkers(federation: string): JsonObject {
  return { [FEDBROKER_MANAGED_BY]: MANAGED_BY_VALUE, [FEDBROKER_FEDERATION]: federation, [FEDBROKER_MARKER_VERSION]: MARKER_VERSION };
}

export function hasEntityMarkers(entity: Readonly<Record<string, unknown>>, federation: string): boolean {
  return entity[FEDBROKER_MANAGED_BY] === MANAGED_BY_VALUE && entity[FEDBROKER_FEDERATION] === federation;
}

/**
 * "[<managed-by> <federation>] <marker version> <what>": the version after the brackets, so the previous
 * release, which reads the bracketed markers exactly, still owns the object after a rollback.
 */
export function markedDescription(federation: string, what: string): string {
  return `[${MANAGED_BY_KEY}=${MANAGED_BY_VALUE} ${FEDERATION_KEY}=${federation}] ${MARKER_VERSION_KEY}=${MARKER_VERSION} ${what}`;
}

/** The description starts with the bracketed markers of this federation (any marker version). */
export function hasDescriptionMarker(description: unknown, federation: string): boolean {
  if (typeof description !== 'string' || !description.startsWith('[')) return false;
  const end = description.indexOf(']');
  return end > 0 && isManaged(markersFromText(description.slice(1, end)), federation);
}

/** The never-matching first rule of every generated mapping: it says whose mapping this is. */
export function markerRule(federation: string): JsonObject {
  return {
    local: [],
    remote: [
      { any_one_of: [MANAGED_BY_VALUE], type: MANAGED_BY_KEY },
      { any_one_of: [federation], type: FEDERATION_KEY },
    ],
  };
}

export function hasMarkerRule(rules: unknown, federation: string): boolean {
  return Array.isArray(rules) && rules.length > 0 && JSON.stringify(sortKeysDeep(rules[0])) === JSON.stringify(markerRule(federation));
}

export function claimAttribute(claim: string): string {
  return `${CLAIM_PREFIX}${claim}`;
}

/** Where users of the identity provider land when Keystone ignores the rule's domain (Zed). */
export function identityProviderDomain(identityProvider: string): string {
  return `fed-idp-${identityProvider}`;
}

export function mappingId(identityProvider: string): string {
  return `fedbroker-${identityProvider}`;
}

export function protocolObjectName(identityProvider: string): string {
  return `${identityProvider}/${OPENID_PROTOCOL}`;
}

export function domainScopedName(domain: string, name: string): string {
  return `${domain}/${name}`;
}

export function roleAssignmentName(group: { domain: string; name: string }, project: { domain: string; name: string }, role: string): string {
  return `${domainScopedName(group.domain, group.name)} -> ${domainScopedName(project.domain, project.name)}: ${role}`;
}

/** The project tag that lets the adapter list the projects the broker created (tags cannot hold "/" or ","). */
export function projectTag(federation: string): string {
  return `fedbroker:${federation}`;
}

/** A copy with object keys sorted at every level: the form in which rules are compared. */
export function sortKeysDeep(value: unknown): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeysDeep((value as Record<string, unknown>)[k])]));
  }
  return value as JsonValue;
}
