import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderKeycloak, groupsReferenced } from '../../src/core/render/keycloak/index.ts';
import type { KeycloakObject } from '../../src/core/render/keycloak/model.ts';
import { isManaged, MANAGED_BY_KEY, markersFromText } from '../../src/core/managed.ts';
import { exampleSpec } from '../support/example-federation.ts';
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
    const names = objects.filter((o) => o.cloud === 'cloud-b' && o.kind === 'clientDefaultScope' && fields(o).clientScope === 'fedbroker-federation').map((o) => o.name);
    assert.deepEqual(names, ['kubernetes/fedbroker-federation', 'openstack/fedbroker-federation']);
  });

  describe('no chained brokering (decision 0006)', () => {
    it('home clients send the user\'s own home_cloud upstream, OIDC as a claim and SAML as an attribute', () => {
      const oidc = fields(find('cloud-a', 'client', 'fed-cloud-b')).protocolMappers.find((m: { name: string }) => m.name === 'upstream-home-cloud');
      assert.deepEqual([oidc.protocolMapper, oidc.config['user.attribute'], oidc.config['claim.name']], ['oidc-usermodel-attribute-mapper', 'home_cloud', 'upstream_home_cloud']);
      const saml = fields(find('cloud-c', 'client', 'https://127.0.0.1:18443/realms/cloud-b')).protocolMappers.find((m: { name: string }) => m.name === 'upstream-home-cloud');
      assert.deepEqual([saml.protocolMapper, saml.config['user.attribute'], saml.config['attribute.name']], ['saml-user-attribute-mapper', 'home_cloud', 'upstream_home_cloud']);
    });

    it('partners import it in FORCE mode into an admin-only attribute that never becomes home_cloud', () => {
      for (const [idp, type, key] of [['cloud-a', 'oidc-user-attribute-idp-mapper', 'claim'], ['cloud-c', 'saml-user-attribute-idp-mapper', 'attribute.name']] as const) {
        const mapper = fields(find('cloud-b', 'identityProviderMapper', `${idp}/upstream-home-cloud`));
        assert.deepEqual([mapper.identityProviderMapper, mapper.config[key], mapper.config['user.attribute'], mapper.config.syncMode], [type, 'upstream_home_cloud', 'upstream_home_cloud', 'FORCE']);
      }
      const attribute = fields(find('cloud-b', 'userProfileAttribute', 'upstream_home_cloud'));
      assert.deepEqual(attribute.permissions, { view: ['admin'], edit: ['admin'] });
    });

    it('every identity provider of the broker runs the broker\'s post-broker-login flow, which denies chained arrivals', () => {
      const providers = objects.filter((o) => o.kind === 'identityProvider');
      assert.equal(providers.length, 6);
      for (const idp of providers) {
        assert.equal(fields(idp).postBrokerLoginFlowAlias, 'fedbroker-post-broker-login');
        assert.equal(fields(idp).firstBrokerLoginFlowAlias, 'fedbroker-first-broker-login');
        assert.ok(find(idp.cloud, 'authenticationFlow', 'fedbroker-post-broker-login'), `flow in ${idp.cloud}`);
        assert.ok(find(idp.cloud, 'authenticationFlow', 'fedbroker-first-broker-login'), `first login flow in ${idp.cloud}`);
      }
      const flow = fields(find('cloud-b', 'authenticationFlow', 'fedbroker-post-broker-login'));
      assert.deepEqual([flow.providerId, flow.topLevel, flow.builtIn], ['basic-flow', true, false]);
      assert.ok(isManaged(markersFromText(flow.description), spec.metadata.name), 'managed markers in the description');
      const [chained, homeClient, allow] = flow.executions;
      assert.deepEqual([chained.requirement, chained.index], ['CONDITIONAL', 0]);
      assert.deepEqual(chained.executions.map((e: { authenticator: string; requirement: string }) => [e.authenticator, e.requirement]),
        [['conditional-user-attribute', 'REQUIRED'], ['deny-access-authenticator', 'REQUIRED']]);
      assert.deepEqual(chained.executions[0].config, { attribute_name: 'upstream_home_cloud', attribute_expected_value: '.+', regex: 'true', not: 'false', include_group_attributes: 'false' });
      assert.deepEqual(homeClient.executions[0].config, { client_scope: 'fedbroker-home-client', negate: 'false' });
      assert.deepEqual([allow.authenticator, allow.requirement, allow.index], ['allow-access-authenticator', 'REQUIRED', 2]);
    });

    it('creates brokered users on first login like Keycloak\'s default flow, but never links them to an existing account', () => {
      const flow = fields(find('cloud-b', 'authenticationFlow', 'fedbroker-first-broker-login'));
      assert.ok(isManaged(markersFromText(flow.description), spec.metadata.name));
      const [review, createUser] = flow.executions;
      assert.deepEqual([review.authenticator, review.requirement, review.config], ['idp-review-profile', 'REQUIRED', { 'update.profile.on.first.login': 'missing' }]);
      assert.equal(createUser.requirement, 'REQUIRED');
      const [unique, existing] = createUser.executions;
      assert.deepEqual([unique.authenticator, unique.requirement], ['idp-create-user-if-unique', 'ALTERNATIVE']);
      assert.equal(existing.requirement, 'ALTERNATIVE');
      assert.deepEqual(existing.executions.map((e: { authenticator: string }) => e.authenticator), ['deny-access-authenticator']);
      const everywhere = JSON.stringify(flow);
      for (const linking of ['idp-confirm-link', 'idp-email-verification', 'idp-username-password-form', 'idp-auto-link']) assert.ok(!everywhere.includes(linking), `${linking} is not in the flow`);
    });

    it('marks the home clients of a realm that is also a partner with the home-client scope of its protocol', () => {
      assert.equal(fields(find('cloud-a', 'clientScope', 'fedbroker-home-client')).protocol, 'openid-connect');
      assert.equal(fields(find('cloud-c', 'clientScope', 'fedbroker-home-client')).protocol, 'saml');
      const links = objects.filter((o) => o.kind === 'clientDefaultScope' && fields(o).clientScope === 'fedbroker-home-client').map((o) => `${o.cloud}:${fields(o).clientId}`);
      assert.deepEqual(links.sort(), ['cloud-a:fed-cloud-b', 'cloud-a:fed-cloud-c', 'cloud-b:fed-cloud-a', 'cloud-b:fed-cloud-c',
        'cloud-c:https://127.0.0.1:18443/realms/cloud-a', 'cloud-c:https://127.0.0.1:18443/realms/cloud-b']);
    });

    it('guards home clients only where the realm brokers too: a home-only realm gets no flow and no marker scope', () => {
      const oneWay = exampleSpec((d) => { d.trust = { mode: 'edges', edges: [{ home: 'cloud-a', partner: 'cloud-b' }] }; for (const r of d.policy) r.examples = []; });
      const rendered = renderKeycloak(oneWay, demoHomeMetadata(oneWay));
      assert.deepEqual(rendered.filter((o) => o.kind === 'authenticationFlow').map((o) => `${o.cloud}:${o.name}`), ['cloud-b:fedbroker-first-broker-login', 'cloud-b:fedbroker-post-broker-login']);
      const flow = fields(rendered.find((o) => o.name === 'fedbroker-post-broker-login'));
      assert.deepEqual(flow.executions.map((e: { name: string }) => e.name), ['fedbroker-post-broker-login-deny-chained-arrival', 'allow-access-authenticator']);
      assert.equal(rendered.some((o) => fields(o).clientScope === 'fedbroker-home-client' || o.name === 'fedbroker-home-client'), false);
    });
  });

  it('renders one client per trust edge and nothing for untrusted directions', () => {
    const oneWay = exampleSpec((d) => { d.trust = { mode: 'edges', edges: [{ home: 'cloud-a', partner: 'cloud-b' }] }; for (const r of d.policy) r.examples = []; });
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
