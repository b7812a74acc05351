// Kubernetes as a managed system: every cluster of every cloud (scope = cluster name), rendered from
// the spec and the issuer CAs of clusters whose authentication config the broker writes.
import { KUBERNETES_KIND_ORDER, renderKubernetes, type KubernetesRenderOptions } from '../render/kubernetes/index.ts';
import type { SystemDescription } from './model.ts';

export const KUBERNETES_SYSTEM: SystemDescription<KubernetesRenderOptions> = {
  name: 'kubernetes', title: 'Kubernetes', scopeLabel: 'cluster', kindOrder: KUBERNETES_KIND_ORDER,
  condition: { type: 'RbacApplied', inSync: 'RBAC and authentication config match the spec' },
  carriesPolicy: true,
  configuredIn: (cloud) => !!cloud.kubernetes,
  scopes: (spec) => spec.clouds.flatMap((c) => (c.kubernetes?.clusters ?? []).map((cluster) => ({ cloud: c.alias, scope: cluster.name }))),
  render: renderKubernetes,
};
