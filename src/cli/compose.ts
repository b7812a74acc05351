// Composition root of the federation commands: builds the adapters for every cloud in the spec.
// The only place (with src/main.ts) where adapters are constructed.
import { createKeycloakAdmin } from '../adapters/keycloak/factory.ts';
import { KeycloakHomeMetadata } from '../adapters/keycloak/home-metadata.ts';
import { BrokerError } from '../core/errors.ts';
import type { FederationSpec } from '../core/spec/schema.ts';
import type { KeycloakAdminPort } from '../ports.ts';
import type { OnboardingDeps } from '../services/onboarding.ts';

export async function composeOnboarding(spec: FederationSpec, baseDir: string): Promise<OnboardingDeps> {
  const keycloaks = new Map<string, KeycloakAdminPort>(await Promise.all(
    spec.clouds.map(async (cloud) => [cloud.alias, await createKeycloakAdmin(cloud, baseDir)] as const)));
  return {
    keycloak(cloud: string): KeycloakAdminPort {
      const admin = keycloaks.get(cloud);
      if (!admin) throw new BrokerError('ERR_INTERNAL', `no Keycloak adapter for cloud ${cloud}`, { details: { cloud } });
      return admin;
    },
    homeMetadata: new KeycloakHomeMetadata({ baseDir }),
  };
}
