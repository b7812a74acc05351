// In-memory fakes of the role-sync ports: partner realms (users with links and attributes, groups
// with markers and members) and a Keystone (federated users, groups with members). They count writes
// and `down` makes every call fail, like an unreachable server. Sessions, token revocations and
// application credentials are counters and sets the tests seed and read.
import { BrokerError } from '../../core/errors.ts';
import { isManaged } from '../../core/managed.ts';
import { HOME_CLOUD_ATTRIBUTE, HOME_SUBJECT_ATTRIBUTE } from '../../core/render/keycloak/names.ts';
import type { NewPartnerUser, ObservedGuestUser, ObservedKeystone, ObservedKeystoneGroup, ObservedKeystoneUser, ObservedPartnerRealm, ObservedPartnerRealmUsers, PartnerUsersWanted } from '../../core/sync/model.ts';
import type { KeystoneSyncPort, PartnerRealmSyncPort } from '../../ports.ts';

function unreachable(cloud: string, system: string): BrokerError {
  return new BrokerError('ERR_HTTP_UNREACHABLE', `${system} of cloud ${cloud} is down (fake)`, { details: { cloud } });
}

export interface FakeRealmUser {
  id: string; username: string; enabled: boolean; attributes: Record<string, readonly string[]>;
  links: { identityProvider: string; userId: string; userName: string }[];
}
export interface FakeGroup { id: string; path: string; attributes: Record<string, readonly string[]>; members: Set<string> }

export class FakePartnerRealmSync implements PartnerRealmSyncPort {
  readonly cloud: string;
  down = false;
  writes = 0;
  readonly users = new Map<string, FakeRealmUser>();
  readonly groups = new Map<string, FakeGroup>();
  /** Live sessions per user id (tests seed them). */
  readonly sessions = new Map<string, number>();
  #next = 0;

  constructor(cloud: string) {
    this.cloud = cloud;
  }

  addGroup(path: string, attributes: Record<string, readonly string[]>): FakeGroup {
    const group = { id: `g${++this.#next}`, path, attributes, members: new Set<string>() };
    this.groups.set(group.id, group);
    return group;
  }

  addUserByHand(username: string, links: FakeRealmUser['links'] = [], attributes: FakeRealmUser['attributes'] = {}): FakeRealmUser {
    const user = { id: `u${++this.#next}`, username, enabled: true, attributes, links };
    this.users.set(user.id, user);
    return user;
  }

  userByName(username: string): FakeRealmUser | undefined {
    return [...this.users.values()].find((u) => u.username === username);
  }

  groupByPath(path: string): FakeGroup | undefined {
    return [...this.groups.values()].find((g) => g.path === path);
  }

  async observe(_realm: string, federation: string, home: string, groupPaths: readonly string[]): Promise<ObservedPartnerRealm> {
    this.#check();
    const isLinked = (u: FakeRealmUser) => u.links.some((l) => l.identityProvider === home);
    // Lost its link when the home's provider was deleted and made again: the home's attributes, no link.
    const isUnlinked = (u: FakeRealmUser) => !isLinked(u) && u.attributes[HOME_CLOUD_ATTRIBUTE]?.[0] === home && u.attributes[HOME_SUBJECT_ATTRIBUTE]?.[0] !== undefined;
    const users = [...this.users.values()].filter((u) => isLinked(u) || isUnlinked(u));
    const groups = groupPaths.flatMap((p) => {
      const g = this.groupByPath(p);
      return g && isManaged(g.attributes, federation) ? [{ id: g.id, path: g.path, memberIds: [...g.members] }] : [];
    });
    return { users: users.map((u) => ({ id: u.id, username: u.username, enabled: u.enabled, ...(u.attributes[HOME_SUBJECT_ATTRIBUTE]?.[0] !== undefined && { homeSub: u.attributes[HOME_SUBJECT_ATTRIBUTE][0] }),
      ...(isUnlinked(u) && { unlinked: true }) })), groups };
  }

  async observeUsers(realm: string, federation: string, home: string, groupPaths: readonly string[], wanted: PartnerUsersWanted): Promise<ObservedPartnerRealmUsers> {
    const all = await this.observe(realm, federation, home, groupPaths);
    const subs = new Set(wanted.homeSubs);
    const names = new Set(wanted.names);
    return { ...all, users: all.users.filter((u) => (u.homeSub !== undefined && subs.has(u.homeSub)) || names.has(u.username)), userCount: all.users.filter((u) => !u.unlinked).length };
  }

  async createUser(_realm: string, user: NewPartnerUser): Promise<string> {
    this.#write();
    if (this.userByName(user.username)) throw new BrokerError('ERR_CONFLICT', `user ${user.username} exists (fake)`, { details: { cloud: this.cloud } });
    const created = this.addUserByHand(user.username, [{ identityProvider: user.identityProvider, userId: user.linkUserId, userName: user.linkUserName }], { ...user.attributes });
    created.enabled = user.enabled;
    return created.id;
  }

  async addMembership(_realm: string, userId: string, groupId: string): Promise<void> {
    this.#write();
    this.groups.get(groupId)?.members.add(userId);
  }

