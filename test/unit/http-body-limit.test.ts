// Outbound answer bodies are limited while they stream: a local HTTPS server answers with a huge body
// (64 MiB, sent as fast as the client reads it); every reader of the broker stops at its limit with a
// coded error, the server sees the connection dropped after about the limit, and RSS stays flat.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MAX_BODY_BYTES, HttpOut } from '../../src/adapters/http-out.ts';
import { AdminTokenSource } from '../../src/adapters/keycloak/admin-token.ts';
import { KeycloakHomeMetadata } from '../../src/adapters/keycloak/home-metadata.ts';
import { KeystoneRest } from '../../src/adapters/keystone/rest.ts';
import { KubeRest, KUBERNETES_MAX_BODY_BYTES } from '../../src/adapters/kubernetes/rest.ts';
import { JoseLogoutTokenVerifier } from '../../src/adapters/oidc/logout-token-verifier.ts';
import { isBrokerError, type ErrorCode } from '../../src/core/errors.ts';
import type { CloudSpec } from '../../src/core/federation/schema.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { makeTestTls, type TestTls } from '../support/tls.ts';

const MiB = 1024 * 1024;
const HUGE_BYTES = 64 * MiB;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (e: unknown) => { assert.ok(isBrokerError(e, code), `expected ${code}, got ${String(e)}`); return true; });
}

const rssMiB = () => process.memoryUsage().rss / MiB;

