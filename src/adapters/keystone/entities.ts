// Domains, roles, projects and groups. Ownership: the extra attributes fedbroker_managed_by /
// fedbroker_federation. Roles and projects the broker did not create are used as they are (the plan
// marks them shared); the ones it created are deleted only when nothing else is assigned on them.
// A domain is deleted (after disabling, as Keystone requires) when it holds nothing but the broker's
// groups/projects and shadow users of identity providers; otherwise it is disabled and released (markers
// cleared) so that the plan converges and a person decides.
import { BrokerError } from '../../core/errors.ts';
import type { DesiredObject, ObservedObject } from '../../core/plan/model.ts';
import { domainScopedName, FEDBROKER_FEDERATION, FEDBROKER_MANAGED_BY, hasEntityMarkers, projectTag } from '../../core/render/keystone/names.ts';
import { label, observed, path, type Entity, type KeystoneDirectory } from './directory.ts';
import { pick, text, without, type KeystoneKindHandler } from './kind.ts';

const MARKERS = [FEDBROKER_MANAGED_BY, FEDBROKER_FEDERATION];
const names = (desired: readonly DesiredObject[]) => new Set(desired.map((d) => d.name));

export const domains: KeystoneKindHandler = {
  async observe({ dir, federation, desired }) {
    const wanted = names(desired);
    return (await dir.domains()).filter((d) => hasEntityMarkers(d, federation) || wanted.has(d.name))
      .map((d) => observed(dir.cloud, 'domain', d.name, pick(d, ['name', 'enabled', 'description', ...MARKERS]), hasEntityMarkers(d, federation), d.id));
  },
  async create(dir, desired) {
    await dir.rest.call('/domains', { method: 'POST', object: label(desired), body: { domain: desired.fields } });
    dir.invalidate();
  },
  async update(dir, desired, current) {
    const id = current.id ?? (await dir.requireDomain(desired.name, label(desired))).id;
    await dir.rest.call(path`/domains/${id}`, { method: 'PATCH', object: label(desired), body: { domain: without(desired.fields, 'name') } });
  },
  async remove(dir, current) {
    const domain = await dir.domainByName(current.name);
    if (!domain) return;
    const object = label(current);
    const federation = text(current.fields[FEDBROKER_FEDERATION]);
    const [groups, projects, users] = await Promise.all(['groups', 'projects', 'users'].map((key) =>
      dir.rest.list<Entity>(`/${key}?domain_id=${encodeURIComponent(domain.id)}`, key, object)));
    const foreign = [
      ...(groups ?? []).filter((g) => !hasEntityMarkers(g, federation)).map((g) => `group ${g.name}`),
      ...(projects ?? []).filter((p) => !hasEntityMarkers(p, federation)).map((p) => `project ${p.name}`),
      ...(await localUsers(dir, users ?? [], object)).map((u) => `user ${u.name}`),
    ];
    await dir.rest.call(path`/domains/${domain.id}`, { method: 'PATCH', object, allowNotFound: true, body: { domain: foreign.length === 0 ? { enabled: false } : {
      enabled: false, [FEDBROKER_MANAGED_BY]: null, [FEDBROKER_FEDERATION]: null,
      description: `Released by the SCS federation broker (federation ${federation}): it holds ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', ...' : ''}`,
    } } });
    if (foreign.length === 0) await dir.rest.call(path`/domains/${domain.id}`, { method: 'DELETE', object, allowNotFound: true });
    dir.invalidate();
  },
};

export const roles: KeystoneKindHandler = {
  async observe({ dir, federation, desired }) {
    const wanted = names(desired);
    return (await dir.roles()).filter((r) => hasEntityMarkers(r, federation) || wanted.has(r.name))
      .map((r) => observed(dir.cloud, 'role', r.name, pick(r, ['name', 'description', ...MARKERS]), hasEntityMarkers(r, federation), r.id));
  },
  async create(dir, desired, writeOnly) {
    await dir.rest.call('/roles', { method: 'POST', object: label(desired), body: { role: { ...writeOnly, ...desired.fields } } });
    dir.invalidate();
  },
  async update(dir, desired, current) {
    const id = current.id ?? (await dir.requireRole(desired.name, label(desired))).id;
    await dir.rest.call(path`/roles/${id}`, { method: 'PATCH', object: label(desired), body: { role: desired.fields } });
  },
  async remove(dir, current) {
    const role = await dir.roleByName(current.name);
    if (!role) return;
    await refuseIfAssigned(dir, current, `role.id=${encodeURIComponent(role.id)}`);
    await dir.rest.call(path`/roles/${role.id}`, { method: 'DELETE', object: label(current), allowNotFound: true });
    dir.invalidate();
  },
};

