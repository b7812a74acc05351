// The KeycloakAdminPort contract against the in-memory fake, plus the fake's own test hooks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKeycloakAdmin } from '../../src/adapters/fakes/keycloak.ts';
import { REQUIRED_EVENT_TYPES } from '../../src/core/render/keycloak/partner-realm.ts';
import { keycloakAdminContract, rejectsWith } from '../contract/keycloak-admin.contract.ts';
import { create, newRun, pick } from '../contract/keycloak-fixtures.ts';

const REALMS = ['cloud-a', 'cloud-b', 'cloud-c'] as const;
const newFake = (failAfterWrites?: number) => new FakeKeycloakAdmin({
  cloud: 'cloud-x', realms: Object.fromEntries(REALMS.map((r) => [r, ['openstack', 'kubernetes']])), ...(failAfterWrites !== undefined && { failAfterWrites }),
});

keycloakAdminContract({ name: 'in-memory fake', port: async () => newFake(), realms: REALMS });

describe('fake Keycloak test hooks', () => {
  it('counts writes and fails every write after failAfterWrites with a coded error', async () => {
    const fake = newFake(1);
    const run = newRun(REALMS);
    const [top, child] = [`/${run.aliases[0]}:`, `/${run.aliases[0]}:/projects`].map((name) => pick(run, fake.cloud, 'cloud-a', 'group', (o) => o.name === name));
    await fake.apply(create(top!), {});
    assert.equal(fake.writes, 1);
    await rejectsWith(fake.apply(create(child!), {}), 'ERR_KEYCLOAK_API');
    assert.equal(fake.writes, 1);
    fake.failAfterWrites = undefined;
    await fake.apply(create(child!), {});
    assert.equal(fake.writes, 2);
  });

  it('reports every event type for a realm that stores events with an empty type list', async () => {
    const fake = newFake();
    fake.seed('cloud-a', 'realmEvents', 'events', { eventsEnabled: true, enabledEventTypes: [] });
    const run = newRun(REALMS);
    const events = pick(run, fake.cloud, 'cloud-a', 'realmEvents');
    const [observed] = await fake.observe('cloud-a', run.federation, [events]);
    for (const type of REQUIRED_EVENT_TYPES) assert.ok((observed?.fields['enabledEventTypes'] as string[]).includes(type));
  });

  it('keeps write-only values out of observed fields but remembers them', async () => {
    const fake = newFake();
    const run = newRun(REALMS);
    const provider = pick(run, fake.cloud, 'cloud-a', 'identityProvider', (o) => o.fields.providerId === 'oidc');
    for (const flow of run.objects.filter((o) => o.kind === 'authenticationFlow' && o.scope === 'cloud-a')) await fake.apply(create({ ...flow, cloud: fake.cloud }), {});
    await fake.apply(create(provider), { 'config.clientSecret': 's3cret' });
    assert.equal(fake.writeOnlyOf('cloud-a', 'identityProvider', provider.name)?.['config.clientSecret'], 's3cret');
    assert.ok(!JSON.stringify(await fake.observe('cloud-a', run.federation, [])).includes('s3cret'));
  });
});
