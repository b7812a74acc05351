// Role assignments group → project, ours when the group is ours (the broker assigns only to its own
// groups). Read per group with names included; PUT is idempotent in Keystone, DELETE of a missing
// assignment answers 404 (fine).
import { BrokerError } from '../../core/errors.ts';
import type { DesiredObject } from '../../core/plan/model.ts';
import { roleAssignmentName } from '../../core/render/keystone/names.ts';
import { label, observed, path, type KeystoneDirectory } from './directory.ts';
import { text, type KeystoneKindHandler } from './kind.ts';

interface NamedRef { id: string; name: string; domain?: { name?: string } }
interface Assignment { group?: { id: string }; role?: NamedRef; scope?: { project?: NamedRef } }
type Ref = { domain: string; name: string };

export const roleAssignments: KeystoneKindHandler = {
  async observe({ dir, seen }) {
    const groups = seen.filter((o) => o.kind === 'group' && o.managed && o.id !== undefined);
    const perGroup = await Promise.all(groups.map(async (g) => {
      const list = await dir.rest.list<Assignment>(`/role_assignments?group.id=${encodeURIComponent(g.id as string)}&include_names=true`, 'role_assignments', label(g));
      const group: Ref = { domain: text(g.fields['domain']), name: text(g.fields['name']) };
      return list.filter((a) => a.scope?.project && a.role).map((a) => {
        const project: Ref = { domain: a.scope?.project?.domain?.name ?? '', name: a.scope?.project?.name ?? '' };
        const role = a.role?.name ?? '';
        return observed(dir.cloud, 'roleAssignment', roleAssignmentName(group, project, role), { group, project, role }, true);
      });
    }));
    return perGroup.flat();
  },
  async create(dir, desired) {
    await dir.rest.call(await assignmentPath(dir, desired), { method: 'PUT', object: label(desired) });
  },
  async update(dir, desired) {
    throw new BrokerError('ERR_KEYSTONE_UNSUPPORTED_KIND', `${label(desired)} cannot be updated, only created or deleted (cloud ${dir.cloud})`, { details: { cloud: dir.cloud, object: label(desired) } });
  },
  async remove(dir, current) {
    const group = current.fields['group'] as Ref;
    const project = current.fields['project'] as Ref;
    const [g, p, r] = await Promise.all([dir.groupByName(group.domain, group.name), dir.projectByName(project.domain, project.name), dir.roleByName(text(current.fields['role']))]);
    if (!g || !p || !r) return;
    await dir.rest.call(path`/projects/${p.id}/groups/${g.id}/roles/${r.id}`, { method: 'DELETE', object: label(current), allowNotFound: true });
  },
};

async function assignmentPath(dir: KeystoneDirectory, desired: DesiredObject): Promise<string> {
  const group = desired.fields['group'] as Ref;
  const project = desired.fields['project'] as Ref;
  const object = label(desired);
  const [g, p, r] = await Promise.all([
    dir.requireGroup(group.domain, group.name, object), dir.requireProject(project.domain, project.name, object), dir.requireRole(text(desired.fields['role']), object),
  ]);
  return path`/projects/${p.id}/groups/${g.id}/roles/${r.id}`;
}
