// Groups by full path ("/cloud-a:/projects/p1/members"); the top-level "/cloud-a:" holds a home's
// tree. Managed markers are group attributes (lists of strings). Parents are created before children
// (the plan orders paths so); deleting a group deletes its subtree, so it is refused when the subtree
// holds a group the broker does not own.
import { BrokerError } from '../../../core/errors.ts';
import { FEDERATION_KEY, MANAGED_BY_KEY, MANAGED_BY_VALUE, isManaged } from '../../../core/managed.ts';
import type { ObservedObject } from '../../../core/plan/model.ts';
import { urlPath, type KeycloakRest } from '../rest.ts';
import { objectLabel, objectOf, observedObject, unseen, type JsonObject, type KindHandler } from './kind.ts';

function groupFields(group: JsonObject): JsonObject {
  return { name: group['name'] ?? null, path: group['path'] ?? null, attributes: objectOf(group['attributes']) };
}

function byPathUrl(path: string): string {
  return `/group-by-path/${path.split('/').filter((s) => s !== '').map(encodeURIComponent).join('/')}`;
}

async function findByPath(rest: KeycloakRest, realm: string, path: string): Promise<JsonObject | undefined> {
  return rest.find<JsonObject>(byPathUrl(path), { realm, object: `group "${path}"` });
}

/** Every group below `id`, depth first. */
async function subtree(rest: KeycloakRest, realm: string, id: string, path: string): Promise<JsonObject[]> {
  const children = await rest.list<JsonObject>(`${urlPath`/groups/${id}/children`}?briefRepresentation=false`, { realm, object: `group "${path}"` });
  const nested = await Promise.all(children.map((c) => subtree(rest, realm, String(c['id']), String(c['path']))));
  return [...children, ...nested.flat()];
}

export const groups: KindHandler = {
  async observe(context) {
    const { rest, realm, federation } = context;
    const query = `q=${encodeURIComponent(`${MANAGED_BY_KEY}:${MANAGED_BY_VALUE}`)}&populateHierarchy=false&briefRepresentation=false`;
    const marked = await rest.list<JsonObject>(`/groups?${query}`, { realm, object: 'groups' });
    const ours = marked.filter((g) => isManaged(objectOf(g['attributes']), federation))
      .map((g) => observedObject(context, 'group', String(g['path']), groupFields(g), true, String(g['id'])));
    const others = await Promise.all(unseen(context.desired, ours).map(async (d) => {
      const found = await findByPath(rest, realm, d.name);
      return found && observedObject(context, 'group', String(found['path']), groupFields(found),
        isManaged(objectOf(found['attributes']), federation), String(found['id']));
    }));
    return [...ours, ...others.filter((o): o is ObservedObject => o !== undefined)];
  },

  async create(rest, desired) {
    const realm = desired.scope;
    const object = objectLabel(desired);
    const cut = desired.name.lastIndexOf('/');
    const parentPath = desired.name.slice(0, cut);
    const body = { ...desired.fields, name: desired.name.slice(cut + 1) };
    if (parentPath === '') {
      await rest.realm('/groups', { realm, object, method: 'POST', body });
      return;
    }
    const parent = await findByPath(rest, realm, parentPath);
    if (!parent) {
      throw new BrokerError('ERR_NOT_FOUND', `parent group "${parentPath}" of ${object} does not exist in realm "${realm}" of cloud ${rest.cloud}; create it first`,
        { details: { cloud: rest.cloud, realm, object, parent: parentPath } });
    }
    await rest.realm(urlPath`/groups/${String(parent['id'])}/children`, { realm, object, method: 'POST', body });
  },

  async update(rest, desired, observed) {
    const realm = desired.scope;
    const object = objectLabel(desired);
    const id = observed.id ?? String((await findByPath(rest, realm, desired.name))?.['id'] ?? '');
    const current = await rest.get<JsonObject>(urlPath`/groups/${id}`, { realm, object });
    const wanted = objectOf(desired.fields['attributes']);
    const body = { id, name: current['name'] ?? null, attributes: { ...objectOf(current['attributes']), ...wanted } };
    await rest.realm(urlPath`/groups/${id}`, { realm, object, method: 'PUT', body });
  },

  async remove(rest, observed) {
    const realm = observed.scope;
    const object = objectLabel(observed);
    const group = observed.id ? { id: observed.id } : await findByPath(rest, realm, observed.name);
    if (!group) return;
    const id = String(group['id']);
    const federation = [objectOf(observed.fields['attributes'])[FEDERATION_KEY]].flat()[0];
    const below = await subtree(rest, realm, id, observed.name).catch((e: unknown) => {
      if (e instanceof BrokerError && e.code === 'ERR_NOT_FOUND') return undefined;
      throw e;
    });
    if (below === undefined) return;
    const foreign = below.find((g) => typeof federation !== 'string' || !isManaged(objectOf(g['attributes']), federation));
    if (foreign) {
      throw new BrokerError('ERR_CONFLICT', `${object} in realm "${realm}" of cloud ${rest.cloud} holds group "${String(foreign['path'])}", which the broker does not own; remove it by hand first`,
        { details: { cloud: rest.cloud, realm, object, foreign: foreign['path'] ?? null } });
    }
    await rest.realm(urlPath`/groups/${id}`, { realm, object, method: 'DELETE', allowNotFound: true });
  },
};
