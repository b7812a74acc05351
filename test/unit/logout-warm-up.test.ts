// serve's warm-up: every realm's keys are fetched before the first token, with that cloud's client;
// a realm whose keys cannot be fetched is reported, and the others still warm up.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { warmUpLogout } from '../../src/services/logout/warm-up.ts';
import { logoutWorld } from '../support/logout-fixtures.ts';

describe('logout warm-up', () => {
  it('fetches each issuer\'s keys once, ahead of any token, and a later verification fetches nothing more', async () => {
    const world = await logoutWorld();
    const results = await warmUpLogout(world.deps);
    const issuers = world.deps.issuers.map((i) => i.cloud);
    assert.ok(issuers.length >= 2);
    assert.deepEqual(results.filter((r) => r.target.startsWith('jwks/')).map((r) => [r.target, r.ok]), issuers.map((c) => [`jwks/${c}`, true]));
    assert.deepEqual([...world.jwksFetches.byCloud].sort(), [...issuers].sort());
    const fetched = world.jwksFetches.count;
    const issuer = world.deps.issuers.find((i) => i.cloud === 'cloud-a')!;
    await world.deps.verifier.verify(await world.token('cloud-a'), issuer, { now: new Date(world.now.ms), clockToleranceSeconds: 30 });
    assert.equal(world.jwksFetches.count, fetched, 'the keys were already there');
  });

  it('reports a realm whose keys cannot be fetched and warms up the rest', async () => {
    const world = await logoutWorld();
    const broken = { ...world.deps, issuers: world.deps.issuers.map((i) => (i.cloud === 'cloud-b' ? { ...i, jwksUri: `${i.jwksUri}-missing` } : i)) };
    const results = await warmUpLogout(broken);
    assert.equal(results.find((r) => r.target === 'jwks/cloud-b')?.ok, false);
    assert.ok(results.filter((r) => r.target !== 'jwks/cloud-b' && r.target.startsWith('jwks/')).every((r) => r.ok));
  });

  it('gets every Keycloak admin token ahead of the first logout, and reports a cloud whose token cannot be had', async () => {
    const world = await logoutWorld();
    const warmed: string[] = [];
    const deps = { ...world.deps, keycloak: (cloud: string) => Object.assign(Object.create(world.deps.keycloak(cloud)), {
      warmUp: async () => { if (cloud === 'cloud-c') throw Object.assign(new Error('refused'), { code: 'ERR_KEYCLOAK_AUTH' }); warmed.push(cloud); },
    }) };
    const results = await warmUpLogout(deps);
    const clouds = world.deps.spec.clouds.map((c) => c.alias);
    assert.deepEqual(results.filter((r) => r.target.startsWith('keycloak/')).map((r) => r.target), clouds.map((c) => `keycloak/${c}`));
    assert.deepEqual(warmed.sort(), clouds.filter((c) => c !== 'cloud-c').sort());
    assert.equal(results.find((r) => r.target === 'keycloak/cloud-c')?.ok, false);
  });
});
