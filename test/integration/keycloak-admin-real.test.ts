// The KeycloakAdminPort contract against the real test bed's Keycloak (scripts/testbed/up.sh).
// Fails, never skips, when the test bed is not running.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createKeycloakAdmin } from '../../src/adapters/keycloak/factory.ts';
import { diff } from '../../src/core/plan/diff.ts';
import { KEYCLOAK_KIND_ORDER } from '../../src/core/render/keycloak/model.ts';
import type { KeycloakAdminPort } from '../../src/ports.ts';
import { REQUIRED_EVENT_TYPES } from '../../src/core/render/keycloak/partner-realm.ts';
import type { CloudSpec } from '../../src/core/federation/schema.ts';
import { keycloakAdminContract, rejectsWith } from '../contract/keycloak-admin.contract.ts';
import { create, newRun, pick } from '../contract/keycloak-fixtures.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { keycloakAdminFetch, loadTestbed, passwordGrantToken, userPassword } from '../support/testbed.ts';

const REALMS = ['cloud-a', 'cloud-b', 'cloud-c'] as const;

/** Cloud a of the demo spec, pointed at the running test bed's Keycloak (absolute CA and secret paths). */
function testbedCloud(mutate: (cloud: Record<string, unknown> & { keycloak: Record<string, unknown> }) => void = () => {}): CloudSpec {
  const { caFile, keycloak } = loadTestbed();
  const spec = exampleSpec((doc) => {
    const cloud = doc.clouds[0];
    cloud.keycloak.url = keycloak.url;
    cloud.keycloak.caFile = caFile;
    cloud.keycloak.admin = { realm: 'master', username: keycloak.adminUser, password: { file: keycloak.adminPasswordFile } };
    mutate(cloud);
  });
  return spec.clouds[0] as CloudSpec;
}

async function realAdmin(): Promise<KeycloakAdminPort> {
  const admin = await createKeycloakAdmin(testbedCloud(), '/');
  try {
    await admin.realmExists(REALMS[0]);
  } catch (cause) {
    throw new Error(`Keycloak of the test bed (${loadTestbed().keycloak.url}) does not answer: start it with \`bash scripts/testbed/up.sh\``, { cause });
  }
  return admin;
}

async function eventsConfig(realm: string): Promise<unknown> {
  const res = await keycloakAdminFetch(`/admin/realms/${realm}/events/config`);
  assert.equal(res.status, 200);
  return res.json();
}

async function putEventsConfig(realm: string, config: unknown): Promise<void> {
  const res = await keycloakAdminFetch(`/admin/realms/${realm}/events/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
  assert.equal(res.status, 204);
}

const savedEvents = new Map<string, unknown>();
keycloakAdminContract({
  name: 'real Keycloak of the test bed',
  realms: REALMS,
  port: async () => {
    const admin = await realAdmin();
    for (const realm of REALMS) savedEvents.set(realm, await eventsConfig(realm));
    return admin;
  },
  cleanup: async () => { for (const [realm, config] of savedEvents) await putEventsConfig(realm, config); },
});

describe('real Keycloak adapter specifics', () => {
  it('reports the stored event types when a realm stores events with an empty type list (Keycloak\'s defaults)', async () => {
    const admin = await realAdmin();
    const saved = await eventsConfig(REALMS[1]);
    try {
      await putEventsConfig(REALMS[1], { ...(saved as object), eventsEnabled: true, enabledEventTypes: [] });
      const run = newRun(REALMS);
      const events = pick(run, admin.cloud, REALMS[1], 'realmEvents');
      const [observed] = await admin.observe(REALMS[1], run.federation, [events]);
      const types = observed?.fields['enabledEventTypes'] as string[];
      for (const type of REQUIRED_EVENT_TYPES) assert.ok(types.includes(type), `${type} reported`);
    } finally {
      await putEventsConfig(REALMS[1], saved);
    }
  });

  it('puts a mirrored group under "<home>:" into tokens as "/<home>:/projects/p1/members"', async () => {
    const admin = await realAdmin();
    const run = newRun(REALMS);
    const realm = REALMS[1];
    const home = run.aliases[0];
    const chain = run.objects.filter((o) => o.kind === 'group' && o.scope === realm && o.name.startsWith(`/${home}:`)).map((o) => ({ ...o, cloud: admin.cloud }));
    for (const group of chain) await admin.apply(create(group), {});
    const bob = (await (await keycloakAdminFetch(`/admin/realms/${realm}/users?username=bob&exact=true`)).json() as { id: string }[])[0];
    assert.ok(bob, 'bob exists in the test bed realm');
    const members = (await admin.observe(realm, run.federation, [])).find((o) => o.kind === 'group' && o.name === `/${home}:/projects/p1/members`);
    assert.ok(members?.id, 'the mirrored members group exists');
    const membership = `/admin/realms/${realm}/users/${bob.id}/groups/${members.id}`;
    try {
      assert.equal((await keycloakAdminFetch(membership, { method: 'PUT' })).status, 204);
      const token = await passwordGrantToken(realm, 'bob', userPassword(realm, 'bob'));
      const claims = JSON.parse(Buffer.from(token.access_token.split('.')[1] as string, 'base64url').toString()) as { groups?: string[] };
      assert.ok(claims.groups?.includes(`/${home}:/projects/p1/members`), `groups claim: ${JSON.stringify(claims.groups)}`);
    } finally {
      await keycloakAdminFetch(membership, { method: 'DELETE' });
      for (const change of diff([], await admin.observe(realm, run.federation, []), KEYCLOAK_KIND_ORDER).changes) await admin.apply(change, {});
    }
  });

  it('says ERR_KEYCLOAK_AUTH for a wrong admin password, without the password in the error', async () => {
    const wrong = `wrong-${Date.now()}`;
    process.env.FEDBROKER_TEST_WRONG_KC_PASSWORD = wrong;
    const admin = await createKeycloakAdmin(testbedCloud((c) => { c.keycloak.admin = { realm: 'master', username: 'admin', password: { env: 'FEDBROKER_TEST_WRONG_KC_PASSWORD' } }; }), '/');
    await rejectsWith(admin.realmExists(REALMS[0]), 'ERR_KEYCLOAK_AUTH');
    await admin.realmExists(REALMS[0]).catch((e: Error & { details?: unknown }) => {
      assert.ok(!`${e.message} ${JSON.stringify(e.details)}`.includes(wrong));
    });
  });
});
