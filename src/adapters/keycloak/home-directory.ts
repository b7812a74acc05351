// A home realm's users and their group paths (HomeDirectoryPort), read through the admin API.
import { inPool } from '../../core/pool.ts';
import type { SubjectProfile } from '../../core/subject.ts';
import { HOME_CLOUD_ATTRIBUTE } from '../../core/render/keycloak/names.ts';
import type { HomeUser } from '../../core/sync/model.ts';
import type { CloudSpec } from '../../core/federation/schema.ts';
import type { HomeDirectoryPort } from '../../ports.ts';
import { createKeycloakClient, type KeycloakClient } from './client.ts';
import { urlPath, type KeycloakRest } from './rest.ts';

interface UserRep { id: string; username: string; enabled?: boolean; email?: string; firstName?: string; lastName?: string; attributes?: Record<string, string[]> }

/** Users an event batch names are read this many at a time. */
const USERS_BY_ID_CONCURRENCY = 8;

/** Users with a `home_cloud` attribute are guests of the realm (decision 0006), not its users. */
const isLocal = (u: UserRep): boolean => !(u.attributes?.[HOME_CLOUD_ATTRIBUTE]?.length);

function homeUser(u: UserRep, groups: string[]): HomeUser {
  return {
    homeSub: u.id, homeUsername: u.username, enabled: u.enabled !== false, groups, attributes: u.attributes ?? {},
    ...(u.email !== undefined && { email: u.email }), ...(u.firstName !== undefined && { firstName: u.firstName }), ...(u.lastName !== undefined && { lastName: u.lastName }),
  };
}

export class KeycloakHomeDirectory implements HomeDirectoryPort {
  readonly cloud: string;
  readonly #rest: KeycloakRest;
  readonly #realm: string;
  readonly #close: () => Promise<void>;

  constructor(options: { cloud: string; realm: string; rest: KeycloakRest; close?: () => Promise<void> }) {
    this.cloud = options.cloud;
    this.#rest = options.rest;
    this.#realm = options.realm;
    this.#close = options.close ?? (async () => {});
  }

  async subject(username: string): Promise<SubjectProfile | undefined> {
    const target = { realm: this.#realm, object: `user ${username}` };
    const users = await this.#rest.get<{ id: string; username: string }[]>(`/users?exact=true&briefRepresentation=true&username=${encodeURIComponent(username)}`, target);
    const user = users.find((u) => u.username === username.toLowerCase());
    if (!user) return undefined;
    const groups = await this.#rest.list<{ path: string }>(urlPath`/users/${user.id}/groups` + '?briefRepresentation=true', target);
    return { homeCloud: this.cloud, homeSub: user.id, homeUsername: user.username, groups: groups.map((g) => g.path).sort(), attributes: {} };
  }

  async users(groupPaths: readonly string[]): Promise<HomeUser[]> {
    const target = { realm: this.#realm, object: 'users' };
    const all = await this.#rest.list<UserRep>('/users?briefRepresentation=false', target);
    const groupsById = new Map<string, string[]>();
    for (const path of [...new Set(groupPaths)].sort()) {
      for (const id of await this.#memberIds(path)) groupsById.set(id, [...(groupsById.get(id) ?? []), path]);
    }
    return all.filter(isLocal).map((u) => homeUser(u, groupsById.get(u.id) ?? []));
  }

  /** The users of `ids` (an absent or guest one is left out), read USERS_BY_ID_CONCURRENCY at a time, in the order of `ids`. */
  async usersByIds(groupPaths: readonly string[], ids: readonly string[]): Promise<HomeUser[]> {
    const wanted = new Set(groupPaths);
    const unique = [...new Set(ids)];
    const found: (HomeUser | undefined)[] = new Array<HomeUser | undefined>(unique.length);
    await inPool(unique, USERS_BY_ID_CONCURRENCY, async (id, i) => {
      const target = { realm: this.#realm, object: `user ${id}` };
      const user = await this.#rest.find<UserRep>(urlPath`/users/${id}`, target);
      if (!user || !isLocal(user)) return;
      const groups = await this.#rest.list<{ path: string }>(urlPath`/users/${id}/groups` + '?briefRepresentation=true', target);
      found[i] = homeUser(user, groups.map((g) => g.path).filter((p) => wanted.has(p)).sort());
    });
    return found.filter((u): u is HomeUser => u !== undefined);
  }

  /** Direct members of the group at `path`; none when the realm has no such group. */
  async #memberIds(path: string): Promise<string[]> {
    const target = { realm: this.#realm, object: `group "${path}"` };
    const group = await this.#rest.find<{ id: string }>(`/group-by-path/${path.split('/').filter((s) => s !== '').map(encodeURIComponent).join('/')}`, target);
    if (!group) return [];
    const members = await this.#rest.list<{ id: string }>(urlPath`/groups/${group.id}/members` + '?briefRepresentation=true', target);
    return members.map((m) => m.id);
  }

  close(): Promise<void> {
    return this.#close();
  }
}

/** The home directory of a cloud's realm over `client` (default: the cloud's Keycloak client of its own). */
export async function createKeycloakHomeDirectory(cloud: CloudSpec, baseDir: string, client?: KeycloakClient): Promise<KeycloakHomeDirectory> {
  const over = client ?? await createKeycloakClient(cloud, baseDir);
  return new KeycloakHomeDirectory({ cloud: cloud.alias, realm: cloud.keycloak.realm, rest: over.rest, ...(!client && { close: () => over.close() }) });
}
