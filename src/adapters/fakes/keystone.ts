// An in-memory Keystone for one cloud with the semantics of the real adapter (KeystoneAdminPort):
// objects by kind and name, ownership from the same markers (extra attributes, IdP description,
// mapping marker rule; protocols and assignments follow their IdP / group), creates meet conflicts
// (assignments are idempotent, as Keystone's PUT), references must exist, deletes are idempotent,
// a role or project with assignments is not deleted, deleting an IdP deletes its shadow users, a
// domain holding foreign objects is disabled and released instead of deleted. `writes` counts writes; `failAfterWrites` makes writes fail.
import type { KeystoneIdentity } from '../../core/credentials.ts';
import { fakeKeystoneIdentity } from './identities.ts';
import { BrokerError } from '../../core/errors.ts';
import type { JsonValue } from '../../core/json.ts';
import type { Change } from '../../core/plan/diff.ts';
import type { DesiredObject, ObservedObject } from '../../core/plan/model.ts';
import { KEYSTONE_SCOPE, ZED_CAPABILITIES, type KeystoneCapabilities } from '../../core/render/keystone/model.ts';
import {
  domainScopedName, FEDBROKER_FEDERATION, FEDBROKER_MANAGED_BY, hasDescriptionMarker, hasEntityMarkers, hasMarkerRule, sortKeysDeep, type JsonObject,
} from '../../core/render/keystone/names.ts';
import type { AuthorizationTtlFacts } from '../../core/sync/revocation-facts.ts';
import type { FederatedKeystoneUser, KeystoneAdminPort } from '../../ports.ts';

interface Stored { readonly kind: string; readonly name: string; fields: JsonObject; readonly id: string }
interface FakeUser { readonly id: string; readonly name: string; readonly domain: string; readonly identityProvider?: string }

/** The fields the real adapter reports per kind. */
const REPORTED: Readonly<Record<string, readonly string[]>> = {
  domain: ['name', 'enabled', 'description', FEDBROKER_MANAGED_BY, FEDBROKER_FEDERATION],
  role: ['name', 'description', FEDBROKER_MANAGED_BY, FEDBROKER_FEDERATION],
  project: ['name', 'domain', 'description', FEDBROKER_MANAGED_BY, FEDBROKER_FEDERATION],
  group: ['name', 'domain', 'description', FEDBROKER_MANAGED_BY, FEDBROKER_FEDERATION],
  roleAssignment: ['group', 'project', 'role'],
  identityProvider: ['domain', 'enabled', 'remote_ids', 'description'],
  mapping: ['rules'],
  protocol: ['identityProvider', 'protocol', 'mapping_id', 'remote_id_attribute'],
};

export interface FakeKeystoneOptions {
  readonly cloud: string;
  readonly capabilities?: KeystoneCapabilities;
  /** Roles that exist from the start (not the broker's), e.g. Keystone's bootstrap roles. */
  readonly roles?: readonly string[];
  failAfterWrites?: number;
}

export class FakeKeystoneAdmin implements KeystoneAdminPort {
  readonly cloud: string;
  writes = 0;
  failAfterWrites: number | undefined;
  readonly #capabilities: KeystoneCapabilities;
  readonly #objects = new Map<string, Stored>();
  readonly #users: FakeUser[] = [];
  readonly #expiring = new Map<string, number>();
  #ids = 0;
  /** Who the broker acts as here (default: the dedicated user). */
  identity: KeystoneIdentity = fakeKeystoneIdentity();

  constructor(options: FakeKeystoneOptions) {
    this.cloud = options.cloud;
    this.failAfterWrites = options.failAfterWrites;
    this.#capabilities = options.capabilities ?? ZED_CAPABILITIES;
    this.seed('domain', 'Default', { name: 'Default', enabled: true, description: 'The default domain' });
    for (const role of options.roles ?? ['admin', 'member', 'reader']) this.seed('role', role, { name: role });
  }

  /** Puts an object in place as if someone else had made it (no write counted). */
  seed(kind: string, name: string, fields: JsonObject): void {
    this.#objects.set(`${kind}/${name}`, { kind, name, fields: structuredClone(fields), id: this.#newId() });
  }

  /** A user in a domain: a federated (shadow) user of `identityProvider`, or a local one. */
  seedUser(domain: string, name: string, identityProvider?: string): void {
    this.#users.push({ id: this.#newId(), name, domain, ...(identityProvider && { identityProvider }) });
  }

  async capabilities(): Promise<KeystoneCapabilities> {
    return this.#capabilities;
  }

  /** A membership of a federated user that Keystone keeps with an expiry (a TTL above 0 made it at a login). */
  seedExpiringMembership(userName: string): void {
    this.#expiring.set(userName, (this.#expiring.get(userName) ?? 0) + 1);
  }

