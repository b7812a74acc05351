// Explain over fakes: a Keystone whose capabilities cannot be read is explained as Zed maps, and the
// explanation (JSON and text) says so with the error's code; an unknown user or cloud is
// ERR_SUBJECT_NOT_FOUND, the same code admin logout gives.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeHomeDirectory } from '../../src/adapters/fakes/home.ts';
import { FakeKeystoneAdmin } from '../../src/adapters/fakes/keystone.ts';
import { formatExplanation } from '../../src/cli/explain-command.ts';
import { BrokerError, isBrokerError, type ErrorCode } from '../../src/core/errors.ts';
import type { KeystoneAdminPort } from '../../src/ports.ts';
import { adminLogout } from '../../src/services/logout/admin.ts';
import { explainClaims, explainSubject, type ExplainDeps } from '../../src/services/explain.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { logoutWorld } from '../support/logout-fixtures.ts';

const spec = exampleSpec();

function depsWith(keystone: (cloud: string) => KeystoneAdminPort, asked: string[] = []): ExplainDeps {
  const homes = new Map(spec.clouds.map((c) => [c.alias, new FakeHomeDirectory(c.alias)]));
  homes.get('cloud-a')?.addUser('alice', ['/projects/p1/members']);
  return {
    homeDirectory: (cloud) => homes.get(cloud) as FakeHomeDirectory,
    keystone: (cloud) => { asked.push(cloud); return keystone(cloud); },
  };
}

const refusing = (cloud: string, failure: unknown): KeystoneAdminPort => Object.assign(new FakeKeystoneAdmin({ cloud }), {
  capabilities: async () => { throw failure; },
});

async function rejectsWithCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (e: unknown) => { assert.ok(isBrokerError(e, code), String(e)); return true; });
}

describe('explain: capability errors are reported, not swallowed', () => {
  it('a Keystone refusing the capability probe is explained as Zed, with the error\'s code in the explanation and the text', async () => {
    const failure = new BrokerError('ERR_KEYSTONE_AUTH', 'Keystone of cloud-b refused the admin credentials');
    const e = await explainSubject(spec, 'cloud-a', 'alice', depsWith((cloud) => cloud === 'cloud-b' ? refusing(cloud, failure) : new FakeKeystoneAdmin({ cloud })));
    const b = e.partners.find((p) => p.cloud === 'cloud-b');
    assert.ok(b);
    assert.deepEqual(b.assumptions.map((a) => [a.system, a.cloud, a.code]), [['keystone', 'cloud-b', 'ERR_KEYSTONE_AUTH']]);
    assert.equal(b.assumptions[0]?.message, failure.message);
    assert.equal(b.keystone.outcome, 'authenticated', 'still explained, with the assumed capabilities');
    for (const p of e.partners.filter((x) => x.cloud !== 'cloud-b')) assert.deepEqual(p.assumptions, [], p.cloud);
    const text = formatExplanation(e);
    assert.match(text, /cloud-b: user cloud-a\.alice[^]*Keystone capabilities unknown: .*\[ERR_KEYSTONE_AUTH\]/);
  });

  it('a failure that is no BrokerError is reported as ERR_INTERNAL', async () => {
    const e = await explainSubject(spec, 'cloud-a', 'alice', depsWith((cloud) => refusing(cloud, new TypeError('boom'))));
    assert.ok(e.partners.length > 0);
    for (const p of e.partners) assert.deepEqual(p.assumptions.map((a) => [a.code, a.message]), [['ERR_INTERNAL', 'boom']], p.cloud);
  });

  it('the claims of a token are explained the same way', async () => {
    const iss = `${spec.clouds[1]!.keycloak.url.replace(/\/+$/, '')}/realms/${spec.clouds[1]!.keycloak.realm}`;
    const claims = { iss, aud: 'openstack', preferred_username: 'cloud-a.alice', home_cloud: 'cloud-a', groups: ['/cloud-a:/projects/p1/members'] };
    const e = await explainClaims(spec, claims, depsWith((cloud) => refusing(cloud, new BrokerError('ERR_HTTP_TIMEOUT', 'Keystone did not answer in time'))));
    assert.deepEqual(e.partners.map((p) => p.assumptions.map((a) => a.code)), [['ERR_HTTP_TIMEOUT']]);
  });

  it('asks no Keystone of a cloud that has none, and assumes nothing there', async () => {
    const noKeystone = exampleSpec((doc) => { delete doc.clouds[1].keystone; for (const rule of doc.policy) { rule.examples = []; for (const g of rule.grant ?? []) delete g.keystone; } });
    const asked: string[] = [];
    const homes = depsWith((cloud) => new FakeKeystoneAdmin({ cloud }), asked);
    const e = await explainSubject(noKeystone, 'cloud-a', 'alice', homes);
    const b = e.partners.find((p) => p.cloud === 'cloud-b');
    assert.deepEqual([b?.keystone.outcome, b?.assumptions], ['not-configured', []]);
    assert.ok(!asked.includes('cloud-b'), asked.join(','));
  });
});

describe('an unknown subject is ERR_SUBJECT_NOT_FOUND in explain and in admin logout', () => {
  const deps = depsWith((cloud) => new FakeKeystoneAdmin({ cloud }));

  it('explain: a user the home realm does not have, a cloud the spec does not have, claims of no cloud', async () => {
    await rejectsWithCode(explainSubject(spec, 'cloud-a', 'nobody', deps), 'ERR_SUBJECT_NOT_FOUND');
    await rejectsWithCode(explainSubject(spec, 'cloud-x', 'alice', deps), 'ERR_SUBJECT_NOT_FOUND');
    await rejectsWithCode(explainClaims(spec, { iss: 'https://elsewhere.example/realms/x' }, deps), 'ERR_SUBJECT_NOT_FOUND');
  });

  it('admin logout: the same two subjects', async () => {
    const world = await logoutWorld();
    await rejectsWithCode(adminLogout(world.deps, 'cloud-a', 'nobody'), 'ERR_SUBJECT_NOT_FOUND');
    await rejectsWithCode(adminLogout(world.deps, 'cloud-x', 'alice'), 'ERR_SUBJECT_NOT_FOUND');
  });
});
