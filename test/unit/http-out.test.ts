import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { HttpOut, isForbiddenAddress } from '../../src/adapters/http-out.ts';
import { isBrokerError, type ErrorCode } from '../../src/core/errors.ts';
import { makeTestTls, type TestTls } from '../support/tls.ts';

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (e: unknown) => { assert.ok(isBrokerError(e, code), `expected ${code}, got ${String(e)}`); return true; });
}

describe('outbound HTTP module', () => {
  let tls: TestTls;
  let server: Server;
  let origin: string;
  let requests = 0;

  before(async () => {
    tls = makeTestTls();
    server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      requests += 1;
      if (req.url === '/redirect') { res.writeHead(302, { location: 'https://169.254.169.254/latest' }).end(); return; }
      if (req.url === '/hang') return; // never answers
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => { server.closeAllConnections(); server.close(); });

  it('calls an allowed origin over TLS with the configured CA', async () => {
    const http = new HttpOut({ allowedOrigins: [origin], caPem: [tls.caPem] });
    const res = await http.fetch(`${origin}/ok`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
    await http.close();
  });

  it('verifies TLS: an unknown CA is ERR_HTTP_TLS', async () => {
    const http = new HttpOut({ allowedOrigins: [origin] });
    await rejectsWith(http.fetch(`${origin}/ok`), 'ERR_HTTP_TLS');
    await http.close();
  });

  it('refuses origins the spec does not name, before connecting', async () => {
    const http = new HttpOut({ allowedOrigins: ['https://keycloak.example'], caPem: [tls.caPem] });
    const before = requests;
    await rejectsWith(http.fetch(`${origin}/ok`), 'ERR_HTTP_SSRF_BLOCKED');
    assert.equal(requests, before);
    await http.close();
  });

  it('does not follow redirects', async () => {
    const http = new HttpOut({ allowedOrigins: [origin], caPem: [tls.caPem] });
    await rejectsWith(http.fetch(`${origin}/redirect`), 'ERR_HTTP_REDIRECT');
    await http.close();
  });

  it('times out', async () => {
    const http = new HttpOut({ allowedOrigins: [origin], caPem: [tls.caPem], timeoutMs: 300 });
    await rejectsWith(http.fetch(`${origin}/hang`), 'ERR_HTTP_TIMEOUT');
    await http.close();
  });

  it('reports a closed port as ERR_HTTP_UNREACHABLE', async () => {
    const closed = 'https://127.0.0.1:9';
    const http = new HttpOut({ allowedOrigins: [closed] });
    await rejectsWith(http.fetch(`${closed}/`), 'ERR_HTTP_UNREACHABLE');
    await http.close();
  });

  it('knows the addresses it never calls', () => {
    for (const a of ['169.254.169.254', '0.0.0.0', '224.0.0.1', 'fe80::1', '::', '::ffff:169.254.169.254', 'fd00:ec2::254',
      '::ffff:a9fe:a9fe', '::a9fe:a9fe', '64:ff9b::a9fe:a9fe', '64:ff9b::169.254.169.254', '100.100.100.200', '100.64.0.1', 'FE80::1%eth0']) {
      assert.equal(isForbiddenAddress(a), true, a);
    }
    for (const a of ['127.0.0.1', '10.0.0.1', '192.0.2.10', '::1', '2001:db8::1', '::ffff:127.0.0.1', '100.63.255.255', '100.128.0.1', 'fd00::1']) {
      assert.equal(isForbiddenAddress(a), false, a);
    }
  });

  it('refuses IP literals of forbidden addresses without any name lookup, even when the origin is allowed', async () => {
    for (const origin of ['https://0.0.0.0', 'https://169.254.169.254', 'https://[::ffff:a9fe:a9fe]', 'https://[::a9fe:a9fe]', 'https://[64:ff9b::a9fe:a9fe]', 'https://100.100.100.200']) {
      const http = new HttpOut({ allowedOrigins: [origin] });
      await rejectsWith(http.fetch(`${origin}/latest/meta-data/`), 'ERR_HTTP_SSRF_BLOCKED');
      await http.close();
    }
  });
});
