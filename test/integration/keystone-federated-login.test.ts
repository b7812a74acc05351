// End to end on the real test bed: the broker's rendered Keystone configuration for cloud-b, applied
// by the real adapter, then real federated logins through Apache + mod_auth_openidc with access
// tokens of realm cloud-b shaped like brokered users' tokens (home_cloud, namespaced groups,
// audience), and Keystone's answer compared with explainKeystone on the same token's claims.
// Keycloak side (made and removed here): one temporary user per simulated brokered user and one
// public client per claim set (hard-coded home_cloud / groups claims, audience mapper). Keystone
// Zed allows one IdP per remote id, so the realm issuer is taken from any other IdP meanwhile.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createKeystoneAdmin } from '../../src/adapters/keystone/factory.ts';
import type { KeystoneAdmin } from '../../src/adapters/keystone/admin.ts';
import { explainKeystone, type Claims } from '../../src/core/explain/keystone.ts';
import { diff, isEmptyPlan } from '../../src/core/plan/diff.ts';
import { renderPartnerKeystone } from '../../src/core/render/keystone/index.ts';
import { KEYSTONE_KIND_ORDER, KEYSTONE_SCOPE, type KeystoneCapabilities } from '../../src/core/render/keystone/model.ts';
import type { CloudSpec } from '../../src/core/federation/schema.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { keycloakAdminFetch, loadTestbed, testbedCloud, testbedFetch, tokenRequest } from '../support/testbed.ts';
import { testbedKeystoneCloud } from '../support/keystone-testbed.ts';

const TARGET = 'cloud-b';
const tag = `e2e${randomBytes(3).toString('hex')}`;
const { issuer, keystone: ks } = testbedCloud(TARGET);
const spec = exampleSpec((doc) => {
  doc.metadata.name = `login-${tag}`;
  doc.naming.keystoneDomain = `${tag}-{homeCloud}`;
  for (const c of doc.clouds) c.keystone.identityProvider = `idp-${tag}`;
  for (const rule of doc.policy) { delete rule.examples; for (const g of rule.grant) for (const k of g.keystone) k.project = `${k.project}-${tag}`; }
});
const idp = `idp-${tag}`;

interface Persona { user: string; home: string; groups: string[]; audience: boolean }
const PERSONAS: Record<string, Persona> = {
  alice: { user: `cloud-a.alice-${tag}`, home: 'cloud-a', groups: ['/cloud-a:/projects/p1/members'], audience: true },
  bob: { user: `cloud-a.bob-${tag}`, home: 'cloud-a', groups: [], audience: true },
  carol: { user: `cloud-c.carol-${tag}`, home: 'cloud-c', groups: ['/cloud-c:/projects/p1/admins', '/cloud-c:/projects/p1/members'], audience: true },
  noAudience: { user: `cloud-a.alice-${tag}`, home: 'cloud-a', groups: ['/cloud-a:/projects/p1/members'], audience: false },
  wrongHome: { user: `cloud-a.alice-${tag}`, home: 'cloud-c', groups: ['/cloud-a:/projects/p1/members'], audience: true },
};
const password = `pw-${randomBytes(8).toString('hex')}`;
const realmPath = `/admin/realms/${testbedCloud(TARGET).realm}`;
const undo: (() => Promise<unknown>)[] = [];

async function kc(path: string, method: string, body?: unknown): Promise<Response> {
  const res = await keycloakAdminFetch(`${realmPath}${path}`, { method, ...(body !== undefined && { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }) });
  assert.ok(res.ok, `Keycloak ${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return res;
}
const idFrom = (res: Response) => (res.headers.get('location') ?? '').split('/').pop() as string;
const mapper = (name: string, protocolMapper: string, config: Record<string, string>) =>
  ({ name, protocol: 'openid-connect', protocolMapper, config: { ...config, 'access.token.claim': 'true', 'id.token.claim': 'false', 'userinfo.token.claim': 'false' } });

async function ks_(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; token: string | null }> {
  const res = await testbedFetch(`${ks.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, token: res.headers.get('x-subject-token') };
}

async function login(persona: string): Promise<{ claims: Claims; reply: Awaited<ReturnType<typeof ks_>> }> {
  const p = PERSONAS[persona] as Persona;
  const answer = await tokenRequest(issuer, { grant_type: 'password', client_id: `${tag}-${persona}`, username: p.user, password, scope: 'openid' });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const accessToken = (answer.body as { access_token: string }).access_token;
  const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] as string, 'base64url').toString()) as Claims;
  const reply = await ks_(`/v3/OS-FEDERATION/identity_providers/${idp}/protocols/openid/auth`, { method: 'POST', headers: { Authorization: `Bearer ${accessToken}` } });
  return { claims, reply };
}

