// How fast a removal at home takes effect downstream, as `status` reports it: Keystone keeps no
// login-made (expiring) membership; Kubernetes keeps nothing per user, so the partner token's lifetime
// is the bound, and the spec can set it (applied as the audience client's access token lifespan).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateSpec } from '../../src/core/federation/validate.ts';
import { keystoneRevocable, kubernetesTokenBound } from '../../src/core/sync/revocation-facts.ts';
import { applyPlan, planFederation } from '../../src/services/onboarding.ts';
import { federationStatus } from '../../src/services/status.ts';
import { exampleDoc, exampleSpec } from '../support/example-federation.ts';
import { fakeFederation } from '../support/fake-federation.ts';

const facts = (over: Partial<Parameters<typeof keystoneRevocable>[1]> = {}) =>
  ({ identityProviderFound: true, identityProviderTtl: null, usersChecked: 3, expiringMemberships: 0, ...over });

describe('revocation facts (pure)', () => {
  it('Keystone: not applied, a TTL on the identity provider, expiring memberships, or revocable at once', () => {
    assert.deepEqual([
      keystoneRevocable('keycloak', facts({ identityProviderFound: false })),
      keystoneRevocable('keycloak', facts({ identityProviderTtl: 60 })),
      keystoneRevocable('keycloak', facts({ expiringMemberships: 2 })),
      keystoneRevocable('keycloak', facts({ identityProviderTtl: 0 })),
    ].map((f) => [f.status, f.reason]), [['Unknown', 'NotApplied'], ['False', 'AuthorizationTtlSet'], ['False', 'ExpiringMemberships'], ['True', 'NoExpiringMemberships']]);
    assert.match(keystoneRevocable('keycloak', facts({ expiringMemberships: 2 })).message, /default_authorization_ttl is above 0/);
  });

  it('Kubernetes: the client\'s lifespan wins over the realm\'s; within or above the spec\'s bound; no bound says how to set one', () => {
    const realmOnly = { clientId: 'kubernetes', realm: 'cloud-b', realmSeconds: 300 };
    const noBound = kubernetesTokenBound('c1', realmOnly, undefined);
    assert.deepEqual([noBound.status, noBound.reason, noBound.scope], ['True', 'RealmLifespan', 'c1']);
    assert.match(noBound.message, /nothing per user.*at most 300 s \(realm "cloud-b"'s access token lifespan/);
    assert.deepEqual([kubernetesTokenBound('c1', { ...realmOnly, clientSeconds: 120 }, 120)].map((f) => [f.status, f.reason]), [['True', 'WithinBound']]);
    assert.deepEqual([kubernetesTokenBound('c1', realmOnly, 120)].map((f) => [f.status, f.reason]), [['False', 'AboveBound']]);
  });
});

describe('tokenLifetimeSeconds in the spec', () => {
  it('is refused below 60 s and above a day, with its path', () => {
    for (const bad of [30, 86401, 1.5]) {
      const doc = exampleDoc();
      doc.clouds[1].kubernetes.clusters[0].tokenLifetimeSeconds = bad;
      const result = validateSpec(doc);
      assert.equal(result.ok, false);
      if (!result.ok) assert.deepEqual(result.problems.map((p) => p.path), [['clouds', 1, 'kubernetes', 'clusters', 0, 'tokenLifetimeSeconds']]);
    }
  });

  it('apply sets the audience client\'s lifespan; status goes from AboveBound to WithinBound, and only that cloud', async () => {
    const spec = exampleSpec((doc) => { doc.clouds[1].kubernetes.clusters[0].tokenLifetimeSeconds = 120; });
    const w = fakeFederation(spec);
    const bound = (conditions: Awaited<ReturnType<typeof federationStatus>>) =>
      conditions.filter((c) => c.type === 'KubernetesTokenLifetimeBound').map((c) => [c.cloud, c.status, c.reason]);
    assert.deepEqual(bound(await federationStatus(spec, w.deps)), [['cloud-a', 'True', 'RealmLifespan'], ['cloud-b', 'False', 'AboveBound'], ['cloud-c', 'True', 'RealmLifespan']]);
    const plan = await planFederation(spec, w.deps);
    assert.deepEqual(plan.changes.filter((c) => c.desired?.kind === 'clientTokenLifespan').map((c) => [c.action, c.desired?.cloud, c.desired?.name, c.desired?.fields['accessTokenLifespan']]),
      [['create', 'cloud-b', 'kubernetes', 120]]);
    await applyPlan(plan, w.deps);
    const after = await federationStatus(spec, w.deps);
    assert.deepEqual(bound(after), [['cloud-a', 'True', 'RealmLifespan'], ['cloud-b', 'True', 'WithinBound'], ['cloud-c', 'True', 'RealmLifespan']]);
    assert.match(after.find((c) => c.cloud === 'cloud-b' && c.type === 'KubernetesTokenLifetimeBound')?.message ?? '', /at most 120 s \(the access token lifespan of client "kubernetes"\)/);
    assert.equal((await planFederation(spec, w.deps)).changes.filter((c) => c.action !== 'noop').length, 0, 'the next plan is empty');
  });

  it('status: an expiring membership at a partner Keystone makes KeystoneGrantsRevocable False there only', async () => {
    const w = fakeFederation();
    await applyPlan(await planFederation(w.spec, w.deps), w.deps);
    const keystone = w.keystone.get('cloud-b');
    assert.ok(keystone);
    keystone.seedUser('fed-idp-keycloak', 'cloud-a.alice', 'keycloak');
    keystone.seedExpiringMembership('cloud-a.alice');
    const status = await federationStatus(w.spec, w.deps);
    assert.deepEqual(status.filter((c) => c.type === 'KeystoneGrantsRevocable').map((c) => [c.cloud, c.status, c.reason]),
      [['cloud-a', 'True', 'NoExpiringMemberships'], ['cloud-b', 'False', 'ExpiringMemberships'], ['cloud-c', 'True', 'NoExpiringMemberships']]);
  });
});
