// The broker's own identities on the real test bed (scripts/testbed/broker-identities.sh): status says
// they are not full admins and says so of the bootstrap admins; the systems themselves refuse them
// what the broker never needs (Keycloak master realm, Secrets, binding cluster-admin).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_SPEC, fedbrokerAsync, writeSpecVariant } from '../support/federation.ts';
import type { MutableDoc } from '../support/example-federation.ts';
import { loadTestbed, testbedDir, testbedFetch } from '../support/testbed.ts';

interface Condition { cloud: string; type: string; system?: string; status: string; reason: string; message: string }

const secret = (name: string) => join(testbedDir(), 'secrets', name);

async function credentialConditions(spec: string): Promise<{ exit: number | null; conditions: Condition[] }> {
  const run = await fedbrokerAsync('status', spec, '-o', 'json');
  assert.ok(run.stdout.startsWith('{'), `status printed no JSON: ${run.stderr}`);
  const conditions = (JSON.parse(run.stdout) as { conditions: Condition[] }).conditions.filter((c) => c.type === 'CredentialsLeastPrivilege');
  return { exit: run.status, conditions };
}

/** The demo spec acting with the systems' bootstrap admins instead of the broker's identities. */
function withBootstrapAdmins(doc: MutableDoc): void {
  for (const cloud of doc.clouds) {
    cloud.keycloak.admin = { realm: 'master', username: 'admin', password: { file: secret('keycloak-admin') } };
    cloud.keystone.admin = { username: 'admin', password: { file: secret(`keystone-admin-${cloud.alias}`) } };
    for (const cluster of cloud.kubernetes.clusters) cluster.token = { file: secret(`kubernetes-admin-token-${cloud.alias}`) };
  }
}

describe('the broker\'s own credentials on the test bed', () => {
  it('status: True for every system and cluster with the demo spec\'s dedicated identities', async () => {
    const { conditions } = await credentialConditions(DEMO_SPEC);
    assert.deepEqual(conditions.map((c) => [c.cloud, c.system, c.status, c.reason]), ['cloud-a', 'cloud-b', 'cloud-c'].flatMap((cloud) => [
      [cloud, 'keycloak', 'True', 'DedicatedServiceAccount'], [cloud, 'keystone', 'True', 'DedicatedUser'], [cloud, `kubernetes/${cloud}`, 'True', 'DedicatedIdentity']]));
    assert.match(conditions[0]!.message, /service-account-fedbroker \(client fedbroker, realm master\)/);
    assert.doesNotMatch(conditions[0]!.message, /realm-admin|\badmin\b/);
    assert.match(conditions[2]!.message, /system:serviceaccount:kube-system:fedbroker/);
  });

  it('status: False with reason and fix for the bootstrap admins, and the command fails', async () => {
    const { exit, conditions } = await credentialConditions(writeSpecVariant('bootstrap-admins', withBootstrapAdmins));
    assert.equal(exit, 1);
    assert.deepEqual(conditions.map((c) => [c.cloud, c.system, c.status, c.reason]), ['cloud-a', 'cloud-b', 'cloud-c'].flatMap((cloud) => [
      [cloud, 'keycloak', 'False', 'FullAdmin'], [cloud, 'keystone', 'False', 'SharedAdminAccount'], [cloud, `kubernetes/${cloud}`, 'False', 'ClusterAdmin']]));
  });

  it('Keycloak refuses the broker\'s service account the master realm and creating realms', async () => {
    const { keycloak } = loadTestbed();
    const grant = await testbedFetch(`${keycloak.url}/realms/master/protocol/openid-connect/token`, { method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'fedbroker', client_secret: readFileSync(secret('keycloak-broker-client-secret'), 'utf8').trim() }) });
    assert.equal(grant.status, 200);
    const token = ((await grant.json()) as { access_token: string }).access_token;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await testbedFetch(`${keycloak.url}/admin/realms${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }) });
      await res.text();
      return res.status;
    };
    assert.equal(await call('GET', '/cloud-a/clients?max=1'), 200, 'it manages the federation realms');
    assert.equal(await call('GET', '/master/users?max=1'), 403);
    assert.equal(await call('GET', '/master/clients?max=1'), 403);
    assert.equal(await call('POST', '', { realm: 'fedbroker-must-not-create' }), 403);
  });

  it('the apiserver refuses the broker\'s ServiceAccount Secrets, escalation and binding cluster-admin', async () => {
    const cluster = loadTestbed().clouds['cloud-a']!.kubernetes;
    const token = readFileSync(secret('kubernetes-broker-token-cloud-a'), 'utf8').trim();
    const post = async (path: string, body: unknown) => {
      const res = await testbedFetch(`${cluster.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { status?: { allowed?: boolean } } };
    };
    const may = async (attributes: Record<string, string>) => (await post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attributes } })).body.status?.allowed === true;
    assert.equal(await may({ verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'p1' }), true, 'it manages bindings');
    assert.equal(await may({ verb: 'bind', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'edit' }), true);
    const denials: Record<string, string>[] = [
      { verb: 'get', resource: 'secrets', namespace: 'kube-system' }, { verb: 'list', resource: 'secrets' },
      { verb: 'bind', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'cluster-admin' },
      { verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' }, { verb: 'impersonate', resource: 'users' },
      { verb: 'delete', resource: 'namespaces' },
    ];
    for (const denied of denials) assert.equal(await may(denied), false, JSON.stringify(denied));
    // In `default`, which every cluster has: in a namespace that does not exist the apiserver answers 404 before RBAC decides.
    const binding = await post('/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
      metadata: { name: 'fedbroker-escalation-probe' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'User', name: 'nobody', apiGroup: 'rbac.authorization.k8s.io' }] });
    assert.equal(binding.status, 403);
  });
});
