// Names the broker gives to Kubernetes identities and objects, in one place (renderers, explain and
// the adapter agree on them). See docs/decisions/0004-kubernetes-identities.md.
import { FEDERATION_KEY, MANAGED_BY_KEY, MANAGED_BY_VALUE, MARKER_VERSION, MARKER_VERSION_KEY } from '../../managed.ts';
import { downstreamGroup, downstreamUsername } from '../../naming.ts';
import type { FederationSpec } from '../../federation/schema.ts';
import { shortHash } from './hash.ts';

/** Prefix of every user and group name the JWT authenticator produces. */
export const OIDC_PREFIX = 'oidc:';
/** The field manager of every server-side apply. */
export const FIELD_MANAGER = 'scs-federation-broker';
export const RBAC_API_GROUP = 'rbac.authorization.k8s.io';
/** The policy rule a binding comes from (for explain and people reading the cluster). */
export const RULE_ANNOTATION = 'fedbroker.scs.community/policy-rule';
/** The federation's full name (the label holds it only when it is a valid label value). */
export const FEDERATION_ANNOTATION = FEDERATION_KEY;
/** Marks namespaces the broker created; deliberately not the managed-by label, so they are never pruned. */
export const CREATED_BY_KEY = 'fedbroker.scs.community/created-by';
/** Extra user info naming a brokered user's home cloud. */
export const HOME_CLOUD_EXTRA = 'fedbroker.scs.community/home-cloud';

type Naming = FederationSpec['naming'];

/** `oidc:cloud-a.alice`: a user of home cloud-a in a partner's cluster. */
export function kubernetesUsername(naming: Naming, homeCloud: string, username: string): string {
  return `${OIDC_PREFIX}${downstreamUsername(naming, homeCloud, username)}`;
}

/** `oidc:cloud-a:/projects/p1/members`: home group /projects/p1/members of cloud-a. */
export function kubernetesGroup(homeCloud: string, groupPath: string): string {
  return `${OIDC_PREFIX}${downstreamGroup(homeCloud, groupPath)}`;
}

/** `oidc:cloud-a`: every brokered user of home cloud-a carries this group. */
export function kubernetesHomeGroup(homeCloud: string): string {
  return `${OIDC_PREFIX}${homeCloud}`;
}

/** `oidc:/projects/p1/members`: a group of the partner's own (local) users. */
export function kubernetesLocalGroup(groupPath: string): string {
  return `${OIDC_PREFIX}${groupPath}`;
}

const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/;

/**
 * A label value for `value`: itself when valid (≤ 63 characters, alphanumeric at both ends), else a
 * shortened prefix plus a hash (the full value then lives in an annotation).
 */
export function labelValue(value: string): string {
  if (LABEL_VALUE.test(value)) return value;
  const head = value.slice(0, 52).replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return `${head ? `${head}-` : ''}${shortHash([value])}`;
}

/** Labels on everything the broker owns in a cluster (selectable), federation name encoded if needed, and the marker version. */
export function kubernetesLabels(federation: string): Record<string, string> {
  return { [MANAGED_BY_KEY]: MANAGED_BY_VALUE, [FEDERATION_KEY]: labelValue(federation), [MARKER_VERSION_KEY]: MARKER_VERSION };
}

export function kubernetesAnnotations(federation: string, rule?: string): Record<string, string> {
  return { [FEDERATION_ANNOTATION]: federation, ...(rule !== undefined && { [RULE_ANNOTATION]: rule }) };
}

/** The label selector that lists a federation's objects. */
export function managedSelector(federation: string): string {
  return `${MANAGED_BY_KEY}=${MANAGED_BY_VALUE},${FEDERATION_KEY}=${labelValue(federation)}`;
}

/** Carries the broker's labels for this federation (and, when present, the matching full-name annotation); any marker version. */
export function isManagedObject(metadata: { labels?: Readonly<Record<string, string>>; annotations?: Readonly<Record<string, string>> } | undefined, federation: string): boolean {
  const labels = metadata?.labels ?? {};
  if (labels[MANAGED_BY_KEY] !== MANAGED_BY_VALUE || labels[FEDERATION_KEY] !== labelValue(federation)) return false;
  const full = metadata?.annotations?.[FEDERATION_ANNOTATION];
  return full === undefined ? labelValue(federation) === federation : full === federation;
}

function slug(text: string, max: number): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, max).replace(/-+$/, '');
}

/** `fedbroker-p1-members-view-1a2b3c4d5e`: deterministic, ≤ 62 characters, readable start, unique by hash. */
export function bindingName(federation: string, rule: string, namespace: string | undefined, roleKind: string, roleName: string): string {
  const hash = shortHash([federation, rule, namespace ?? '', roleKind, roleName]);
  return ['fedbroker', slug(rule, 24), slug(roleName, 16), hash].filter((p) => p !== '').join('-');
}
