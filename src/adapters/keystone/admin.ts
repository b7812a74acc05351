// The Keystone admin API of ONE cloud, as the broker needs it (KeystoneAdminPort): observe all
// kinds in KEYSTONE_KIND_ORDER (later kinds see earlier ones: groups of our domains, protocols of
// the IdPs, assignments of our groups) and dispatch changes to the kind handlers.
import type { KeystoneIdentity } from '../../core/credentials.ts';
import { BrokerError } from '../../core/errors.ts';
import type { JsonValue } from '../../core/json.ts';
import type { Change } from '../../core/plan/diff.ts';
import type { DesiredObject, ObjectAddress, ObservedObject } from '../../core/plan/model.ts';
import { KEYSTONE_KIND_ORDER, KEYSTONE_SCOPE, type KeystoneCapabilities, type KeystoneKind } from '../../core/render/keystone/model.ts';
import type { AuthorizationTtlFacts } from '../../core/sync/revocation-facts.ts';
import type { FederatedKeystoneUser, KeystoneAdminPort } from '../../ports.ts';
import type { FetchLike } from '../http-out.ts';
import { roleAssignments } from './assignments.ts';
import { probeCapabilities } from './capabilities.ts';
import { KeystoneDirectory, type Entity } from './directory.ts';
import { domains, groups, projects, roles } from './entities.ts';
import { identityProviders, mappings, protocols } from './federation.ts';
import type { KeystoneKindHandler } from './kind.ts';
import { KeystoneRest, type KeystoneAdminCredentials } from './rest.ts';

const HANDLERS: Readonly<Record<KeystoneKind, KeystoneKindHandler>> = {
  domain: domains, role: roles, project: projects, group: groups, roleAssignment: roleAssignments,
  identityProvider: identityProviders, mapping: mappings, protocol: protocols,
};

/** The cloud's shared Keystone client, or what it takes to build one. */
export type KeystoneAdminOptions = { readonly rest: KeystoneRest; readonly close?: () => Promise<void> } | KeystoneConnectionOptions;

export interface KeystoneConnectionOptions {
  readonly cloud: string;
  /** Keystone base URL (with or without /v3). */
  readonly url: string;
  readonly credentials: KeystoneAdminCredentials;
  /** HttpOut.fetch of this cloud: every call goes through the broker's outbound HTTP module. */
  readonly fetch: FetchLike;
  readonly now?: () => number;
  /** Releases what `fetch` holds (the HttpOut's connections). */
  readonly close?: () => Promise<void>;
}

export class KeystoneAdmin implements KeystoneAdminPort {
  readonly cloud: string;
  readonly #rest: KeystoneRest;
  readonly #close: (() => Promise<void>) | undefined;
  #capabilities: Promise<KeystoneCapabilities> | undefined;

  constructor(options: KeystoneAdminOptions) {
    this.#close = options.close;
    this.#rest = 'rest' in options
      ? options.rest
      : new KeystoneRest({ cloud: options.cloud, url: options.url, credentials: options.credentials, fetch: options.fetch, ...(options.now && { now: options.now }) });
    this.cloud = this.#rest.cloud;
  }

