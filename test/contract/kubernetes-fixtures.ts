// Desired Kubernetes objects for the contract suite: a small federation rendered with per-run names
// (federation, namespaces, group paths), so runs against the shared test bed never meet each other's
// or the real broker's objects. Namespaces are never deleted (no namespace controller on the test
// bed), so each run uses fresh ones.
import { randomBytes } from 'node:crypto';
import type { JsonValue } from '../../src/core/json.ts';
import { renderKubernetes, type KubernetesObject } from '../../src/core/render/kubernetes/index.ts';
import type { KubernetesKind } from '../../src/core/render/kubernetes/model.ts';
import { kubernetesGroup } from '../../src/core/render/kubernetes/names.ts';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import { exampleSpec, type MutableDoc } from '../support/example-federation.ts';

export { create, remove, update } from './keycloak-fixtures.ts';

export interface KubeRun {
  readonly tag: string;
  readonly federation: string;
  /** The run's namespaces: `ns` gets the namespace grants, `extra` is left for the tests. */
  readonly ns: string;
  readonly extra: string;
  /** The home group (of cloud-a) the run's rules condition on. */
  readonly group: string;
  readonly spec: FederationSpec;
  /** What the spec renders for cluster `cluster` of `cloud`. */
  readonly objects: readonly KubernetesObject[];
}

/** The run's policy: a namespace view grant, a namespace edit grant and a cluster-wide grant. */
export function newKubeRun(cloud: string, cluster: string, mutate: (doc: MutableDoc, run: { ns: string; group: string }) => void = () => {}): KubeRun {
  const tag = `c${randomBytes(4).toString('hex')}`;
  const ns = `fbc-${tag}`;
  const group = `/fbc/${tag}/members`;
  const spec = exampleSpec((doc) => {
    doc.metadata.name = `contract-${tag}`;
    doc.policy = [
      { name: 'viewers', when: { groups: { any: [group] } }, grant: [{ kubernetes: [{ namespace: ns, clusterRole: 'view' }] }] },
      { name: 'editors', when: { homeClouds: ['cloud-a'], groups: { any: [`${group}/editors`] } }, grant: [{ kubernetes: [{ namespace: ns, clusterRole: 'edit' }] }] },
      { name: 'readers', when: { groups: { all: [`/fbc/${tag}/readers`] } }, grant: [{ kubernetes: [{ clusterRole: 'view' }] }] },
    ];
    // A cluster-wide view reaches kube-system: allowed here by the spec's explicit opt-in for that rule.
    doc.privileged = { ...doc.privileged, allow: [{ rule: 'readers', reason: 'the suite needs one ClusterRoleBinding' }] };
    mutate(doc, { ns, group });
  });
  const objects = renderKubernetes(spec).filter((o) => o.cloud === cloud && o.scope === cluster);
  return { tag, federation: spec.metadata.name, ns, extra: `${ns}-x`, group, spec, objects };
}

export function pickKube(run: KubeRun, kind: KubernetesKind, match: (o: KubernetesObject) => boolean = () => true): KubernetesObject {
  const found = run.objects.find((o) => o.kind === kind && match(o));
  if (!found) throw new Error(`the run's spec renders no ${kind} matching the test's condition`);
  return found;
}

/** A copy with other fields (fields are plain JSON). */
export function withKubeFields(o: KubernetesObject, change: (fields: Record<string, JsonValue>) => Record<string, JsonValue>): KubernetesObject {
  return { ...o, fields: change(structuredClone(o.fields) as Record<string, JsonValue>) };
}

/** A binding's manifest without the broker's labels, as if an admin had made it by hand. */
export function handMadeBinding(kind: 'RoleBinding' | 'ClusterRoleBinding', namespace: string | undefined, name: string, group: string, role = 'view'): Record<string, JsonValue> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind,
    metadata: { name, ...(namespace !== undefined && { namespace }), labels: { 'made-by': 'hand' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: group }],
  };
}

export const homeGroup = (home: string, path: string) => kubernetesGroup(home, path);
