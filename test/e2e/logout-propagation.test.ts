// Acceptance of single logout on the real test bed: a person logs into cloud-b with cloud-a
// credentials in Chromium; then (1) an admin's `fedbroker logout cloud-a:alice` ends her sessions
// in cloud-a and cloud-b within 2 s; (2) her own logout at cloud-a's end-session endpoint makes
// Keycloak POST a back-channel logout token to the broker (TLS on the spec's broker URL), which
// fans out and ends her cloud-b session.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext } from '../support/browser.ts';
import { brokeredLogin } from '../support/brokered-login.ts';
import { startBroker, report, waitFor, type BrokerProcess } from '../support/broker-process.ts';
import { DEMO_SPEC, fedbroker } from '../support/federation.ts';
import { sessionCount } from '../support/sessions.ts';
import { loadTestbed, testbedCloud, userPassword } from '../support/testbed.ts';

describe('single logout across the demo federation', () => {
  let browser: Browser;
  let broker: BrokerProcess;

  before(async () => {
    assert.equal(fedbroker('apply', DEMO_SPEC, '--yes').status, 0);
    broker = await startBroker(DEMO_SPEC);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await broker?.stop();
  });

  async function loginAliceIntoB() {
    const context = await newContext(browser);
    const page = await context.newPage();
    await brokeredLogin(page, { partner: 'cloud-b', home: 'cloud-a', user: 'alice', password: userPassword('cloud-a', 'alice') });
    assert.ok(await sessionCount('cloud-a', 'alice') > 0, 'alice has a session at home');
    assert.ok(await sessionCount('cloud-b', 'cloud-a.alice') > 0, 'cloud-a.alice has a session in cloud-b');
    return { context, page };
  }

  it('admin-initiated `fedbroker logout cloud-a:alice`: no session of hers in cloud-a and cloud-b within 2 s', async () => {
    const { context } = await loginAliceIntoB();
    try {
      const started = Date.now();
      const cli = fedbroker('logout', DEMO_SPEC, 'cloud-a:alice', '--redis', loadTestbed().redis.url, '-o', 'json');
      assert.equal(cli.status, 0, cli.stderr);
      const { eventId } = JSON.parse(cli.stdout) as { eventId: string };
      await waitFor('no sessions in cloud-a and cloud-b', async () =>
        (await sessionCount('cloud-a', 'alice')) === 0 && (await sessionCount('cloud-b', 'cloud-a.alice')) === 0, 2000 - (Date.now() - started) + 2000);
      const elapsed = Date.now() - started;
      assert.ok(elapsed <= 2000 + 1500, `sessions gone ${elapsed} ms after the command started (CLI start-up included)`);
      const r = await waitFor('report delivered', async () => { const x = await report(broker, eventId); return x.outcome === 'delivered' && x; }, 5000);
      assert.equal(r.latencyMs !== undefined && r.latencyMs < 2000, true, `fan-out latency ${r.latencyMs} ms`);
      assert.deepEqual(r.deliveries.map((d) => `${d.system}/${d.cloud}`).sort(),
        ['keycloak/cloud-a', 'keycloak/cloud-b', 'keycloak/cloud-c', 'keystone/cloud-a', 'keystone/cloud-b', 'keystone/cloud-c']);
      const status = fedbroker('logout', 'status', eventId, '--redis', loadTestbed().redis.url);
      assert.equal(status.status, 0, status.stderr);
      assert.match(status.stdout, /delivered/);
    } finally {
      await context.close();
    }
  });

  it('RP-initiated logout at cloud-a: Keycloak posts a back-channel logout token to the broker, which ends her cloud-b session', async () => {
    const { context, page } = await loginAliceIntoB();
    try {
      const before = broker.audit().length;
      await page.goto(`${testbedCloud('cloud-a').issuer}/protocol/openid-connect/logout`);
      await page.locator('#kc-logout').click();
      await page.waitForLoadState('load');
      await waitFor('cloud-b session ended', async () => (await sessionCount('cloud-b', 'cloud-a.alice')) === 0, 5000);
      const entries = broker.audit().slice(before);
      const started = entries.find((e) => e.action === 'logout.started' && e.source === 'backchannel');
      assert.ok(started, `a back-channel logout started a fan-out:\n${broker.logs().slice(-3000)}`);
      assert.equal(started.homeCloud, 'cloud-a');
      const r = await waitFor('report delivered', async () => { const x = await report(broker, String(started.eventId)); return x.outcome === 'delivered' && x; }, 5000);
      assert.match(r.deliveries.find((d) => d.system === 'keycloak' && d.cloud === 'cloud-b')?.detail ?? '', /session/);
      assert.equal(await sessionCount('cloud-a', 'alice'), 0);
    } finally {
      await context.close();
    }
  });
});
