/**
 * The Kubernetes half of the real test bed (scripts/testbed/kube.sh): one kube-apiserver per cloud
 * (https://127.0.0.1:1644{1,2,3} for cloud-a/b/c) on one shared etcd, RBAC, a static admin token and a
 * structured JWT authenticator for the cloud's Keycloak realm.
 *
 * - every cluster is ready and knows the broker's admin (fedbroker-admin in system:masters);
 * - anonymous requests and unknown bearer tokens get nothing;
 * - a realm access token (client `kubernetes`, aud `kubernetes`) is authenticated by its own cloud's
 *   cluster with the `oidc:` prefixes, refused by another cloud's cluster (other issuer), and a token of
 *   client `openstack` (aud `openstack`) is refused.
 *
 * Needs `scripts/testbed/kube.sh up` and, for the OIDC part, Keycloak (scripts/testbed): when Keycloak is
 * not running those tests fail, they are never skipped. Read-only: nothing is created in the clusters.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';

const ROOT = new URL('../..', import.meta.url).pathname;
const TESTBED_DIR = process.env.FEDBROKER_TESTBED_DIR ?? join(ROOT, '.testbed');
const KEYCLOAK_URL = `https://127.0.0.1:${process.env.FEDBROKER_KEYCLOAK_PORT ?? '18443'}`;
const CLUSTERS: Record<string, string> = {
  'cloud-a': 'https://127.0.0.1:16441',
  'cloud-b': 'https://127.0.0.1:16442',
  'cloud-c': 'https://127.0.0.1:16443',
};

const ca = readFileSync(join(TESTBED_DIR, 'ca', 'ca.pem'), 'utf8');
const dispatcher = new Agent({ connect: { ca }, headersTimeout: 15_000, bodyTimeout: 15_000 });
const adminToken = (cloud: string) =>
  readFileSync(join(TESTBED_DIR, 'secrets', `kubernetes-admin-token-${cloud}`), 'utf8').trim();

interface Reply { status: number; text: string; json: unknown }
interface UserInfo { username: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> }
interface SelfSubjectReview { status: { userInfo: UserInfo } }

async function call(url: string, opts: { method?: 'GET' | 'POST'; token?: string; body?: unknown } = {}): Promise<Reply> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await request(url, { method: opts.method ?? 'GET', headers, body, dispatcher });
  const text = await res.body.text();
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.statusCode, text, json };
}

const selfSubjectReview = (cloud: string, token?: string) =>
  call(`${CLUSTERS[cloud]}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
    method: 'POST', token, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  });

function userInfo(reply: Reply): UserInfo {
  assert.equal(reply.status, 201, `SelfSubjectReview: ${reply.status} ${reply.text}`);
  return (reply.json as SelfSubjectReview).status.userInfo;
}

/** Password grant against a realm of the test bed's Keycloak; returns the access token. */
async function passwordGrant(realm: string, clientId: string, user: string): Promise<string> {
  const res = await request(`${KEYCLOAK_URL}/realms/${realm}/protocol/openid-connect/token`, {
    method: 'POST', dispatcher,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: clientId, grant_type: 'password', username: user, password: `${user}-${realm}-pw`, scope: 'openid',
    }).toString(),
  });
  const text = await res.body.text();
  assert.equal(res.statusCode, 200, `password grant ${user}@${realm} (${clientId}): ${res.statusCode} ${text}`);
  const token = (JSON.parse(text) as { access_token?: string }).access_token;
  assert.ok(token, `access token for ${user}@${realm}`);
  return token;
}

for (const [cloud, url] of Object.entries(CLUSTERS)) {
  describe(`kubernetes ${cloud} (${url})`, () => {
    it('is ready for the admin token', async () => {
      const reply = await call(`${url}/readyz`, { token: adminToken(cloud) });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.text, 'ok');
    });

    it('reports the pinned Kubernetes version', async () => {
      const reply = await call(`${url}/version`, { token: adminToken(cloud) });
      assert.equal(reply.status, 200, reply.text);
      assert.match((reply.json as { gitVersion: string }).gitVersion, /^v1\.\d+\.\d+$/);
    });

    it('knows the admin token as fedbroker-admin in system:masters', async () => {
      const user = userInfo(await selfSubjectReview(cloud, adminToken(cloud)));
      assert.equal(user.username, 'fedbroker-admin');
      assert.ok(user.groups?.includes('system:masters'), `groups: ${user.groups}`);
    });

    it('lets the admin list namespaces (RBAC, system:masters)', async () => {
      const reply = await call(`${url}/api/v1/namespaces`, { token: adminToken(cloud) });
      assert.equal(reply.status, 200, reply.text);
      const names = (reply.json as { items: { metadata: { name: string } }[] }).items.map((n) => n.metadata.name);
      assert.ok(names.includes('default') && names.includes('kube-system'), `namespaces: ${names}`);
    });

    it('refuses a SelfSubjectAccessReview without a token (anonymous is not authorized)', async () => {
      const reply = await call(`${url}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`, {
        method: 'POST',
        body: {
          apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { verb: 'list', resource: 'namespaces' } },
        },
      });
      assert.equal(reply.status, 403, reply.text);
      assert.match(reply.text, /system:anonymous/);
    });

    it('answers an unknown bearer token with 401', async () => {
      const reply = await selfSubjectReview(cloud, 'not-a-valid-token');
      assert.equal(reply.status, 401, reply.text);
    });

    it("does not accept another cloud's admin token", async () => {
      const other = Object.keys(CLUSTERS).find((c) => c !== cloud) as string;
      assert.equal((await selfSubjectReview(cloud, adminToken(other))).status, 401);
    });
  });
}

