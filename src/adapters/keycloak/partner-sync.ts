// Role sync in a cloud's partner realms (PartnerRealmSyncPort) over the cloud's Keycloak REST client.
// Owned users are those with a federated-identity link to the home's identity provider
// (`/users?idpAlias=`), and those that lost it when that provider was deleted (offboarding) and made
// again: they still carry the admin-only `home_cloud` attribute of the home and a `home_sub`
// (observed as `unlinked`, linked again by sync). Owned groups carry the broker's markers. A user is
// created with its link in one request, so a sync killed half-way never leaves a user without its link.
import { isManaged } from '../../core/managed.ts';
import { inPool } from '../../core/pool.ts';
import { HOME_CLOUD_ATTRIBUTE, HOME_SUBJECT_ATTRIBUTE } from '../../core/render/keycloak/names.ts';
import type { NewPartnerUser, ObservedGuestUser, ObservedPartnerGroup, ObservedPartnerRealm, ObservedPartnerRealmUsers, ObservedPartnerUser, PartnerUsersWanted } from '../../core/sync/model.ts';
import type { PartnerRealmSyncPort } from '../../ports.ts';
import { BrokerError } from '../../core/errors.ts';
import { urlPath, type KeycloakRest } from './rest.ts';

interface UserRep { id: string; username: string; enabled?: boolean; attributes?: Record<string, string[]>; [field: string]: unknown }
interface GroupRep { id: string; path: string; attributes?: Record<string, string[]> }

/** Group members are ids only: large pages. */
const MEMBER_PAGE_SIZE = 1000;
/** Targeted reads of the event path sent at the same time. */
const TARGETED_READ_CONCURRENCY = 8;

const observedUser = (u: UserRep): ObservedPartnerUser => ({ id: u.id, username: u.username, enabled: u.enabled !== false,
  ...(u.attributes?.[HOME_SUBJECT_ATTRIBUTE]?.[0] !== undefined && { homeSub: u.attributes[HOME_SUBJECT_ATTRIBUTE][0] }) });

/** The linked users of the home, then those with its attributes but no link (search results of both kinds, merged). */
function ownedUsers(home: string, linked: readonly UserRep[], attributed: readonly UserRep[]): ObservedPartnerUser[] {
  const linkedIds = new Set(linked.map((u) => u.id));
  const unlinked = attributed.filter((u) => !linkedIds.has(u.id) && u.attributes?.[HOME_CLOUD_ATTRIBUTE]?.[0] === home && u.attributes?.[HOME_SUBJECT_ATTRIBUTE]?.[0] !== undefined);
  return [...linked.map(observedUser), ...unlinked.map((u) => ({ ...observedUser(u), unlinked: true }))];
}

function byPathUrl(path: string): string {
  return `/group-by-path/${path.split('/').filter((s) => s !== '').map(encodeURIComponent).join('/')}`;
}

export class KeycloakPartnerSync implements PartnerRealmSyncPort {
  readonly cloud: string;
  readonly #rest: KeycloakRest;

  constructor(rest: KeycloakRest) {
    this.#rest = rest;
    this.cloud = rest.cloud;
  }

  async observe(realm: string, federation: string, home: string, groupPaths: readonly string[]): Promise<ObservedPartnerRealm> {
    const object = `users of ${home}`;
    const byAttribute = `q=${encodeURIComponent(`${HOME_CLOUD_ATTRIBUTE}:${home}`)}`;
    const [linked, groups, attributedCount] = await Promise.all([
      this.#rest.list<UserRep>(`/users?briefRepresentation=false&idpAlias=${encodeURIComponent(home)}`, { realm, object }),
      this.#groups(realm, federation, groupPaths),
      this.#rest.get<number>(`/users/count?${byAttribute}`, { realm, object }),
    ]);
    // Unlinked users are rare (after an offboarding): the attribute's users are read only when more carry
    // it than the linked users that do.
    const linkedWithAttribute = linked.filter((u) => u.attributes?.[HOME_CLOUD_ATTRIBUTE]?.[0] === home).length;
    const attributed = attributedCount > linkedWithAttribute ? await this.#rest.list<UserRep>(`/users?briefRepresentation=false&${byAttribute}`, { realm, object }) : [];
    return { users: ownedUsers(home, linked, attributed), groups };
  }

