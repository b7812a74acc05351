/**
 * Access to the real loopback test bed (scripts/testbed/up.sh) for integration tests.
 *
 * The test bed describes itself in `<testbed dir>/testbed.json` (dir: env FEDBROKER_TESTBED_DIR or
 * `<repo>/.testbed`). Without that file `loadTestbed()` throws: integration tests fail loudly, they never skip.
 * HTTPS calls trust the test bed's CA (and only that CA).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, fetch as undiciFetch } from 'undici';

export interface TestbedKeystone {
  url: string;
  adminUser: string;
  adminPasswordFile: string;
  /** Name under which the cloud's own realm is (to be) registered in its Keystone. */
  identityProvider: string;
}
export interface TestbedKubernetes {
  url: string;
  adminTokenFile: string;
  authenticationConfigFile: string;
}
export interface TestbedCloud {
  realm: string;
  issuer: string;
  keystone: TestbedKeystone;
  kubernetes: TestbedKubernetes;
  /** Horizon, for the clouds whose test bed runs one (scripts/testbed/horizon.sh). */
  horizon?: { url: string };
}
export interface Testbed {
  caFile: string;
  keycloak: { url: string; adminUser: string; adminPasswordFile: string };
  redis: { url: string };
  /** The openstack CLI (keystoneauth1 with the OIDC device authorization grant) the test bed installed. */
  openstackCli: string;
  clouds: Record<string, TestbedCloud>;
}
/** A token endpoint's success answer (RFC 6749 §5.1 plus Keycloak's extras). */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  [field: string]: unknown;
}

/** A test-bed server answered with an unexpected status. */
export class TestbedHttpError extends Error {
  constructor(readonly status: number, readonly body: unknown, message: string) {
    super(message);
    this.name = 'TestbedHttpError';
  }
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TIMEOUT_MS = 15_000;

export function testbedDir(): string {
  const dir = process.env.FEDBROKER_TESTBED_DIR;
  return dir ? resolve(dir) : join(REPO_ROOT, '.testbed');
}

/** The password of a test-bed user, as in realms/README.md: `<user>-<cloud>-pw`. */
export function userPassword(cloud: string, user: string): string {
  return `${user}-${cloud}-pw`;
}

let testbed: Testbed | undefined;

/** Reads testbed.json once; throws a clear error when the test bed was never started. */
export function loadTestbed(): Testbed {
  if (testbed) return testbed;
  const file = join(testbedDir(), 'testbed.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new Error(
      `test bed not found: ${file} is missing. Start it with \`bash scripts/testbed/up.sh\` ` +
        '(or set FEDBROKER_TESTBED_DIR to the folder of a running test bed).',
      { cause },
    );
  }
  const parsed = JSON.parse(text) as Partial<Testbed>;
  const missing = (['caFile', 'keycloak', 'redis', 'clouds'] as const).filter((key) => parsed[key] === undefined);
  if (missing.length > 0 || Object.keys(parsed.clouds ?? {}).length === 0) {
    throw new Error(`${file} is incomplete (missing: ${missing.join(', ') || 'clouds'}); re-run scripts/testbed/up.sh`);
  }
  testbed = parsed as Testbed;
  return testbed;
}

// The same keep-alive discipline as the broker's outbound module: pooled connections are closed by us
// after 2 s idle (the test bed's Apache closes them after 5 s), POST/PATCH go over fresh connections,
// and a request whose connection broke before any answer is sent once more. The tests block the event
// loop (spawnSync of the CLI), so an idle timer can fire late; the retry covers that window.
let agents: { pooled: Agent; fresh: Agent } | undefined;
function testbedAgents(): { pooled: Agent; fresh: Agent } {
  if (agents) return agents;
  const connect = { ca: readFileSync(loadTestbed().caFile, 'utf8'), rejectUnauthorized: true };
  agents = {
    pooled: new Agent({ connect, keepAliveTimeout: 2_000, keepAliveMaxTimeout: 2_000, keepAliveTimeoutThreshold: 1_000 }),
    fresh: new Agent({ connect, pipelining: 0 }),
  };
  return agents;
}

const BROKEN_CONNECTION = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);
function brokenConnection(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    if (BROKEN_CONNECTION.has(String((e as { code?: unknown }).code))) return true;
  }
  return false;
}

/** fetch() that trusts the test-bed CA; a plain `Response` (status, headers, json(), text()). */
export async function testbedFetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const { pooled, fresh } = testbedAgents();
  const dispatcher = method === 'POST' || method === 'PATCH' ? fresh : pooled;
  // undici's fetch is the global fetch at runtime; the casts bridge the two sets of typings.
  const call = undiciFetch as unknown as (url: string, init: RequestInit) => Promise<Response>;
  const send = () => call(url.toString(), { ...init, signal: init.signal ?? AbortSignal.timeout(TIMEOUT_MS), dispatcher } as unknown as RequestInit);
  try {
    return await send();
  } catch (error) {
    if (!brokenConnection(error) || init.body instanceof ReadableStream) throw error;
    return send();
  }
}

/** A cloud of testbed.json, or a clear error listing the known ones. */
export function testbedCloud(cloud: string): TestbedCloud {
  const clouds = loadTestbed().clouds;
  const found = clouds[cloud];
  if (!found) throw new Error(`cloud ${cloud} is not in testbed.json (known: ${Object.keys(clouds).join(', ')})`);
  return found;
}

/** POSTs a form to an issuer's token endpoint; the answer whatever its status. */
export async function tokenRequest(issuer: string, form: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const res = await testbedFetch(`${issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* keep the text */ }
  return { status: res.status, body };
}

/** Resource owner password grant in a cloud's realm; throws TestbedHttpError (status 401 for a wrong password). */
export async function passwordGrantToken(cloud: string, user: string, password: string, clientId = 'openstack'): Promise<TokenResponse> {
  const { issuer } = testbedCloud(cloud);
  const { status, body } = await tokenRequest(issuer, { grant_type: 'password', client_id: clientId, username: user, password, scope: 'openid' });
  if (status !== 200) {
    throw new TestbedHttpError(status, body, `password grant for ${user} at ${issuer} (client ${clientId}): ${status} ${JSON.stringify(body)}`);
  }
  return body as TokenResponse;
}

let adminToken: { token: string; expiresAt: number } | undefined;

/** An access token of Keycloak's bootstrap admin (master realm, admin-cli); renewed shortly before expiry. */
export async function keycloakAdminToken(): Promise<string> {
  if (adminToken && adminToken.expiresAt > Date.now() + 10_000) return adminToken.token;
  const { keycloak } = loadTestbed();
  const password = readFileSync(keycloak.adminPasswordFile, 'utf8').trim();
  const issuer = `${keycloak.url}/realms/master`;
  const { status, body } = await tokenRequest(issuer, { grant_type: 'password', client_id: 'admin-cli', username: keycloak.adminUser, password });
  if (status !== 200) throw new TestbedHttpError(status, body, `Keycloak admin login at ${issuer}: ${status} ${JSON.stringify(body)}`);
  const token = body as TokenResponse;
  adminToken = { token: token.access_token, expiresAt: Date.now() + token.expires_in * 1000 };
  return token.access_token;
}

/** A call to Keycloak's admin REST API, e.g. `keycloakAdminFetch('/admin/realms')`. */
export async function keycloakAdminFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${await keycloakAdminToken()}`);
  if (!headers.has('Accept')) headers.set('Accept', 'application/json');
  return testbedFetch(`${loadTestbed().keycloak.url}${path}`, { ...init, headers: Object.fromEntries(headers) });
}