  capabilities(): Promise<KeystoneCapabilities> {
    this.#capabilities ??= probeCapabilities(this.#rest).catch((error: unknown) => {
      this.#capabilities = undefined;
      throw error;
    });
    return this.#capabilities;
  }

  async federatedUsers(identityProvider: string): Promise<FederatedKeystoneUser[]> {
    const dir = new KeystoneDirectory(this.#rest);
    const users = await this.#rest.list<Entity>(`/users?idp_id=${encodeURIComponent(identityProvider)}`, 'users', `users of identity provider "${identityProvider}"`);
    return Promise.all(users.map(async (u) => ({ id: u.id, name: u.name, domain: await dir.domainName(u['domain_id']) ?? String(u['domain_id']) })));
  }

  async authorizationTtl(identityProvider: string, sampleUsers: number): Promise<AuthorizationTtlFacts> {
    const idp = encodeURIComponent(identityProvider);
    const found = await this.#rest.call(`/OS-FEDERATION/identity_providers/${idp}`, { object: `identity provider "${identityProvider}"`, allowNotFound: true });
    if (found.status === 404) return { identityProviderFound: false, identityProviderTtl: null, usersChecked: 0, expiringMemberships: 0 };
    const ttl = (found.body as { identity_provider?: { authorization_ttl?: number | null } }).identity_provider?.authorization_ttl;
    const users = (await this.#rest.list<Entity>(`/users?idp_id=${idp}`, 'users', `users of identity provider "${identityProvider}"`)).slice(0, sampleUsers);
    const expiring = await Promise.all(users.map(async (u) => {
      const groups = await this.#rest.list<Entity>(`/users/${encodeURIComponent(u.id)}/groups`, 'groups', `groups of user ${u.name}`);
      return groups.filter((g) => g['membership_expires_at'] !== null && g['membership_expires_at'] !== undefined).length;
    }));
    return { identityProviderFound: true, identityProviderTtl: typeof ttl === 'number' ? ttl : null, usersChecked: users.length, expiringMemberships: expiring.reduce((a, b) => a + b, 0) };
  }

  async ownIdentity(): Promise<KeystoneIdentity> {
    const info = await this.#rest.tokenInfo();
    return {
      system: 'keystone',
      username: info.user?.name ?? '(unknown)',
      userDomain: info.user?.domain?.name ?? '(unknown)',
      project: info.project?.name ?? '(unscoped)',
      roles: (info.roles ?? []).map((r) => r.name).filter((n): n is string => typeof n === 'string'),
    };
  }

  async observe(scope: string, federation: string, desired: readonly DesiredObject[]): Promise<ObservedObject[]> {
    this.#requireScope(scope);
    const here = desired.filter((d) => d.system === 'keystone' && d.cloud === this.cloud && d.scope === scope);
    const dir = new KeystoneDirectory(this.#rest);
    const seen: ObservedObject[] = [];
    for (const kind of KEYSTONE_KIND_ORDER) {
      seen.push(...await HANDLERS[kind].observe({ dir, federation, desired: here.filter((d) => d.kind === kind), seen }));
    }
    return seen;
  }

  async apply(change: Change, writeOnly: Readonly<Record<string, JsonValue>>): Promise<void> {
    const { desired, observed } = change;
    const dir = new KeystoneDirectory(this.#rest);
    switch (change.action) {
      case 'noop':
        return;
      case 'conflict':
        throw new BrokerError('ERR_CONFLICT', change.reason ?? `${change.key} is not the broker's to change`, { details: this.#details(desired ?? observed) });
      case 'create':
        return this.#handler(desired).create(dir, required(desired, change), writeOnly);
      case 'update':
        return this.#handler(desired).update(dir, required(desired, change), required(observed, change), writeOnly);
      case 'delete':
        return this.#handler(observed).remove(dir, required(observed, change));
    }
  }

  async close(): Promise<void> {
    await this.#close?.();
  }

  #requireScope(scope: string): void {
    if (scope === KEYSTONE_SCOPE) return;
    throw new BrokerError('ERR_INTERNAL', `Keystone objects live in scope "${KEYSTONE_SCOPE}", not "${scope}" (cloud ${this.cloud})`, { details: { cloud: this.cloud, scope } });
  }

  #handler(address: ObjectAddress | undefined): KeystoneKindHandler {
    if (!address || address.system !== 'keystone' || address.cloud !== this.cloud || !(address.kind in HANDLERS)) {
      throw new BrokerError('ERR_INTERNAL', `change for ${address ? `${address.system}/${address.cloud}/${address.kind}` : 'nothing'} sent to the Keystone adapter of cloud ${this.cloud}`,
        { details: this.#details(address) });
    }
    this.#requireScope(address.scope);
    return HANDLERS[address.kind as KeystoneKind];
  }

  #details(address: ObjectAddress | undefined): Record<string, unknown> {
    return { cloud: this.cloud, ...(address && { object: `${address.kind} "${address.name}"` }) };
  }
}

function required<T>(value: T | undefined, change: Change): T {
  if (value === undefined) throw new BrokerError('ERR_INTERNAL', `change ${change.action} of ${change.key} lacks its object`, { details: { key: change.key } });
  return value;
}
