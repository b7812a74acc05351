// The authentication config file adapter: atomic writes only on change, reload confirmation by the
// apiserver's /metrics hash, failed reloads and timeouts as coded errors.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationConfigFile, parseReloadMetrics, sha256Hex } from '../../src/adapters/kubernetes/authn-config-file.ts';
import { isBrokerError } from '../../src/core/errors.ts';

const info = (hex: string) => `apiserver_authentication_config_controller_last_config_info{apiserver_id_hash="sha256:${'a'.repeat(64)}",hash="sha256:${hex}"} 1`;
const failures = (n: number) => `apiserver_authentication_config_controller_automatic_reloads_total{apiserver_id_hash="sha256:${'a'.repeat(64)}",status="failure"} ${n}`;

function setup(metrics: () => string) {
  const dir = mkdtempSync(join(tmpdir(), 'fedbroker-authn-'));
  const path = join(dir, 'authentication-config.yaml');
  let clock = 0;
  const file = new AuthenticationConfigFile({ cloud: 'cloud-b', cluster: 'c1', path, metrics: async () => metrics(), sleep: async (ms) => { clock += ms; }, now: () => clock });
  return { dir, path, file };
}

describe('AuthenticationConfigFile', () => {
  it('reads the active hash (not the apiserver identity hash) and failed reloads from /metrics', () => {
    assert.deepEqual(parseReloadMetrics(`# HELP x\n${info('b'.repeat(64))}\n${failures(2)}\n`), { activeHash: 'b'.repeat(64), failures: 2 });
    assert.deepEqual(parseReloadMetrics(''), { failures: 0 });
  });

  it('writes atomically and only on change', async () => {
    const { dir, path, file } = setup(() => '');
    assert.equal(await file.read(), undefined);
    assert.equal(await file.write('a: 1\n'), true);
    assert.equal(readFileSync(path, 'utf8'), 'a: 1\n');
    assert.equal(await file.write('a: 1\n'), false);
    assert.deepEqual(readdirSync(dir), ['authentication-config.yaml'], 'no temp file left');
  });

  it('waits until the apiserver reports the new content as active', async () => {
    let polls = 0;
    const { file } = setup(() => (++polls < 4 ? info('0'.repeat(64)) : info(sha256Hex('b: 2\n'))));
    await file.write('b: 2\n');
    assert.equal(await file.waitForReload('b: 2\n', 60_000), 2000, 'write reads the metrics once, then two polls miss');
  });

  it('fails fast when the apiserver rejects the file, and after the timeout otherwise', async () => {
    let written = false;
    const { path, file } = setup(() => `${info('0'.repeat(64))}\n${failures(written ? 1 : 0)}`);
    writeFileSync(path, 'old\n');
    await file.write('bad\n');
    written = true;
    await assert.rejects(file.waitForReload('bad\n'), (e) => isBrokerError(e, 'ERR_KUBERNETES_AUTHN_CONFIG') && /rejected/.test(e.message) && e.details['cluster'] === 'c1');
    const slow = setup(() => info('0'.repeat(64))).file;
    await assert.rejects(slow.waitForReload('x\n', 5000), (e) => isBrokerError(e, 'ERR_KUBERNETES_AUTHN_CONFIG') && /within 5 s/.test(e.message));
  });
});
