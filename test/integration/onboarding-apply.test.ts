// Acceptance of plan/apply for the Keycloak mesh against the real test bed: idempotent re-apply
// with zero writes on the wire, crash safety (the owned state of all three systems compared after
// SIGKILL trials), offboarding, and bad input that changes nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isBrokerError, type ErrorCode } from '../../src/core/errors.ts';
import { isEmptyPlan } from '../../src/core/plan/diff.ts';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import { parseSpecText } from '../../src/core/federation/parse.ts';
import { applyPlan, planFederation } from '../../src/services/onboarding.ts';
import { applyAndKillAfter, countedDeps, DEMO_SPEC, fedbroker, fedbrokerAsync, withoutCloudC, writeSpecVariant } from '../support/federation.ts';
import { adminJson, jsonBody } from '../support/keycloak-admin.ts';
import { keystoneAdminApi } from '../support/keystone-testbed.ts';
import { brokerOwnedState } from '../support/owned-state.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { loadTestbed, testbedCloud, testbedFetch } from '../support/testbed.ts';
import { wireWrites, writesBetween } from '../support/wire-writes.ts';

async function kubeGet(cloud: string, path: string): Promise<unknown> {
  const k = testbedCloud(cloud).kubernetes;
  const res = await testbedFetch(`${k.url}${path}`, { headers: { Authorization: `Bearer ${readFileSync(k.adminTokenFile, 'utf8').trim()}` } });
  return res.json();
}

function specAt(file: string): FederationSpec {
  const result = parseSpecText(readFileSync(file, 'utf8'));
  assert.ok(result.ok, JSON.stringify(result.problems));
  return result.spec;
}

/**
 * The plan is empty, and applying it writes nothing: Keycloak writes counted on the wire of the
 * in-process apply, Keystone and Kubernetes writes where they land (access logs, apiserver metrics)
 * around the CLI's apply.
 */
async function assertReapplyWritesNothing(): Promise<void> {
  const deps = await countedDeps();
  try {
    const plan = await planFederation(exampleSpec(), deps);
    assert.ok(isEmptyPlan(plan));
    await applyPlan(plan, deps);
    assert.equal(deps.writes(), 0, 'no Keycloak write on re-apply');
  } finally {
    await deps.close();
  }
  const before = await wireWrites();
  const again = fedbroker('apply', DEMO_SPEC, '--yes');
  assert.equal(again.status, 0);
  assert.match(again.stdout, /No changes: the federation matches the spec\./);
  const written = writesBetween(before, await wireWrites());
  const clouds = Object.keys(written.keystone);
  assert.deepEqual(written.keystone, Object.fromEntries(clouds.map((c) => [c, []])), 'no Keystone write on re-apply');
  assert.deepEqual(written.kubernetes, Object.fromEntries(clouds.map((c) => [c, 0])), 'no Kubernetes write on re-apply');
  assert.deepEqual(written.authenticationConfig, Object.fromEntries(clouds.map((c) => [c, false])), 'no authentication config rewritten');
}

async function rejectsWithCode(promise: Promise<unknown>, code: ErrorCode, details: Record<string, string>): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(isBrokerError(e, code), `expected ${code}, got ${String(e)}`);
    for (const [k, v] of Object.entries(details)) assert.equal(e.details[k], v, `details.${k}`);
    return true;
  });
}

