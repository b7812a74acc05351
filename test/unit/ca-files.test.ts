// A CA file the spec names but that cannot be read is a configuration error (ERR_CONFIG_INVALID) in
// every command that reads it: serve and the logout composition (which once reported a missing
// Keystone CA file as ERR_INTERNAL), and every adapter factory (plan/apply, explain, logout).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { stringify } from 'yaml';
import { readCaFile } from '../../src/adapters/ca-files.ts';
import { createKeycloakAdmin } from '../../src/adapters/keycloak/factory.ts';
import { createKeycloakHomeDirectory } from '../../src/adapters/keycloak/home-directory.ts';
import { KeycloakHomeMetadata } from '../../src/adapters/keycloak/home-metadata.ts';
import { createKeycloakSessions } from '../../src/adapters/keycloak/sessions-factory.ts';
import { createKeystoneAdmin } from '../../src/adapters/keystone/factory.ts';
import { createKubernetesAdmin } from '../../src/adapters/kubernetes/factory.ts';
import { createKeystoneRevocation } from '../../src/adapters/logout/keystone-revocation.ts';
import { composeLogout } from '../../src/cli/logout-compose.ts';
import { serveCommand } from '../../src/cli/serve.ts';
import { isBrokerError } from '../../src/core/errors.ts';
import type { CloudSpec } from '../../src/core/federation/schema.ts';
import { exampleDoc, exampleSpec, type MutableDoc } from '../support/example-federation.ts';

const SECRET_ENV = 'FEDBROKER_TEST_CA_FILES_SECRET';
process.env[SECRET_ENV] = 'not-used';
/** A port nothing listens on: nothing in these tests may get as far as Redis. */
const NO_REDIS = 'redis://127.0.0.1:1';

/** The example spec in a folder of its own: secrets from the environment, every CA file ./ca.pem (present), then `mutate`. */
function specVariant(mutate: (doc: MutableDoc) => void): { file: string; dir: string; doc: MutableDoc } {
  const dir = mkdtempSync(join(tmpdir(), 'fedbroker-ca-'));
  writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const doc = exampleDoc();
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (key === 'caFile') record[key] = 'ca.pem';
      else if (typeof value === 'object' && value !== null && 'file' in value && Object.keys(value).length === 1) record[key] = { env: SECRET_ENV };
      else walk(value);
    }
  };
  walk(doc);
  mutate(doc);
  const file = join(dir, 'federation.yaml');
  writeFileSync(file, stringify(doc));
  return { file, dir, doc };
}

const missingKeystoneCa = (doc: MutableDoc) => { doc.clouds[1].keystone.caFile = 'missing/keystone-ca.pem'; };
const missingKeycloakCa = (doc: MutableDoc) => { doc.clouds[0].keycloak.caFile = 'missing/keycloak-ca.pem'; };

function configInvalid(file: string) {
  return (error: unknown) => {
    assert.ok(isBrokerError(error, 'ERR_CONFIG_INVALID'), `expected ERR_CONFIG_INVALID, got ${String(error)}`);
    assert.equal(error.details['caFile'], file);
    return true;
  };
}

describe('CA files', () => {
  it('serve: a Keystone CA file that cannot be read is ERR_CONFIG_INVALID, not ERR_INTERNAL', async () => {
    const { file } = specVariant(missingKeystoneCa);
    await assert.rejects(serveCommand({ spec: file, insecureHttp: true, redis: NO_REDIS, pollInterval: '0', listen: '127.0.0.1:0' }), configInvalid('missing/keystone-ca.pem'));
  });

  it('serve: a Keycloak CA file that cannot be read is ERR_CONFIG_INVALID', async () => {
    const { file } = specVariant(missingKeycloakCa);
    await assert.rejects(serveCommand({ spec: file, insecureHttp: true, redis: NO_REDIS, pollInterval: '0', listen: '127.0.0.1:0' }), configInvalid('missing/keycloak-ca.pem'));
  });

  it('the logout composition reports the CA file before it tries Redis', async () => {
    for (const [mutate, caFile] of [[missingKeystoneCa, 'missing/keystone-ca.pem'], [missingKeycloakCa, 'missing/keycloak-ca.pem']] as const) {
      const { dir, doc } = specVariant(mutate);
      const spec = exampleSpec((d) => Object.assign(d, doc));
      await assert.rejects(composeLogout(spec, dir, { redisUrl: NO_REDIS, logger: pino({ level: 'silent' }) }), configInvalid(caFile));
    }
  });

  it('every adapter factory reports an unreadable CA file as ERR_CONFIG_INVALID, naming cloud and file', async () => {
    const { dir, doc } = specVariant((d) => { missingKeycloakCa(d); d.clouds[0].keystone.caFile = 'missing/keystone-ca.pem'; d.clouds[0].kubernetes.clusters[0].caFile = 'missing/kube-ca.pem'; });
    const cloud = exampleSpec((d) => Object.assign(d, doc)).clouds[0] as CloudSpec;
    const keycloak = configInvalid('missing/keycloak-ca.pem');
    await assert.rejects(createKeycloakAdmin(cloud, dir), keycloak);
    await assert.rejects(createKeycloakSessions(cloud, dir), keycloak);
    await assert.rejects(createKeycloakHomeDirectory(cloud, dir), keycloak);
    await assert.rejects(new KeycloakHomeMetadata({ baseDir: dir }).read(cloud), keycloak);
    await assert.rejects(createKeystoneAdmin(cloud, dir), configInvalid('missing/keystone-ca.pem'));
    await assert.rejects(createKeystoneRevocation(cloud, dir), configInvalid('missing/keystone-ca.pem'));
    const cluster = cloud.kubernetes!.clusters[0]!;
    await assert.rejects(createKubernetesAdmin(cloud, cluster, dir), configInvalid('missing/kube-ca.pem'));
  });

  it('reads a CA file relative to the spec folder', async () => {
    const { dir } = specVariant(() => {});
    assert.match(await readCaFile('ca.pem', dir, { cloud: 'cloud-a', server: 'Keycloak' }), /BEGIN CERTIFICATE/);
    await assert.rejects(readCaFile('nope.pem', dir, { cloud: 'cloud-a', server: 'Keycloak' }), (e: unknown) => isBrokerError(e, 'ERR_CONFIG_INVALID') && e.details['cloud'] === 'cloud-a');
  });
});
