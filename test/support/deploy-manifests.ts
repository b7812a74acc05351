/**
 * The Kubernetes manifests of deploy/kubernetes as `kubectl apply -k` would send them: every document
 * of every file the kustomization lists, with the kustomization's namespace set on namespaced objects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

export const REPO_ROOT = new URL('../..', import.meta.url).pathname;
export const KUBERNETES_DIR = join(REPO_ROOT, 'deploy', 'kubernetes');

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface Kustomization { namespace?: string; resources: string[] }

export function kustomization(): Kustomization {
  return parse(readFileSync(join(KUBERNETES_DIR, 'kustomization.yaml'), 'utf8')) as Kustomization;
}

/** Every object, in the kustomization's order; `namespace` overrides the kustomization's (like `kustomize edit set namespace`). */
export function loadManifests(namespace?: string): Manifest[] {
  const k = kustomization();
  const ns = namespace ?? k.namespace;
  const out: Manifest[] = [];
  for (const file of k.resources) {
    for (const doc of parseAllDocuments(readFileSync(join(KUBERNETES_DIR, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const m = doc.toJS() as Manifest | null;
      if (!m) continue;
      if (m.kind !== 'Namespace' && ns) m.metadata.namespace = ns;
      out.push(m);
    }
  }
  return out;
}

export function manifestOf(manifests: readonly Manifest[], kind: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0]!;
}
