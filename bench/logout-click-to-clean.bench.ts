// Single logout as a person sees it, on the real test bed: from the click on Keycloak's logout button
// to clean everywhere (no session of hers left in cloud-a, cloud-b and cloud-c, both partner Keystone
// tokens refused), detection included. Each trial: alice of cloud-a logs into cloud-b and cloud-c in
// Chromium and gets a federated Keystone token in each; then she logs out, alternately at home
// (cloud-a's end-session endpoint) and at the partner cloud-b. A running `fedbroker serve` (its
// production poll interval) does the rest. Prints every trial, then p50/p99/max per place and overall,
// and which signal started each fan-out.
//   node --import tsx bench/logout-click-to-clean.bench.ts [trials, default 20]
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, newContext } from '../test/support/browser.ts';
import { brokeredLogin, partnerToken, rpLogout } from '../test/support/brokered-login.ts';
import { startBroker, waitFor, type BrokerProcess } from '../test/support/broker-process.ts';
import { DEMO_SPEC, fedbroker } from '../test/support/federation.ts';
import { findUser } from '../test/support/keycloak-admin.ts';
import { keystoneFederatedToken, keystoneTokenUse } from '../test/support/keystone-federated.ts';
import { sessionIds, sessionIdsOfUser } from '../test/support/sessions.ts';
import { userPassword } from '../test/support/testbed.ts';

const TRIALS = Number(process.argv[2] ?? 20);
const PARTNERS = ['cloud-b', 'cloud-c'] as const;
const REALMS = [['cloud-a', 'alice'], ['cloud-b', 'cloud-a.alice'], ['cloud-c', 'cloud-a.alice']] as const;

function pct(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}
const summary = (xs: readonly number[]) => `p50 ${pct(xs, 50)} ms, p99 ${pct(xs, 99)} ms, max ${Math.max(...xs)} ms (n=${xs.length})`;

interface Alice { contexts: BrowserContext[]; pages: Record<string, Page>; keystone: Record<string, string> }

async function aliceEverywhere(browser: Browser): Promise<Alice> {
  const alice: Alice = { contexts: [], pages: {}, keystone: {} };
  for (const partner of PARTNERS) {
    const context = await newContext(browser);
    alice.contexts.push(context);
    const page = await context.newPage();
    await brokeredLogin(page, { partner, home: 'cloud-a', user: 'alice', password: userPassword('cloud-a', 'alice') });
    alice.pages[partner] = page;
    alice.keystone[partner] = await keystoneFederatedToken(partner, (await partnerToken(page, partner, 'openstack')).access_token);
    if (await keystoneTokenUse(partner, alice.keystone[partner]!) !== 200) throw new Error(`alice's Keystone token does not work in ${partner}`);
  }
  return alice;
}

async function cleanEverywhere(alice: Alice, before: Record<string, string[]>, startedAt: number): Promise<number> {
  const ids = Object.fromEntries(await Promise.all(REALMS.map(async ([realm, username]) => [realm, (await findUser(realm, username))?.id] as const)));
  const left = async (realm: string) => (ids[realm] ? (await sessionIdsOfUser(realm, ids[realm]!)).filter((s) => before[realm]?.includes(s)).length : 0);
  await waitFor('clean everywhere', async () => {
    const [a, b, c, kb, kc] = await Promise.all([left('cloud-a'), left('cloud-b'), left('cloud-c'),
      keystoneTokenUse('cloud-b', alice.keystone['cloud-b']!), keystoneTokenUse('cloud-c', alice.keystone['cloud-c']!)]);
    return a + b + c === 0 && kb === 401 && kc === 401;
  }, 30_000, 20);
  return Date.now() - startedAt;
}

async function main(): Promise<void> {
  const apply = fedbroker('apply', DEMO_SPEC, '--yes');
  if (apply.status !== 0) throw new Error(apply.stderr);
  const broker: BrokerProcess = await startBroker(DEMO_SPEC);
  const browser = await launchBrowser();
  const byPlace: Record<string, number[]> = { 'cloud-a': [], 'cloud-b': [] };
  const sources: Record<string, number> = {};
  try {
    for (let i = 0; i < TRIALS; i += 1) {
      const place = i % 2 === 0 ? 'cloud-a' : 'cloud-b';
      const alice = await aliceEverywhere(browser);
      try {
        const before = Object.fromEntries(await Promise.all(REALMS.map(async ([realm, username]) => [realm, await sessionIds(realm, username)] as const)));
        const from = broker.audit().length;
        const startedAt = await rpLogout(alice.pages['cloud-b']!, place);
        const ms = await cleanEverywhere(alice, before, startedAt);
        byPlace[place]!.push(ms);
        const started = broker.audit().slice(from).filter((e) => e.action === 'logout.started').map((e) => `${String(e.source)}@${String(e.cloud)}`);
        for (const s of started) sources[s] = (sources[s] ?? 0) + 1;
        console.log(`trial ${String(i + 1).padStart(2)}: logout at ${place}: clean everywhere ${ms} ms after the click (started by ${started.join(', ') || 'nothing new'})`);
      } finally {
        for (const c of alice.contexts) await c.close();
      }
      // Let trailing echoes of this trial settle before the next logins.
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await browser.close();
    await broker.stop();
  }
  console.log(`\nclick to clean everywhere (3 realms + 2 Keystones), production poll interval:`);
  console.log(`  logout at home cloud-a:     ${summary(byPlace['cloud-a']!)}`);
  console.log(`  logout at partner cloud-b:  ${summary(byPlace['cloud-b']!)}`);
  console.log(`  all trials:                 ${summary([...byPlace['cloud-a']!, ...byPlace['cloud-b']!])}`);
  console.log(`  fan-outs started by: ${JSON.stringify(sources)}`);
  console.log('goal (performance issue, goal 1): p99 <= 2000 ms over 20 trials');
}

await main();
