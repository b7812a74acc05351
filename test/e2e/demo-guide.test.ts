/**
 * `npm run demo` as a newcomer meets it: the script brings up the demo federation and the broker and
 * prints a guide; this test follows the guide as printed, in Chromium and in a shell: opens Horizon of
 * the partner cloud, chooses the home cloud's button, signs in with the printed user and password,
 * checks who she is and her project there, runs the printed commands (the logout's event id fills
 * `<event id>`), and finds what step 5 says: Horizon sends her to sign in again and her home asks for
 * her password. Then the printed stop command stops the broker
 * (with --keep-testbed: the suite's other tests need the test bed). Screenshots under test-results/.
 *
 * Writes into the test bed (apply of the demo spec, role sync of the broker, a logout of the user):
 * runs in the serial e2e suite. Needs the test bed; fails loudly without it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTEFACTS, launchBrowser, newContext } from '../support/browser.ts';
import { parseDemoGuide, type DemoGuide } from '../support/demo-guide.ts';
import { cleanEnv, deliveredEventually, failed, run } from '../support/shell.ts';
import { loadTestbed, testbedDir, testbedFetch } from '../support/testbed.ts';
import { placeholdersOf } from '../support/readme.ts';
import { waitFor } from '../support/broker-process.ts';

const PIDFILE = join(testbedDir(), 'run', 'demo-broker.pid');

function brokerPid(): number | undefined {
  if (!existsSync(PIDFILE)) return undefined;
  const pid = Number(readFileSync(PIDFILE, 'utf8').trim());
  try { process.kill(pid, 0); return pid; } catch { return undefined; }
}

describe('npm run demo, then its printed guide, as printed', () => {
  loadTestbed();
  const env = cleanEnv();
  let guide: DemoGuide;
  let browser: Browser;
  let page: Page;
  const shot = async (name: string) => { mkdirSync(ARTEFACTS, { recursive: true }); await page.screenshot({ path: `${ARTEFACTS}demo-${name}.png` }); };

  before(async () => { browser = await launchBrowser(); page = await (await newContext(browser)).newPage(); });
  after(async () => {
    await browser?.close();
    const pid = brokerPid();
    if (pid) process.kill(pid, 'SIGKILL');
  });

  it('npm run demo brings up the federation and the broker and prints the guide', async () => {
    const t0 = Date.now();
    const result = await run('npm run demo', env, 1_800_000);
    assert.equal(result.code, 0, failed('npm run demo', result));
    assert.match(result.stdout, /^demo up in [\d.]+s: dependencies [\d.]+s, testbed [\d.]+s, validate [\d.]+s, apply [\d.]+s, broker [\d.]+s$/m);
    guide = parseDemoGuide(result.stdout);
    assert.ok(brokerPid(), 'the demo broker is not running after npm run demo');
    assert.equal((await testbedFetch('https://127.0.0.1:17443/healthz')).status, 200);
    console.log(`npm run demo (warm) took ${Date.now() - t0} ms`);
  });

  it('steps 1–3: the URL, the home button, her home password; Horizon shows her as the guide says, with her project', async () => {
    await page.goto(guide.openUrl);
    const button = page.getByRole('link', { name: guide.chooseButton, exact: true });
    await button.waitFor({ timeout: 30_000 });
    await shot('1-open');
    await button.click();
    await page.locator('#username').waitFor();
    await shot('2-home-login');
    await page.fill('#username', guide.user);
    await page.fill('#password', guide.password);
    await page.click('#kc-login');
    await page.waitForURL(`${guide.openUrl}**`, { timeout: 60_000 });
    assert.match(await page.locator('.dropdown.user-menu, #profile_editor_switcher').first().innerText(), new RegExp(guide.signedInAs.replace('.', '\\.')));
    await shot('3-horizon');
    // She lands on the projects page itself: its panel is the active one in the sidebar.
    assert.match(page.url(), /\/identity\/$/, 'Horizon\'s landing page');
    await page.locator('table#tenants').waitFor({ timeout: 30_000 });
    assert.equal((await page.locator('#sidebar a.openstack-panel.active').innerText()).trim(), guide.projectsPage);
    const names = await page.locator('table#tenants tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '').find((t) => t !== '')));
    assert.deepEqual(names, [guide.project]);
    await shot('3-projects');
  });

  it('step 4: every printed command exits 0; the logout is delivered by the demo broker', async () => {
    assert.ok(guide.commands.length >= 4, guide.commands.join('\n'));
    let previous = '';
    for (const written of guide.commands) {
      const exported = /^export ([A-Z_]+)=(\S+)$/.exec(written);
      if (exported) { env[exported[1]!] = exported[2]!; continue; }
      let command = written;
      for (const p of placeholdersOf(written)) command = command.replace(p, previous.trim().split('\n').at(-1)!.trim());
      const result = await run(command, env);
      assert.equal(result.code, 0, failed(command, result));
      if (/ explain /.test(command)) assert.match(result.stdout, /p1/, 'explain names her project p1');
      if (/ logout status /.test(command)) await deliveredEventually(`${command} --output json`, env);
      previous = result.stdout;
    }
  });

  it('step 5: a reload of Horizon sends her to sign in, and her home asks for her password again', async () => {
    const button = page.getByRole('link', { name: guide.afterLogoutButton, exact: true });
    await waitFor('Horizon sends her to sign in', async () => {
      await page.reload();
      return button.isVisible();
    }, 15_000, 500);
    await shot('5-sign-in');
    await button.click();
    await page.locator('#password').waitFor({ timeout: 30_000 });
    assert.match(page.url(), /\/realms\/cloud-a\//, 'her home asks for her password again');
    await shot('5-home-password');
  });

  it('the printed stop command stops the broker, drained', async () => {
    const pid = brokerPid();
    assert.ok(pid);
    const command = `${guide.stopCommand} -- --keep-testbed`;
    const result = await run(command, env, 60_000);
    assert.equal(result.code, 0, failed(command, result));
    assert.equal(brokerPid(), undefined);
    const log = readFileSync(join(testbedDir(), 'logs', 'demo-broker.log'), 'utf8');
    const stopped = log.split('\n').filter((l) => l.includes('"fedbroker stopped')).map((l) => JSON.parse(l) as { drained: boolean });
    assert.deepEqual(stopped.map((s) => s.drained), [true]);
  });
});