  async observeUsers(realm: string, federation: string, home: string, groupPaths: readonly string[], wanted: PartnerUsersWanted): Promise<ObservedPartnerRealmUsers> {
    // Each user asked for twice: linked to the home's provider, and by attribute or name alone (an unlinked one).
    const searches = [
      ...wanted.homeSubs.map((sub) => `q=${encodeURIComponent(`${HOME_SUBJECT_ATTRIBUTE}:${sub}`)}`),
      ...wanted.names.map((name) => `exact=true&username=${encodeURIComponent(name)}`),
    ];
    const queries = searches.flatMap((q) => [{ linked: true, url: `/users?briefRepresentation=false&idpAlias=${encodeURIComponent(home)}&${q}` }, { linked: false, url: `/users?briefRepresentation=false&${q}` }]);
    const linked = new Map<string, UserRep>();
    const attributed = new Map<string, UserRep>();
    const [, groups, userCount] = await Promise.all([
      inPool(queries, TARGETED_READ_CONCURRENCY, async (query) => {
        for (const u of await this.#rest.get<UserRep[]>(query.url, { realm, object: `users of ${home}` })) (query.linked ? linked : attributed).set(u.id, u);
      }),
      this.#groups(realm, federation, groupPaths),
      this.#rest.get<number>(`/users/count?idpAlias=${encodeURIComponent(home)}`, { realm, object: `users of ${home}` }),
    ]);
    // The attribute search matches values, the name search names: keep exactly the users asked for.
    const subs = new Set(wanted.homeSubs);
    const names = new Set(wanted.names);
    const users = ownedUsers(home, [...linked.values()], [...attributed.values()]).filter((u) => (u.homeSub !== undefined && subs.has(u.homeSub)) || names.has(u.username));
    return { users, groups, userCount };
  }

  /** The broker's mirrored groups among `groupPaths` (marked for `federation`) with their members; absent or hand-made ones are left out. */
  async #groups(realm: string, federation: string, groupPaths: readonly string[]): Promise<ObservedPartnerGroup[]> {
    const groups: ObservedPartnerGroup[] = [];
    for (const path of groupPaths) {
      const group = await this.#rest.find<GroupRep>(byPathUrl(path), { realm, object: `group "${path}"` });
      if (!group || !isManaged(group.attributes, federation)) continue;
      const members = await this.#rest.list<{ id: string }>(urlPath`/groups/${group.id}/members` + '?briefRepresentation=true', { realm, object: `members of "${path}"` }, MEMBER_PAGE_SIZE);
      groups.push({ id: group.id, path: group.path, memberIds: members.map((m) => m.id) });
    }
    return groups;
  }

  async createUser(realm: string, user: NewPartnerUser): Promise<string> {
    const object = `user ${user.username}`;
    await this.#rest.realm('/users', { realm, object, method: 'POST', body: {
      username: user.username, enabled: user.enabled, attributes: user.attributes,
      ...(user.email !== undefined && { email: user.email }), ...(user.firstName !== undefined && { firstName: user.firstName }), ...(user.lastName !== undefined && { lastName: user.lastName }),
      federatedIdentities: [{ identityProvider: user.identityProvider, userId: user.linkUserId, userName: user.linkUserName }],
    } });
    const found = await this.#rest.get<UserRep[]>(`/users?exact=true&briefRepresentation=true&username=${encodeURIComponent(user.username)}`, { realm, object });
    const created = found.find((u) => u.username === user.username);
    if (!created) throw new BrokerError('ERR_KEYCLOAK_API', `Keycloak created ${object} in realm "${realm}" of cloud ${this.cloud} but does not find it`, { details: { cloud: this.cloud, realm, object } });
    return created.id;
  }

  async addMembership(realm: string, userId: string, groupId: string): Promise<void> {
    await this.#rest.realm(urlPath`/users/${userId}/groups/${groupId}`, { realm, object: `membership of user ${userId}`, method: 'PUT' });
  }

  async removeMembership(realm: string, userId: string, groupId: string): Promise<void> {
    await this.#rest.realm(urlPath`/users/${userId}/groups/${groupId}`, { realm, object: `membership of user ${userId}`, method: 'DELETE', allowNotFound: true });
  }

  async setEnabled(realm: string, userId: string, enabled: boolean): Promise<void> {
    const object = `user ${userId}`;
    const user = await this.#rest.get<UserRep>(urlPath`/users/${userId}`, { realm, object });
    // The whole representation goes back: a partial one would drop the user's attributes.
    const { access: _access, ...rest } = user;
    await this.#rest.realm(urlPath`/users/${userId}`, { realm, object, method: 'PUT', body: { ...rest, enabled } });
  }

  async endSessions(realm: string, userId: string): Promise<void> {
    await this.#rest.realm(urlPath`/users/${userId}/logout`, { realm, object: `sessions of user ${userId}`, method: 'POST', allowNotFound: true });
  }

  async linkUser(realm: string, userId: string, link: { readonly identityProvider: string; readonly userId: string; readonly userName: string }): Promise<void> {
    await this.#rest.realm(urlPath`/users/${userId}/federated-identity/${link.identityProvider}`, { realm, object: `link of user ${userId} to ${link.identityProvider}`, method: 'POST',
      body: { identityProvider: link.identityProvider, userId: link.userId, userName: link.userName } });
  }

  async deleteUser(realm: string, userId: string): Promise<void> {
    await this.#rest.realm(urlPath`/users/${userId}`, { realm, object: `user ${userId}`, method: 'DELETE', allowNotFound: true });
  }

  // Keycloak's `q=` search matches an attribute's exact value only, and the values wanted here are the
  // ones the spec no longer names, so every user is read (paged) and the attribute checked here.
  async guests(realm: string): Promise<ObservedGuestUser[]> {
    const users = await this.#rest.list<UserRep>('/users?briefRepresentation=false', { realm, object: 'users' });
    return users.flatMap((u) => {
      const homeCloud = u.attributes?.[HOME_CLOUD_ATTRIBUTE]?.[0];
      return homeCloud === undefined ? [] : [{ id: u.id, username: u.username, homeCloud }];
    });
  }
}
