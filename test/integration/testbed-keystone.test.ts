/**
 * The Keystone half of the real test bed (scripts/testbed/keystone.sh): one Keystone (Zed, sqlite) per
 * cloud behind Apache + mod_auth_openidc that accepts bearer tokens of that cloud's Keycloak realm.
 *
 * - admin password login per cloud;
 * - OS-FEDERATION identity provider / mapping / protocol create, read, delete;
 * - the smoke test of the whole path: realm access token → Apache → Keystone mapping → federated token,
 *   scoped to a project through a group role; wrong, missing and foreign-realm bearers are refused;
 * - client-sent OIDC-* headers never reach the mapping.
 *
 * Every object gets a unique name and is removed in `after`. Keystone Zed refuses a remote id that
 * another identity provider already holds (409), so the tests take the realm issuer away from any
 * existing identity provider for their duration and give it back afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadTestbed, passwordGrantToken, testbedCloud, testbedFetch, userPassword } from '../support/testbed.ts';

const CLOUDS = Object.keys(loadTestbed().clouds);
const FEDERATION = '/v3/OS-FEDERATION';

interface Reply { status: number; headers: Headers; body: unknown; text: string }
interface IdentityProvider { id: string; remote_ids: string[]; domain_id: string; enabled: boolean }
interface TokenBody {
  token: {
    user: { id: string; name: string; domain: { id: string }; 'OS-FEDERATION'?: { groups: { id: string }[]; identity_provider: { id: string }; protocol: { id: string } } };
    roles?: { id: string; name: string }[];
    project?: { id: string; name: string };
  };
}

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
/** The realm whose tokens a cloud's Keystone must refuse (any other realm of the same Keycloak). */
const foreignCloud = (cloud: string) => CLOUDS[(CLOUDS.indexOf(cloud) + CLOUDS.length - 1) % CLOUDS.length] as string;

async function accessToken(cloud: string, user: string, clientId = 'openstack'): Promise<string> {
  return (await passwordGrantToken(cloud, user, userPassword(cloud, user), clientId)).access_token;
}

async function request(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  const res = await testbedFetch(url, init);
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { /* Apache error pages are HTML */ }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** A Keystone admin session (project-scoped admin token) on one cloud. */
class Keystone {
  private constructor(readonly url: string, readonly token: string) {}

  static async login(cloud: string): Promise<{ keystone: Keystone; reply: Reply }> {
    const { keystone } = testbedCloud(cloud);
    const body = { auth: {
      identity: { methods: ['password'], password: { user: {
        name: keystone.adminUser, domain: { id: 'default' }, password: readFileSync(keystone.adminPasswordFile, 'utf8').trim(),
      } } },
      scope: { project: { name: 'admin', domain: { id: 'default' } } },
    } };
    const reply = await request(`${keystone.url}/v3/auth/tokens`, 'POST', body);
    assert.equal(reply.status, 201, `admin login on ${cloud}: ${reply.text}`);
    return { keystone: new Keystone(keystone.url, reply.headers.get('x-subject-token') ?? ''), reply };
  }

  call(method: string, path: string, body?: unknown): Promise<Reply> {
    return request(this.url + path, method, body, { 'X-Auth-Token': this.token });
  }

  async ok<T>(method: string, path: string, body?: unknown, status = method === 'PUT' || method === 'POST' ? 201 : method === 'DELETE' ? 204 : 200): Promise<T> {
    const reply = await this.call(method, path, body);
    assert.equal(reply.status, status, `${method} ${path}: ${reply.text}`);
    return reply.body as T;
  }

  /** DELETE that tolerates an already deleted object (cleanup). */
  async remove(path: string): Promise<void> {
    const reply = await this.call('DELETE', path);
    assert.ok([204, 404].includes(reply.status), `DELETE ${path}: ${reply.status} ${reply.text}`);
  }

  async removeDomain(id: string): Promise<void> {
    if ((await this.call('PATCH', `/v3/domains/${id}`, { domain: { enabled: false } })).status === 404) return;
    await this.remove(`/v3/domains/${id}`);
  }

  /** Takes `issuer` out of every identity provider's remote_ids; returns the undo. */
  async freeRemoteId(issuer: string): Promise<() => Promise<void>> {
    const { identity_providers: all } = await this.ok<{ identity_providers: IdentityProvider[] }>('GET', `${FEDERATION}/identity_providers`);
    const holders = all.filter((idp) => idp.remote_ids.includes(issuer));
    for (const idp of holders) {
      await this.ok('PATCH', `${FEDERATION}/identity_providers/${idp.id}`, { identity_provider: { remote_ids: idp.remote_ids.filter((r) => r !== issuer) } });
    }
    return async () => {
      for (const idp of holders) {
        await this.ok('PATCH', `${FEDERATION}/identity_providers/${idp.id}`, { identity_provider: { remote_ids: idp.remote_ids } });
      }
    };
  }
}

/** Undo steps run last-in first-out, each even if an earlier one failed. */
class Cleanup {
  private steps: (() => Promise<unknown>)[] = [];
  push(step: () => Promise<unknown>): void { this.steps.push(step); }
  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try { await step(); } catch (error) { errors.push(error); }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'cleanup failed');
  }
}

