/**
 * Keep-alive against a real Apache: a server closes a connection that sat idle for `KeepAliveTimeout`,
 * and a client that writes onto it just then gets "other side closed". This starts its own Apache
 * (the test bed's binary, TLS with the test CA's server certificate, KeepAliveTimeout 3 s) and shows:
 * - HttpOut never reuses a connection idle for longer than its own cap, even where the server's hint
 *   would still allow it (Apache's %k: requests served earlier on the connection), while a client that
 *   trusts the hint does;
 * - HttpOut and the tests' testbedFetch keep working when the event loop was blocked past the server's
 *   timeout (as a synchronous child process does), for GET and POST.
 * The retry of a request whose connection broke in flight is shown deterministically in
 * test/unit/http-out-keepalive.test.ts (a server that drops a reused connection on purpose).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch as undiciFetch } from 'undici';
import { HttpOut, POOLED_IDLE_MAX_MS } from '../../src/adapters/http-out.ts';
import { loadTestbed, testbedFetch } from '../support/testbed.ts';

const SERVER_KEEPALIVE_S = 3;
const caFile = loadTestbed().caFile;
const caDir = dirname(caFile);
const dir = mkdtempSync(join(tmpdir(), 'fedbroker-keepalive-'));
let origin = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Blocks the event loop, as spawnSync/execFileSync do: no timer, no socket event runs meanwhile. */
function blockEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Lets the client put the connection back into its pool once the response is consumed. */
async function settle(): Promise<void> {
  await sleep(100);
}

/** Apache's access log: one line per request, "<path+query> <requests served before it on this connection>". */
function accessLog(): { path: string; keepAlives: number }[] {
  const file = join(dir, 'access.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => {
    const [path, k] = line.split(' ');
    return { path: path!, keepAlives: Number(k) };
  });
}

before(async () => {
  const port = await freePort();
  origin = `https://127.0.0.1:${port}`;
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'ok.txt'), 'ok\n');
  const modules = '/usr/lib/apache2/modules';
  writeFileSync(join(dir, 'apache.conf'), [
    `ServerRoot "${dir}"`, 'ServerName 127.0.0.1', `Listen 127.0.0.1:${port}`, `PidFile "${dir}/apache.pid"`,
    `DefaultRuntimeDir "${dir}"`, 'User www-data', 'Group www-data',
    `LoadModule mpm_event_module ${modules}/mod_mpm_event.so`,
    `LoadModule authz_core_module ${modules}/mod_authz_core.so`,
    `LoadModule ssl_module ${modules}/mod_ssl.so`,
    'StartServers 1', 'ServerLimit 1', 'ThreadsPerChild 4', 'MinSpareThreads 1', 'MaxSpareThreads 4', 'MaxRequestWorkers 4',
    'KeepAlive On', `KeepAliveTimeout ${SERVER_KEEPALIVE_S}`, 'MaxKeepAliveRequests 100',
    `ErrorLog "${dir}/error.log"`, 'LogFormat "%U%q %k" probe', `CustomLog "${dir}/access.log" probe`,
    `DocumentRoot "${dir}"`, `<Directory "${dir}">`, '  Require all granted', '</Directory>',
    `<VirtualHost 127.0.0.1:${port}>`, '  SSLEngine on',
    `  SSLCertificateFile "${caDir}/server.pem"`, `  SSLCertificateKeyFile "${caDir}/server.key"`, '</VirtualHost>', '',
  ].join('\n'));
  execFileSync('/usr/sbin/apache2', ['-f', join(dir, 'apache.conf'), '-k', 'start'], { env: { PATH: '/usr/sbin:/usr/bin:/bin' }, stdio: 'pipe' });
  for (let i = 0; i < 100; i += 1) {
    try {
      if ((await testbedFetch(`${origin}/ok.txt`)).status === 200) return;
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  throw new Error(`Apache for the keep-alive test did not start; see ${dir}/error.log`);
});

