// Helpers for tests against the test bed's Kubernetes clusters (scripts/testbed/kube.sh): the demo
// spec's clusters through the broker's adapter, raw admin calls for set-up, and the one thing the test
// bed lacks for RBAC: kube-controller-manager's ClusterRole aggregation (view/edit/admin are empty
// there until their aggregated rules are filled in, as the controller would do).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createKubernetesAdmin, type KubernetesAdminFactoryOptions } from '../../src/adapters/kubernetes/factory.ts';
import type { KubernetesAdmin } from '../../src/adapters/kubernetes/admin.ts';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import { EXAMPLE_SPEC_PATH, exampleSpec, type MutableDoc } from '../support/example-federation.ts';
import { testbedDir, testbedFetch } from '../support/testbed.ts';

export const SPEC_DIR = dirname(EXAMPLE_SPEC_PATH);

export interface TestbedCluster { url: string; adminTokenFile: string; authenticationConfigFile: string }

export function testbedCluster(cloud: string): TestbedCluster {
  const file = join(testbedDir(), 'testbed.json');
  let parsed: { clouds?: Record<string, { kubernetes?: TestbedCluster }> };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new Error(`test bed not found (${file}); start it with \`bash scripts/testbed/up.sh\``, { cause });
  }
  const cluster = parsed.clouds?.[cloud]?.kubernetes;
  if (!cluster) throw new Error(`${file} has no kubernetes section for ${cloud}; re-run scripts/testbed/up.sh`);
  return cluster;
}

/** A raw admin call to a test-bed cluster (JSON in and out). */
export async function kubeAdminFetch(cloud: string, path: string, init: { method?: string; body?: unknown; contentType?: string } = {}): Promise<{ status: number; body: unknown; text: string }> {
  const { url, adminTokenFile } = testbedCluster(cloud);
  const headers: Record<string, string> = { authorization: `Bearer ${readFileSync(adminTokenFile, 'utf8').trim()}`, accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const res = await testbedFetch(`${url}${path}`, { method: init.method ?? 'GET', headers, ...(init.body !== undefined && { body: JSON.stringify(init.body) }) });
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* keep text */ }
  return { status: res.status, body, text };
}

/** The demo spec (optionally changed) and the adapter of one cloud's cluster; fails loudly when the cluster is down. */
export async function realKubernetesAdmin(cloud: string, options: KubernetesAdminFactoryOptions = {}, spec: FederationSpec = exampleSpec()): Promise<KubernetesAdmin> {
  const c = spec.clouds.find((x) => x.alias === cloud);
  const cluster = c?.kubernetes?.clusters[0];
  if (!c || !cluster) throw new Error(`the spec has no cluster for ${cloud}`);
  const admin = await createKubernetesAdmin(c, cluster, SPEC_DIR, options);
  try {
    await admin.readRbac();
  } catch (cause) {
    throw new Error(`Kubernetes cluster ${cloud} of the test bed (${cluster.apiUrl}) does not answer: start it with \`bash scripts/testbed/kube.sh up\``, { cause });
  }
  return admin;
}

/**
 * The adapter acting as the cluster's bootstrap admin instead of the broker's own identity, for tests
 * that bind custom roles (the broker's identity may bind only view and edit: docs/kubernetes-notes.md).
 */
export function realKubernetesClusterAdmin(cloud: string): Promise<KubernetesAdmin> {
  return realKubernetesAdmin(cloud, {}, exampleSpec((doc) => {
    const cluster = doc.clouds.find((c: { alias: string }) => c.alias === cloud).kubernetes.clusters[0];
    cluster.token = { file: `../.testbed/secrets/kubernetes-admin-token-${cloud}` };
  }));
}

export function specVariant(mutate: (doc: MutableDoc) => void): FederationSpec {
  return exampleSpec(mutate);
}

interface ClusterRole {
  metadata: { name: string; labels?: Record<string, string>; resourceVersion?: string };
  rules?: unknown[] | null;
  aggregationRule?: { clusterRoleSelectors?: { matchLabels?: Record<string, string> }[] };
}

/** Fills aggregated ClusterRoles (view, edit, admin, ...) with the rules of the roles they select, like kube-controller-manager. */
export async function ensureAggregatedClusterRoles(cloud: string): Promise<number> {
  let updated = 0;
  for (let round = 0; round < 5; round += 1) {
    const list = await kubeAdminFetch(cloud, '/apis/rbac.authorization.k8s.io/v1/clusterroles');
    if (list.status !== 200) throw new Error(`list clusterroles on ${cloud}: ${list.status} ${list.text}`);
    const roles = (list.body as { items: ClusterRole[] }).items;
    let changed = false;
    for (const role of roles.filter((r) => r.aggregationRule?.clusterRoleSelectors?.length)) {
      const selected = roles.filter((r) => r !== role && role.aggregationRule?.clusterRoleSelectors?.some((s) =>
        Object.entries(s.matchLabels ?? {}).every(([k, v]) => r.metadata.labels?.[k] === v) && Object.keys(s.matchLabels ?? {}).length > 0));
      const rules = new Map<string, unknown>();
      for (const r of selected.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) for (const rule of r.rules ?? []) rules.set(JSON.stringify(rule), rule);
      const current = new Set((role.rules ?? []).map((r) => JSON.stringify(r)));
      if ([...rules.keys()].every((k) => current.has(k))) continue;
      const put = await kubeAdminFetch(cloud, `/apis/rbac.authorization.k8s.io/v1/clusterroles/${role.metadata.name}`, { method: 'PUT', body: { ...role, rules: [...rules.values()] } });
      if (put.status !== 200) throw new Error(`update clusterrole ${role.metadata.name} on ${cloud}: ${put.status} ${put.text}`);
      changed = true;
      updated += 1;
    }
    if (!changed) return updated;
  }
  return updated;
}