export const projects: KeystoneKindHandler = {
  async observe({ dir, federation, desired }) {
    const ours = await dir.rest.list<Entity>(`/projects?tags=${encodeURIComponent(projectTag(federation))}`, 'projects', 'projects');
    const found = await Promise.all(desired.map((d) => dir.projectByName(text(d.fields['domain']), text(d.fields['name']))));
    const byId = new Map([...ours, ...found.filter((p): p is Entity => p !== undefined)].map((p) => [p.id, p]));
    return Promise.all([...byId.values()].map(async (p) => {
      const domain = await dir.domainName(p['domain_id']) ?? text(p['domain_id']);
      return observed(dir.cloud, 'project', domainScopedName(domain, p.name), { ...pick(p, ['name', 'description', ...MARKERS]), domain }, hasEntityMarkers(p, federation), p.id);
    }));
  },
  async create(dir, desired, writeOnly) {
    const domain = await dir.requireDomain(text(desired.fields['domain']), label(desired));
    const body = { project: { ...writeOnly, ...without(desired.fields, 'domain'), domain_id: domain.id } };
    await dir.rest.call('/projects', { method: 'POST', object: label(desired), body });
  },
  async update(dir, desired, current) {
    const id = current.id ?? (await dir.requireProject(text(desired.fields['domain']), text(desired.fields['name']), label(desired))).id;
    await dir.rest.call(path`/projects/${id}`, { method: 'PATCH', object: label(desired), body: { project: without(desired.fields, 'domain', 'name') } });
  },
  async remove(dir, current) {
    const project = await dir.projectByName(text(current.fields['domain']), text(current.fields['name']));
    if (!project) return;
    await refuseIfAssigned(dir, current, `scope.project.id=${encodeURIComponent(project.id)}`);
    await dir.rest.call(path`/projects/${project.id}`, { method: 'DELETE', object: label(current), allowNotFound: true });
  },
};

export const groups: KeystoneKindHandler = {
  async observe({ dir, federation, desired, seen }) {
    const ourDomains = seen.filter((o) => o.kind === 'domain' && o.managed && o.id !== undefined);
    const listed = (await Promise.all(ourDomains.map((d) =>
      dir.rest.list<Entity>(`/groups?domain_id=${encodeURIComponent(d.id as string)}`, 'groups', label(d))))).flat();
    const found = await Promise.all(desired.map((d) => dir.groupByName(text(d.fields['domain']), text(d.fields['name']))));
    const byId = new Map([...listed, ...found.filter((g): g is Entity => g !== undefined)].map((g) => [g.id, g]));
    const wanted = names(desired);
    const out: ObservedObject[] = [];
    for (const g of byId.values()) {
      const domain = await dir.domainName(g['domain_id']) ?? text(g['domain_id']);
      const name = domainScopedName(domain, g.name);
      if (!hasEntityMarkers(g, federation) && !wanted.has(name)) continue;
      out.push(observed(dir.cloud, 'group', name, { ...pick(g, ['name', 'description', ...MARKERS]), domain }, hasEntityMarkers(g, federation), g.id));
    }
    return out;
  },
  async create(dir, desired) {
    const domain = await dir.requireDomain(text(desired.fields['domain']), label(desired));
    await dir.rest.call('/groups', { method: 'POST', object: label(desired), body: { group: { ...without(desired.fields, 'domain'), domain_id: domain.id } } });
  },
  async update(dir, desired, current) {
    const id = current.id ?? (await dir.requireGroup(text(desired.fields['domain']), text(desired.fields['name']), label(desired))).id;
    await dir.rest.call(path`/groups/${id}`, { method: 'PATCH', object: label(desired), body: { group: without(desired.fields, 'domain', 'name') } });
  },
  async remove(dir, current) {
    const group = current.id ? { id: current.id } : await dir.groupByName(text(current.fields['domain']), text(current.fields['name']));
    if (group) await dir.rest.call(path`/groups/${group.id}`, { method: 'DELETE', object: label(current), allowNotFound: true });
  },
};

/** The users that are not shadow users of some identity provider (the list omits `federated`; a single GET shows it). */
async function localUsers(dir: KeystoneDirectory, users: readonly Entity[], object: string): Promise<Entity[]> {
  const full = await Promise.all(users.map(async (u) => (await dir.rest.find<{ user?: Entity }>(path`/users/${u.id}`, object))?.user ?? u));
  return full.filter((u) => !(Array.isArray(u['federated']) && u['federated'].length > 0));
}

async function refuseIfAssigned(dir: KeystoneDirectory, current: ObservedObject, filter: string): Promise<void> {
  const assignments = await dir.rest.list<unknown>(`/role_assignments?${filter}`, 'role_assignments', label(current));
  if (assignments.length === 0) return;
  throw new BrokerError('ERR_CONFLICT', `${label(current)} in Keystone of cloud ${dir.cloud} was created by the broker but still has ${assignments.length} role assignment(s) it did not make; remove them or the ${current.kind} by hand`,
    { details: { cloud: dir.cloud, object: label(current), assignments: assignments.length } });
}