after(() => {
  try {
    execFileSync('/usr/sbin/apache2', ['-f', join(dir, 'apache.conf'), '-k', 'stop'], { env: { PATH: '/usr/sbin:/usr/bin:/bin' }, stdio: 'pipe' });
  } catch { /* already gone */ }
  rmSync(dir, { recursive: true, force: true });
});

describe('keep-alive against Apache (KeepAliveTimeout 3 s)', () => {
  it('HttpOut: GET is retried once and POST never uses a pooled connection, after the same blocked wait', async () => {
    const http = new HttpOut({ allowedOrigins: [origin], caPem: [readFileSync(caFile, 'utf8')] });
    try {
      assert.equal(await (await http.fetch(`${origin}/ok.txt`)).text(), 'ok\n');
      await settle();
      blockEventLoop(SERVER_KEEPALIVE_S * 1000 + 700);
      const again = await http.fetch(`${origin}/ok.txt`);
      assert.equal(again.status, 200);
      assert.equal(await again.text(), 'ok\n');
      assert.equal(await (await http.fetch(`${origin}/ok.txt?warm`)).text(), 'ok\n');
      await settle();
      blockEventLoop(SERVER_KEEPALIVE_S * 1000 + 700);
      // Apache's default handler serves the file for a POST too: an answer, not a broken connection.
      const post = await http.fetch(`${origin}/ok.txt`, { method: 'POST', body: 'x=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      assert.equal(post.status, 200);
      assert.equal(await post.text(), 'ok\n');
    } finally {
      await http.close();
    }
  });

  it('HttpOut closes a pooled connection itself once idle for its cap; a client trusting the server hint reuses it', async () => {
    assert.ok(POOLED_IDLE_MAX_MS + 500 < SERVER_KEEPALIVE_S * 1000, 'the cap must stay below the server timeout for this test');
    const ca = readFileSync(caFile, 'utf8');
    const http = new HttpOut({ allowedOrigins: [origin], caPem: [ca] });
    // The control: a client that keeps a connection as long as the server's Keep-Alive hint says.
    const trusting = new Agent({ connect: { ca }, keepAliveTimeoutThreshold: 0 });
    const viaTrusting = async (query: string) => (await (undiciFetch as unknown as (u: string, i: object) => Promise<Response>)(`${origin}/ok.txt?${query}`, { dispatcher: trusting })).text();
    const viaHttpOut = async (query: string) => (await http.fetch(`${origin}/ok.txt?${query}`)).text();
    try {
      for (const [name, get] of [['trusting', viaTrusting], ['broker', viaHttpOut]] as const) {
        assert.equal(await get(`${name}-first`), 'ok\n');
        await settle();
        assert.equal(await get(`${name}-second`), 'ok\n');
        await sleep(POOLED_IDLE_MAX_MS + 500);
        assert.equal(await get(`${name}-after-idle`), 'ok\n');
      }
      await sleep(200); // Apache writes the access log line after the response
      const reuse = (query: string) => accessLog().find((l) => l.path === `/ok.txt?${query}`)?.keepAlives;
      assert.deepEqual(['first', 'second', 'after-idle'].map((q) => reuse(`trusting-${q}`)), [0, 1, 2], 'the control keeps the connection');
      assert.deepEqual(['first', 'second', 'after-idle'].map((q) => reuse(`broker-${q}`)), [0, 1, 0], 'the broker opens a new one after its idle cap');
    } finally {
      await http.close();
      await trusting.close();
    }
  });

  it('testbedFetch survives the blocked wait for GET and POST', async () => {
    assert.equal(await (await testbedFetch(`${origin}/ok.txt`)).text(), 'ok\n');
    await settle();
    blockEventLoop(SERVER_KEEPALIVE_S * 1000 + 700);
    assert.equal(await (await testbedFetch(`${origin}/ok.txt`)).text(), 'ok\n');
    await settle();
    blockEventLoop(SERVER_KEEPALIVE_S * 1000 + 700);
    assert.equal(await (await testbedFetch(`${origin}/ok.txt`, { method: 'POST', body: 'x' })).text(), 'ok\n');
  });
});