for (const cloud of CLOUDS) {
  const { issuer, keystone: ks } = testbedCloud(cloud);

  describe(`test bed Keystone ${cloud} (${ks.url})`, () => {
    it('issues a project-scoped admin token for a password login', async () => {
      const { keystone, reply } = await Keystone.login(cloud);
      assert.match(keystone.token, /^gAAAAA/, 'X-Subject-Token is a fernet token');
      const { token } = reply.body as TokenBody;
      assert.equal(token.project?.name, 'admin');
      assert.ok(token.roles?.some((r) => r.name === 'admin'));
    });

    it('creates, reads and deletes an identity provider, mapping and openid protocol', async () => {
      const { keystone } = await Keystone.login(cloud);
      const cleanup = new Cleanup();
      const name = unique('it');
      const idpPath = `${FEDERATION}/identity_providers/${name}`;
      const mappingPath = `${FEDERATION}/mappings/${name}`;
      const protocolPath = `${idpPath}/protocols/openid`;
      try {
        cleanup.push(await keystone.freeRemoteId(issuer));
        const { identity_provider: idp } = await keystone.ok<{ identity_provider: IdentityProvider }>('PUT', idpPath,
          { identity_provider: { remote_ids: [issuer], enabled: true, description: 'testbed-keystone.test.ts' } });
        cleanup.push(() => keystone.removeDomain(idp.domain_id));
        cleanup.push(() => keystone.remove(idpPath));
        assert.deepEqual(idp.remote_ids, [issuer]);
        await keystone.ok('PUT', mappingPath, { mapping: { rules: [
          { local: [{ user: { name: '{0}' } }], remote: [{ type: 'OIDC-preferred_username' }] },
        ] } });
        cleanup.push(() => keystone.remove(mappingPath));
        await keystone.ok('PUT', protocolPath, { protocol: { mapping_id: name } });
        cleanup.push(() => keystone.remove(protocolPath));

        assert.deepEqual((await keystone.ok<{ identity_provider: IdentityProvider }>('GET', idpPath)).identity_provider.remote_ids, [issuer]);
        assert.equal((await keystone.ok<{ mapping: { rules: unknown[] } }>('GET', mappingPath)).mapping.rules.length, 1);
        assert.equal((await keystone.ok<{ protocol: { mapping_id: string } }>('GET', protocolPath)).protocol.mapping_id, name);
        assert.equal((await keystone.call('PUT', idpPath, { identity_provider: { remote_ids: [] } })).status, 409, 'PUT of an existing IdP');

        await keystone.ok('DELETE', protocolPath);
        await keystone.ok('DELETE', mappingPath);
        await keystone.ok('DELETE', idpPath);
        for (const path of [protocolPath, mappingPath, idpPath]) {
          assert.equal((await keystone.call('GET', path)).status, 404, `GET ${path} after delete`);
        }
      } finally {
        await cleanup.run();
      }
    });
  });

  describe(`federated bearer login on ${cloud} through Apache + mod_auth_openidc`, () => {
    const cleanup = new Cleanup();
    const name = unique('smoke');
    const authPath = `${FEDERATION}/identity_providers/${name}/protocols/openid/auth`;
    let keystone: Keystone;
    let domainId = '';
    let groupId = '';
    let projectId = '';
    const bearer: Record<string, string> = {};

    before(async () => {
      bearer.alice = await accessToken(cloud, 'alice');
      bearer.bob = await accessToken(cloud, 'bob');
      bearer.foreign = await accessToken(foreignCloud(cloud), 'alice');
      bearer.kubernetes = await accessToken(cloud, 'alice', 'kubernetes');
      ({ keystone } = await Keystone.login(cloud));
      cleanup.push(await keystone.freeRemoteId(issuer));
      const { domain } = await keystone.ok<{ domain: { id: string } }>('POST', '/v3/domains', { domain: { name } });
      domainId = domain.id;
      cleanup.push(() => keystone.removeDomain(domainId));
      const { project } = await keystone.ok<{ project: { id: string } }>('POST', '/v3/projects', { project: { name, domain_id: 'default' } });
      projectId = project.id;
      cleanup.push(() => keystone.remove(`/v3/projects/${projectId}`));
      const { group } = await keystone.ok<{ group: { id: string } }>('POST', '/v3/groups', { group: { name, domain_id: 'default' } });
      groupId = group.id;
      cleanup.push(() => keystone.remove(`/v3/groups/${groupId}`));
      const { roles } = await keystone.ok<{ roles: { id: string }[] }>('GET', '/v3/roles?name=member');
      assert.equal(roles.length, 1, 'bootstrap created role member');
      await keystone.ok('PUT', `/v3/projects/${projectId}/groups/${groupId}/roles/${roles[0]?.id}`, undefined, 204);

      await keystone.ok('PUT', `${FEDERATION}/identity_providers/${name}`, { identity_provider: { remote_ids: [issuer], enabled: true, domain_id: domainId } });
      cleanup.push(() => keystone.remove(`${FEDERATION}/identity_providers/${name}`));
      // Rule 1: anybody whose token is meant for the openstack client; rule 2: group by realm group path.
      await keystone.ok('PUT', `${FEDERATION}/mappings/${name}`, { mapping: { rules: [
        { local: [{ user: { name: '{0}' } }],
          remote: [{ type: 'OIDC-preferred_username' }, { type: 'OIDC-aud', any_one_of: ['openstack'] }] },
        { local: [{ group: { name, domain: { id: 'default' } } }],
          remote: [{ type: 'OIDC-aud', any_one_of: ['openstack'] }, { type: 'OIDC-groups', any_one_of: ['/projects/p1/members'] }] },
      ] } });
      cleanup.push(() => keystone.remove(`${FEDERATION}/mappings/${name}`));
      await keystone.ok('PUT', `${FEDERATION}/identity_providers/${name}/protocols/openid`, { protocol: { mapping_id: name } });
      cleanup.push(() => keystone.remove(`${FEDERATION}/identity_providers/${name}/protocols/openid`));

    });
    after(() => cleanup.run());

    const federatedLogin = (token?: string, headers: Record<string, string> = {}) =>
      request(ks.url + authPath, 'POST', undefined, token === undefined ? headers : { ...headers, Authorization: `Bearer ${token}` });

    it('exchanges a realm access token for a federated Keystone token', async () => {
      const reply = await federatedLogin(bearer.alice);
      assert.equal(reply.status, 201, reply.text);
      assert.match(reply.headers.get('x-subject-token') ?? '', /^gAAAAA/);
      const { user } = (reply.body as TokenBody).token;
      assert.equal(user.name, 'alice');
      assert.equal(user.domain.id, domainId, 'shadow users live in the identity provider\'s domain');
      assert.equal(user['OS-FEDERATION']?.identity_provider.id, name);
      assert.equal(user['OS-FEDERATION']?.protocol.id, 'openid');
      assert.deepEqual(user['OS-FEDERATION']?.groups.map((g) => g.id), [groupId]);
    });

    it('scopes the federated token to the project its group has role member on', async () => {
      const unscoped = (await federatedLogin(bearer.alice)).headers.get('x-subject-token') ?? '';
      const projects = await request(`${ks.url}/v3/auth/projects`, 'GET', undefined, { 'X-Auth-Token': unscoped });
      assert.deepEqual((projects.body as { projects: { id: string }[] }).projects.map((p) => p.id), [projectId]);
      const scoped = await request(`${ks.url}/v3/auth/tokens`, 'POST', {
        auth: { identity: { methods: ['token'], token: { id: unscoped } }, scope: { project: { id: projectId } } },
      });
      assert.equal(scoped.status, 201, scoped.text);
      const { token } = scoped.body as TokenBody;
      assert.equal(token.project?.id, projectId);
      assert.equal(token.user.name, 'alice');
      const roles = (token.roles ?? []).map((r) => r.name);
      assert.ok(roles.includes('member'), `roles ${roles.join(',')}`);
      assert.ok(!roles.includes('admin'));
    });

    it('gives a user outside the realm group a token without groups or projects', async () => {
      const reply = await federatedLogin(bearer.bob);
      assert.equal(reply.status, 201, reply.text);
      const { user } = (reply.body as TokenBody).token;
      assert.equal(user.name, 'bob');
      assert.deepEqual(user['OS-FEDERATION']?.groups, []);
    });

    it('answers 401 without a bearer and for a garbage bearer', async () => {
      assert.equal((await federatedLogin()).status, 401);
      assert.equal((await federatedLogin('garbage')).status, 401);
      const [header, payload] = (bearer.alice as string).split('.');
      assert.equal((await federatedLogin(`${header}.${payload}.${'A'.repeat(86)}`)).status, 401, 'forged signature');
    });

    it(`answers 401 for a token of another realm (${foreignCloud(cloud)})`, async () => {
      assert.equal((await federatedLogin(bearer.foreign)).status, 401);
    });

    it('answers 401 for a token of the same realm meant for another client (aud is checked by the mapping only)', async () => {
      const reply = await federatedLogin(bearer.kubernetes);
      assert.equal(reply.status, 401, reply.text);
      assert.match(reply.text, /"error"/, 'the refusal comes from Keystone (JSON), not from Apache');
    });

    it('never lets client-sent OIDC-* headers reach the mapping', async () => {
      const spoofed = {
        'OIDC-preferred_username': 'mallory',
        'OIDC-groups': '/projects/p1/members',
        'OIDC-iss': issuer,
        'OIDC-aud': 'openstack',
        'OIDC-CLAIM-preferred_username': 'mallory',
        'REMOTE-USER': 'mallory',
      };
      const withBearer = await federatedLogin(bearer.bob, spoofed);
      assert.equal(withBearer.status, 201, withBearer.text);
      const { user } = (withBearer.body as TokenBody).token;
      assert.equal(user.name, 'bob', 'user name comes from the token, not from a header');
      assert.deepEqual(user['OS-FEDERATION']?.groups, [], 'no group from a spoofed OIDC-groups header');

      assert.equal((await federatedLogin(undefined, spoofed)).status, 401, 'headers alone do not authenticate');
      const direct = await request(`${ks.url}/v3/auth/tokens`, 'POST', {
        auth: { identity: { methods: ['openid'], openid: { identity_provider: name, protocol: 'openid' } } },
      }, spoofed);
      assert.ok(direct.status >= 400 && direct.status < 500, `openid method on /v3/auth/tokens with spoofed headers: ${direct.status} ${direct.text}`);
    });
  });
}
