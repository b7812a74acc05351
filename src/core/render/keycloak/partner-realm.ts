// Per realm: what a partner realm needs once, whatever the number of homes (federation client scope,
// its attachment to the cloud's own Keystone/Kubernetes clients, admin-only user-profile attributes),
// the mirrored home groups, and event settings every realm needs for logout detection.
import { managedMarkers } from '../../managed.ts';
import type { CloudSpec, FederationSpec } from '../../federation/schema.ts';
import type { KeycloakKind, KeycloakObject } from './model.ts';
import { FEDERATION_SCOPE, HOME_CLOUD_ATTRIBUTE, HOME_GROUPS_ATTRIBUTE, HOME_SUBJECT_ATTRIBUTE, mirroredGroupPath, UPSTREAM_HOME_CLOUD_ATTRIBUTE } from './names.ts';

/** Event types the broker relies on (LOGOUT for the logout catch-all detector). */
export const REQUIRED_EVENT_TYPES = ['LOGIN', 'LOGOUT', 'CODE_TO_TOKEN', 'IDENTITY_PROVIDER_LOGIN'] as const;

const object = (cloud: CloudSpec, kind: KeycloakKind, name: string, fields: KeycloakObject['fields'], shared = false): KeycloakObject =>
  ({ system: 'keycloak', cloud: cloud.alias, scope: cloud.keycloak.realm, kind, name, fields, ...(shared && { shared }) });

/**
 * Event settings of a realm: user events for logout detection; in a home realm also admin events with
 * their representation, which role sync's event path reads (membership removed, user disabled or
 * deleted; docs/sync.md).
 */
export function renderRealmEvents(cloud: CloudSpec, isHome = false): KeycloakObject {
  return object(cloud, 'realmEvents', 'events', {
    eventsEnabled: true, enabledEventTypes: { $includes: [...REQUIRED_EVENT_TYPES] },
    ...(isHome && { adminEventsEnabled: true, adminEventsDetailsEnabled: true }),
  }, true);
}

export function renderPartnerRealm(spec: FederationSpec, partner: CloudSpec): KeycloakObject[] {
  const markers = managedMarkers(spec.metadata.name);
  const tokenMapper = (name: string, protocolMapper: string, config: Record<string, string>) => ({
    name, protocol: 'openid-connect', protocolMapper,
    config: { ...config, 'id.token.claim': 'true', 'access.token.claim': 'true', 'userinfo.token.claim': 'true' },
  });
  const attribute = (name: string, multivalued: boolean) => object(partner, 'userProfileAttribute', name, {
    name, displayName: name, multivalued, permissions: { view: ['admin'], edit: ['admin'] }, annotations: markers,
  });
  const audiences = [partner.keystone?.audience, ...(partner.kubernetes?.clusters ?? []).map((c) => c.audience)]
    .filter((a): a is string => a !== undefined);
  return [
    attribute(HOME_CLOUD_ATTRIBUTE, false),
    attribute(HOME_SUBJECT_ATTRIBUTE, false),
    attribute(HOME_GROUPS_ATTRIBUTE, true),
    attribute(UPSTREAM_HOME_CLOUD_ATTRIBUTE, false),
    object(partner, 'clientScope', FEDERATION_SCOPE, {
      name: FEDERATION_SCOPE, protocol: 'openid-connect',
      description: 'Federation claims: home cloud, home subject and namespaced groups of brokered users',
      attributes: { ...markers, 'include.in.token.scope': 'false', 'display.on.consent.screen': 'false' },
      protocolMappers: [
        tokenMapper(HOME_CLOUD_ATTRIBUTE, 'oidc-usermodel-attribute-mapper', { 'user.attribute': HOME_CLOUD_ATTRIBUTE, 'claim.name': HOME_CLOUD_ATTRIBUTE, 'jsonType.label': 'String' }),
        tokenMapper(HOME_SUBJECT_ATTRIBUTE, 'oidc-usermodel-attribute-mapper', { 'user.attribute': HOME_SUBJECT_ATTRIBUTE, 'claim.name': HOME_SUBJECT_ATTRIBUTE, 'jsonType.label': 'String' }),
        tokenMapper('groups', 'oidc-group-membership-mapper', { 'claim.name': 'groups', 'full.path': 'true', multivalued: 'true' }),
      ],
    }),
    ...[...new Set(audiences)].sort().map((clientId) =>
      object(partner, 'clientDefaultScope', `${clientId}/${FEDERATION_SCOPE}`, { clientId, clientScope: FEDERATION_SCOPE })),
    ...clusterTokenBounds(partner).map(({ clientId, seconds }) =>
      object(partner, 'clientTokenLifespan', clientId, { clientId, accessTokenLifespan: seconds }, true)),
  ];
}

/** Per audience client of the cloud's clusters: the smallest `tokenLifetimeSeconds` the clusters using it set. */
export function clusterTokenBounds(cloud: CloudSpec): { clientId: string; seconds: number }[] {
  const bounds = new Map<string, number>();
  for (const c of cloud.kubernetes?.clusters ?? []) {
    if (c.tokenLifetimeSeconds === undefined) continue;
    bounds.set(c.audience, Math.min(bounds.get(c.audience) ?? Infinity, c.tokenLifetimeSeconds));
  }
  return [...bounds].sort(([a], [b]) => a.localeCompare(b)).map(([clientId, seconds]) => ({ clientId, seconds }));
}

/** The group tree "/<H>:" + each path, parents first, each marked as the broker's. */
export function renderMirroredGroups(spec: FederationSpec, home: CloudSpec, partner: CloudSpec, paths: readonly string[]): KeycloakObject[] {
  const markers = Object.fromEntries(Object.entries(managedMarkers(spec.metadata.name)).map(([k, v]) => [k, [v]]));
  const fullPaths = new Set<string>();
  for (const path of paths) {
    const segments = mirroredGroupPath(home.alias, path).split('/').slice(1);
    segments.forEach((_, i) => fullPaths.add(`/${segments.slice(0, i + 1).join('/')}`));
  }
  return [...fullPaths].sort().map((fullPath) =>
    object(partner, 'group', fullPath, { name: fullPath.slice(fullPath.lastIndexOf('/') + 1), attributes: markers }));
}
