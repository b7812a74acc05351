// The Keycloak admin token (openid-client's password and client-credentials grants over HttpOut)
// against a local HTTPS server that plays the admin realm's token endpoint: the grants send what
// Keycloak expects, the token is cached and shared, and every failure is a BrokerError code without
// the credentials in it.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { AdminTokenSource, type AdminCredentials } from '../../src/adapters/keycloak/admin-token.ts';
import { HttpOut } from '../../src/adapters/http-out.ts';
import { isBrokerError, type ErrorCode } from '../../src/core/errors.ts';
import { makeTestTls } from '../support/tls.ts';

interface Seen { path: string; form: URLSearchParams; authorization?: string }
type Answer = { status: number; body: string; headers?: Record<string, string> };

const PASSWORD = 's3cret-admin-password';
const CLIENT_SECRET = 's3cret-client-secret';

describe('Keycloak admin token', () => {
  let server: Server;
  let origin: string;
  let http: HttpOut;
  const seen: Seen[] = [];
  let answer: () => Answer = () => ({ status: 200, body: '{}' });

  before(async () => {
    const tls = makeTestTls();
    server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        seen.push({ path: req.url ?? '', form: new URLSearchParams(body), ...(req.headers.authorization && { authorization: req.headers.authorization }) });
        const a = answer();
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(a.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    http = new HttpOut({ allowedOrigins: [origin], caPem: [tls.caPem] });
  });
  after(async () => { await http.close(); server.closeAllConnections(); server.close(); });
  beforeEach(() => { seen.length = 0; answer = () => ({ status: 200, body: JSON.stringify({ access_token: `token-${seen.length}`, token_type: 'Bearer', expires_in: 300 }) }); });

  const password: AdminCredentials = { grant: 'password', clientId: 'admin-cli', username: 'admin', password: PASSWORD };
  const clientCredentials: AdminCredentials = { grant: 'client_credentials', clientId: 'fedbroker', clientSecret: CLIENT_SECRET };
  const source = (credentials: AdminCredentials, now?: () => number, fetch = http.fetch) =>
    new AdminTokenSource({ cloud: 'cloud-a', baseUrl: `${origin}/`, adminRealm: 'master', credentials, fetch, ...(now && { now }) });

  async function failsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
    await assert.rejects(promise, (e: unknown) => {
      assert.ok(isBrokerError(e, code), `expected ${code}, got ${String(e)}`);
      const text = `${e.message} ${JSON.stringify(e.details)}`;
      assert.ok(!text.includes(PASSWORD) && !text.includes(CLIENT_SECRET), 'no credential in the error');
      return true;
    });
  }

  it('password grant: posts the form to the admin realm\'s token endpoint and caches the token', async () => {
    const tokens = source(password);
    assert.equal(await tokens.token(), 'token-1');
    assert.equal(await tokens.token(), 'token-1', 'cached');
    assert.equal(seen.length, 1);
    const [request] = seen;
    assert.equal(request?.path, '/realms/master/protocol/openid-connect/token');
    assert.deepEqual(Object.fromEntries(['grant_type', 'client_id', 'username', 'password'].map((k) => [k, request?.form.get(k)])),
      { grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: PASSWORD });
  });

  it('client credentials: the secret goes in the form, with the client id', async () => {
    assert.equal(await source(clientCredentials).token(), 'token-1');
    const [request] = seen;
    assert.equal(request?.form.get('grant_type'), 'client_credentials');
    assert.equal(request?.form.get('client_id'), 'fedbroker');
    assert.equal(request?.form.get('client_secret'), CLIENT_SECRET);
  });

  it('renews before expiry and after invalidate; concurrent callers share one request', async () => {
    let now = 1_000_000;
    const tokens = source(password, () => now);
    const [a, b] = await Promise.all([tokens.token(), tokens.token()]);
    assert.equal(a, b);
    assert.equal(seen.length, 1, 'one request for two callers');
    now += 300_000 - 29_000; // inside the renewal margin of a 300 s token
    assert.equal(await tokens.token(), 'token-2');
    tokens.invalidate();
    assert.equal(await tokens.token(), 'token-3');
  });

  it('refused credentials (400 invalid_grant, 401) are ERR_KEYCLOAK_AUTH', async () => {
    answer = () => ({ status: 400, body: JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid user credentials' }) });
    await failsWith(source(password).token(), 'ERR_KEYCLOAK_AUTH');
    answer = () => ({ status: 401, body: JSON.stringify({ error: 'unauthorized_client' }) });
    await failsWith(source(clientCredentials).token(), 'ERR_KEYCLOAK_AUTH');
    answer = () => ({ status: 401, body: JSON.stringify({ error: 'invalid_client' }), headers: { 'www-authenticate': 'Bearer realm="master"' } });
    await failsWith(source(clientCredentials).token(), 'ERR_KEYCLOAK_AUTH');
  });

  it('other answers are ERR_KEYCLOAK_API: a server error, a body that is not a token response', async () => {
    answer = () => ({ status: 503, body: 'unavailable', headers: { 'content-type': 'text/plain' } });
    await failsWith(source(password).token(), 'ERR_KEYCLOAK_API');
    answer = () => ({ status: 200, body: '<html>login</html>', headers: { 'content-type': 'text/html' } });
    await failsWith(source(password).token(), 'ERR_KEYCLOAK_API');
    answer = () => ({ status: 200, body: JSON.stringify({ token_type: 'Bearer' }) });
    await failsWith(source(password).token(), 'ERR_KEYCLOAK_API');
  });

  it('failures of the HTTP module keep their code (redirect, unreachable)', async () => {
    answer = () => ({ status: 302, body: '', headers: { location: 'https://elsewhere.example/' } });
    await failsWith(source(password).token(), 'ERR_HTTP_REDIRECT');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const gone = `https://127.0.0.1:${port}`;
    const elsewhere = new HttpOut({ allowedOrigins: [gone] });
    try {
      await failsWith(new AdminTokenSource({ cloud: 'cloud-a', baseUrl: gone, adminRealm: 'master', credentials: password, fetch: elsewhere.fetch }).token(), 'ERR_HTTP_UNREACHABLE');
    } finally {
      await elsewhere.close();
    }
  });

  it('keepFresh renews the token in the background before it lapses, and close() stops that', async () => {
    answer = () => ({ status: 200, body: JSON.stringify({ access_token: `token-${seen.length}`, token_type: 'Bearer', expires_in: 2 }) });
    const tokens = new AdminTokenSource({ cloud: 'cloud-a', baseUrl: origin, adminRealm: 'master', credentials: password, fetch: http.fetch, keepFresh: true });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      assert.equal(await tokens.token(), 'token-1');
      await sleep(1400); // renewal is due 1 s after the grant (half of a 2 s lifetime)
      assert.equal(seen.length, 2, 'renewed without a caller asking');
      assert.equal(await tokens.token(), 'token-2', 'the caller gets the renewed token');
      assert.equal(seen.length, 2, 'and no grant waits on the call path');
    } finally {
      tokens.close();
    }
    await sleep(1300);
    assert.equal(seen.length, 2, 'no renewal after close()');
  });

  it('without keepFresh nothing is requested until a caller asks', async () => {
    answer = () => ({ status: 200, body: JSON.stringify({ access_token: `token-${seen.length}`, token_type: 'Bearer', expires_in: 2 }) });
    const tokens = source(password);
    await tokens.token();
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(seen.length, 1);
  });
});
