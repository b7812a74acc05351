// `fedbroker rotate-secrets`: new secrets for the broker's home clients fed-<P>, written into the
// partner identity providers, without a failed login (src/services/rotate-secrets.ts). Prints which
// edges were rotated and the steps run; never a secret.
import { createKeycloakClient, type KeycloakClient } from '../adapters/keycloak/client.ts';
import { KeycloakSecretRotation } from '../adapters/keycloak/secret-rotation.ts';
import { BrokerError } from '../core/errors.ts';
import type { KeycloakSecretRotationPort } from '../ports.ts';
import { rotateSecrets } from '../services/rotate-secrets.ts';
import { loadValidSpec } from './load.ts';
import { EXIT, printJson, type OutputFormat } from './output.ts';

export interface RotateSecretsCommandOptions { output: OutputFormat; home?: string; partner?: string }

export async function rotateSecretsCommand(file: string, opts: RotateSecretsCommandOptions): Promise<number> {
  const loaded = await loadValidSpec(file, opts.output);
  if ('exitCode' in loaded) return loaded.exitCode;
  const clients = new Map<string, KeycloakClient>();
  const rotation = new Map<string, KeycloakSecretRotationPort>();
  for (const cloud of loaded.spec.clouds) {
    const client = await createKeycloakClient(cloud, loaded.baseDir);
    clients.set(cloud.alias, client);
    rotation.set(cloud.alias, new KeycloakSecretRotation(client.rest));
  }
  const human = opts.output !== 'json';
  try {
    const outcomes = await rotateSecrets(loaded.spec, {
      rotation: (cloud) => {
        const port = rotation.get(cloud);
        if (!port) throw new BrokerError('ERR_INTERNAL', `no Keycloak client for cloud ${cloud}`, { details: { cloud } });
        return port;
      },
    }, {
      ...(opts.home !== undefined && { home: opts.home }), ...(opts.partner !== undefined && { partner: opts.partner }),
      onStep: (edge, step) => { if (human) console.log(`${edge.home} → ${edge.partner} (${edge.clientId}): ${step} done`); },
    });
    if (human) console.log(`Rotated ${outcomes.length} client secret(s).`);
    else printJson({ rotated: outcomes });
    return EXIT.OK;
  } catch (error) {
    if (human) console.error('Rotation stopped. Run rotate-secrets again to finish: an edge whose previous secret is still accepted is completed, not rotated twice.');
    throw error;
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
  }
}
