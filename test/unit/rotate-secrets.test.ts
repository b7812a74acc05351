// rotate-secrets over the in-memory Keycloak: which edges, in which order the steps run, that the
// partner's secret is always one the home accepts, and that a run stopped at any write is finished
// (not rotated twice) by the next.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKeycloakSecretRotation } from '../../src/adapters/fakes/keycloak-secret-rotation.ts';
import { isBrokerError } from '../../src/core/errors.ts';
import { desiredRotationPolicy, rotationSteps, selectRotationEdges, withOwnedEntry } from '../../src/core/rotation/secret-rotation.ts';
import { MANAGED_BY_KEY } from '../../src/core/managed.ts';
import { rotateSecrets } from '../../src/services/rotate-secrets.ts';
import { exampleSpec } from '../support/example-federation.ts';

function world() {
  const spec = exampleSpec();
  const clouds = new Map(spec.clouds.map((c) => [c.alias, new FakeKeycloakSecretRotation(c.alias)]));
  for (const e of selectRotationEdges(spec, {})) {
    clouds.get(e.home)!.addClient(e.homeRealm, e.clientId, `initial-${e.home}-${e.partner}`);
    clouds.get(e.partner)!.addProvider(e.partnerRealm, e.identityProvider, `initial-${e.home}-${e.partner}`);
  }
  const deps = { rotation: (cloud: string) => clouds.get(cloud)! };
  /** Whether every partner identity provider sends a secret its home accepts (no failed login). */
  const allLoginsWork = () => selectRotationEdges(spec, {}).every((e) =>
    clouds.get(e.home)!.accepts(e.homeRealm, e.clientId, clouds.get(e.partner)!.providers.get(`${e.partnerRealm}/${e.identityProvider}`)!.secret));
  return { spec, clouds, deps, allLoginsWork };
}

const rejects = async (run: Promise<unknown>, code: string) => assert.rejects(run, (e: unknown) => isBrokerError(e) && e.code === code);

describe('rotate-secrets: edges and policy', () => {
  it('selects the OIDC edges (a SAML home client has no secret), narrowed by --home and --partner', () => {
    const spec = exampleSpec();
    assert.deepEqual(selectRotationEdges(spec, {}).map((e) => `${e.home}>${e.partner}:${e.clientId}@${e.identityProvider}`),
      ['cloud-a>cloud-b:fed-cloud-b@cloud-a', 'cloud-a>cloud-c:fed-cloud-c@cloud-a', 'cloud-b>cloud-a:fed-cloud-a@cloud-b', 'cloud-b>cloud-c:fed-cloud-c@cloud-b']);
    assert.deepEqual(selectRotationEdges(spec, { home: 'cloud-a', partner: 'cloud-c' }).map((e) => e.clientId), ['fed-cloud-c']);
    assert.deepEqual(selectRotationEdges(spec, { home: 'cloud-c' }), []);
    assert.throws(() => selectRotationEdges(spec, { partner: 'cloud-x' }), (e: unknown) => isBrokerError(e) && e.code === 'ERR_USAGE');
  });

  it('the policy selects clients by the managed-by marker; the owned entry is replaced by name, others kept, equal means no write', () => {
    const { profile, policy } = desiredRotationPolicy(600);
    assert.equal(profile.executors[0]?.executor, 'secret-rotation');
    assert.equal(profile.executors[0]?.configuration['rotated-expiration-period'], '600');
    assert.match(String(policy.conditions[0]?.configuration['attributes']), new RegExp(MANAGED_BY_KEY.replace(/\./g, '\\.')));
    const other = { ...profile, name: 'someone-else' };
    assert.deepEqual(withOwnedEntry([other], profile, (a, b) => a === b)?.map((p) => p.name), ['someone-else', profile.name]);
    assert.deepEqual(withOwnedEntry([other, { ...profile, description: 'old' }], profile, () => false)?.[1], profile);
    assert.equal(withOwnedEntry([other, profile], profile, () => true), undefined);
  });

  it('a held previous secret means: do not regenerate again', () => {
    assert.deepEqual(rotationSteps({ previousSecretHeld: false }), ['regenerate-secret', 'write-partner-secret', 'end-grace']);
    assert.deepEqual(rotationSteps({ previousSecretHeld: true }), ['write-partner-secret', 'end-grace']);
  });
});

