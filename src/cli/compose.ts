// Composition root of the federation commands: builds the adapters for every cloud in the spec.
// The only place (with the other src/cli composition files) where adapters are constructed.
import { createKeycloakAdmin } from '../adapters/keycloak/factory.ts';
import { KeycloakHomeMetadata } from '../adapters/keycloak/home-metadata.ts';
import { createKeystoneAdmin } from '../adapters/keystone/factory.ts';
import { createKubernetesAdmin, keycloakIssuerCaPem } from '../adapters/kubernetes/factory.ts';
import { BrokerError } from '../core/errors.ts';
import { clusterKey } from '../core/render/kubernetes/index.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import type { KeycloakAdminPort, KeystoneAdminPort, KubernetesAdminPort } from '../ports.ts';
import type { OnboardingDeps } from '../services/onboarding.ts';

export async function composeOnboarding(spec: FederationSpec, baseDir: string): Promise<OnboardingDeps> {
  const keycloaks = new Map<string, KeycloakAdminPort>(await Promise.all(
    spec.clouds.map(async (cloud) => [cloud.alias, await createKeycloakAdmin(cloud, baseDir)] as const)));
  const keystones = new Map<string, KeystoneAdminPort>();
  for (const cloud of spec.clouds) if (cloud.keystone) keystones.set(cloud.alias, await createKeystoneAdmin(cloud, baseDir));
  const clusters = new Map<string, KubernetesAdminPort>();
  const authenticationConfig: Record<string, { issuerCaPem?: string }> = {};
  for (const cloud of spec.clouds) {
    for (const cluster of cloud.kubernetes?.clusters ?? []) {
      const key = clusterKey(cloud.alias, cluster.name);
      clusters.set(key, await createKubernetesAdmin(cloud, cluster, baseDir,
        cluster.authenticationConfigFile ? { authenticationConfigFile: cluster.authenticationConfigFile } : {}));
      if (cluster.authenticationConfigFile) {
        const issuerCaPem = await keycloakIssuerCaPem(cloud, baseDir);
        authenticationConfig[key] = issuerCaPem ? { issuerCaPem } : {};
      }
    }
  }
  return {
    keycloak: (cloud) => found(keycloaks.get(cloud), 'Keycloak', cloud),
    homeMetadata: new KeycloakHomeMetadata({ baseDir }),
    keystone: (cloud) => found(keystones.get(cloud), 'Keystone', cloud),
    kubernetes: (cloud, cluster) => found(clusters.get(clusterKey(cloud, cluster)), 'Kubernetes', cloud),
    kubernetesRender: { authenticationConfig },
  };
}

function found<T>(adapter: T | undefined, system: string, cloud: string): T {
  if (!adapter) throw new BrokerError('ERR_INTERNAL', `no ${system} adapter for cloud ${cloud}`, { details: { cloud } });
  return adapter;
}
