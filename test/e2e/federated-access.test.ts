// Acceptance of what brokered users get downstream, with real tokens from real brokered logins:
// Keystone (federated tokens through Apache, project roles from policy, the openstack CLI, removal at
// home) and Kubernetes (SelfSubjectAccessReview with the partner realm's token).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext } from '../support/browser.ts';
import { brokeredLogin, partnerToken } from '../support/brokered-login.ts';
import { DEMO_SPEC, fedbroker } from '../support/federation.ts';
import { adminJson, deleteUserIfPresent, findUser } from '../support/keycloak-admin.ts';
import { loadTestbed, testbedCloud, testbedFetch, userPassword } from '../support/testbed.ts';

const PARTNER = 'cloud-b';

async function tokensFor(browser: Browser, home: string, user: string): Promise<{ openstack: string; kubernetes: string }> {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    await brokeredLogin(page, { partner: PARTNER, home, user, password: userPassword(home, user) });
    return { openstack: (await partnerToken(page, PARTNER, 'openstack')).access_token, kubernetes: (await partnerToken(page, PARTNER, 'kubernetes')).access_token };
  } finally {
    await context.close();
  }
}

async function keystoneLogin(accessToken: string): Promise<{ status: number; token?: string }> {
  const res = await testbedFetch(`${testbedCloud(PARTNER).keystone.url}/v3/OS-FEDERATION/identity_providers/keycloak/protocols/openid/auth`,
    { method: 'POST', headers: { Authorization: `Bearer ${accessToken}` } });
  await res.text();
  return { status: res.status, ...(res.headers.get('x-subject-token') && { token: res.headers.get('x-subject-token') as string }) };
}