describe(`federated logins into Keystone ${TARGET} with the broker's mapping`, () => {
  let admin: KeystoneAdmin;
  let capabilities: KeystoneCapabilities;
  const desired = () => renderPartnerKeystone(spec, spec.clouds.find((c) => c.alias === TARGET) as CloudSpec, capabilities);

  before(async () => {
    loadTestbed();
    admin = await createKeystoneAdmin(testbedKeystoneCloud(TARGET), '/');
    capabilities = await admin.capabilities();
    undo.push(await freeRemoteId(issuer));
    const plan = diff(desired(), await admin.observe(KEYSTONE_SCOPE, spec.metadata.name, desired()), KEYSTONE_KIND_ORDER);
    undo.push(() => offboard(admin));
    for (const change of plan.changes) await admin.apply(change, change.desired?.writeOnly as Record<string, never> ?? {});
    for (const user of new Set(Object.values(PERSONAS).map((p) => p.user))) {
      const id = idFrom(await kc('/users', 'POST', { username: user, enabled: true, emailVerified: true, firstName: 'Test', lastName: tag, email: `${user}@test.example`,
        credentials: [{ type: 'password', value: password, temporary: false }] }));
      undo.push(() => kc(`/users/${id}`, 'DELETE'));
    }
    for (const [persona, p] of Object.entries(PERSONAS)) {
      const id = idFrom(await kc('/clients', 'POST', {
        clientId: `${tag}-${persona}`, publicClient: true, directAccessGrantsEnabled: true, standardFlowEnabled: false, protocol: 'openid-connect',
        protocolMappers: [
          mapper('home_cloud', 'oidc-hardcoded-claim-mapper', { 'claim.name': 'home_cloud', 'claim.value': p.home, 'jsonType.label': 'String' }),
          ...(p.groups.length > 0 ? [mapper('groups', 'oidc-hardcoded-claim-mapper', { 'claim.name': 'groups', 'claim.value': JSON.stringify(p.groups), 'jsonType.label': 'JSON' })] : []),
          ...(p.audience ? [mapper('audience', 'oidc-audience-mapper', { 'included.custom.audience': 'openstack' })] : []),
        ],
      }));
      undo.push(() => kc(`/clients/${id}`, 'DELETE'));
    }
  });

  after(async () => {
    const errors: unknown[] = [];
    for (let step = undo.pop(); step; step = undo.pop()) await step().catch((e: unknown) => errors.push(e));
    await admin?.close();
    if (errors.length > 0) throw new AggregateError(errors, 'clean-up failed');
  });

  it('applied the configuration: a second plan is empty', async () => {
    assert.ok(isEmptyPlan(diff(desired(), await admin.observe(KEYSTONE_SCOPE, spec.metadata.name, desired()), KEYSTONE_KIND_ORDER)));
  });

  for (const persona of ['alice', 'bob', 'carol']) {
    it(`${persona}: Keystone's answer is what explain predicts (user, domain, groups, projects, roles)`, async () => {
      const { claims, reply } = await login(persona);
      const predicted = explainKeystone(spec, claims, TARGET, capabilities);
      assert.equal(predicted.outcome, 'authenticated', JSON.stringify(predicted));
      if (predicted.outcome !== 'authenticated') return;
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      const user = (reply.body as { token: { user: { name: string; domain: { name: string }; 'OS-FEDERATION': { groups: { id: string }[] } } } }).token.user;
      assert.deepEqual([user.name, user.domain.name], [predicted.user.name, predicted.user.domain]);
      const groupNames = await Promise.all(user['OS-FEDERATION'].groups.map(async (g) => {
        const { group } = (await ks_(`/v3/groups/${g.id}`, { headers: { 'X-Auth-Token': await adminToken() } })).body as { group: { name: string; domain_id: string } };
        return group.name;
      }));
      assert.deepEqual(groupNames.sort(), predicted.groups.map((g) => g.name).sort());
      const projects = (await ks_('/v3/auth/projects', { headers: { 'X-Auth-Token': reply.token as string } })).body as { projects: { id: string; name: string }[] };
      assert.deepEqual(projects.projects.map((p) => p.name).sort(), predicted.projects.map((p) => p.project).sort());
      for (const project of projects.projects) {
        const scoped = await ks_('/v3/auth/tokens', { method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ auth: { identity: { methods: ['token'], token: { id: reply.token } }, scope: { project: { id: project.id } } } }) });
        const roles = ((scoped.body as { token: { roles: { name: string }[] } }).token.roles).map((r) => r.name);
        const expected = predicted.projects.find((p) => p.project === project.name)?.roles ?? [];
        assert.ok(expected.every((r) => roles.includes(r)), `${project.name}: ${roles.join(',')} ⊇ ${expected.join(',')}`);
        assert.ok(!roles.includes('admin'), 'never admin');
      }
    });
  }

  for (const [persona, why] of [['noAudience', 'a token without the Keystone audience'], ['wrongHome', 'a home_cloud that does not own the user name']] as const) {
    it(`refuses ${why} with 401, as explain predicts`, async () => {
      const { claims, reply } = await login(persona);
      const predicted = explainKeystone(spec, claims, TARGET, capabilities);
      assert.deepEqual([predicted.outcome, predicted.outcome === 'refused' && predicted.status], ['refused', 401]);
      assert.equal(reply.status, 401, JSON.stringify(reply.body));
    });
  }

  it('lists the shadow users it made, in the identity provider\'s domain on Zed', async () => {
    const users = await admin.federatedUsers(idp);
    assert.ok(users.some((u) => u.name === PERSONAS.alice?.user && u.domain === `fed-idp-${idp}`), JSON.stringify(users));
  });
});

