// The broker's own credentials: the judgement per system (core/credentials.ts), the Keycloak token's
// claims as the adapter reads them, and the CredentialsLeastPrivilege conditions of status over the fakes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { judgeCredentials, type KeycloakIdentity, type KubernetesIdentity } from '../../src/core/credentials.ts';
import { fakeKeycloakIdentity, fakeKeystoneIdentity, fakeKubernetesIdentity } from '../../src/adapters/fakes/identities.ts';
import { keycloakIdentityFromClaims } from '../../src/adapters/keycloak/identity.ts';
import { clusterKey } from '../../src/core/render/kubernetes/index.ts';
import { applyPlan, planFederation } from '../../src/services/onboarding.ts';
import { federationStatus } from '../../src/services/status.ts';
import { fakeFederation } from '../support/fake-federation.ts';

const masterAdmin: KeycloakIdentity = { system: 'keycloak', username: 'admin', clientId: 'admin-cli', adminRealm: 'master',
  realmRoles: ['admin', 'create-realm', 'default-roles-master'], clientRoles: { 'cloud-a-realm': ['manage-clients'] } };
const clusterAdmin: KubernetesIdentity = { system: 'kubernetes', cluster: 'cloud-a', username: 'fedbroker-admin', groups: ['system:masters', 'system:authenticated'],
  rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] };

describe('judging the broker\'s own identity', () => {
  it('Keycloak: the master admin, a realm-admin and a personal account are refused; the dedicated service account passes', () => {
    assert.deepEqual(pick(judgeCredentials(masterAdmin)), [false, 'FullAdmin']);
    assert.match(judgeCredentials(masterAdmin).message, /admin, create-realm.*use a confidential client with a service account/);
    const realmAdmin = { ...fakeKeycloakIdentity(['cloud-a']), clientRoles: { 'cloud-a-realm': ['realm-admin'] } };
    assert.deepEqual(pick(judgeCredentials(realmAdmin)), [false, 'RealmAdmin']);
    assert.deepEqual(pick(judgeCredentials({ ...fakeKeycloakIdentity(['cloud-a']), username: 'ops-alice' })), [false, 'PersonalAccount']);
    const dedicated = judgeCredentials(fakeKeycloakIdentity(['cloud-a']));
    assert.deepEqual(pick(dedicated), [true, 'DedicatedServiceAccount']);
    assert.match(dedicated.message, /service-account-fedbroker \(client fedbroker, realm master\); cloud-a-realm: manage-clients, manage-events/);
  });

  it('Keystone: the bootstrap admin is refused; a dedicated user passes and the message says it holds admin and why', () => {
    assert.deepEqual(pick(judgeCredentials({ ...fakeKeystoneIdentity(), username: 'admin' })), [false, 'SharedAdminAccount']);
    const dedicated = judgeCredentials(fakeKeystoneIdentity());
    assert.deepEqual(pick(dedicated), [true, 'DedicatedUser']);
    assert.match(dedicated.message, /user fedbroker .* admin on project admin: Keystone's default policy requires admin/);
  });

  it('Kubernetes: system:masters, * on * and reading Secrets are refused; the broker\'s ClusterRole passes', () => {
    assert.deepEqual(pick(judgeCredentials(clusterAdmin)), [false, 'ClusterAdmin']);
    assert.deepEqual(pick(judgeCredentials({ ...clusterAdmin, groups: [] })), [false, 'ClusterAdmin']);
    const readsSecrets = { ...fakeKubernetesIdentity('cloud-a'), rules: [{ verbs: ['list'], apiGroups: [''], resources: ['secrets'] }] };
    assert.deepEqual(pick(judgeCredentials(readsSecrets)), [false, 'ReadsSecrets']);
    assert.deepEqual(pick(judgeCredentials(fakeKubernetesIdentity('cloud-a'))), [true, 'DedicatedIdentity']);
  });

  it('the Keycloak adapter reads who it is from its admin token\'s claims', () => {
    const identity = keycloakIdentityFromClaims({ preferred_username: 'service-account-fedbroker', azp: 'fedbroker',
      realm_access: { roles: ['default-roles-master'] }, resource_access: { 'cloud-a-realm': { roles: ['manage-users', 7] } } }, 'master');
    assert.deepEqual(identity, { system: 'keycloak', username: 'service-account-fedbroker', clientId: 'fedbroker', adminRealm: 'master',
      realmRoles: ['default-roles-master'], clientRoles: { 'cloud-a-realm': ['manage-users'] } });
  });
});

describe('CredentialsLeastPrivilege in status over the fakes', () => {
  it('True per system and cluster with the dedicated identities; False with reason and fix for full admins', async () => {
    const w = fakeFederation();
    await applyPlan(await planFederation(w.spec, w.deps), w.deps);
    const good = (await federationStatus(w.spec, w.deps)).filter((c) => c.type === 'CredentialsLeastPrivilege');
    assert.deepEqual(good.filter((c) => c.cloud === 'cloud-a').map((c) => [c.system, c.status, c.reason]),
      [['keycloak', 'True', 'DedicatedServiceAccount'], ['keystone', 'True', 'DedicatedUser'], ['kubernetes/cloud-a', 'True', 'DedicatedIdentity']]);
    assert.equal(good.length, 9);

    w.keycloak.get('cloud-a')!.identity = masterAdmin;
    w.keystone.get('cloud-b')!.identity = { ...fakeKeystoneIdentity(), username: 'admin' };
    w.kubernetes.get(clusterKey('cloud-c', 'cloud-c'))!.identity = { ...clusterAdmin, cluster: 'cloud-c' };
    const bad = (await federationStatus(w.spec, w.deps)).filter((c) => c.type === 'CredentialsLeastPrivilege' && c.status !== 'True');
    assert.deepEqual(bad.map((c) => [c.cloud, c.system, c.status, c.reason]),
      [['cloud-a', 'keycloak', 'False', 'FullAdmin'], ['cloud-b', 'keystone', 'False', 'SharedAdminAccount'], ['cloud-c', 'kubernetes/cloud-c', 'False', 'ClusterAdmin']]);
    for (const c of bad) assert.match(c.message, /docs\/(keycloak|keystone|kubernetes)-notes\.md/, 'the message names the fix');
  });
});

const pick = (j: { leastPrivilege: boolean; reason: string }) => [j.leastPrivilege, j.reason];