  async removeMembership(_realm: string, userId: string, groupId: string): Promise<void> {
    this.#write();
    this.groups.get(groupId)?.members.delete(userId);
  }

  async setEnabled(_realm: string, userId: string, enabled: boolean): Promise<void> {
    this.#write();
    const user = this.users.get(userId);
    if (user) user.enabled = enabled;
  }

  async endSessions(_realm: string, userId: string): Promise<void> {
    this.#write();
    this.sessions.delete(userId);
  }

  async linkUser(_realm: string, userId: string, link: { readonly identityProvider: string; readonly userId: string; readonly userName: string }): Promise<void> {
    this.#write();
    const user = this.users.get(userId);
    if (!user) throw new BrokerError('ERR_KEYCLOAK_API', `no user ${userId} (fake)`, { details: { cloud: this.cloud } });
    if (user.links.some((l) => l.identityProvider === link.identityProvider)) throw new BrokerError('ERR_CONFLICT', `user ${userId} is linked to ${link.identityProvider} already (fake)`, { details: { cloud: this.cloud } });
    user.links.push({ ...link });
  }

  async deleteUser(_realm: string, userId: string): Promise<void> {
    this.#write();
    this.users.delete(userId);
    this.sessions.delete(userId);
    for (const g of this.groups.values()) g.members.delete(userId);
  }

  async guests(_realm: string): Promise<ObservedGuestUser[]> {
    this.#check();
    return [...this.users.values()].flatMap((u) => {
      const homeCloud = u.attributes[HOME_CLOUD_ATTRIBUTE]?.[0];
      return homeCloud === undefined ? [] : [{ id: u.id, username: u.username, homeCloud }];
    });
  }

  #check(): void {
    if (this.down) throw unreachable(this.cloud, 'Keycloak');
  }

  #write(): void {
    this.#check();
    this.writes += 1;
  }
}

export class FakeKeystoneSync implements KeystoneSyncPort {
  readonly cloud: string;
  down = false;
  writes = 0;
  /** Federated users by id: their unique id. */
  readonly users = new Map<string, string>();
  readonly groups = new Map<string, { id: string; name: string; managedBy?: string; members: Set<string> }>();
  /** Revocations per user id (every token issued before the last one is refused). */
  readonly revocations = new Map<string, number>();
  /** Application credential ids per user id (tests seed them with addApplicationCredential). */
  readonly applicationCredentials = new Map<string, Set<string>>();
  #next = 0;

  constructor(cloud: string) {
    this.cloud = cloud;
  }

  addGroup(name: string, federation: string | undefined): { id: string; members: Set<string> } {
    const group = { id: `kg${++this.#next}`, name, ...(federation !== undefined && { managedBy: federation }), members: new Set<string>() };
    this.groups.set(name, group);
    return group;
  }

  addApplicationCredential(userId: string): string {
    const id = `ac${++this.#next}`;
    this.applicationCredentials.set(userId, new Set([...(this.applicationCredentials.get(userId) ?? []), id]));
    return id;
  }

  userId(uniqueId: string): string | undefined {
    return [...this.users].find(([, u]) => u === uniqueId)?.[0];
  }

  async observe(federation: string, groups: readonly string[]): Promise<ObservedKeystone> {
    return { users: await this.federatedUsers(), groups: await this.observeGroups(federation, groups) };
  }

  async observeGroups(federation: string, groups: readonly string[]): Promise<ObservedKeystoneGroup[]> {
    this.#check();
    return groups.flatMap((name) => {
      const g = this.groups.get(name);
      return g && g.managedBy === federation ? [{ id: g.id, name, memberIds: [...g.members] }] : [];
    });
  }

  async createFederatedUser(uniqueId: string): Promise<string> {
    this.#write();
    const id = `ku${++this.#next}`;
    this.users.set(id, uniqueId);
    return id;
  }

  async addMembership(userId: string, groupId: string): Promise<void> {
    this.#write();
    [...this.groups.values()].find((g) => g.id === groupId)?.members.add(userId);
  }

  async removeMembership(userId: string, groupId: string): Promise<void> {
    this.#write();
    [...this.groups.values()].find((g) => g.id === groupId)?.members.delete(userId);
  }

  async federatedUsers(): Promise<ObservedKeystoneUser[]> {
    this.#check();
    return [...this.users].map(([id, uniqueId]) => ({ id, uniqueId }));
  }

  async deleteUser(userId: string): Promise<void> {
    this.#write();
    this.users.delete(userId);
    for (const g of this.groups.values()) g.members.delete(userId);
  }

  async revokeTokens(userId: string): Promise<void> {
    this.#check();
    if (!this.users.has(userId)) return;
    this.writes += 2; // disabled and enabled again, like the real adapter
    this.revocations.set(userId, (this.revocations.get(userId) ?? 0) + 1);
  }

  async deleteApplicationCredentials(userId: string): Promise<number> {
    this.#check();
    const credentials = this.applicationCredentials.get(userId) ?? new Set();
    this.writes += credentials.size;
    this.applicationCredentials.delete(userId);
    return credentials.size;
  }

  #check(): void {
    if (this.down) throw unreachable(this.cloud, 'Keystone');
  }

  #write(): void {
    this.#check();
    this.writes += 1;
  }
}