/** Realm tokens, fetched once; when Keycloak is down every OIDC test fails with the same message. */
interface RealmTokens { alice: Record<string, string>; bob: string; aliceOpenstack: string }
let realmTokens: Promise<RealmTokens> | undefined;
function tokens(): Promise<RealmTokens> {
  realmTokens ??= (async () => {
    const discovery = `${KEYCLOAK_URL}/realms/cloud-b/.well-known/openid-configuration`;
    try {
      const res = await request(discovery, { dispatcher });
      await res.body.text();
      assert.equal(res.statusCode, 200);
    } catch (err) {
      assert.fail(`Keycloak is not running or not ready (${discovery}: ${(err as Error).message}); start the test bed's Keycloak first`);
    }
    const alice: Record<string, string> = {};
    for (const cloud of Object.keys(CLUSTERS)) alice[cloud] = await passwordGrant(cloud, 'kubernetes', 'alice');
    return {
      alice,
      bob: await passwordGrant('cloud-b', 'kubernetes', 'bob'),
      aliceOpenstack: await passwordGrant('cloud-b', 'openstack', 'alice'),
    };
  })();
  return realmTokens;
}
const aliceOf = async (realm: string) => (await tokens()).alice[realm] as string;

/**
 * An apiserver initializes its JWT authenticator in the background (issuer discovery, retried every 10 s),
 * so right after `kube.sh up` or a Keycloak start a valid token can still get 401 for a few seconds.
 */
async function reviewWhenIssuerKnown(cloud: string, token: string, waitMs = 25_000): Promise<Reply> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const reply = await selfSubjectReview(cloud, token);
    if (reply.status !== 401 || Date.now() > deadline) return reply;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

describe('kubernetes OIDC: realm tokens (needs Keycloak)', () => {
  for (const cloud of Object.keys(CLUSTERS)) {
    it(`cluster ${cloud} authenticates alice's token of realm ${cloud}`, async () => {
      const user = userInfo(await reviewWhenIssuerKnown(cloud, await aliceOf(cloud)));
      assert.equal(user.username, 'oidc:alice');
    });
  }

  it("cluster cloud-b maps alice's cloud-b token with the oidc: prefixes", async () => {
    const user = userInfo(await selfSubjectReview('cloud-b', await aliceOf('cloud-b')));
    assert.equal(user.username, 'oidc:alice');
    assert.ok(user.groups?.includes('oidc:/projects/p1/members'), `groups: ${user.groups}`);
    assert.ok(user.groups?.includes('system:authenticated'), `groups: ${user.groups}`);
  });

  it('cluster cloud-b authenticates a token without a groups claim (bob has no groups)', async () => {
    const user = userInfo(await selfSubjectReview('cloud-b', (await tokens()).bob));
    assert.equal(user.username, 'oidc:bob');
    assert.deepEqual(user.groups?.filter((g) => g.startsWith('oidc:')), []);
  });

  it('alice is authenticated but not authorized without bindings (RBAC)', async () => {
    const reply = await call(`${CLUSTERS['cloud-b']}/api/v1/namespaces`, { token: await aliceOf('cloud-b') });
    assert.equal(reply.status, 403, reply.text);
    assert.match(reply.text, /oidc:alice/);
  });

  it('cluster cloud-a refuses the cloud-b token (other issuer)', async () => {
    const reply = await selfSubjectReview('cloud-a', await aliceOf('cloud-b'));
    assert.equal(reply.status, 401, reply.text);
  });

  it("every cluster refuses the other realms' tokens", async () => {
    for (const cluster of Object.keys(CLUSTERS)) {
      for (const realm of Object.keys(CLUSTERS).filter((r) => r !== cluster)) {
        const reply = await selfSubjectReview(cluster, await aliceOf(realm));
        assert.equal(reply.status, 401, `cluster ${cluster}, token of realm ${realm}: ${reply.status} ${reply.text}`);
      }
    }
  });

  it('cluster cloud-b refuses a token of client openstack (aud openstack)', async () => {
    const reply = await selfSubjectReview('cloud-b', (await tokens()).aliceOpenstack);
    assert.equal(reply.status, 401, reply.text);
  });
});
