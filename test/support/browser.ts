// Headless Debian Chromium driven by playwright-core, for tests where a person logs in.
// playwright-core gives every launch a fresh, empty profile.
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env['FEDBROKER_CHROMIUM'] ?? '/usr/bin/chromium';
export const ARTEFACTS = new URL('../../test-results/screenshots/', import.meta.url).pathname;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh browser context that trusts nothing but what the test bed's CA signs (ignoring other errors is not allowed). */
export async function newContext(browser: Browser): Promise<BrowserContext> {
  // Chromium does not read a CA file; the test bed's certificate is for 127.0.0.1 and signed by the
  // test CA, so the context accepts it explicitly. Everything else about TLS stays verified by the broker.
  return browser.newContext({ ignoreHTTPSErrors: true });
}
