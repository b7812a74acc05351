// The admin API's configuration file: the demo's example is valid for the demo spec; an unreadable,
// malformed or inconsistent file is ERR_CONFIG_INVALID naming each problem's path.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readApiConfigFile } from '../../src/adapters/api-config-file.ts';
import { isBrokerError } from '../../src/core/errors.ts';
import { exampleSpec } from '../support/example-federation.ts';

const spec = exampleSpec();
const dir = mkdtempSync(join(tmpdir(), 'fedbroker-api-config-'));
const write = (name: string, text: string) => { const f = join(dir, name); writeFileSync(f, text); return f; };

describe('API configuration file', () => {
  it('config/api.example.yaml is valid for the demo spec: the three cloud realms and the admin realm', async () => {
    const { config, baseDir } = await readApiConfigFile(new URL('../../config/api.example.yaml', import.meta.url).pathname, spec);
    assert.deepEqual(config.issuers.map((i) => `${i.cloud ?? '-'} ${i.issuer}`), [
      'cloud-a https://127.0.0.1:18443/realms/cloud-a', 'cloud-b https://127.0.0.1:18443/realms/cloud-b',
      'cloud-c https://127.0.0.1:18443/realms/cloud-c', '- https://127.0.0.1:18443/realms/master']);
    assert.equal(config.issuers[1]?.jwksUri, 'https://127.0.0.1:18443/realms/cloud-b/protocol/openid-connect/certs');
    assert.ok(baseDir.endsWith('/config'));
    assert.ok(Object.isFrozen(config.issuers));
  });

  const bad: [string, string, string[]][] = [
    ['an unknown field and a plain-http issuer', 'audience: fedbroker\nfederationAdmin: { issuers: [https://127.0.0.1:18443/realms/master] }\nissuers: [{ issuer: "http://x.example/realms/a" }]\nadmins: []\n', ['admins', 'issuers.0.issuer']],
    ['a federation-admin issuer that is not accepted', 'audience: fedbroker\nfederationAdmin: { issuers: [https://idp.example/realms/x] }\n', ['federationAdmin.issuers.0']],
    ['a cloud realm listed again as an extra issuer', 'audience: fedbroker\nfederationAdmin: { issuers: [https://127.0.0.1:18443/realms/cloud-a] }\nissuers: [{ issuer: https://127.0.0.1:18443/realms/cloud-a }]\n', ['issuers.0.issuer']],
    ['no audience', 'federationAdmin: { issuers: [https://127.0.0.1:18443/realms/cloud-a] }\n', ['audience']],
  ];
  for (const [name, text, paths] of bad) {
    it(`refuses ${name} with ERR_CONFIG_INVALID at ${paths.join(', ') || '(root)'}`, async () => {
      await assert.rejects(readApiConfigFile(write(`${paths.join('-')}.yaml`, text), spec), (e: unknown) =>
        isBrokerError(e, 'ERR_CONFIG_INVALID') && JSON.stringify((e.details['problems'] as { path: string }[]).map((p) => p.path).sort()) === JSON.stringify([...paths].sort()));
    });
  }

  it('refuses a file that cannot be read, and one that is not YAML', async () => {
    await assert.rejects(readApiConfigFile(join(dir, 'missing.yaml'), spec), (e: unknown) => isBrokerError(e, 'ERR_CONFIG_INVALID'));
    await assert.rejects(readApiConfigFile(write('broken.yaml', 'audience: [unclosed\n'), spec), (e: unknown) => isBrokerError(e, 'ERR_CONFIG_INVALID'));
  });
});
