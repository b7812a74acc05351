// Render the desired Keystone state of the whole federation (docs/design.md §3, Keystone row): for every
// partner cloud P with a keystone section that trusts at least one home cloud, P's realm as
// identity provider (explicit domain), protocol "openid" with the generated mapping, a domain
// fed-<H> per home cloud H holding one group per matching policy rule, and the projects, roles and
// group role assignments the policy grants. Pure: capabilities come from the adapter.
import { BrokerError } from '../../errors.ts';
import { keystoneDomainFor } from '../../naming.ts';
import type { CloudSpec, FederationSpec } from '../../federation/schema.ts';
import { realmUrl } from '../../federation/realm-url.ts';
import { renderMapping } from './mapping.ts';
import { KEYSTONE_SCOPE, type KeystoneCapabilities, type KeystoneCapabilitiesByCloud, type KeystoneKind, type KeystoneObject } from './model.ts';
import {
  domainScopedName, entityMarkers, identityProviderDomain, ISSUER_ATTRIBUTE, markedDescription, OPENID_PROTOCOL, projectTag,
  protocolObjectName, roleAssignmentName, type JsonObject,
} from './names.ts';
import { homesOf } from '../../federation/trust.ts';
import { policyGroups } from './policy-groups.ts';

export { KEYSTONE_KIND_ORDER, KEYSTONE_SCOPE, ZED_CAPABILITIES, type KeystoneCapabilities, type KeystoneCapabilitiesByCloud, type KeystoneKind, type KeystoneObject } from './model.ts';

/** Partner clouds the broker configures a Keystone in: a keystone section and at least one home. */
export function keystonePartners(spec: FederationSpec): CloudSpec[] {
  return spec.clouds.filter((c) => c.keystone && homesOf(spec, c.alias).length > 0);
}

export function renderKeystone(spec: FederationSpec, capabilities: KeystoneCapabilitiesByCloud): KeystoneObject[] {
  return keystonePartners(spec).flatMap((partner) => {
    const found = capabilities[partner.alias];
    if (!found) {
      throw new BrokerError('ERR_INTERNAL', `no Keystone capabilities for cloud ${partner.alias}; ask its adapter first`, { details: { cloud: partner.alias } });
    }
    return renderPartnerKeystone(spec, partner, found);
  });
}

export function renderPartnerKeystone(spec: FederationSpec, partner: CloudSpec, capabilities: KeystoneCapabilities): KeystoneObject[] {
  const keystone = partner.keystone;
  if (!keystone) return [];
  const federation = spec.metadata.name;
  const at = (kind: KeystoneKind, name: string, fields: JsonObject, extra: Partial<KeystoneObject> = {}): KeystoneObject =>
    ({ system: 'keystone', cloud: partner.alias, scope: KEYSTONE_SCOPE, kind, name, fields, ...extra });
  const ownedEntity = (what: string) => ({ description: `${what} (SCS federation ${federation}, managed by the broker)`, ...entityMarkers(federation) });
  /** Roles and projects may exist already: used as they are; created (and then owned) only when missing. */
  const adopted = (what: string) => ({ shared: true, writeOnly: ownedEntity(what) });
  const idp = keystone.identityProvider;
  const idpDomain = identityProviderDomain(idp);
  const mapping = renderMapping(spec, partner, capabilities);
  const out = new Map<string, KeystoneObject>();
  const add = (o: KeystoneObject) => out.set(`${o.kind}/${o.name}`, o);

  add(at('domain', idpDomain, { name: idpDomain, enabled: true, ...ownedEntity(`Users federated through identity provider ${idp}`) }));
  for (const home of homesOf(spec, partner.alias)) {
    const domain = keystoneDomainFor(spec.naming, home);
    if (domain === idpDomain) {
      throw new BrokerError('ERR_KEYSTONE_UNRENDERABLE', `the Keystone domain of home cloud ${home} would be "${domain}", the identity provider's own domain in cloud ${partner.alias}; change naming.keystoneDomain`,
        { details: { cloud: partner.alias, home, domain } });
    }
    add(at('domain', domain, { name: domain, enabled: true, ...ownedEntity(`Groups of users from home cloud ${home}`) }));
    for (const { group, grants, rule } of policyGroups(spec, home, partner)) {
      add(at('group', domainScopedName(group.domain, group.name), {
        name: group.name, domain: group.domain, ...ownedEntity(`Users from ${home} matched by policy rule ${rule.name}`),
      }));
      for (const g of grants) {
        add(at('role', g.role, { name: g.role }, adopted(`Role granted by federation policy`)));
        add(at('project', domainScopedName(g.domain, g.project), { name: g.project, domain: g.domain },
          { shared: true, writeOnly: { ...ownedEntity('Project granted by federation policy'), tags: [projectTag(federation)] } }));
        add(at('roleAssignment', roleAssignmentName(group, { domain: g.domain, name: g.project }, g.role), {
          group: { domain: group.domain, name: group.name }, project: { domain: g.domain, name: g.project }, role: g.role,
        }));
      }
    }
  }
  add(at('identityProvider', idp, {
    domain: idpDomain, enabled: true, remote_ids: [realmUrl(partner.keycloak.url, partner.keycloak.realm)],
    description: markedDescription(federation, `Realm ${partner.keycloak.realm} of cloud ${partner.alias}`),
  }, { pointsAt: [{ system: 'keycloak', cloud: partner.alias }] }));
  add(at('mapping', mapping.id, { rules: [...mapping.rules] }));
  add(at('protocol', protocolObjectName(idp), {
    identityProvider: idp, protocol: OPENID_PROTOCOL, mapping_id: mapping.id, remote_id_attribute: ISSUER_ATTRIBUTE,
  }));
  return [...out.values()];
}