let cachedAdminToken: string | undefined;
async function adminToken(): Promise<string> {
  if (cachedAdminToken) return cachedAdminToken;
  const { readFileSync } = await import('node:fs');
  const reply = await ks_('/v3/auth/tokens', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ auth: {
    identity: { methods: ['password'], password: { user: { name: ks.adminUser, domain: { id: 'default' }, password: readFileSync(ks.adminPasswordFile, 'utf8').trim() } } },
    scope: { project: { name: 'admin', domain: { id: 'default' } } } } }) });
  cachedAdminToken = reply.token ?? '';
  return cachedAdminToken;
}

/** Takes `remoteId` out of every other IdP's remote_ids; returns the undo. */
async function freeRemoteId(remoteId: string): Promise<() => Promise<void>> {
  const headers = { 'X-Auth-Token': await adminToken(), 'Content-Type': 'application/json' };
  const { identity_providers: all } = (await ks_('/v3/OS-FEDERATION/identity_providers', { headers })).body as { identity_providers: { id: string; remote_ids: string[] }[] };
  const holders = all.filter((i) => i.remote_ids.includes(remoteId));
  const patch = (id: string, remoteIds: string[]) => ks_(`/v3/OS-FEDERATION/identity_providers/${id}`, { method: 'PATCH', headers, body: JSON.stringify({ identity_provider: { remote_ids: remoteIds } }) });
  for (const i of holders) await patch(i.id, i.remote_ids.filter((r) => r !== remoteId));
  return async () => { for (const i of holders) await patch(i.id, i.remote_ids); };
}

async function offboard(admin: KeystoneAdmin): Promise<void> {
  const ours = (await admin.observe(KEYSTONE_SCOPE, spec.metadata.name, [])).filter((o) => o.managed);
  for (const change of diff([], ours, KEYSTONE_KIND_ORDER).changes) await admin.apply(change, {});
  const left = (await admin.observe(KEYSTONE_SCOPE, spec.metadata.name, [])).filter((o) => o.managed);
  assert.deepEqual(left.map((o) => `${o.kind} ${o.name}`), [], 'offboarding removed everything it owns');
  assert.deepEqual(await admin.federatedUsers(idp), [], 'and the identity provider\'s shadow users');
  const domains = (await ks_('/v3/domains', { headers: { 'X-Auth-Token': await adminToken() } })).body as { domains: { name: string }[] };
  assert.ok(!domains.domains.some((d) => d.name.includes(tag)), 'every domain it made is gone (none merely released)');
}
