// Role sync in a cloud's Keystone (KeystoneSyncPort): the federated users of the cloud's identity
// provider and the members of the broker-owned groups. A user is created with a `federated`
// attribute (POST /v3/users, Keystone ≥ Stein) holding (identity provider, protocol, unique id): the
// shadow-user lookup of a federated login uses exactly that triple, so the first login lands on this
// user (docs/sync.md, docs/keystone-notes.md). After a removal the user's live tokens are revoked
// the way the logout fan-out revokes them (./revoke.ts) and her application credentials deleted.
import { BrokerError } from '../../core/errors.ts';
import { hasEntityMarkers, OPENID_PROTOCOL } from '../../core/render/keystone/names.ts';
import type { ObservedKeystone, ObservedKeystoneGroup, ObservedKeystoneUser } from '../../core/sync/model.ts';
import type { KeystoneSyncPort } from '../../ports.ts';
import { KeystoneDirectory } from './directory.ts';
import { path, type KeystoneRest } from './rest.ts';
import { revokeUserTokens, type RevocableUser } from './revoke.ts';

interface FederatedRef { idp_id?: string; protocols?: { protocol_id?: string; unique_id?: string }[] }
interface UserRep { id: string; name: string; federated?: FederatedRef[] }

export class KeystoneSync implements KeystoneSyncPort {
  readonly cloud: string;
  readonly #rest: KeystoneRest;
  readonly #identityProvider: string;
  /** The identity provider's domain, read once per adapter (one per sync run or serve process; a create needs it). */
  #domainId: Promise<string> | undefined;
  readonly #now: () => number;

  constructor(options: { rest: KeystoneRest; identityProvider: string; now?: () => number }) {
    this.#rest = options.rest;
    this.cloud = options.rest.cloud;
    this.#identityProvider = options.identityProvider;
    this.#now = options.now ?? Date.now;
  }

  async observe(federation: string, groups: readonly string[]): Promise<ObservedKeystone> {
    const [users, observedGroups] = await Promise.all([this.federatedUsers(), this.observeGroups(federation, groups)]);
    return { users, groups: observedGroups };
  }

  async observeGroups(federation: string, groups: readonly string[]): Promise<ObservedKeystoneGroup[]> {
    const directory = new KeystoneDirectory(this.#rest);
    const observedGroups: ObservedKeystoneGroup[] = [];
    for (const name of groups) {
      const cut = name.indexOf('/');
      const group = await directory.groupByName(name.slice(0, cut), name.slice(cut + 1));
      if (!group || !hasEntityMarkers(group, federation)) continue;
      const members = await this.#rest.list<{ id: string }>(path`/groups/${group.id}/users`, 'users', `members of group "${name}"`);
      observedGroups.push({ id: group.id, name, memberIds: members.map((m) => m.id) });
    }
    return observedGroups;
  }

  async federatedUsers(): Promise<ObservedKeystoneUser[]> {
    const users = await this.#rest.list<UserRep>(`/users?idp_id=${encodeURIComponent(this.#identityProvider)}`, 'users', `federated users of ${this.#identityProvider}`);
    return users.map((u) => ({ id: u.id, uniqueId: this.#uniqueId(u) }));
  }

  async deleteUser(userId: string): Promise<void> {
    await this.#rest.call(path`/users/${userId}`, { method: 'DELETE', object: `user ${userId}`, allowNotFound: true });
  }

  async createFederatedUser(uniqueId: string): Promise<string> {
    const object = `federated user "${uniqueId}"`;
    const answer = await this.#rest.call('/users', { method: 'POST', object, body: { user: {
      name: uniqueId, domain_id: await this.#identityProviderDomain(), enabled: true,
      federated: [{ idp_id: this.#identityProvider, protocols: [{ protocol_id: OPENID_PROTOCOL, unique_id: uniqueId }] }],
    } } });
    const id = (answer.body as { user?: { id?: string } } | undefined)?.user?.id;
    if (!id) throw new BrokerError('ERR_KEYSTONE_API', `Keystone of cloud ${this.cloud} answered no id for ${object}`, { details: { cloud: this.cloud, object } });
    return id;
  }

  async addMembership(userId: string, groupId: string): Promise<void> {
    await this.#rest.call(path`/groups/${groupId}/users/${userId}`, { method: 'PUT', object: `membership of user ${userId}` });
  }

  async removeMembership(userId: string, groupId: string): Promise<void> {
    await this.#rest.call(path`/groups/${groupId}/users/${userId}`, { method: 'DELETE', object: `membership of user ${userId}`, allowNotFound: true });
  }

  #identityProviderDomain(): Promise<string> {
    this.#domainId ??= this.#rest.get<{ identity_provider: { domain_id: string } }>(path`/OS-FEDERATION/identity_providers/${this.#identityProvider}`, `identity provider "${this.#identityProvider}"`)
      .then((idp) => idp.identity_provider.domain_id);
    // A failed read is not kept: the next create asks again.
    this.#domainId.catch(() => { this.#domainId = undefined; });
    return this.#domainId;
  }

  async revokeTokens(userId: string): Promise<void> {
    const object = `user ${userId}`;
    const found = await this.#rest.find<{ user?: RevocableUser }>(path`/users/${userId}`, object);
    if (found?.user) await revokeUserTokens(this.#rest, found.user, object, this.#now);
  }

  async deleteApplicationCredentials(userId: string): Promise<number> {
    const object = `application credentials of user ${userId}`;
    const found = await this.#rest.find<{ application_credentials?: { id: string }[] }>(path`/users/${userId}/application_credentials`, object);
    const credentials = found?.application_credentials ?? [];
    for (const c of credentials) {
      await this.#rest.call(path`/users/${userId}/application_credentials/${c.id}`, { method: 'DELETE', object, allowNotFound: true });
    }
    return credentials.length;
  }

  #uniqueId(user: UserRep): string {
    const ours = user.federated?.find((f) => f.idp_id === this.#identityProvider)?.protocols?.find((p) => p.protocol_id === OPENID_PROTOCOL);
    return ours?.unique_id ?? user.name;
  }
}
