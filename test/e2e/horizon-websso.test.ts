/**
 * The user's own door: Horizon of cloud-b (Debian's openstack-dashboard, Zed, in the test bed) with
 * WebSSO through Keystone's federation route. alice of cloud-a picks the federated login, chooses her
 * home cloud on cloud-b's sign-in page, types her home password, and lands in Horizon with project p1
 * and exactly the roles the policy grants her there. Screenshots under test-results/.
 * Needs the test bed with Horizon (scripts/testbed/horizon.sh); fails loudly without it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ARTEFACTS, launchBrowser, newContext } from '../support/browser.ts';
import { keystoneAdminApi } from '../support/keystone-testbed.ts';
import { loadTestbed, testbedCloud, userPassword } from '../support/testbed.ts';


describe('Horizon of cloud-b through WebSSO', () => {
  loadTestbed();
  const HORIZON = testbedCloud('cloud-b').horizon?.url;
  if (!HORIZON) throw new Error('the test bed runs no Horizon for cloud-b: scripts/testbed/up.sh starts it (horizon.sh)');
  let browser: Browser;
  let page: Page;
  const shot = async (name: string) => { mkdirSync(ARTEFACTS, { recursive: true }); await page.screenshot({ path: `${ARTEFACTS}horizon-${name}.png`, fullPage: true }); };

  before(async () => { browser = await launchBrowser(); page = await (await newContext(browser)).newPage(); });
  after(async () => { await browser?.close(); });

  it('alice of cloud-a signs in with her home password and sees project p1 on her first login', async () => {
    await page.goto(`${HORIZON}/auth/login/`);
    await shot('1-login');
    await page.click('#loginBtn');
    await page.locator('#social-cloud-a').waitFor({ timeout: 30_000 });
    await shot('2-cloud-b-sign-in');
    await page.click('#social-cloud-a');
    await page.locator('#username').waitFor();
    await page.fill('#username', 'alice');
    await page.fill('#password', userPassword('cloud-a', 'alice'));
    await page.click('#kc-login');
    await page.waitForURL(`${HORIZON}/**`, { timeout: 60_000 });
    await shot('3-horizon');
    assert.ok(!page.url().includes('/auth/login'), page.url());
    await page.goto(`${HORIZON}/identity/`);
    await page.locator('table#tenants').waitFor({ timeout: 30_000 });
    await shot('4-projects');
    const projects = await page.locator('table#tenants tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')));
    assert.deepEqual(projects.map((cells) => cells.find((c) => c !== '')), ['p1']);
    const keystone = await keystoneAdminApi('cloud-b');
    const p1 = (await keystone.get('/v3/projects?name=p1')).projects as { id: string }[];
    assert.ok(projects[0]!.includes(p1[0]!.id), `Horizon shows the p1 of cloud-b's Keystone (${p1[0]!.id}): ${projects[0]!.join(' | ')}`);
    const user = await page.locator('#profile_editor_switcher, .dropdown.user-menu').first().innerText();
    assert.match(user, /cloud-a\.alice/);
  });

  it('the one Keystone user of hers holds exactly the policy\'s roles on p1 (and what they imply)', async () => {
    const keystone = await keystoneAdminApi('cloud-b');
    // Keystone lists a federated user once per identity it holds for her: one user id is what counts.
    const ids = [...new Set(((await keystone.get('/v3/users?name=cloud-a.alice')).users as { id: string }[]).map((u) => u.id))];
    assert.equal(ids.length, 1, ids.join(', '));
    const assignments = (await keystone.get(`/v3/role_assignments?user.id=${ids[0]!}&effective&include_names`)).role_assignments as
      { role: { name: string }; scope: { project?: { name: string } } }[];
    const onP1 = assignments.filter((a) => a.scope.project?.name === 'p1').map((a) => a.role.name).sort();
    // The policy grants member; Keystone's default roles make member imply reader.
    assert.deepEqual(onP1, ['member', 'reader']);
  });
});
