/**
 * The openstack CLI as a federated user runs it against a partner cloud: the OIDC device authorization
 * grant with PKCE (`--os-auth-type v3oidcdeviceauthz`, keystoneauth1 from PyPI in the test bed's virtual
 * environment). The CLI prints a verification URL; she opens it (Chromium), chooses her home cloud on
 * cloud-b's sign-in page and types her home password; the CLI then gets a Keystone token for p1 with
 * exactly the roles the policy grants her. The password grant, which cannot be brokered to her home,
 * is refused by cloud-b's Keycloak (the CLI shows the HTTP status only). A fresh home user per run, removed afterwards. Screenshots under
 * test-results/. Needs the test bed; fails loudly without it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { ARTEFACTS, launchBrowser, newContext } from '../support/browser.ts';
import { adminJson, deleteUserIfPresent, findUser, jsonBody } from '../support/keycloak-admin.ts';
import { keystoneAdminApi } from '../support/keystone-testbed.ts';
import { loadTestbed, testbedCloud } from '../support/testbed.ts';

const PARTNER = 'cloud-b';
const tag = randomBytes(3).toString('hex');
const user = { name: `cli-${tag}`, password: `pw-${randomBytes(8).toString('hex')}` };

interface CliRun { code: Promise<number | null>; stdout: () => string; stderr: () => string }

/** `openstack` with only the given options (no OS_* of the caller), as she would type it. */
function openstack(args: readonly string[]): CliRun {
  const testbed = loadTestbed();
  const env = { PATH: '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', LANG: 'C.UTF-8' };
  const child = spawn(testbed.openstackCli, ['--os-cacert', testbed.caFile, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = ''; let err = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const code = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  void code.then(() => clearTimeout(timer));
  return { code, stdout: () => out, stderr: () => err };
}

function oidcOptions(authType: string): string[] {
  const { issuer, keystone } = testbedCloud(PARTNER);
  return ['--os-auth-type', authType, '--os-auth-url', `${keystone.url}/v3`, '--os-identity-provider', 'keycloak', '--os-protocol', 'openid',
    '--os-client-id', 'openstack', '--os-discovery-endpoint', `${issuer}/.well-known/openid-configuration`];
}

describe('openstack CLI with the device authorization grant against cloud-b', () => {
  let browser: Browser;
  let p1: string;

  before(async () => {
    loadTestbed();
    await adminJson('/admin/realms/cloud-a/users', jsonBody({ username: user.name, enabled: true, email: `${user.name}@a.example`, firstName: 'Cli', lastName: 'User',
      credentials: [{ type: 'password', value: user.password, temporary: false }] }));
    const home = (await findUser('cloud-a', user.name))!;
    const group = await adminJson<{ id: string }>('/admin/realms/cloud-a/group-by-path/projects/p1/members');
    await adminJson(`/admin/realms/cloud-a/users/${home.id}/groups/${group.id}`, { method: 'PUT' });
    p1 = (((await (await keystoneAdminApi(PARTNER)).get('/v3/projects?name=p1'))['projects']) as { id: string }[])[0]!.id;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await deleteUserIfPresent('cloud-a', user.name);
    await deleteUserIfPresent(PARTNER, `cloud-a.${user.name}`);
    const api = await keystoneAdminApi(PARTNER);
    const users = (await api.get(`/v3/users?idp_id=keycloak&protocol_id=openid&unique_id=${encodeURIComponent(`cloud-a.${user.name}`)}`))['users'] as { id: string }[];
    for (const id of new Set(users.map((u) => u.id))) await api.send('DELETE', `/v3/users/${id}`);
  });

  it('she follows the printed URL through her home login; the CLI gets a p1 token with exactly the policy\'s roles', async () => {
    const cli = openstack([...oidcOptions('v3oidcdeviceauthz'), '--os-code-challenge-method', 'S256', '--os-project-id', p1, 'token', 'issue', '-f', 'json']);
    let url: string | undefined;
    for (const deadline = Date.now() + 60_000; !url; await new Promise((r) => setTimeout(r, 100))) {
      url = /To authenticate please go to:? (\S+)/.exec(cli.stderr())?.[1];
      assert.ok(Date.now() < deadline, `the CLI printed no verification URL:\n${cli.stderr()}`);
    }
    assert.match(url, new RegExp(`^${testbedCloud(PARTNER).issuer}/device`), 'the verification URL is cloud-b\'s');
    const page = await (await newContext(browser)).newPage();
    mkdirSync(ARTEFACTS, { recursive: true });
    await page.goto(url);
    await page.locator('#social-cloud-a').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${ARTEFACTS}cli-device-1-cloud-b-sign-in.png`, fullPage: true });
    await page.click('#social-cloud-a');
    await page.locator('#password').waitFor();
    assert.match(page.url(), /\/realms\/cloud-a\//, 'her home\'s password page');
    await page.fill('#username', user.name);
    await page.fill('#password', user.password);
    await page.click('#kc-login');
    // Keycloak may ask her to grant the CLI access; then she does.
    const grant = page.locator('input[name="accept"], #kc-login');
    await page.waitForLoadState('load');
    if (await grant.count() > 0 && page.url().includes('/realms/cloud-b/')) await grant.first().click().catch(() => undefined);
    await page.screenshot({ path: `${ARTEFACTS}cli-device-2-done.png`, fullPage: true });
    const code = await cli.code;
    assert.equal(code, 0, `exit ${code}\n--- stdout\n${cli.stdout()}\n--- stderr\n${cli.stderr().slice(-3000)}`);
    const token = JSON.parse(cli.stdout()) as { id: string; project_id: string; user_id: string };
    assert.equal(token.project_id, p1);
    const api = await keystoneAdminApi(PARTNER);
    const validated = await api.get('/v3/auth/tokens', { 'X-Subject-Token': token.id }) as unknown as { token: { roles: { name: string }[]; user: { name: string } } };
    assert.equal(validated.token.user.name, `cloud-a.${user.name}`);
    // The policy grants member; Keystone's default roles make member imply reader.
    assert.deepEqual(validated.token.roles.map((r) => r.name).sort(), ['member', 'reader']);
  });

  it('the password grant for her fails with Keycloak\'s refusal: a brokered user has no password in cloud-b', async () => {
    const cli = openstack([...oidcOptions('v3oidcpassword'), '--os-client-secret', 'unused-by-a-public-client', '--os-username', `cloud-a.${user.name}`, '--os-password', user.password, '--os-project-id', p1, 'token', 'issue', '-f', 'json']);
    const code = await cli.code;
    assert.notEqual(code, 0, cli.stdout());
    // Keycloak's token endpoint refuses the grant (400); keystoneauth1 shows only the status, not its reason.
    assert.match(cli.stderr(), /\(HTTP 400\)/, cli.stderr());
    assert.doesNotMatch(cli.stdout(), /"id"/, 'no token');
  });
});