async function keystoneJson(path: string, token: string, init: RequestInit = {}): Promise<{ status: number; body: any; subject: string | null }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await testbedFetch(`${testbedCloud(PARTNER).keystone.url}${path}`, { ...init, headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json', ...init.headers } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, subject: res.headers.get('x-subject-token') };
}

async function projectRoles(unscoped: string, project: string): Promise<string[]> {
  const scoped = await keystoneJson('/v3/auth/tokens', unscoped, { method: 'POST', body: JSON.stringify({ auth: {
    identity: { methods: ['token'], token: { id: unscoped } }, scope: { project: { name: project, domain: { name: 'Default' } } } } }) });
  assert.equal(scoped.status, 201, JSON.stringify(scoped.body));
  // A role that reaches the token twice (a persistent membership made by sync and the same group from the mapping) is one role.
  return [...new Set<string>(scoped.body.token.roles.map((r: { name: string }) => r.name))].sort();
}

async function canI(token: string, verb: string, resource: string, namespace: string): Promise<boolean> {
  const res = await testbedFetch(`${testbedCloud(PARTNER).kubernetes.url}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace, verb, resource } } }),
  });
  const body = await res.json() as { status?: { allowed?: boolean } };
  assert.equal(res.status, 201, JSON.stringify(body));
  return body.status?.allowed === true;
}

describe('federated access in cloud-b for users of cloud-a', () => {
  let browser: Browser;
  let alice: { openstack: string; kubernetes: string };
  let bob: { openstack: string; kubernetes: string };

  before(async () => {
    const apply = fedbroker('apply', DEMO_SPEC, '--yes');
    assert.equal(apply.status, 0, apply.stderr);
    browser = await launchBrowser();
    alice = await tokensFor(browser, 'cloud-a', 'alice');
    bob = await tokensFor(browser, 'cloud-a', 'bob');
  });
  after(async () => { await browser?.close(); });

  it('alice gets a federated Keystone token through Apache and exactly the p1 roles policy grants', async () => {
    const login = await keystoneLogin(alice.openstack);
    assert.equal(login.status, 201);
    const projects = await keystoneJson('/v3/auth/projects', login.token as string);
    assert.deepEqual(projects.body.projects.map((p: { name: string }) => p.name), ['p1']);
    // Policy grants `member`; Keystone adds the roles it implies (its bootstrap makes member imply reader).
    const implied = await impliedRoles(['member']);
    assert.deepEqual(await projectRoles(login.token as string, 'p1'), [...new Set(['member', ...implied])].sort());
    assert.ok(!implied.includes('admin'));
    const me = await keystoneJson('/v3/auth/tokens', login.token as string, { headers: { 'X-Subject-Token': login.token as string } });
    assert.equal(me.body.token.user.name, 'cloud-a.alice');
  });

  it('grants come from the groups of the user\'s own home domain: fed-cloud-a for alice, fed-cloud-c for carol (SAML home)', async () => {
    // A first login: an earlier run (or an interrupted first login) may have left a cloud-c.carol without
    // its link, which the broker's first-login flow refuses by design (no linking to existing accounts).
    await deleteUserIfPresent(PARTNER, 'cloud-c.carol');
    const carol = await tokensFor(browser, 'cloud-c', 'carol');
    const admin = await keystoneAdminToken();
    const domainsOfGroups = async (accessToken: string) => {
      const unscoped = (await keystoneLogin(accessToken)).token as string;
      const me = await keystoneJson('/v3/auth/tokens', unscoped, { headers: { 'X-Subject-Token': unscoped } });
      const groups = me.body.token.user['OS-FEDERATION'].groups as { id: string }[];
      const domains = new Set<string>();
      for (const g of groups) {
        const group = (await keystoneJson(`/v3/groups/${g.id}`, admin)).body.group;
        domains.add((await keystoneJson(`/v3/domains/${group.domain_id}`, admin)).body.domain.name);
      }
      return { unscoped, domains: [...domains] };
    };
    assert.deepEqual((await domainsOfGroups(alice.openstack)).domains, ['fed-cloud-a']);
    const c = await domainsOfGroups(carol.openstack);
    assert.deepEqual(c.domains, ['fed-cloud-c']);
    const implied = await impliedRoles(['member', 'load-balancer_member']);
    assert.deepEqual(await projectRoles(c.unscoped, 'p1'), [...new Set(['load-balancer_member', 'member', ...implied])].sort());
  });

  it('explain agrees with what Keystone and Kubernetes gave alice and bob', async () => {
    const explained = (who: string) => {
      const run = fedbroker('explain', DEMO_SPEC, who, '-o', 'json');
      assert.equal(run.status, 0, run.stderr);
      return JSON.parse(run.stdout).partners.find((p: { cloud: string }) => p.cloud === PARTNER);
    };
    const a = explained('cloud-a:alice');
    assert.equal(a.username, 'cloud-a.alice');
    assert.deepEqual(a.keystone.projects.map((p: { project: string; roles: string[] }) => [p.project, p.roles]), [['p1', ['member']]]);
    const login = await keystoneLogin(alice.openstack);
    const roles = await projectRoles(login.token as string, 'p1');
    const implied = await impliedRoles(['member']);
    assert.deepEqual(roles.filter((r) => !implied.includes(r) || r === 'member'), a.keystone.projects[0].roles);
    const grants = a.kubernetes[0].grants.map((g: { namespace: string; binding: { roleRef: { name: string } } }) => [g.namespace, g.binding.roleRef.name]);
    assert.deepEqual(grants, [['p1', 'view']]);
    assert.equal(await canI(alice.kubernetes, 'list', 'pods', 'p1'), true);
    const b = explained('cloud-a:bob');
    assert.deepEqual(b.keystone.projects, []);
    assert.deepEqual(b.kubernetes[0].grants, []);
  });

  it('bob, in no policy group, gets a token but no project', async () => {
    const login = await keystoneLogin(bob.openstack);
    assert.equal(login.status, 201);
    assert.deepEqual((await keystoneJson('/v3/auth/projects', login.token as string)).body.projects, []);
  });

  it('the openstack CLI (v3oidcaccesstoken) does the same', () => {
    const cli = (token: string) => JSON.parse(execFileSync('/usr/bin/openstack', ['token', 'issue', '-f', 'json',
      '--os-auth-type', 'v3oidcaccesstoken', '--os-auth-url', `${testbedCloud(PARTNER).keystone.url}/v3`, '--os-identity-provider', 'keycloak',
      '--os-protocol', 'openid', '--os-access-token', token, '--os-project-name', 'p1', '--os-project-domain-name', 'Default',
      '--os-cacert', loadTestbed().caFile], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' }, timeout: 60_000 }));
    assert.ok(cli(alice.openstack).project_id);
    assert.throws(() => cli(bob.openstack), 'bob cannot scope to p1');
  });

  it('a cloud-b token minted for another client (wrong audience) gets no Keystone token', async () => {
    assert.equal((await keystoneLogin(alice.kubernetes)).status, 401);
  });

  it('Kubernetes: alice may view in p1 and nothing elsewhere; bob may nothing', async () => {
    assert.equal(await canI(alice.kubernetes, 'list', 'pods', 'p1'), true);
    assert.equal(await canI(alice.kubernetes, 'create', 'pods', 'p1'), false, 'view only');
    assert.equal(await canI(alice.kubernetes, 'list', 'pods', 'default'), false);
    assert.equal(await canI(bob.kubernetes, 'list', 'pods', 'p1'), false);
  });

  it('Kubernetes rejects a token for another audience', async () => {
    const res = await testbedFetch(`${testbedCloud(PARTNER).kubernetes.url}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`, {
      method: 'POST', headers: { Authorization: `Bearer ${alice.openstack}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'p1', verb: 'list', resource: 'pods' } } }) });
    assert.equal(res.status, 401);
  });

  // Role sync may have pre-provisioned alice (a persistent Keystone membership): the removal at home
  // reaches cloud-b through it, as the broker's event path or periodic sync would carry it.
  it('after alice leaves the home group and sync runs, her new Keystone token has no p1 role and nothing persisted remains', async () => {
    const home = await findUser('cloud-a', 'alice');
    assert.ok(home);
    const groups = await adminJson<{ id: string; path: string }[]>(`/admin/realms/cloud-a/users/${home.id}/groups`);
    const members = groups.find((g) => g.path === '/projects/p1/members');
    assert.ok(members, 'alice starts in /projects/p1/members');
    await adminJson(`/admin/realms/cloud-a/users/${home.id}/groups/${members.id}`, { method: 'DELETE' });
    const sync = () => {
      const run = fedbroker('sync', DEMO_SPEC, '--cloud', PARTNER, '--redis', loadTestbed().redis.url);
      assert.equal(run.status, 0, run.stdout + run.stderr);
    };
    try {
      sync();
      const again = await tokensFor(browser, 'cloud-a', 'alice');
      const login = await keystoneLogin(again.openstack);
      assert.equal(login.status, 201);
      assert.deepEqual((await keystoneJson('/v3/auth/projects', login.token as string)).body.projects, []);
      const me = await keystoneJson('/v3/auth/tokens', login.token as string, { headers: { 'X-Subject-Token': login.token as string } });
      const userId = me.body.token.user.id as string;
      const admin = await keystoneAdminToken();
      const assignments = await keystoneJson(`/v3/role_assignments?user.id=${userId}`, admin);
      assert.deepEqual(assignments.body.role_assignments, [], 'no persisted role assignment for the federated user');
      assert.equal(await canI(again.kubernetes, 'list', 'pods', 'p1'), false);
    } finally {
      await adminJson(`/admin/realms/cloud-a/users/${home.id}/groups/${members.id}`, { method: 'PUT' });
      sync();
    }
  });
});

/** Roles Keystone implies from `roles` (transitively), by its role inference rules. */
async function impliedRoles(roles: string[]): Promise<string[]> {
  const inferences = (await keystoneJson('/v3/role_inferences', await keystoneAdminToken())).body.role_inferences as
    { prior_role: { name: string }; implies: { name: string }[] }[];
  const out = new Set<string>();
  const visit = (name: string) => {
    for (const i of inferences.filter((x) => x.prior_role.name === name)) {
      for (const r of i.implies) if (!out.has(r.name)) { out.add(r.name); visit(r.name); }
    }
  };
  roles.forEach(visit);
  return [...out];
}

async function keystoneAdminToken(): Promise<string> {
  const ks = testbedCloud(PARTNER).keystone;
  const { readFileSync } = await import('node:fs');
  const res = await testbedFetch(`${ks.url}/v3/auth/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ auth: {
    identity: { methods: ['password'], password: { user: { name: ks.adminUser, domain: { name: 'Default' }, password: readFileSync(ks.adminPasswordFile, 'utf8').trim() } } },
    scope: { project: { name: 'admin', domain: { name: 'Default' } } } } }) });
  await res.text();
  assert.equal(res.status, 201);
  return res.headers.get('x-subject-token') as string;
}
