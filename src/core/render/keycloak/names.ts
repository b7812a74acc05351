// Names of the Keycloak objects the broker creates, in one place.
export const FEDERATION_SCOPE = 'fedbroker-federation';
/** User attributes stamped on brokered users in a partner realm. */
export const HOME_CLOUD_ATTRIBUTE = 'home_cloud';
export const HOME_SUBJECT_ATTRIBUTE = 'home_sub';
export const HOME_GROUPS_ATTRIBUTE = 'home_groups';
/**
 * A home client sends the user's own `home_cloud` attribute upstream under this claim / SAML attribute
 * name; the partner imports it into this user attribute. Set only for users who are themselves brokered
 * guests of the home realm, so a partner refuses them (no chained brokering, decision 0006).
 */
export const UPSTREAM_HOME_CLOUD_ATTRIBUTE = 'upstream_home_cloud';

/** The flow every identity provider of the broker runs after each login in a partner realm (postBrokerLoginFlowAlias). */
export const POST_BROKER_FLOW = 'fedbroker-post-broker-login';
/** Its first login flow (firstBrokerLoginFlowAlias): Keycloak's default without account linking. */
export const FIRST_BROKER_FLOW = 'fedbroker-first-broker-login';
/** Client scope that marks the broker's home clients in a realm that is also a partner (the flow above checks it). */
export const HOME_CLIENT_SCOPE = 'fedbroker-home-client';

/** Client in home realm H for partner P's broker endpoint. */
export function homeClientId(partner: string): string {
  return `fed-${partner}`;
}

/**
 * Group in partner realm P that mirrors home group `path` of home H: a top-level group named
 * "<H>:" holds the home tree, so the full path reads "/<H>:/projects/p1/members" and never
 * collides with P's own groups or another home's.
 */
export function mirroredGroupPath(home: string, path: string): string {
  return `/${home}:${path}`;
}

/** The namespaced group "<H>:<path>" from a mirrored full path, or undefined for other groups. */
export function namespacedGroupFromPath(fullPath: string): string | undefined {
  const m = /^\/([a-z][a-z0-9-]*):(\/.+)$/.exec(fullPath);
  return m ? `${m[1]}:${m[2]}` : undefined;
}
