// The KubernetesAdminPort contract against the in-memory fake, plus the fake's own test hooks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKubernetesAdmin } from '../../src/adapters/fakes/kubernetes.ts';
import { isBrokerError } from '../../src/core/errors.ts';
import { kubernetesAdminContract } from '../contract/kubernetes-admin.contract.ts';
import { create, newKubeRun, pickKube } from '../contract/kubernetes-fixtures.ts';

let fake: FakeKubernetesAdmin;
kubernetesAdminContract({
  name: 'in-memory fake',
  viewGrantsPods: true,
  port: async () => { fake = new FakeKubernetesAdmin({ cloud: 'cloud-b', cluster: 'cloud-b' }); return fake; },
  seed: async (m) => {
    const meta = m['metadata'] as { name: string; namespace?: string };
    fake.seed(m['kind'] as 'RoleBinding', meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name, { metadata: m['metadata'] ?? null, roleRef: m['roleRef'] ?? null, subjects: m['subjects'] ?? [] });
  },
  unseed: async (kind, namespace, name) => fake.unseed(kind, namespace ? `${namespace}/${name}` : name),
});

describe('fake Kubernetes test hooks', () => {
  it('counts writes and fails every write after failAfterWrites with a coded error', async () => {
    const f = new FakeKubernetesAdmin({ cloud: 'cloud-b', cluster: 'cloud-b', failAfterWrites: 1 });
    const run = newKubeRun('cloud-b', 'cloud-b');
    await f.apply(create(pickKube(run, 'Namespace')), {});
    await assert.rejects(f.apply(create(pickKube(run, 'RoleBinding')), {}), (e) => isBrokerError(e, 'ERR_KUBERNETES_API'));
    assert.equal(f.writes, 1);
  });

  it('keeps the authentication config in memory, only where the broker may write it', async () => {
    const run = newKubeRun('cloud-b', 'cloud-b');
    const object = { system: 'kubernetes', cloud: 'cloud-b', scope: 'cloud-b', kind: 'AuthenticationConfiguration', name: 'authentication-config', fields: { digest: 'x' }, writeOnly: { content: 'apiVersion: v1\n' } } as const;
    const without = new FakeKubernetesAdmin({ cloud: 'cloud-b', cluster: 'cloud-b' });
    await assert.rejects(without.observe('cloud-b', run.federation, [object]), (e) => isBrokerError(e, 'ERR_CONFIG_INVALID'));
    const f = new FakeKubernetesAdmin({ cloud: 'cloud-b', cluster: 'cloud-b', authenticationConfig: true });
    assert.deepEqual(await f.observe('cloud-b', run.federation, [object]), []);
    await f.apply(create(object), {});
    assert.equal(f.authenticationConfig, 'apiVersion: v1\n');
  });
});