describe('plan/apply of the Keycloak mesh on the real test bed', () => {
  let converged: Record<string, string>;

  before(async () => {
    const apply = fedbroker('apply', DEMO_SPEC, '--yes');
    assert.equal(apply.status, 0, apply.stderr);
    converged = await brokerOwnedState();
    assert.deepEqual(Object.keys(converged), ['keycloak', 'keystone', 'kubernetes']);
    for (const [system, state] of Object.entries(converged)) assert.ok(JSON.parse(state).length > 0, `the broker owns objects in ${system}`);
  });

  after(() => {
    assert.equal(fedbroker('apply', DEMO_SPEC, '--yes').status, 0, 'the federation is left converged');
  });

  it('re-apply: the plan is empty and applying it makes no write call', async () => {
    await assertReapplyWritesNothing();
  });

  it('status reports every condition True on the converged federation', () => {
    const status = fedbroker('status', DEMO_SPEC, '-o', 'json');
    assert.equal(status.status, 0, status.stdout + status.stderr);
    const conditions: { cloud: string; type: string; status: string; reason: string }[] = JSON.parse(status.stdout).conditions;
    for (const cloud of ['cloud-a', 'cloud-b', 'cloud-c']) {
      for (const type of ['DiscoveryReachable', 'RealmConfigured', 'KeystoneConfigured', 'RbacApplied', 'ExamplesPassed', 'KeystoneGrantsRevocable', 'KubernetesTokenLifetimeBound']) {
        assert.equal(conditions.find((c) => c.cloud === cloud && c.type === type)?.status, 'True', `${cloud} ${type}`);
      }
    }
    // The demo bounds cloud-b's cluster tokens (tokenLifetimeSeconds 300); the others state the realm's lifespan.
    assert.deepEqual(conditions.filter((c) => c.type === 'KubernetesTokenLifetimeBound').map((c) => [c.cloud, c.reason]),
      [['cloud-a', 'RealmLifespan'], ['cloud-b', 'WithinBound'], ['cloud-c', 'RealmLifespan']]);
  });

  it('never prints the home clients\' secrets', async () => {
    const secrets: string[] = [];
    for (const realm of ['cloud-a', 'cloud-b']) {
      const clients = await adminJson<{ id: string; clientId: string }[]>(`/admin/realms/${realm}/clients`);
      for (const c of clients.filter((x) => x.clientId.startsWith('fed-'))) {
        secrets.push((await adminJson<{ value: string }>(`/admin/realms/${realm}/clients/${c.id}/client-secret`)).value);
      }
    }
    assert.ok(secrets.length >= 4 && secrets.every((x) => x.length >= 16));
    const offboard = writeSpecVariant('without-cloud-c', withoutCloudC);
    const outputs = [fedbroker('plan', DEMO_SPEC, '-o', 'json'), fedbroker('apply', offboard, '--yes'), fedbroker('plan', DEMO_SPEC),
      fedbroker('apply', DEMO_SPEC, '--yes'), fedbroker('status', DEMO_SPEC, '-o', 'json')];
    for (const out of outputs) for (const secret of secrets) assert.ok(!`${out.stdout}${out.stderr}`.includes(secret), 'a client secret was printed');
    assert.match(outputs[2]!.stdout, /config\.clientSecret: \(secret of client fed-cloud-c in cloud-[ab]\)/, "the re-created home clients' secrets are re-written");
  });

  it('offboarding cloud-c removes every broker object about it and leaves hand-made ones', async () => {
    const handMade = { alias: 'hand-made-cloud-c-idp', providerId: 'oidc', enabled: true, config: {
      clientId: 'x', authorizationUrl: 'https://idp.example/auth', tokenUrl: 'https://idp.example/token', clientAuthMethod: 'client_secret_post' } };
    await adminJson('/admin/realms/cloud-b/identity-provider/instances', jsonBody(handMade));
    const ks = await keystoneAdminApi('cloud-b');
    const handMadeGroup = (await ks.send('POST', '/v3/groups', { group: { name: `hand-made-${Date.now()}`, domain_id: 'default' } })).group as { id: string };
    try {
      const offboard = writeSpecVariant('without-cloud-c', withoutCloudC);
      const apply = fedbroker('apply', offboard, '--yes');
      assert.equal(apply.status, 0, apply.stderr);
      assert.match(fedbroker('plan', offboard).stdout, /No changes/);
      for (const realm of ['cloud-a', 'cloud-b']) {
        const idps = await adminJson<{ alias: string }[]>(`/admin/realms/${realm}/identity-provider/instances`);
        const clients = await adminJson<{ clientId: string; redirectUris?: string[] }[]>(`/admin/realms/${realm}/clients`);
        const groups = await adminJson<{ name: string }[]>(`/admin/realms/${realm}/groups?briefRepresentation=true`);
        assert.deepEqual(idps.map((i) => i.alias).filter((a) => a.includes('cloud-c')), realm === 'cloud-b' ? ['hand-made-cloud-c-idp'] : []);
        assert.deepEqual(clients.filter((c) => `${c.clientId} ${(c.redirectUris ?? []).join(' ')}`.includes('cloud-c')).map((c) => c.clientId), []);
        assert.deepEqual(groups.map((g) => g.name).filter((n) => n.startsWith('cloud-c')), []);
      }
      // Keystone and Kubernetes of the remaining clouds forget cloud-c too, and keep what people made.
      assert.ok((await ks.get(`/v3/groups/${handMadeGroup.id}`)).group, 'a hand-made Keystone group stays');
      const domains = (await ks.get('/v3/domains')).domains as { name: string }[];
      assert.deepEqual(domains.map((d) => d.name).filter((n) => n.includes('cloud-c')), []);
      const mappings = (await ks.get('/v3/OS-FEDERATION/mappings')).mappings as { id: string; rules: unknown[] }[];
      assert.ok(mappings.length > 0);
      assert.ok(!JSON.stringify(mappings).includes('cloud-c'), 'no mapping rule mentions cloud-c');
      const bindings = await kubeGet('cloud-b', '/apis/rbac.authorization.k8s.io/v1/namespaces/p1/rolebindings');
      assert.ok(!JSON.stringify(bindings).includes('oidc:cloud-c'), 'no binding subject of cloud-c');
    } finally {
      await adminJson('/admin/realms/cloud-b/identity-provider/instances/hand-made-cloud-c-idp', { method: 'DELETE' });
      await ks.send('DELETE', `/v3/groups/${handMadeGroup.id}`);
    }
    assert.equal(fedbroker('apply', DEMO_SPEC, '--yes').status, 0);
    assert.deepEqual(await brokerOwnedState(), converged, 'onboarding cloud-c again restores the same state');
  });

  for (const killAfter of [1, 9, 25]) {
    it(`an apply killed after ${killAfter} write(s) is finished by the next apply, to the same state`, async () => {
      const offboard = writeSpecVariant('without-cloud-c', withoutCloudC);
      assert.equal(fedbroker('apply', offboard, '--yes').status, 0);
      const stepsSeen = await applyAndKillAfter(DEMO_SPEC, killAfter);
      assert.ok(stepsSeen >= killAfter);
      const pending = JSON.parse(fedbroker('plan', DEMO_SPEC, '-o', 'json').stdout);
      assert.ok(pending.summary.create + pending.summary.update > 0, 'the killed apply left work to do');
      assert.equal(pending.summary.conflict, 0);
      const resume = fedbroker('apply', DEMO_SPEC, '--yes');
      assert.equal(resume.status, 0, resume.stderr);
      assert.match(fedbroker('plan', DEMO_SPEC).stdout, /No changes/);
      assert.deepEqual(await brokerOwnedState(), converged, 'Keycloak, Keystone and Kubernetes hold what a clean apply left');
      await assertReapplyWritesNothing();
    });
  }

  describe('bad input changes nothing', () => {
    let stub: Server;
    let stubUrl: string;

    before(async () => {
      const ca = loadTestbed().caFile.replace(/ca\.pem$/, '');
      stub = createServer({ cert: readFileSync(`${ca}server.pem`), key: readFileSync(`${ca}server.key`) }, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end('this is { not XML');
      });
      await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
      stubUrl = `https://127.0.0.1:${(stub.address() as AddressInfo).port}`;
    });
    after(() => { stub.closeAllConnections(); stub.close(); });

    const cases: { name: string; code: ErrorCode; details: Record<string, string>; mutate: (d: Record<string, any>, stub: string) => void }[] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
      { name: 'an unreachable discovery URL', code: 'ERR_HTTP_UNREACHABLE', details: { cloud: 'cloud-a' },
        mutate: (d) => { d['clouds'][0].keycloak.url = 'https://127.0.0.1:9'; } },
      { name: 'a SAML descriptor that is not XML', code: 'ERR_METADATA_INVALID', details: { cloud: 'cloud-c' },
        mutate: (d, url) => { d['clouds'][2].keycloak.url = url; } },
      { name: 'a realm that does not exist', code: 'ERR_KEYCLOAK_REALM_NOT_FOUND', details: { cloud: 'cloud-b', realm: 'cloud-x' },
        mutate: (d) => { d['clouds'][1].keycloak.realm = 'cloud-x'; } },
    ];
    for (const c of cases) {
      it(`${c.name}: a coded error naming the cloud, and no write`, async () => {
        const file = writeSpecVariant(`bad-${c.code}`, (d) => c.mutate(d, stubUrl));
        const deps = await countedDeps(specAt(file), '/');
        try {
          await rejectsWithCode(planFederation(specAt(file), deps), c.code, c.details);
          assert.equal(deps.writes(), 0);
        } finally {
          await deps.close();
        }
        const cli = await fedbrokerAsync('apply', file, '--yes', '-o', 'json');
        const out = JSON.parse(cli.stdout);
        if (c.code === 'ERR_KEYCLOAK_REALM_NOT_FOUND') {
          // A realm the spec names that does not exist is a mistake in the spec: the whole apply fails.
          assert.equal(cli.status, 1);
          assert.equal(out.error.code, c.code);
          assert.equal(out.error.details.cloud, c.details['cloud']);
        } else {
          // An unreadable Keycloak or metadata is an outage: reported, and what points at it is not written.
          assert.ok(cli.status === 5 || cli.status === 7, `partial or nothing applied, not ${cli.status}: ${cli.stderr}`);
          assert.equal(out.applied, 0);
          assert.ok(out.unreachable.some((u: { cloud: string; code: string }) => u.cloud === c.details['cloud'] && u.code === c.code), JSON.stringify(out.unreachable));
        }
        assert.match(fedbroker('plan', DEMO_SPEC).stdout, /No changes/, 'nothing was half-applied');
      });
    }
  });
});
