/**
 * What the Kubernetes manifests (deploy/kubernetes) promise, checked on the files: at least two
 * replicas, probes on /healthz and /readyz, a non-root read-only container with resource requests,
 * secrets only by reference, a PodDisruptionBudget and a NetworkPolicy that select the broker's pods,
 * and a ConfigMap whose federation spec is valid. The real apiserver's dry-run is in
 * test/integration/deploy-kubernetes-dry-run.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { parseSpecText } from '../../src/core/federation/parse.ts';
import { KUBERNETES_DIR, kustomization, loadManifests, manifestOf } from '../support/deploy-manifests.ts';

interface Probe { httpGet: { path: string; port: string; scheme: string } }
interface Container {
  args: string[]; env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  ports: Array<{ name: string; containerPort: number }>; livenessProbe: Probe; readinessProbe: Probe;
  resources: { requests: { cpu: string; memory: string } };
  securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean; capabilities: { drop: string[] } };
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodSpec {
  securityContext: { runAsNonRoot: boolean; runAsUser: number }; containers: Container[]; terminationGracePeriodSeconds: number;
  volumes: Array<{ name: string; configMap?: { name: string }; secret?: { secretName: string }; emptyDir?: object }>;
}
interface DeploymentSpec { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } }

const manifests = loadManifests();
const deployment = manifestOf(manifests, 'Deployment')['spec'] as DeploymentSpec;
const pod = deployment.template.spec;
const container = pod.containers[0]!;

describe('deploy/kubernetes manifests', () => {
  it('the kustomization lists every manifest file of the folder, and everything is in its namespace', () => {
    const files = readdirSync(KUBERNETES_DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
    assert.deepEqual([...kustomization().resources].sort(), files);
    for (const m of manifests.filter((x) => x.kind !== 'Namespace')) assert.equal(m.metadata.namespace, 'fedbroker', m.kind);
  });

  it('runs at least two replicas, rolling without losing capacity', () => {
    assert.ok(deployment.replicas >= 2);
    assert.deepEqual(deployment.template.metadata.labels, deployment.selector.matchLabels);
  });

  it('probes /healthz (liveness) and /readyz (readiness) over HTTPS on the served port', () => {
    assert.equal(container.livenessProbe.httpGet.path, '/healthz');
    assert.equal(container.readinessProbe.httpGet.path, '/readyz');
    for (const p of [container.livenessProbe, container.readinessProbe]) {
      assert.equal(p.httpGet.scheme, 'HTTPS');
      assert.ok(container.ports.some((port) => port.name === p.httpGet.port));
    }
    const listen = container.env.find((e) => e.name === 'FEDBROKER_LISTEN')?.value;
    assert.equal(listen, `0.0.0.0:${container.ports[0]!.containerPort}`);
  });

  it('is non-root with a read-only root filesystem, no capabilities, resource requests, and /tmp as the only writable path', () => {
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.ok(pod.securityContext.runAsUser > 0);
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
    assert.ok(container.resources.requests.cpu && container.resources.requests.memory);
    const writable = container.volumeMounts.filter((v) => !v.readOnly);
    assert.deepEqual(writable.map((v) => v.mountPath), ['/tmp']);
    assert.ok(pod.volumes.find((v) => v.name === writable[0]!.name)?.emptyDir);
  });

  it('reads the spec from the ConfigMap and every secret by reference (no Secret object in the manifests)', () => {
    assert.ok(!manifests.some((m) => m.kind === 'Secret'));
    const specArg = container.args[container.args.indexOf('--spec') + 1]!;
    const specMount = container.volumeMounts.find((v) => specArg.startsWith(`${v.mountPath}/`))!;
    const specVolume = pod.volumes.find((v) => v.name === specMount.name)!;
    assert.equal(specVolume.configMap?.name, manifestOf(manifests, 'ConfigMap').metadata.name);
    assert.deepEqual(pod.volumes.filter((v) => v.secret).map((v) => v.secret!.secretName).sort(), ['fedbroker-credentials', 'fedbroker-tls']);
    assert.deepEqual(container.env.find((e) => e.name === 'FEDBROKER_REDIS_URL')?.valueFrom?.secretKeyRef, { name: 'fedbroker-redis', key: 'url' });
    assert.ok(pod.terminationGracePeriodSeconds * 1000 > Number(container.env.find((e) => e.name === 'FEDBROKER_SHUTDOWN_GRACE_MS')?.value));
  });

  it('the ConfigMap carries a valid federation spec whose secrets are files in the mounted Secret', () => {
    const text = (manifestOf(manifests, 'ConfigMap')['data'] as Record<string, string>)['federation.yaml']!;
    const result = parseSpecText(text);
    assert.equal(result.ok, true, JSON.stringify(result.problems));
    const files = [...text.matchAll(/\{ file: ([^ }]+) \}/g)].map((m) => m[1]!);
    assert.ok(files.length > 0);
    const secretsMount = container.volumeMounts.find((v) => v.name === 'credentials')!.mountPath;
    for (const f of files) assert.ok(f.startsWith(`${secretsMount}/`), f);
  });

  it('the PodDisruptionBudget and the NetworkPolicy select the broker pods; ingress only on the served port', () => {
    const pdb = manifestOf(manifests, 'PodDisruptionBudget')['spec'] as { selector: { matchLabels: Record<string, string> }; maxUnavailable: number };
    assert.deepEqual(pdb.selector.matchLabels, deployment.selector.matchLabels);
    assert.ok(pdb.maxUnavailable < deployment.replicas);
    const np = manifestOf(manifests, 'NetworkPolicy')['spec'] as { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress: Array<{ ports: Array<{ port: string }> }> };
    assert.deepEqual(np.podSelector.matchLabels, deployment.selector.matchLabels);
    assert.deepEqual(np.policyTypes.sort(), ['Egress', 'Ingress']);
    assert.deepEqual(np.ingress.flatMap((r) => r.ports.map((p) => p.port)), ['https']);
    const svc = manifestOf(manifests, 'Service')['spec'] as { selector: Record<string, string> };
    assert.deepEqual(svc.selector, deployment.selector.matchLabels);
  });
});