describe('outbound body limit', () => {
  let tls: TestTls;
  let server: Server;
  let origin: string;
  /** Bytes the server wrote for the last huge answer before the client went away. */
  let lastSent = 0;

  before(async () => {
    tls = makeTestTls();
    server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/declared')) { res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(300 * MiB) }); streamHuge(res); return; }
      if (url.startsWith('/small')) { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pad: 'x'.repeat(100 * 1024) })); return; }
      if (url.startsWith('/exact')) { res.writeHead(200, { 'content-type': 'text/plain' }).end(Buffer.alloc(DEFAULT_MAX_BODY_BYTES, 0x62)); return; }
      if (url.startsWith('/token')) { res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}'); return; }
      // Everything else: a huge chunked answer (no content-length), written as fast as it is read.
      res.writeHead(200, { 'content-type': url.includes('saml') ? 'application/xml' : 'application/json', ...(url.includes('/v3/auth') && { 'x-subject-token': 't' }) });
      if (url.includes('saml')) res.write('<EntityDescriptor entityID="x">');
      streamHuge(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => { server.closeAllConnections(); server.close(); });

  /** Writes HUGE_BYTES honouring backpressure; records how much went out before the client closed. */
  function streamHuge(res: ServerResponse): void {
    let sent = 0;
    lastSent = 0;
    const write = (): void => {
      while (sent < HUGE_BYTES && !res.destroyed) {
        sent += CHUNK.length;
        lastSent = sent;
        if (!res.write(CHUNK)) { res.once('drain', write); return; }
      }
      if (!res.destroyed) res.end();
    };
    res.on('close', () => { lastSent = sent; });
    write();
  }

  const http = () => new HttpOut({ allowedOrigins: [origin], caPem: [tls.caPem] });

  it('stops reading a huge body at the limit: ERR_HTTP_BODY_TOO_LARGE, the connection dropped, RSS flat', async () => {
    const client = http();
    // Warm up (TLS, undici, first allocations) so that RSS measures the reads only.
    await rejectsWith(client.fetch(`${origin}/huge`).then((r) => r.text()), 'ERR_HTTP_BODY_TOO_LARGE');
    const rssBefore = rssMiB();
    const started = performance.now();
    for (let i = 0; i < 5; i += 1) {
      await rejectsWith(client.fetch(`${origin}/huge-${i}`).then((r) => r.text()), 'ERR_HTTP_BODY_TOO_LARGE');
      await new Promise((resolve) => setTimeout(resolve, 20)); // the server notices the closed connection
      assert.ok(lastSent < DEFAULT_MAX_BODY_BYTES + 8 * MiB, `the server sent ${(lastSent / MiB).toFixed(1)} MiB before the client went away`);
    }
    const grown = rssMiB() - rssBefore;
    console.log(`# 5 reads of a ${HUGE_BYTES / MiB} MiB body with a ${DEFAULT_MAX_BODY_BYTES / MiB} MiB limit: ${(performance.now() - started).toFixed(0)} ms, `
      + `server sent ${(lastSent / MiB).toFixed(1)} MiB the last time, RSS ${rssBefore.toFixed(1)} -> ${(rssBefore + grown).toFixed(1)} MiB (${grown >= 0 ? '+' : ''}${grown.toFixed(1)} MiB)`);
    assert.ok(grown < 24, `RSS grew by ${grown.toFixed(1)} MiB`);
    await client.close();
  });

  it('refuses a declared Content-Length above the limit before reading anything', async () => {
    const client = http();
    await rejectsWith(client.fetch(`${origin}/declared`), 'ERR_HTTP_BODY_TOO_LARGE');
    await client.close();
  });

  it('accepts a body of exactly the limit; a call may set a lower or higher limit', async () => {
    const client = http();
    assert.equal((await (await client.fetch(`${origin}/exact`)).text()).length, DEFAULT_MAX_BODY_BYTES);
    await rejectsWith(client.fetch(`${origin}/exact`, { maxBodyBytes: DEFAULT_MAX_BODY_BYTES - 1 }).then((r) => r.text()), 'ERR_HTTP_BODY_TOO_LARGE');
    await rejectsWith(client.fetch(`${origin}/small`, { maxBodyBytes: 64 * 1024 }).then((r) => r.json()), 'ERR_HTTP_BODY_TOO_LARGE');
    assert.equal(((await (await client.fetch(`${origin}/small`)).json()) as { pad: string }).pad.length, 100 * 1024);
    const lenient = new HttpOut({ allowedOrigins: [origin], caPem: [tls.caPem], maxBodyBytes: 2 * MiB });
    assert.equal((await (await lenient.fetch(`${origin}/exact`)).text()).length, DEFAULT_MAX_BODY_BYTES);
    await Promise.all([client.close(), lenient.close()]);
  });

  it('the Kubernetes and Keystone REST clients stop at their (larger) limit', async () => {
    const client = http();
    const kube = new KubeRest({ cloud: 'cloud-a', cluster: 'c', baseUrl: origin, token: 't', fetch: client.fetch });
    await rejectsWith(kube.get('/api/v1/namespaces'), 'ERR_HTTP_BODY_TOO_LARGE');
    assert.ok(lastSent < KUBERNETES_MAX_BODY_BYTES + 8 * MiB, `the server sent ${(lastSent / MiB).toFixed(1)} MiB`);
    const keystone = new KeystoneRest({ cloud: 'cloud-a', url: origin, fetch: client.fetch, credentials: { username: 'u', password: 'p', userDomain: 'Default', project: 'admin', projectDomain: 'Default' } });
    await rejectsWith(keystone.get('/users'), 'ERR_HTTP_BODY_TOO_LARGE');
    await client.close();
  });

  it('openid-client (admin token, discovery) and the SAML descriptor read get the limit too', async () => {
    const client = http();
    const tokens = new AdminTokenSource({ cloud: 'cloud-a', baseUrl: `${origin}/huge-kc`, adminRealm: 'master', fetch: client.fetch,
      credentials: { grant: 'client_credentials', clientId: 'c', clientSecret: 's' } });
    await rejectsWith(tokens.token(), 'ERR_HTTP_BODY_TOO_LARGE');
    await client.close();

    const caFile = join(mkdtempSync(join(tmpdir(), 'fedbroker-body-')), 'ca.pem');
    writeFileSync(caFile, tls.caPem);
    const cloud = (homeProtocol: 'oidc' | 'saml'): CloudSpec => exampleSpec((doc) => {
      Object.assign(doc.clouds[0], { homeProtocol });
      Object.assign(doc.clouds[0].keycloak, { url: origin, realm: `huge-${homeProtocol}`, caFile });
    }).clouds[0] as CloudSpec;
    const reader = new KeycloakHomeMetadata({ baseDir: '/' });
    for (const protocol of ['oidc', 'saml'] as const) {
      await assert.rejects(reader.read(cloud(protocol)), (e: unknown) => {
        assert.ok(isBrokerError(e, 'ERR_METADATA_INVALID'), `${protocol}: expected ERR_METADATA_INVALID, got ${String(e)}`);
        assert.match(e.message, /larger than 1 MiB/);
        return true;
      });
    }
  });

  it('jose\'s JWKS fetch gets the limit: ERR_HTTP_BODY_TOO_LARGE naming the cloud', async () => {
    const client = http();
    const verifier = new JoseLogoutTokenVerifier({ fetchFor: () => client.fetch });
    const issuer = { cloud: 'cloud-a', realm: 'r', issuer: `${origin}/realms/r`, jwksUri: `${origin}/realms/r/certs`, audiences: ['fed-cloud-b'], acceptUntyped: false };
    await assert.rejects(verifier.warmUp(issuer), (e: unknown) => {
      assert.ok(isBrokerError(e, 'ERR_HTTP_BODY_TOO_LARGE'), `expected ERR_HTTP_BODY_TOO_LARGE, got ${String(e)}`);
      assert.equal(e.details['cloud'], 'cloud-a');
      return true;
    });
    const token = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJpc3MiOiJ4In0.c2ln';
    await rejectsWith(verifier.verify(token, issuer, { now: new Date(), clockToleranceSeconds: 5 }), 'ERR_HTTP_BODY_TOO_LARGE');
    await client.close();
  });
});
