// OS-FEDERATION objects: identity provider (ours by its description marker; its domain is given by
// name here and by id to Keystone, and cannot change after creation), mapping (ours by its marker
// rule; rules reported with sorted keys, as rendered), protocol (ours when its IdP is ours).
// Deleting an IdP deletes its shadow users first (Keystone keeps them otherwise).
// Keystone Zed quirks handled: PUT of an existing object answers 409 (so create is PUT, update is
// PATCH); PATCH of a protocol needs mapping_id; a single protocol GET omits remote_id_attribute, so
// protocols are read from the IdP's protocol list.
import { BrokerError } from '../../core/errors.ts';
import type { ObservedObject } from '../../core/plan/model.ts';
import { hasDescriptionMarker, hasMarkerRule, sortKeysDeep } from '../../core/render/keystone/names.ts';
import { label, observed, type Entity } from './directory.ts';
import { pick, text, type KeystoneKindHandler } from './kind.ts';

const IDPS = '/OS-FEDERATION/identity_providers';
const MAPPINGS = '/OS-FEDERATION/mappings';

export const identityProviders: KeystoneKindHandler = {
  async observe({ dir, federation, desired }) {
    const wanted = new Set(desired.map((d) => d.name));
    const all = await dir.rest.list<Entity & { id: string }>(IDPS, 'identity_providers', 'identity providers');
    return Promise.all(all.filter((i) => hasDescriptionMarker(i['description'], federation) || wanted.has(i.id)).map(async (i) => {
      const domain = await dir.domainName(i['domain_id']) ?? text(i['domain_id']);
      return observed(dir.cloud, 'identityProvider', i.id, { ...pick(i, ['enabled', 'remote_ids', 'description']), domain },
        hasDescriptionMarker(i['description'], federation), i.id);
    }));
  },
  async create(dir, desired) {
    const { domain, ...rest } = desired.fields;
    const domainId = (await dir.requireDomain(text(domain), label(desired))).id;
    await dir.rest.call(`${IDPS}/${encodeURIComponent(desired.name)}`, { method: 'PUT', object: label(desired), body: { identity_provider: { ...rest, domain_id: domainId } } });
  },
  async update(dir, desired, current) {
    const { domain, ...rest } = desired.fields;
    if (domain !== current.fields['domain']) {
      throw new BrokerError('ERR_KEYSTONE_UNSUPPORTED_KIND', `${label(desired)} in Keystone of cloud ${dir.cloud} is in domain "${text(current.fields['domain'])}", not "${text(domain)}"; Keystone cannot move an identity provider: delete it by hand and apply again`,
        { details: { cloud: dir.cloud, object: label(desired) } });
    }
    await dir.rest.call(`${IDPS}/${encodeURIComponent(desired.name)}`, { method: 'PATCH', object: label(desired), body: { identity_provider: rest } });
  },
  /** Its shadow users go first: they can never log in again, and Keystone would keep them (with their group memberships). */
  async remove(dir, current) {
    const shadows = await dir.rest.list<Entity>(`/users?idp_id=${encodeURIComponent(current.name)}`, 'users', label(current));
    for (const user of shadows) await dir.rest.call(`/users/${encodeURIComponent(user.id)}`, { method: 'DELETE', object: `shadow user "${user.name}" of ${label(current)}`, allowNotFound: true });
    await dir.rest.call(`${IDPS}/${encodeURIComponent(current.name)}`, { method: 'DELETE', object: label(current), allowNotFound: true });
  },
};

export const mappings: KeystoneKindHandler = {
  async observe({ dir, federation, desired }) {
    const wanted = new Set(desired.map((d) => d.name));
    const all = await dir.rest.list<{ id: string; rules?: unknown; schema_version?: unknown }>(MAPPINGS, 'mappings', 'mappings');
    return all.filter((m) => hasMarkerRule(m.rules, federation) || wanted.has(m.id))
      .map((m) => observed(dir.cloud, 'mapping', m.id, { rules: sortKeysDeep(m.rules ?? []), ...pick(m, ['schema_version']) }, hasMarkerRule(m.rules, federation), m.id));
  },
  async create(dir, desired) {
    await dir.rest.call(`${MAPPINGS}/${encodeURIComponent(desired.name)}`, { method: 'PUT', object: label(desired), body: { mapping: { rules: desired.fields['rules'] } } });
  },
  async update(dir, desired) {
    await dir.rest.call(`${MAPPINGS}/${encodeURIComponent(desired.name)}`, { method: 'PATCH', object: label(desired), body: { mapping: { rules: desired.fields['rules'] } } });
  },
  async remove(dir, current) {
    await dir.rest.call(`${MAPPINGS}/${encodeURIComponent(current.name)}`, { method: 'DELETE', object: label(current), allowNotFound: true });
  },
};

export const protocols: KeystoneKindHandler = {
  async observe({ dir, desired, seen }) {
    const idps = seen.filter((o) => o.kind === 'identityProvider');
    const out: ObservedObject[] = [];
    for (const idp of idps) {
      const list = await dir.rest.call(`${IDPS}/${encodeURIComponent(idp.name)}/protocols`, { object: label(idp), allowNotFound: true });
      const entries = (list.body as { protocols?: Entity[] } | undefined)?.protocols ?? [];
      for (const p of entries) {
        const name = `${idp.name}/${p.id}`;
        if (!idp.managed && !desired.some((d) => d.name === name)) continue;
        out.push(observed(dir.cloud, 'protocol', name, { identityProvider: idp.name, protocol: p.id, ...pick(p, ['mapping_id', 'remote_id_attribute']) }, idp.managed));
      }
    }
    return out;
  },
  async create(dir, desired) {
    await dir.rest.call(protocolPath(desired.fields), { method: 'PUT', object: label(desired), body: { protocol: protocolBody(desired.fields) } });
  },
  async update(dir, desired) {
    await dir.rest.call(protocolPath(desired.fields), { method: 'PATCH', object: label(desired), body: { protocol: protocolBody(desired.fields) } });
  },
  async remove(dir, current) {
    await dir.rest.call(protocolPath(current.fields), { method: 'DELETE', object: label(current), allowNotFound: true });
  },
};

function protocolPath(fields: ObservedObject['fields']): string {
  return `${IDPS}/${encodeURIComponent(text(fields['identityProvider']))}/protocols/${encodeURIComponent(text(fields['protocol']))}`;
}

/** Zed answers 500 to a PATCH without mapping_id: always send it. */
function protocolBody(fields: ObservedObject['fields']): Record<string, unknown> {
  return { mapping_id: fields['mapping_id'], ...(fields['remote_id_attribute'] !== undefined && { remote_id_attribute: fields['remote_id_attribute'] }) };
}
