// rotate-secrets on the real test bed (Keycloak built with client-secret-rotation): while a loop keeps
// authenticating as the home client fed-cloud-b at cloud-a's token endpoint with the secret cloud-b's
// identity provider holds at that moment, the client secret is rotated, once stopped before the end of
// the grace and finished by a second run. Not one request is refused; afterwards the old secret is,
// the new one works, a brokered login cloud-a → cloud-b succeeds in Chromium and the plan is empty.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { createKeycloakClient, type KeycloakClient } from '../../src/adapters/keycloak/client.ts';
import { KeycloakSecretRotation } from '../../src/adapters/keycloak/secret-rotation.ts';
import { BrokerError } from '../../src/core/errors.ts';
import type { KeycloakSecretRotationPort } from '../../src/ports.ts';
import { rotateSecrets } from '../../src/services/rotate-secrets.ts';
import { launchBrowser, newContext } from '../support/browser.ts';
import { brokeredLogin, jwtClaims, partnerToken } from '../support/brokered-login.ts';
import { EXAMPLE_SPEC_PATH, exampleSpec } from '../support/example-federation.ts';
import { DEMO_SPEC, fedbroker } from '../support/federation.ts';
import { adminJson, clientByClientId, deleteUserIfPresent } from '../support/keycloak-admin.ts';
import { testbedCloud, tokenRequest, userPassword } from '../support/testbed.ts';

const HOME = 'cloud-a';
const PARTNER = 'cloud-b';
const CLIENT = 'fed-cloud-b';

/**
 * Client authentication as fed-cloud-b, as the partner's code exchange does it: with an unknown code
 * an accepted secret gets 400 invalid_grant, a refused one 401 (Keycloak 26.7 says unauthorized_client).
 */
async function secretAccepted(secret: string): Promise<boolean> {
  const { status, body } = await tokenRequest(testbedCloud(HOME).issuer, {
    grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: 'https://127.0.0.1/none', client_id: CLIENT, client_secret: secret,
  });
  if (status === 400 && (body as { error?: string }).error === 'invalid_grant') return true;
  if (status === 401 && ['invalid_client', 'unauthorized_client'].includes(String((body as { error?: string }).error))) return false;
  throw new Error(`unexpected answer ${status} ${JSON.stringify(body)}`);
}

async function currentSecret(): Promise<string> {
  const client = await clientByClientId(HOME, CLIENT);
  return (await adminJson<{ value: string }>(`/admin/realms/${HOME}/clients/${client.id}/client-secret`)).value;
}

