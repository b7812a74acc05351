// The KeystoneAdminPort contract against the in-memory fake, plus the fake's own test hooks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKeystoneAdmin } from '../../src/adapters/fakes/keystone.ts';
import { KEYSTONE_SCOPE } from '../../src/core/render/keystone/model.ts';
import { keystoneAdminContract, rejectsWith } from '../contract/keystone-admin.contract.ts';
import { create, newKeystoneRun, only, renderFor } from '../contract/keystone-fixtures.ts';

keystoneAdminContract({ name: 'in-memory fake', port: async () => new FakeKeystoneAdmin({ cloud: 'cloud-x' }), demoCloud: 'cloud-b' });
keystoneAdminContract({ name: 'in-memory fake of Keystone 2024.1', demoCloud: 'cloud-a',
  port: async () => new FakeKeystoneAdmin({ cloud: 'cloud-y', capabilities: { honoursRuleDomain: true, evidence: 'fake' } }) });

describe('fake Keystone test hooks', () => {
  it('counts writes and fails every write after failAfterWrites with a coded error', async () => {
    const fake = new FakeKeystoneAdmin({ cloud: 'cloud-x', failAfterWrites: 1 });
    const objects = renderFor(newKeystoneRun(), 'cloud-b', 'cloud-x', await fake.capabilities());
    const [first, second] = objects.filter((o) => o.kind === 'domain');
    await fake.apply(create(first!), {});
    await rejectsWith(fake.apply(create(second!), {}), 'ERR_KEYSTONE_API');
    assert.equal(fake.writes, 1);
    fake.failAfterWrites = undefined;
    await fake.apply(create(second!), {});
    assert.equal(fake.writes, 2);
  });

  it('lists seeded federated users by identity provider', async () => {
    const fake = new FakeKeystoneAdmin({ cloud: 'cloud-x' });
    fake.seedUser('fed-idp-keycloak', 'cloud-a.alice', 'keycloak');
    fake.seedUser('fed-idp-keycloak', 'local-admin');
    assert.deepEqual((await fake.federatedUsers('keycloak')).map((u) => [u.name, u.domain]), [['cloud-a.alice', 'fed-idp-keycloak']]);
  });

  it('deletes an identity provider\'s shadow users with it', async () => {
    const fake = new FakeKeystoneAdmin({ cloud: 'cloud-x' });
    const run = newKeystoneRun();
    const objects = renderFor(run, 'cloud-b', 'cloud-x', await fake.capabilities());
    for (const kind of ['domain', 'identityProvider'] as const) for (const o of objects.filter((x) => x.kind === kind)) await fake.apply(create(o), {});
    const idp = only(objects, 'identityProvider');
    fake.seedUser(String(idp.fields['domain']), 'cloud-a.alice', idp.name);
    const [observed] = (await fake.observe(KEYSTONE_SCOPE, run.federation, [])).filter((o) => o.kind === 'identityProvider');
    await fake.apply({ action: 'delete', key: idp.name, observed: observed!, fieldChanges: [] }, {});
    assert.deepEqual(await fake.federatedUsers(idp.name), []);
  });

  it('keeps a domain holding a local user (released, disabled)', async () => {
    const fake = new FakeKeystoneAdmin({ cloud: 'cloud-x' });
    const run = newKeystoneRun();
    const domain = only(renderFor(run, 'cloud-b', 'cloud-x', await fake.capabilities()), 'domain');
    await fake.apply(create(domain), {});
    fake.seedUser(domain.name, 'someone');
    const [ours] = await fake.observe(KEYSTONE_SCOPE, run.federation, []);
    await fake.apply({ action: 'delete', key: domain.name, observed: ours!, fieldChanges: [] }, {});
    const [kept] = await fake.observe(KEYSTONE_SCOPE, run.federation, [domain]);
    assert.deepEqual([kept?.managed, kept?.fields['enabled']], [false, false]);
  });
});
