// Names of the Keycloak objects the broker creates, in one place.
export const FEDERATION_SCOPE = 'fedbroker-federation';
/** User attributes stamped on brokered users in a partner realm. */
export const HOME_CLOUD_ATTRIBUTE = 'home_cloud';
export const HOME_SUBJECT_ATTRIBUTE = 'home_sub';
export const HOME_GROUPS_ATTRIBUTE = 'home_groups';

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