describe('rotate-secrets against the real Keycloak', () => {
  const clients: KeycloakClient[] = [];
  const ports = new Map<string, KeycloakSecretRotationPort>();
  /** What cloud-b's identity provider holds: the secret of the last successful write (the loop sends it). */
  let partnerHolds = '';
  const outcomes = { accepted: 0, refused: [] as string[] };
  let looping = false;
  let loop: Promise<void> = Promise.resolve();

  before(async () => {
    const apply = fedbroker('apply', DEMO_SPEC, '--yes');
    assert.equal(apply.status, 0, apply.stderr);
    const spec = exampleSpec();
    for (const cloud of spec.clouds) {
      const client = await createKeycloakClient(cloud, dirname(EXAMPLE_SPEC_PATH));
      clients.push(client);
      ports.set(cloud.alias, new KeycloakSecretRotation(client.rest));
    }
    partnerHolds = await currentSecret();
    assert.equal(await secretAccepted(partnerHolds), true, 'the partner\'s secret is not accepted before the rotation');
  });
  after(async () => {
    looping = false;
    await loop;
    await Promise.all(clients.map((c) => c.close()));
  });

  it('no refused request during a rotation stopped before the end of the grace and finished by a second run', async () => {
    const spec = exampleSpec();
    const old = partnerHolds;
    let stopBeforeEndGrace = true;
    const regenerations: string[] = [];
    const deps = { rotation: (cloud: string): KeycloakSecretRotationPort => {
      const real = ports.get(cloud)!;
      return {
        secretRotationAvailable: () => real.secretRotationAvailable(),
        ensureRotationPolicy: (realm, grace) => real.ensureRotationPolicy(realm, grace),
        observeClient: (realm, clientId, federation) => real.observeClient(realm, clientId, federation),
        regenerateSecret: async (realm, clientId) => { regenerations.push(clientId); return real.regenerateSecret(realm, clientId); },
        currentSecret: (realm, clientId) => real.currentSecret(realm, clientId),
        writeIdentityProviderSecret: async (realm, alias, federation, secret) => {
          await real.writeIdentityProviderSecret(realm, alias, federation, secret);
          partnerHolds = secret;
        },
        endGrace: async (realm, clientId) => {
          if (stopBeforeEndGrace) { stopBeforeEndGrace = false; throw new BrokerError('ERR_HTTP_UNREACHABLE', 'stopped as a killed run would'); }
          return real.endGrace(realm, clientId);
        },
      };
    } };
    looping = true;
    loop = (async () => {
      while (looping) {
        const sent = partnerHolds;
        if (await secretAccepted(sent)) outcomes.accepted += 1;
        // Refused although the partner had just switched? Only a failure if the partner still held it.
        else if (partnerHolds === sent) outcomes.refused.push(new Date().toISOString());
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    await assert.rejects(rotateSecrets(spec, deps, { home: HOME, partner: PARTNER }), (e: unknown) => e instanceof BrokerError && e.code === 'ERR_HTTP_UNREACHABLE');
    const stopped = await ports.get(HOME)!.observeClient(HOME, CLIENT, spec.metadata.name);
    assert.deepEqual(stopped, { managed: true, previousSecretHeld: true });
    assert.equal(await secretAccepted(old), true, 'the old secret must stay valid while the run is unfinished');
    await new Promise((r) => setTimeout(r, 300));
    const finished = await rotateSecrets(spec, deps, { home: HOME, partner: PARTNER });
    await new Promise((r) => setTimeout(r, 300));
    looping = false;
    await loop;
    assert.deepEqual(finished.map((o) => o.steps), [['write-partner-secret', 'end-grace']]);
    assert.deepEqual(regenerations, [CLIENT], 'the second run must not regenerate again');
    assert.deepEqual(outcomes.refused, [], `${outcomes.refused.length} refused of ${outcomes.accepted + outcomes.refused.length}`);
    assert.ok(outcomes.accepted >= 10, `only ${outcomes.accepted} requests ran`);
    assert.notEqual(partnerHolds, old);
    assert.equal(await currentSecret(), partnerHolds);
    assert.equal(await secretAccepted(old), false, 'the old secret is still accepted after the rotation');
    assert.equal(await secretAccepted(partnerHolds), true);
    console.log(`rotation under load: ${outcomes.accepted} client authentications accepted, ${outcomes.refused.length} refused`);
  });

  it('after the rotation a brokered login cloud-a → cloud-b works (the partner holds the new secret) and the plan is empty', async () => {
    await deleteUserIfPresent(PARTNER, 'cloud-a.alice');
    const browser = await launchBrowser();
    try {
      const context = await newContext(browser);
      const page = await context.newPage();
      await brokeredLogin(page, { partner: PARTNER, home: HOME, user: 'alice', password: userPassword(HOME, 'alice') });
      assert.equal(jwtClaims((await partnerToken(page, PARTNER)).access_token)['preferred_username'], 'cloud-a.alice');
      await context.close();
    } finally {
      await browser.close();
    }
    const plan = fedbroker('plan', DEMO_SPEC, '--detailed-exitcode');
    assert.equal(plan.status, 0, `plan after the rotation has changes:\n${plan.stdout}${plan.stderr}`);
  });

  it('the CLI rotates every OIDC edge, prints no secret, and a second policy write is not needed', async () => {
    const before = await currentSecret();
    const run = fedbroker('rotate-secrets', DEMO_SPEC, '--home', HOME, '-o', 'json');
    assert.equal(run.status, 0, run.stderr);
    const printed = JSON.parse(run.stdout) as { rotated: { home: string; partner: string; steps: string[] }[] };
    assert.deepEqual(printed.rotated.map((o) => [o.home, o.partner, o.steps.length]), [[HOME, 'cloud-b', 3], [HOME, 'cloud-c', 3]]);
    const after = await currentSecret();
    assert.notEqual(after, before);
    assert.ok(!run.stdout.includes(after) && !run.stderr.includes(after) && !run.stdout.includes(before), 'a secret was printed');
    assert.equal(await ports.get(HOME)!.ensureRotationPolicy(HOME, 3600), false);
    assert.equal(fedbroker('plan', DEMO_SPEC, '--detailed-exitcode').status, 0);
  });
});