  async authorizationTtl(identityProvider: string, sampleUsers: number): Promise<AuthorizationTtlFacts> {
    const idp = this.#objects.get(`identityProvider/${identityProvider}`);
    if (!idp) return { identityProviderFound: false, identityProviderTtl: null, usersChecked: 0, expiringMemberships: 0 };
    const ttl = idp.fields['authorization_ttl'];
    const users = this.#users.filter((u) => u.identityProvider === identityProvider).slice(0, sampleUsers);
    return { identityProviderFound: true, identityProviderTtl: typeof ttl === 'number' ? ttl : null, usersChecked: users.length,
      expiringMemberships: users.reduce((n, u) => n + (this.#expiring.get(u.name) ?? 0), 0) };
  }

  async federatedUsers(identityProvider: string): Promise<FederatedKeystoneUser[]> {
    return this.#users.filter((u) => u.identityProvider === identityProvider).map(({ id, name, domain }) => ({ id, name, domain }));
  }

  async ownIdentity(): Promise<KeystoneIdentity> {
    return this.identity;
  }

  async observe(scope: string, federation: string, desired: readonly DesiredObject[]): Promise<ObservedObject[]> {
    this.#requireScope(scope);
    const wanted = new Set(desired.filter((d) => d.system === 'keystone' && d.cloud === this.cloud).map((d) => `${d.kind}/${d.name}`));
    const out: ObservedObject[] = [];
    for (const [key, o] of this.#objects) {
      const managed = this.#isManaged(o, federation);
      if (!managed && !wanted.has(key)) continue;
      if (o.kind === 'roleAssignment' && !managed) continue;
      const fields = Object.fromEntries((REPORTED[o.kind] ?? []).filter((k) => o.fields[k] !== undefined).map((k) => [k, o.fields[k] as JsonValue]));
      out.push({ system: 'keystone', cloud: this.cloud, scope, kind: o.kind, name: o.name, fields: o.kind === 'mapping' ? sortKeysDeep(fields) as JsonObject : fields, managed, id: o.id });
    }
    return out;
  }

  async apply(change: Change, writeOnly: Readonly<Record<string, JsonValue>>): Promise<void> {
    if (change.action === 'noop') return;
    const address = change.desired ?? change.observed;
    if (!address) throw new BrokerError('ERR_INTERNAL', `change ${change.key} lacks its object`, { details: { cloud: this.cloud } });
    this.#requireScope(address.scope);
    const object = `${address.kind} "${address.name}"`;
    const details = { cloud: this.cloud, object };
    if (change.action === 'conflict') throw new BrokerError('ERR_CONFLICT', change.reason ?? `${change.key} is not the broker's`, { details });
    if (!(address.kind in REPORTED) || address.system !== 'keystone' || address.cloud !== this.cloud) {
      throw new BrokerError('ERR_INTERNAL', `change for ${address.system}/${address.cloud}/${address.kind} sent to the fake Keystone of cloud ${this.cloud}`, { details });
    }
    if (this.failAfterWrites !== undefined && this.writes >= this.failAfterWrites) {
      throw new BrokerError('ERR_KEYSTONE_API', `fake Keystone of cloud ${this.cloud}: injected failure after ${this.writes} writes`, { details });
    }
    this.writes += 1;
    const key = `${address.kind}/${address.name}`;
    const existing = this.#objects.get(key);
    if (change.action === 'delete') return this.#delete(existing, details);
    const desired = change.desired as DesiredObject;
    if (change.action === 'create') {
      if (existing && desired.kind === 'roleAssignment') return;
      if (existing) throw new BrokerError('ERR_CONFLICT', `Keystone reports a conflict for ${object} in Keystone of cloud ${this.cloud}`, { details });
      this.#checkReferences(desired, details);
      const { tags: _tags, ...written } = writeOnly as JsonObject;
      const extra = desired.kind === 'role' || desired.kind === 'project' ? written : {};
      this.#objects.set(key, { kind: desired.kind, name: desired.name, fields: structuredClone({ ...extra, ...desired.fields }) as JsonObject, id: this.#newId() });
      return;
    }
    if (!existing) throw new BrokerError('ERR_NOT_FOUND', `Keystone does not know ${object} in Keystone of cloud ${this.cloud}`, { details });
    if (desired.kind === 'roleAssignment' || (desired.kind === 'identityProvider' && desired.fields['domain'] !== existing.fields['domain'])) {
      throw new BrokerError('ERR_KEYSTONE_UNSUPPORTED_KIND', `${object} cannot be changed this way in Keystone (cloud ${this.cloud})`, { details });
    }
    existing.fields = { ...existing.fields, ...structuredClone(desired.fields) as JsonObject };
  }

  #requireScope(scope: string): void {
    if (scope !== KEYSTONE_SCOPE) throw new BrokerError('ERR_INTERNAL', `Keystone objects live in scope "${KEYSTONE_SCOPE}", not "${scope}"`, { details: { cloud: this.cloud, scope } });
  }

  #newId(): string {
    this.#ids += 1;
    return `fake-${this.#ids}`;
  }

  #isManaged(o: Stored, federation: string): boolean {
    switch (o.kind) {
      case 'domain': case 'role': case 'project': case 'group': return hasEntityMarkers(o.fields, federation);
      case 'identityProvider': return hasDescriptionMarker(o.fields['description'], federation);
      case 'mapping': return hasMarkerRule(o.fields['rules'], federation);
      case 'protocol': return this.#isManagedAt('identityProvider', String(o.fields['identityProvider']), federation);
      case 'roleAssignment': {
        const group = o.fields['group'] as { domain: string; name: string };
        return this.#isManagedAt('group', domainScopedName(group.domain, group.name), federation);
      }
      default: return false;
    }
  }

