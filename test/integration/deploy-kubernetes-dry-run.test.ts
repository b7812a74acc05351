/**
 * The deployment manifests (deploy/kubernetes) are accepted by a real kube-apiserver: each object is
 * sent as a server-side apply with `dryRun=All` and `fieldValidation=Strict` (an unknown or misspelt
 * field fails) to the test bed's cluster cloud-a, with its admin token. Nothing is persisted.
 *
 * The namespaced objects go to namespace `default` (as `kustomize edit set namespace default` would):
 * admission refuses objects in a namespace that does not exist, and a dry-run Namespace is not stored.
 * The Namespace object itself is dry-run too. Needs the test bed (scripts/testbed/kube.sh); without it
 * the test fails, it is never skipped.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { loadTestbed } from '../support/testbed.ts';
import { loadManifests, type Manifest } from '../support/deploy-manifests.ts';

const testbed = loadTestbed();
const cluster = testbed.clouds['cloud-a']!.kubernetes;
const token = readFileSync(cluster.adminTokenFile, 'utf8').trim();
const dispatcher = new Agent({ connect: { ca: readFileSync(testbed.caFile, 'utf8') }, headersTimeout: 15_000, bodyTimeout: 15_000 });

const PLURALS: Record<string, string> = {
  Namespace: 'namespaces', ServiceAccount: 'serviceaccounts', ConfigMap: 'configmaps', Deployment: 'deployments',
  Service: 'services', PodDisruptionBudget: 'poddisruptionbudgets', NetworkPolicy: 'networkpolicies',
};

function objectUrl(m: Manifest): string {
  const plural = PLURALS[m.kind];
  if (!plural) throw new Error(`no resource path known for kind ${m.kind}`);
  const group = m.apiVersion.includes('/') ? `/apis/${m.apiVersion}` : `/api/${m.apiVersion}`;
  const ns = m.metadata.namespace ? `/namespaces/${m.metadata.namespace}` : '';
  return `${cluster.url}${group}${ns}/${plural}/${m.metadata.name}?dryRun=All&fieldManager=fedbroker-deploy-test&fieldValidation=Strict&force=true`;
}

async function dryRunApply(m: Manifest): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(objectUrl(m), {
    method: 'PATCH', dispatcher, body: JSON.stringify(m),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/apply-patch+yaml', accept: 'application/json' },
  });
  return { status: res.statusCode, body: await res.body.json() as Record<string, unknown> };
}

describe('deploy/kubernetes on a real kube-apiserver (server-side dry-run)', () => {
  const manifests = loadManifests('default');

  it('lists every kind the deployment needs', () => {
    assert.deepEqual(manifests.map((m) => m.kind).sort(),
      ['ConfigMap', 'Deployment', 'Namespace', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
  });

  for (const m of manifests) {
    it(`${m.kind} ${m.metadata.name}: accepted with strict field validation, nothing stored`, async () => {
      const { status, body } = await dryRunApply(m);
      assert.ok(status === 200 || status === 201, `${m.kind}: ${status} ${JSON.stringify(body)}`);
      assert.equal(body['kind'], m.kind);
      const metadata = body['metadata'] as { name: string; uid?: string; creationTimestamp?: string };
      assert.equal(metadata.name, m.metadata.name);
      if (m.kind === 'Deployment') {
        const spec = body['spec'] as { replicas: number; template: { spec: { containers: Array<{ securityContext: { readOnlyRootFilesystem: boolean } }> } } };
        assert.ok(spec.replicas >= 2);
        assert.equal(spec.template.spec.containers[0]!.securityContext.readOnlyRootFilesystem, true);
      }
      const stored = await request(objectUrl(m).replace(/\?.*$/, ''), { dispatcher, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      await stored.body.dump();
      if (m.kind !== 'Namespace' || m.metadata.name !== 'default') assert.equal(stored.statusCode, 404, `${m.kind} ${m.metadata.name} was stored by a dry run`);
    });
  }

  it('a misspelt field is refused (the strict validation is real)', async () => {
    const deployment = structuredClone(manifests.find((m) => m.kind === 'Deployment')!);
    (deployment['spec'] as Record<string, unknown>)['replica'] = 2;
    const { status, body } = await dryRunApply(deployment);
    // The apiserver answers a server-side apply with an undeclared field with 500 (typed patch), not 400.
    assert.ok(status >= 400, `accepted: ${status}`);
    assert.match(String(body['message']), /\.spec\.replica: field not declared in schema/);
  });
});
