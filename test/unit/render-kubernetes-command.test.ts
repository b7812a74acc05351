/**
 * `fedbroker render kubernetes <spec> --cluster X` prints exactly the AuthenticationConfiguration that
 * apply writes for that cluster (the desired object's content), with the cluster's Keycloak CA;
 * `--format kubeadm-patch` wraps that text in a KubeadmControlPlane patch whose file path, apiserver
 * flag and mounted folder agree. Unknown clusters and formats are usage errors (exit 2, ERR_USAGE).
 * The demo spec is copied next to a stand-in CA file, so no test bed is needed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { parseSpecText } from '../../src/core/federation/parse.ts';
import { authenticationConfigObject } from '../../src/core/render/kubernetes/authn-config.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const CA = '-----BEGIN CERTIFICATE-----\nstand-in for the test\n-----END CERTIFICATE-----\n';
const dir = mkdtempSync(join(tmpdir(), 'fedbroker-render-'));
const specText = readFileSync(join(ROOT, 'config/federation.example.yaml'), 'utf8').replaceAll('../.testbed/ca/ca.pem', 'ca.pem');
writeFileSync(join(dir, 'ca.pem'), CA);
const specFile = join(dir, 'federation.yaml');
writeFileSync(specFile, specText);
const fedbroker = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/fedbroker.mjs'), ...args], { cwd: ROOT, encoding: 'utf8' });

function appliedContent(cloudAlias: string, clusterName: string): string {
  const result = parseSpecText(specText);
  assert.ok(result.ok);
  const cloud = result.spec.clouds.find((c) => c.alias === cloudAlias)!;
  const cluster = cloud.kubernetes!.clusters.find((k) => k.name === clusterName)!;
  return authenticationConfigObject(result.spec, cloud, cluster, CA).writeOnly!.content as string;
}

describe('fedbroker render kubernetes', () => {
  it('prints what apply writes for the cluster, with its Keycloak CA', () => {
    const run = fedbroker('render', 'kubernetes', specFile, '--cluster', 'cloud-b');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, appliedContent('cloud-b', 'cloud-b'));
    const doc = parse(run.stdout) as { kind: string; jwt: Array<{ issuer: { url: string; certificateAuthority: string } }> };
    assert.equal(doc.kind, 'AuthenticationConfiguration');
    assert.equal(doc.jwt[0]!.issuer.url, 'https://127.0.0.1:18443/realms/cloud-b');
    assert.equal(doc.jwt[0]!.issuer.certificateAuthority, CA);
  });

  it('--format kubeadm-patch carries the same file, and the apiserver flag and mount point at it', () => {
    const run = fedbroker('render', 'kubernetes', specFile, '--cluster', 'cloud-a', '--format', 'kubeadm-patch');
    assert.equal(run.status, 0, run.stderr);
    const patch = parse(run.stdout) as { spec: { kubeadmConfigSpec: {
      files: Array<{ path: string; content: string; permissions: string }>;
      clusterConfiguration: { apiServer: { extraArgs: Record<string, string>; extraVolumes: Array<{ hostPath: string; mountPath: string; readOnly: boolean }> } };
    } } };
    const spec = patch.spec.kubeadmConfigSpec;
    assert.equal(spec.files.length, 1);
    assert.equal(spec.files[0]!.content, appliedContent('cloud-a', 'cloud-a'));
    assert.equal(spec.files[0]!.permissions, '0600');
    const path = spec.clusterConfiguration.apiServer.extraArgs['authentication-config'];
    assert.equal(path, spec.files[0]!.path);
    const volume = spec.clusterConfiguration.apiServer.extraVolumes[0]!;
    assert.equal(volume.hostPath, dirname(path));
    assert.equal(volume.mountPath, dirname(path));
    assert.equal(volume.readOnly, true);
  });

  it('an unknown cluster, a cloud without it, or an unknown format is ERR_USAGE with exit 2', () => {
    for (const args of [['--cluster', 'nope'], ['--cluster', 'cloud-b', '--cloud', 'cloud-a'], ['--cluster', 'cloud-b', '--format', 'helm']]) {
      const run = fedbroker('render', 'kubernetes', specFile, ...args);
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /\[ERR_USAGE\]/);
      assert.equal(run.stdout, '');
    }
  });
});
