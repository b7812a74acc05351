// Headless Debian Chromium driven by playwright-core, for tests where a person logs in.
// playwright-core gives every launch a fresh, empty profile.
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { loadTestbed } from './testbed.ts';

export const CHROMIUM = process.env['FEDBROKER_CHROMIUM'] ?? '/usr/bin/chromium';
export const ARTEFACTS = new URL('../../test-results/screenshots/', import.meta.url).pathname;

/**
 * Chromium reads no CA file; it is told to accept exactly the test bed's server key (its SPKI
 * SHA-256), the one certificate the test CA issued for the test-bed servers. Any other certificate,
 * self-signed or from another CA, is still refused.
 */
export function testbedServerSpki(): string {
  const pem = readFileSync(join(dirname(loadTestbed().caFile), 'server.pem'), 'utf8');
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--ignore-certificate-errors-spki-list=${testbedServerSpki()}`],
  });
}

/** A fresh browser context; TLS errors are not ignored (the test bed's server key is trusted at launch). */
export async function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext();
}