  #isManagedAt(kind: string, name: string, federation: string): boolean {
    const o = this.#objects.get(`${kind}/${name}`);
    return o !== undefined && this.#isManaged(o, federation);
  }

  #checkReferences(d: DesiredObject, details: Record<string, unknown>): void {
    const need = (kind: string, name: string) => {
      if (!this.#objects.has(`${kind}/${name}`)) {
        throw new BrokerError(kind === 'mapping' ? 'ERR_KEYSTONE_API' : 'ERR_NOT_FOUND', `${kind} "${name}" needed by ${String(details['object'])} does not exist in Keystone of cloud ${this.cloud}`, { details });
      }
    };
    const f = d.fields as Record<string, { domain: string; name: string } | string>;
    if (d.kind === 'group' || d.kind === 'project' || d.kind === 'identityProvider') need('domain', String(f['domain']));
    if (d.kind === 'protocol') { need('identityProvider', String(f['identityProvider'])); need('mapping', String(f['mapping_id'])); }
    if (d.kind === 'roleAssignment') {
      const group = f['group'] as { domain: string; name: string };
      const project = f['project'] as { domain: string; name: string };
      need('group', domainScopedName(group.domain, group.name));
      need('project', domainScopedName(project.domain, project.name));
      need('role', String(f['role']));
    }
  }

  #delete(o: Stored | undefined, details: Record<string, unknown>): void {
    if (!o) return;
    const assignments = [...this.#objects.values()].filter((a) => a.kind === 'roleAssignment');
    const uses = (a: Stored) => (o.kind === 'role' ? a.fields['role'] === o.name
      : domainScopedName(...refOf(a.fields['project'])) === o.name);
    if ((o.kind === 'role' || o.kind === 'project') && assignments.some(uses)) {
      throw new BrokerError('ERR_CONFLICT', `${String(details['object'])} still has role assignments it did not make (cloud ${this.cloud})`, { details });
    }
    if (o.kind === 'domain') return this.#deleteDomain(o);
    if (o.kind === 'group') for (const a of assignments) if (domainScopedName(...refOf(a.fields['group'])) === o.name) this.#objects.delete(`${a.kind}/${a.name}`);
    if (o.kind === 'identityProvider') {
      for (const p of [...this.#objects.values()]) if (p.kind === 'protocol' && p.fields['identityProvider'] === o.name) this.#objects.delete(`protocol/${p.name}`);
      for (let i = this.#users.length - 1; i >= 0; i -= 1) if (this.#users[i]?.identityProvider === o.name) this.#users.splice(i, 1);
    }
    this.#objects.delete(`${o.kind}/${o.name}`);
  }

  #deleteDomain(o: Stored): void {
    const federation = String(o.fields[FEDBROKER_FEDERATION]);
    const inside = [...this.#objects.values()].filter((x) => (x.kind === 'group' || x.kind === 'project') && x.fields['domain'] === o.name);
    const foreign = [...inside.filter((x) => !hasEntityMarkers(x.fields, federation)).map((x) => `${x.kind} ${String(x.fields['name'])}`),
      ...this.#users.filter((u) => u.domain === o.name && !u.identityProvider).map((u) => `user ${u.name}`)];
    if (foreign.length > 0) {
      o.fields = { ...o.fields, enabled: false, [FEDBROKER_MANAGED_BY]: null, [FEDBROKER_FEDERATION]: null,
        description: `Released by the SCS federation broker (federation ${federation}): it holds ${foreign.join(', ')}` };
      return;
    }
    for (const x of inside) this.#delete(x, { object: `${x.kind} "${x.name}"` });
    for (let i = this.#users.length - 1; i >= 0; i -= 1) if (this.#users[i]?.domain === o.name) this.#users.splice(i, 1);
    this.#objects.delete(`domain/${o.name}`);
  }
}

function refOf(value: JsonValue | undefined): [string, string] {
  const ref = value as { domain?: string; name?: string } | undefined;
  return [ref?.domain ?? '', ref?.name ?? ''];
}
