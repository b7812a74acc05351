// Render the desired Kubernetes state of the federation: per cluster of every partner cloud, the
// RBAC for brokered users and (where the broker writes it) the apiserver's authentication config.
import type { FederationSpec } from '../../federation/schema.ts';
import { authenticationConfigObject } from './authn-config.ts';
import type { KubernetesObject } from './model.ts';
import { homesOf } from '../../federation/trust.ts';
import { renderClusterRbac } from './rbac.ts';

export interface KubernetesRenderOptions {
  /**
   * Clusters whose AuthenticationConfiguration the broker writes, keyed "<cloud>/<cluster>", with the
   * CA (PEM) of the cloud's Keycloak when it is not signed by a public CA. Others get RBAC only.
   */
  readonly authenticationConfig?: Readonly<Record<string, { readonly issuerCaPem?: string }>>;
}

export function clusterKey(cloud: string, cluster: string): string {
  return `${cloud}/${cluster}`;
}

export function renderKubernetes(spec: FederationSpec, options: KubernetesRenderOptions = {}): KubernetesObject[] {
  const out: KubernetesObject[] = [];
  for (const partner of spec.clouds) {
    for (const cluster of partner.kubernetes?.clusters ?? []) {
      const authn = options.authenticationConfig?.[clusterKey(partner.alias, cluster.name)];
      if (authn) out.push(authenticationConfigObject(spec, partner, cluster, authn.issuerCaPem));
      if (homesOf(spec, partner.alias).length > 0) out.push(...renderClusterRbac(spec, partner, cluster));
    }
  }
  return out;
}

export { KUBERNETES_KIND_ORDER, type KubernetesKind, type KubernetesObject } from './model.ts';
export { renderAuthenticationConfig, authenticationConfigDigest } from './authn-config.ts';
export { kubernetesPolicyProblems } from './policy.ts';
