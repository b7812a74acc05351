// `fedbroker rotate-secrets`: a new secret for each selected broker-made home client fed-<P>, with no
// failed login on the way. Every home must have the feature before anything is written;
// per home realm the broker's rotation policy;
// then per edge: the steps core/rotation gives for what is observed (regenerate, the new secret into the
// partner's identity provider, end the grace). Killed half-way, a second run finishes the edge.
import { BrokerError } from '../core/errors.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import { DEFAULT_GRACE_SECONDS, rotationSteps, selectRotationEdges, type RotationEdge, type RotationStep } from '../core/rotation/secret-rotation.ts';
import type { KeycloakSecretRotationPort } from '../ports.ts';

export interface RotateSecretsDeps {
  rotation(cloud: string): KeycloakSecretRotationPort;
}

export interface RotationOutcome {
  readonly home: string;
  readonly partner: string;
  readonly clientId: string;
  /** The steps run, in order; `regenerate-secret` is missing when an earlier run had done it. */
  readonly steps: readonly RotationStep[];
}

export interface RotateSecretsOptions {
  readonly home?: string;
  readonly partner?: string;
  readonly graceSeconds?: number;
  readonly onStep?: (edge: RotationEdge, step: RotationStep) => void;
}

export async function rotateSecrets(spec: FederationSpec, deps: RotateSecretsDeps, options: RotateSecretsOptions = {}): Promise<RotationOutcome[]> {
  const edges = selectRotationEdges(spec, options);
  const federation = spec.metadata.name;
  const homes = [...new Map(edges.map((e) => [e.home, e.homeRealm])).entries()];
  for (const [home] of homes) await requireRotationFeature(deps.rotation(home), home);
  for (const [home, realm] of homes) await deps.rotation(home).ensureRotationPolicy(realm, options.graceSeconds ?? DEFAULT_GRACE_SECONDS);
  const outcomes: RotationOutcome[] = [];
  for (const edge of edges) outcomes.push(await rotateEdge(edge, deps, federation, options.onStep));
  return outcomes;
}

/** Without the feature Keycloak drops the old secret at once: refuse before the first write. */
async function requireRotationFeature(keycloak: KeycloakSecretRotationPort, home: string): Promise<void> {
  if (!(await keycloak.secretRotationAvailable())) {
    throw new BrokerError('ERR_KEYCLOAK_FEATURE_DISABLED', `Keycloak of cloud ${home} has the feature client-secret-rotation off, so the old secret would stop working at once; `
      + 'rebuild it with `kc.sh build --features=client-secret-rotation` (plus its other build options) and restart it. Nothing was changed.', { details: { cloud: home, feature: 'client-secret-rotation' } });
  }
}

async function rotateEdge(edge: RotationEdge, deps: RotateSecretsDeps, federation: string, onStep: RotateSecretsOptions['onStep']): Promise<RotationOutcome> {
  const home = deps.rotation(edge.home);
  const partner = deps.rotation(edge.partner);
  const observed = await home.observeClient(edge.homeRealm, edge.clientId, federation);
  if (!observed.managed) {
    throw new BrokerError('ERR_KEYCLOAK_NOT_MANAGED', `client "${edge.clientId}" in realm "${edge.homeRealm}" of cloud ${edge.home} was not made by the broker; its secret is left alone`,
      { details: { cloud: edge.home, realm: edge.homeRealm, object: `client "${edge.clientId}"` } });
  }
  const steps = rotationSteps(observed);
  let secret: string | undefined;
  for (const step of steps) {
    if (step === 'regenerate-secret') secret = await home.regenerateSecret(edge.homeRealm, edge.clientId);
    if (step === 'write-partner-secret') {
      await partner.writeIdentityProviderSecret(edge.partnerRealm, edge.identityProvider, federation, secret ?? await home.currentSecret(edge.homeRealm, edge.clientId));
    }
    if (step === 'end-grace') await home.endGrace(edge.homeRealm, edge.clientId);
    onStep?.(edge, step);
  }
  return { home: edge.home, partner: edge.partner, clientId: edge.clientId, steps };
}
