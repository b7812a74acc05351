// Name ↔ id lookups in one Keystone for the span of one observe or apply: the plan speaks names
// (domain "fed-cloud-a", project "Default/p1"), the API speaks ids. Lists are read once and cached.
import { BrokerError } from '../../core/errors.ts';
import type { ObservedObject } from '../../core/plan/model.ts';
import type { JsonObject } from '../../core/render/keystone/names.ts';
import { KEYSTONE_SCOPE, type KeystoneKind } from '../../core/render/keystone/model.ts';
import { path, type KeystoneRest } from './rest.ts';

export type Entity = JsonObject & { readonly id: string; readonly name: string };

export class KeystoneDirectory {
  readonly rest: KeystoneRest;
  #domains: Promise<Entity[]> | undefined;
  #roles: Promise<Entity[]> | undefined;

  constructor(rest: KeystoneRest) {
    this.rest = rest;
  }

  get cloud(): string {
    return this.rest.cloud;
  }

  domains(): Promise<Entity[]> {
    this.#domains ??= this.rest.list<Entity>('/domains', 'domains', 'domains');
    return this.#domains;
  }

  roles(): Promise<Entity[]> {
    this.#roles ??= this.rest.list<Entity>('/roles', 'roles', 'roles').then((all) => all.filter((r) => !r['domain_id']));
    return this.#roles;
  }

  /** Forget cached lists (after this apply created or deleted one). */
  invalidate(): void {
    this.#domains = undefined;
    this.#roles = undefined;
  }

  async domainByName(name: string): Promise<Entity | undefined> {
    return (await this.domains()).find((d) => d.name === name);
  }

  async domainName(id: unknown): Promise<string | undefined> {
    return (await this.domains()).find((d) => d.id === id)?.name;
  }

  async roleByName(name: string): Promise<Entity | undefined> {
    return (await this.roles()).find((r) => r.name === name);
  }

  async projectByName(domain: string, name: string): Promise<Entity | undefined> {
    const d = await this.domainByName(domain);
    if (!d) return undefined;
    const found = await this.rest.list<Entity>(`/projects?name=${encodeURIComponent(name)}&domain_id=${encodeURIComponent(d.id)}`, 'projects', `project "${domain}/${name}"`);
    return found.find((p) => p.name === name);
  }

  async groupByName(domain: string, name: string): Promise<Entity | undefined> {
    const d = await this.domainByName(domain);
    if (!d) return undefined;
    const found = await this.rest.list<Entity>(`/groups?name=${encodeURIComponent(name)}&domain_id=${encodeURIComponent(d.id)}`, 'groups', `group "${domain}/${name}"`);
    return found.find((g) => g.name === name);
  }

  async requireDomain(name: string, neededBy: string): Promise<Entity> {
    return this.#required(await this.domainByName(name), `domain "${name}"`, neededBy);
  }

  async requireRole(name: string, neededBy: string): Promise<Entity> {
    return this.#required(await this.roleByName(name), `role "${name}"`, neededBy);
  }

  async requireProject(domain: string, name: string, neededBy: string): Promise<Entity> {
    return this.#required(await this.projectByName(domain, name), `project "${domain}/${name}"`, neededBy);
  }

  async requireGroup(domain: string, name: string, neededBy: string): Promise<Entity> {
    return this.#required(await this.groupByName(domain, name), `group "${domain}/${name}"`, neededBy);
  }

  #required(found: Entity | undefined, what: string, neededBy: string): Entity {
    if (found) return found;
    throw new BrokerError('ERR_NOT_FOUND', `${what} needed by ${neededBy} does not exist in Keystone of cloud ${this.cloud}; apply the plan in order`,
      { details: { cloud: this.cloud, object: neededBy, missing: what } });
  }
}

export function observed(cloud: string, kind: KeystoneKind, name: string, fields: JsonObject, managed: boolean, id?: string): ObservedObject {
  return { system: 'keystone', cloud, scope: KEYSTONE_SCOPE, kind, name, fields, managed, ...(id !== undefined && { id }) };
}

export function label(object: { kind: string; name: string }): string {
  return `${object.kind} "${object.name}"`;
}

export { path };