describe('rotate-secrets: the use case over the fake Keycloak', () => {
  it('rotates every edge in order; old secrets refused afterwards, the partners hold the new ones', async () => {
    const w = world();
    const checks: boolean[] = [];
    const outcomes = await rotateSecrets(w.spec, w.deps, { onStep: () => checks.push(w.allLoginsWork()) });
    assert.equal(outcomes.length, 4);
    assert.ok(checks.length === 12 && checks.every(Boolean), 'a login would have failed between two steps');
    assert.deepEqual(w.clouds.get('cloud-a')!.writes, ['policy cloud-a', 'regenerate cloud-a/fed-cloud-b', 'end-grace cloud-a/fed-cloud-b', 'regenerate cloud-a/fed-cloud-c', 'end-grace cloud-a/fed-cloud-c', 'write-partner-secret cloud-a/cloud-b']);
    assert.deepEqual(w.clouds.get('cloud-b')!.writes.slice(0, 2), ['policy cloud-b', 'write-partner-secret cloud-b/cloud-a']);
    assert.equal(w.clouds.get('cloud-a')!.accepts('cloud-a', 'fed-cloud-b', 'initial-cloud-a-cloud-b'), false);
    assert.ok(w.allLoginsWork());
  });

  it('stopped before any write of an edge, the next run finishes it without a failed login or a second regeneration', async () => {
    for (const stop of ['regenerate cloud-a/fed-cloud-b', 'write-partner-secret cloud-b/cloud-a', 'end-grace cloud-a/fed-cloud-b']) {
      const w = world();
      const [cloud] = stop.split(' ')[1]!.split('/');
      w.clouds.get(cloud!)!.failBefore = stop;
      await rejects(rotateSecrets(w.spec, w.deps, { home: 'cloud-a', partner: 'cloud-b' }), 'ERR_HTTP_UNREACHABLE');
      assert.ok(w.allLoginsWork(), `after a stop before ${stop}`);
      await rotateSecrets(w.spec, w.deps, { home: 'cloud-a', partner: 'cloud-b' });
      assert.ok(w.allLoginsWork());
      const regenerations = w.clouds.get('cloud-a')!.writes.filter((x) => x.startsWith('regenerate')).length;
      assert.equal(regenerations, 1, `stop before ${stop}: regenerated ${regenerations} times`);
      assert.equal(w.clouds.get('cloud-a')!.clients.get('cloud-a/fed-cloud-b')!.previous, undefined);
    }
  });

  it('feature off: refuses with ERR_KEYCLOAK_FEATURE_DISABLED and changes nothing', async () => {
    const w = world();
    w.clouds.get('cloud-b')!.featureEnabled = false;
    await rejects(rotateSecrets(w.spec, w.deps), 'ERR_KEYCLOAK_FEATURE_DISABLED');
    assert.deepEqual([...w.clouds.values()].flatMap((c) => c.writes), []);
  });

  it('a home client or identity provider the broker did not make is left alone (ERR_KEYCLOAK_NOT_MANAGED)', async () => {
    const w = world();
    w.clouds.get('cloud-a')!.addClient('cloud-a', 'fed-cloud-b', 'hand-made', false);
    await rejects(rotateSecrets(w.spec, w.deps, { home: 'cloud-a', partner: 'cloud-b' }), 'ERR_KEYCLOAK_NOT_MANAGED');
    assert.equal(w.clouds.get('cloud-a')!.clients.get('cloud-a/fed-cloud-b')!.secret, 'hand-made');
  });
});
