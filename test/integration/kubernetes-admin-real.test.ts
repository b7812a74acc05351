// The KubernetesAdminPort contract against the real test bed's cluster cloud-b (scripts/testbed/kube.sh).
// Fails, never skips, when the cluster is not running. Uses fresh namespaces per run (never deleted:
// the test bed has no namespace controller) and removes every binding it made.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createKubernetesAdmin } from '../../src/adapters/kubernetes/factory.ts';
import { isBrokerError } from '../../src/core/errors.ts';
import type { KubernetesAdminPort } from '../../src/ports.ts';
import { kubernetesAdminContract } from '../contract/kubernetes-admin.contract.ts';
import { ensureAggregatedClusterRoles, kubeAdminFetch, realKubernetesAdmin, SPEC_DIR, specVariant } from './kubernetes-testbed.ts';

const CLOUD = 'cloud-b';
const rbacPath = (kind: string, namespace: string | undefined, name?: string) =>
  `/apis/rbac.authorization.k8s.io/v1${namespace ? `/namespaces/${namespace}` : ''}/${kind.toLowerCase()}s${name ? `/${name}` : ''}`;

kubernetesAdminContract({
  name: `real cluster ${CLOUD} of the test bed`,
  viewGrantsPods: true,
  port: async (): Promise<KubernetesAdminPort> => {
    const admin = await realKubernetesAdmin(CLOUD);
    await ensureAggregatedClusterRoles(CLOUD);
    return admin;
  },
  seed: async (manifest) => {
    const meta = manifest['metadata'] as { namespace?: string };
    const res = await kubeAdminFetch(CLOUD, rbacPath(String(manifest['kind']), meta.namespace), { method: 'POST', body: manifest });
    assert.equal(res.status, 201, res.text);
  },
  unseed: async (kind, namespace, name) => {
    const res = await kubeAdminFetch(CLOUD, rbacPath(kind, namespace, name), { method: 'DELETE' });
    assert.ok(res.status === 200 || res.status === 404, res.text);
  },
});

describe(`real Kubernetes adapter (${CLOUD}): errors`, () => {
  it('translates a refused token into ERR_KUBERNETES_AUTH naming cloud and cluster', async () => {
    const spec = specVariant((doc) => { doc.clouds[1].kubernetes.clusters[0].token = { file: '../.testbed/secrets/kubernetes-admin-token-cloud-a' }; });
    const cloud = spec.clouds[1]!;
    const admin = await createKubernetesAdmin(cloud, cloud.kubernetes!.clusters[0]!, SPEC_DIR);
    await assert.rejects(admin.readRbac(), (e: unknown) => {
      assert.ok(isBrokerError(e, 'ERR_KUBERNETES_AUTH'), String(e));
      assert.equal(e.details['cloud'], CLOUD);
      assert.equal(e.details['cluster'], 'cloud-b');
      return true;
    });
    await admin.close();
  });

  it('refuses a cluster whose CA is not the one in the spec (TLS verification on)', async () => {
    const spec = specVariant((doc) => { delete doc.clouds[1].kubernetes.clusters[0].caFile; });
    const cloud = spec.clouds[1]!;
    const admin = await createKubernetesAdmin(cloud, cloud.kubernetes!.clusters[0]!, SPEC_DIR);
    await assert.rejects(admin.readRbac(), (e: unknown) => isBrokerError(e, 'ERR_HTTP_TLS'));
    await admin.close();
  });

  it('reports a cluster that is down as ERR_HTTP_UNREACHABLE', async () => {
    const spec = specVariant((doc) => { doc.clouds[1].kubernetes.clusters[0].apiUrl = 'https://127.0.0.1:16440'; });
    const cloud = spec.clouds[1]!;
    const admin = await createKubernetesAdmin(cloud, cloud.kubernetes!.clusters[0]!, SPEC_DIR);
    await assert.rejects(admin.readRbac(), (e: unknown) => isBrokerError(e, 'ERR_HTTP_UNREACHABLE'));
    await admin.close();
  });
});
