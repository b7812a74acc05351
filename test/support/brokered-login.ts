// A person's brokered login in Chromium: open a partner cloud's account console, choose the home
// cloud, type the home password. Then an authorization-code + PKCE flow for one of the partner's
// own clients, to look at the partner token the user's tools would get.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { ARTEFACTS } from './browser.ts';
import { testbedCloud, tokenRequest, type TokenResponse } from './testbed.ts';

export interface BrokeredLogin { partner: string; home: string; user: string; password: string; screenshots?: string }

export async function brokeredLogin(page: Page, login: BrokeredLogin): Promise<void> {
  const shot = async (step: string) => {
    if (!login.screenshots) return;
    mkdirSync(ARTEFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTEFACTS}${login.screenshots}-${step}.png` });
  };
  await page.goto(`${testbedCloud(login.partner).issuer}/account`);
  await page.locator(`#social-${login.home}`).waitFor();
  await shot('1-partner-login');
  await page.click(`#social-${login.home}`);
  await page.locator('#username').waitFor();
  if (!page.url().includes(`/realms/${login.home}/`)) throw new Error(`expected the login page of ${login.home}, got ${page.url()}`);
  await page.fill('#username', login.user);
  await page.fill('#password', login.password);
  await shot('2-home-login');
  await page.click('#kc-login');
  await page.waitForURL(`${testbedCloud(login.partner).issuer}/account**`, { timeout: 30_000 });
  await page.getByText('Personal info').first().waitFor({ timeout: 30_000 });
  await shot('3-partner-account');
}

export interface ChainedLogin { partner: string; through: readonly string[]; user: string; password: string; screenshots?: string }

/**
 * A login that starts at a partner's account console and clicks the identity-provider buttons of
 * `through` in turn (e.g. ['cloud-c', 'cloud-a']: Cloud C on cloud-b's page, then Cloud A on
 * cloud-c's), then types the password at the last realm. Resolves once the browser has left that
 * realm, wherever it ends up (an error page, the account console); the caller asserts where.
 */
export async function loginThrough(page: Page, login: ChainedLogin): Promise<void> {
  const shot = async (step: string) => {
    if (!login.screenshots) return;
    mkdirSync(ARTEFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTEFACTS}${login.screenshots}-${step}.png` });
  };
  await page.goto(`${testbedCloud(login.partner).issuer}/account`);
  for (const [i, hop] of login.through.entries()) {
    await page.locator(`#social-${hop}`).waitFor();
    await shot(`${i + 1}-choose-${hop}`);
    await page.click(`#social-${hop}`);
    // The next page has buttons of the same names: wait until it is the chosen cloud's.
    await page.waitForURL((url) => url.pathname.startsWith(`/realms/${testbedCloud(hop).realm}/`), { timeout: 30_000 });
  }
  await page.locator('#username').waitFor();
  const last = testbedCloud(login.through[login.through.length - 1] as string).realm;
  await page.fill('#username', login.user);
  await page.fill('#password', login.password);
  await shot(`${login.through.length + 1}-home-login`);
  await page.click('#kc-login');
  await page.waitForURL((url) => !url.pathname.startsWith(`/realms/${last}/`), { timeout: 30_000 });
  await page.waitForLoadState('load');
  await shot(`${login.through.length + 2}-answer`);
}

/**
 * Code + PKCE flow for `clientId` in the partner realm, reusing the browser's session there. The
 * redirect goes to a loopback listener on an ephemeral port, as CLI tools such as kubectl plugins do.
 */
export async function partnerToken(page: Page, partner: string, clientId = 'openstack'): Promise<TokenResponse> {
  const { issuer } = testbedCloud(partner);
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(8).toString('hex');
  const listener = await loopbackListener();
  try {
    const redirectUri = `http://127.0.0.1:${listener.port}/callback`;
    const auth = new URL(`${issuer}/protocol/openid-connect/auth`);
    for (const [k, v] of Object.entries({ client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: redirectUri, state,
      code_challenge: challenge, code_challenge_method: 'S256', nonce: randomBytes(8).toString('hex') })) auth.searchParams.set(k, v);
    await page.goto(auth.toString());
    const callback = await listener.callback;
    if (callback.searchParams.get('state') !== state) throw new Error(`callback with a foreign state: ${callback.toString()}`);
    const code = callback.searchParams.get('code');
    if (!code) throw new Error(`no code in callback: ${callback.toString()}`);
    const { status, body } = await tokenRequest(issuer, { grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: redirectUri, code_verifier: verifier });
    if (status !== 200) throw new Error(`code exchange at ${issuer}: ${status} ${JSON.stringify(body)}`);
    return body as TokenResponse;
  } finally {
    listener.close();
  }
}

async function loopbackListener(): Promise<{ port: number; callback: Promise<URL>; close: () => void }> {
  let resolveCallback: (url: URL) => void = () => {};
  const callback = new Promise<URL>((resolve, reject) => {
    resolveCallback = resolve;
    setTimeout(() => reject(new Error('no redirect to the loopback listener within 30 s')), 30_000).unref();
  });
  const server = createServer((req, res) => {
    resolveCallback(new URL(req.url ?? '/', 'http://127.0.0.1'));
    res.writeHead(200, { 'content-type': 'text/plain' }).end('You can close this window.');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, callback, close: () => { server.closeAllConnections(); server.close(); } };
}

export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

/** RP-initiated logout at a realm's end-session page: confirms it and returns the time of the click. */
export async function rpLogout(page: Page, cloud: string): Promise<number> {
  await page.goto(`${testbedCloud(cloud).issuer}/protocol/openid-connect/logout`);
  const confirm = page.locator('#kc-logout');
  await confirm.waitFor();
  const startedAt = Date.now();
  await confirm.click();
  await page.waitForLoadState('load');
  return startedAt;
}
