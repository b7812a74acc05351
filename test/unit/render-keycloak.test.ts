import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderKeycloak, groupsReferenced } from '../../src/core/render/keycloak/index.ts';
import type { KeycloakObject } from '../../src/core/render/keycloak/model.ts';
import { MANAGED_BY_KEY } from '../../src/core/managed.ts';
import { exampleSpec } from '../support/specs.ts';
import { demoHomeMetadata } from '../support/metadata.ts';

const spec = exampleSpec();
const objects = renderKeycloak(spec, demoHomeMetadata(spec));
const find = (cloud: string, kind: string, name: string) => objects.find((o) => o.cloud === cloud && o.kind === kind && o.name === name);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const fields = (o: KeycloakObject | undefined): any => { assert.ok(o, 'object rendered'); return o.fields; };

describe('Keycloak rendering of the demo federation', () => {
  it('creates a confidential PKCE client per partner in each OIDC home realm, with back-channel logout to the broker', () => {
    const client = fields(find('cloud-a', 'client', 'fed-cloud-b'));
    assert.equal(client.publicClient, false);
    assert.equal(client.standardFlowEnabled, true);
    assert.equal(client.directAccessGrantsEnabled, false);
    assert.equal(client.implicitFlowEnabled, false);
    assert.equal(client.attributes['pkce.code.challenge.method'], 'S256');
    assert.equal(client.attributes['backchannel.logout.url'], 'https://127.0.0.1:17443/api/v1/logout/backchannel/cloud-a');
    assert.deepEqual(client.redirectUris, ['https://127.0.0.1:18443/realms/cloud-b/broker/cloud-a/endpoint']);
    assert.equal(client.attributes[MANAGED_BY_KEY], 'scs-federation-broker');
  });

  it('creates a SAML client in the SAML home realm for each partner service provider', () => {
    const client = fields(find('cloud-c', 'client', 'https://127.0.0.1:18443/realms/cloud-a'));
    assert.equal(client.protocol, 'saml');
    assert.equal(client.attributes['saml.assertion.signature'], 'true');
    assert.ok(client.protocolMappers.some((m: { name: string }) => m.name === 'groups'));
  });

  it('stamps the home cloud with a hard-coded mapper and names users <home>.<username>', () => {
    const homeCloud = fields(find('cloud-b', 'identityProviderMapper', 'cloud-a/home-cloud'));
    assert.equal(homeCloud.identityProviderMapper, 'hardcoded-attribute-idp-mapper');
    assert.deepEqual([homeCloud.config.attribute, homeCloud.config['attribute.value'], homeCloud.config.syncMode], ['home_cloud', 'cloud-a', 'FORCE']);
    assert.equal(fields(find('cloud-b', 'identityProviderMapper', 'cloud-a/username')).config.template, 'cloud-a.${CLAIM.preferred_username}');
    assert.equal(fields(find('cloud-b', 'identityProviderMapper', 'cloud-c/username')).config.template, 'cloud-c.${ATTRIBUTE.username}');
    const everyMapperForced = objects.filter((o) => o.kind === 'identityProviderMapper').every((o) => fields(o).config.syncMode === 'FORCE');
    assert.ok(everyMapperForced);
  });

  it('never derives the home cloud from a claim', () => {
    const mappers = objects.filter((o) => o.kind === 'identityProviderMapper').map(fields);
    const writesHomeCloud = mappers.filter((m) => m.config['user.attribute'] === 'home_cloud' || m.config.attribute === 'home_cloud');
    assert.ok(writesHomeCloud.length > 0);
    assert.ok(writesHomeCloud.every((m) => m.identityProviderMapper === 'hardcoded-attribute-idp-mapper'));
  });

  it('mirrors exactly the home groups policy refers to, namespaced under "<home>:"', () => {
    assert.deepEqual(groupsReferenced(spec.policy, 'cloud-a', 'cloud-b'), ['/projects/p1/admins', '/projects/p1/members']);
    const groups = objects.filter((o) => o.cloud === 'cloud-b' && o.kind === 'group').map((o) => o.name);
    assert.ok(groups.includes('/cloud-a:/projects/p1/members'));
    assert.ok(groups.includes('/cloud-c:'));
    assert.ok(!groups.some((g) => g.startsWith('/cloud-b:')), 'no mirror of a realm\'s own users');
    const groupMapper = fields(find('cloud-b', 'identityProviderMapper', 'cloud-a/group /projects/p1/members'));
    assert.equal(groupMapper.config.group, '/cloud-a:/projects/p1/members');
  });

  it('takes the identity provider client secret from the home client, write-only', () => {
    const idp = find('cloud-b', 'identityProvider', 'cloud-a');
    assert.deepEqual(idp?.writeOnly, { 'config.clientSecret': { $secretFromClient: { cloud: 'cloud-a', realm: 'cloud-a', clientId: 'fed-cloud-b' } } });
    assert.equal(JSON.stringify(idp?.fields).includes('clientSecret'), false);
    assert.equal(fields(idp).config.pkceMethod, 'S256');
  });

  it('attaches the federation scope to the partner\'s Keystone and Kubernetes clients', () => {
    const names = objects.filter((o) => o.cloud === 'cloud-b' && o.kind === 'clientDefaultScope').map((o) => o.name);
    assert.deepEqual(names, ['kubernetes/fedbroker-federation', 'openstack/fedbroker-federation']);
  });

  it('renders one client per trust edge and nothing for untrusted directions', () => {
    const oneWay = exampleSpec((d) => { d.trust = { mode: 'edges', edges: [{ from: 'cloud-a', to: 'cloud-b' }] }; for (const r of d.policy) r.examples = []; });
    const rendered = renderKeycloak(oneWay, demoHomeMetadata(oneWay));
    assert.deepEqual(rendered.filter((o) => o.kind === 'client').map((o) => `${o.cloud}:${o.name}`), ['cloud-a:fed-cloud-b']);
    assert.deepEqual(rendered.filter((o) => o.kind === 'identityProvider').map((o) => `${o.cloud}:${o.name}`), ['cloud-b:cloud-a']);
    assert.equal(rendered.filter((o) => o.cloud === 'cloud-a' && o.kind === 'clientScope').length, 0);
  });

  it('gives every object a unique address', () => {
    const keys = objects.map((o) => `${o.cloud}/${o.scope}/${o.kind}/${o.name}`);
    assert.equal(new Set(keys).size, keys.length);
  });
});
