// The browser the e2e tests drive trusts the test bed's servers and nothing else.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext } from '../support/browser.ts';
import { makeTestTls } from '../support/tls.ts';
import { testbedCloud } from '../support/testbed.ts';

let browser: Browser;
let foreign: Server;
let foreignUrl: string;

before(async () => {
  browser = await launchBrowser();
  const tls = makeTestTls();
  foreign = createServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) => res.end('not trusted'));
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  foreignUrl = `https://127.0.0.1:${(foreign.address() as AddressInfo).port}/`;
});
after(async () => {
  await browser.close();
  foreign.closeAllConnections();
  foreign.close();
});

describe('browser TLS', () => {
  it('opens a test-bed page over verified TLS', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const response = await page.goto(`${testbedCloud('cloud-b').issuer}/.well-known/openid-configuration`);
      assert.equal(response?.status(), 200);
    } finally {
      await context.close();
    }
  });

  it('refuses a server whose certificate another CA signed', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await assert.rejects(page.goto(foreignUrl), /ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await context.close();
    }
  });
});
