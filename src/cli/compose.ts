// Composition root of the federation commands: builds the adapters of every managed system of the
// registry (src/core/systems), in its order, for every cloud in the spec that has it.
// The only place (with the other src/cli composition files) where adapters are constructed.
import { createKeycloakAdmin } from '../adapters/keycloak/factory.ts';
import { KeycloakHomeMetadata } from '../adapters/keycloak/home-metadata.ts';
import { createKeystoneAdmin } from '../adapters/keystone/factory.ts';
import { createKubernetesAdmin, keycloakIssuerCaPem } from '../adapters/kubernetes/factory.ts';
import { BrokerError } from '../core/errors.ts';
import { clusterKey } from '../core/render/kubernetes/index.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import { KEYCLOAK_SYSTEM, KEYSTONE_SYSTEM, KUBERNETES_SYSTEM, MANAGED_SYSTEMS } from '../core/systems/index.ts';
import type { KeycloakAdminPort, KeystoneAdminPort, KubernetesAdminPort } from '../ports.ts';
import type { OnboardingDeps } from '../services/onboarding.ts';
import { keycloakSystem } from '../services/systems/keycloak.ts';
import { keystoneSystem } from '../services/systems/keystone.ts';
import { kubernetesSystem } from '../services/systems/kubernetes.ts';
import type { ManagedSystem } from '../services/systems/model.ts';

/** Builds one managed system's adapters for the clouds of the spec that have it. */
type SystemComposer = (spec: FederationSpec, baseDir: string) => Promise<ManagedSystem>;

/** One composer per system of the registry, by name. */
const COMPOSERS: Readonly<Record<string, SystemComposer>> = {
  [KEYCLOAK_SYSTEM.name]: composeKeycloak,
  [KEYSTONE_SYSTEM.name]: composeKeystone,
  [KUBERNETES_SYSTEM.name]: composeKubernetes,
};

export async function composeOnboarding(spec: FederationSpec, baseDir: string): Promise<OnboardingDeps> {
  const systems: ManagedSystem[] = [];
  for (const { name } of MANAGED_SYSTEMS) {
    const compose = COMPOSERS[name];
    if (!compose) throw new BrokerError('ERR_INTERNAL', `no composer for the managed system ${name}`, { details: { system: name } });
    systems.push(await compose(spec, baseDir));
  }
  return { systems };
}

async function composeKeycloak(spec: FederationSpec, baseDir: string): Promise<ManagedSystem> {
  const admins = new Map<string, KeycloakAdminPort>(await Promise.all(
    spec.clouds.map(async (cloud) => [cloud.alias, await createKeycloakAdmin(cloud, baseDir)] as const)));
  return keycloakSystem({ admin: (cloud) => found(admins.get(cloud), 'Keycloak', cloud), homeMetadata: new KeycloakHomeMetadata({ baseDir }) });
}

async function composeKeystone(spec: FederationSpec, baseDir: string): Promise<ManagedSystem> {
  const admins = new Map<string, KeystoneAdminPort>();
  for (const cloud of spec.clouds) if (cloud.keystone) admins.set(cloud.alias, await createKeystoneAdmin(cloud, baseDir));
  return keystoneSystem((cloud) => found(admins.get(cloud), 'Keystone', cloud));
}

async function composeKubernetes(spec: FederationSpec, baseDir: string): Promise<ManagedSystem> {
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
  return kubernetesSystem((cloud, cluster) => found(clusters.get(clusterKey(cloud, cluster)), 'Kubernetes', cloud), { authenticationConfig });
}

function found<T>(adapter: T | undefined, system: string, cloud: string): T {
  if (!adapter) throw new BrokerError('ERR_INTERNAL', `no ${system} adapter for cloud ${cloud}`, { details: { cloud } });
  return adapter;
}
