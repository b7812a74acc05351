// Which changes wait once others failed (src/core/plan/dependencies.ts): the rest of the failed part,
// what needs a failed or waiting object, what needs an unreadable part; nothing else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dependentChanges } from '../../src/core/plan/dependencies.ts';
import type { Change } from '../../src/core/plan/diff.ts';
import { addressKey, type DesiredObject } from '../../src/core/plan/model.ts';
import { MANAGED_SYSTEMS } from '../../src/core/systems/index.ts';
import { needsOf } from '../../src/core/systems/model.ts';

const object = (system: string, cloud: string, scope: string, kind: string, name: string, extra: Partial<DesiredObject> = {}): DesiredObject =>
  ({ system, cloud, scope, kind, name, fields: {}, ...extra });
const create = (d: DesiredObject): Change => ({ action: 'create', key: addressKey(d), desired: d, fieldChanges: [] });
const remove = (d: DesiredObject): Change => ({ action: 'delete', key: addressKey(d), observed: { ...d, managed: true }, fieldChanges: [] });

const homeClient = object('keycloak', 'cloud-a', 'cloud-a', 'client', 'fed-cloud-b');
const otherHomeClient = object('keycloak', 'cloud-a', 'cloud-a', 'client', 'fed-cloud-c');
const idp = object('keycloak', 'cloud-b', 'cloud-b', 'identityProvider', 'cloud-a',
  { writeOnly: { 'config.clientSecret': { $secretFromClient: { cloud: 'cloud-a', realm: 'cloud-a', clientId: 'fed-cloud-b' } } } });
const mapper = object('keycloak', 'cloud-b', 'cloud-b', 'identityProviderMapper', 'cloud-a/home', { fields: { identityProviderAlias: 'cloud-a' } });
const otherIdp = object('keycloak', 'cloud-b', 'cloud-b', 'identityProvider', 'cloud-c');
const otherMapper = object('keycloak', 'cloud-b', 'cloud-b', 'identityProviderMapper', 'cloud-c/home', { fields: { identityProviderAlias: 'cloud-c' } });
const keystoneA = [object('keystone', 'cloud-a', 'global', 'domain', 'fed-cloud-b'), object('keystone', 'cloud-a', 'global', 'group', 'g')];
const keystoneB = object('keystone', 'cloud-b', 'global', 'domain', 'fed-cloud-a');
const clusterA1 = object('kubernetes', 'cloud-a', 'c1', 'RoleBinding', 'x');
const clusterA2 = object('kubernetes', 'cloud-a', 'c2', 'RoleBinding', 'x');

const plan: Change[] = [homeClient, otherHomeClient, idp, otherIdp, mapper, otherMapper, ...keystoneA, keystoneB, clusterA1, clusterA2].map(create);
const needs = needsOf(MANAGED_SYSTEMS);
const waiting = (failed: DesiredObject[], unreadable: Parameters<typeof dependentChanges>[2] = [], changes = plan) =>
  Object.fromEntries(dependentChanges(changes, new Set(failed.map(addressKey)), unreadable, needs));

describe('dependentChanges', () => {
  it('nothing failed, nothing unreadable: nothing waits', () => {
    assert.deepEqual(waiting([]), {});
  });

  it('a failed step holds back the rest of its part only (later steps of that Keystone), not the steps before it nor other clouds', () => {
    assert.deepEqual(waiting([keystoneA[0]!]), { [addressKey(keystoneA[1]!)]: 'keystone/cloud-a/global' });
    assert.deepEqual(waiting([keystoneA[1]!]), {});
  });

  it('one cluster failing does not hold back another cluster of the same cloud', () => {
    assert.deepEqual(waiting([clusterA1]), {});
  });

  it('a home client that failed: the rest of the home realm waits, and so does the partner identity provider needing its secret, and that provider\'s mappers; the partner realm\'s other providers go on', () => {
    assert.deepEqual(waiting([homeClient]), {
      [addressKey(otherHomeClient)]: 'keycloak/cloud-a/cloud-a',
      [addressKey(idp)]: addressKey(homeClient),
      [addressKey(mapper)]: addressKey(idp),
    });
  });

  it('an identity provider that failed holds back the rest of the partner realm (its part)', () => {
    assert.deepEqual(waiting([idp]), {
      [addressKey(otherIdp)]: 'keycloak/cloud-b/cloud-b', [addressKey(mapper)]: 'keycloak/cloud-b/cloud-b', [addressKey(otherMapper)]: 'keycloak/cloud-b/cloud-b',
    });
  });

  it('a home Keycloak unreadable when planning: what needs its secrets waits from the start; a noop client of a readable realm is no obstacle', () => {
    const partnerOnly = plan.filter((c) => c.desired?.cloud !== 'cloud-a');
    assert.deepEqual(waiting([], [{ system: 'keycloak', cloud: 'cloud-a' }], partnerOnly), {
      [addressKey(idp)]: 'keycloak/cloud-a', [addressKey(mapper)]: addressKey(idp),
    });
    assert.deepEqual(waiting([], [], partnerOnly), {});
  });

  it('an unreadable scope holds back only that scope; deletions need nothing but their own part', () => {
    const changes = [create(clusterA1), create(clusterA2), remove(otherIdp), remove(object('keycloak', 'cloud-b', 'cloud-b', 'identityProvider', 'cloud-a'))];
    assert.deepEqual(waiting([], [{ system: 'kubernetes', cloud: 'cloud-a', scope: 'c2' }, { system: 'keycloak', cloud: 'cloud-a' }], changes),
      { [addressKey(clusterA2)]: 'kubernetes/cloud-a/c2' });
  });

  it('a home client pointing into a partner realm that cannot be read waits; the home realm\'s other clients do not', () => {
    const forB = object('keycloak', 'cloud-a', 'cloud-a', 'client', 'fed-cloud-b', { pointsAt: [{ system: 'keycloak', cloud: 'cloud-b' }] });
    const forC = object('keycloak', 'cloud-a', 'cloud-a', 'client', 'fed-cloud-c', { pointsAt: [{ system: 'keycloak', cloud: 'cloud-c' }] });
    assert.deepEqual(waiting([], [{ system: 'keycloak', cloud: 'cloud-b' }], [create(forB), create(forC)]), { [addressKey(forB)]: 'keycloak/cloud-b' });
  });

  it('a Keystone protocol waits for its identity provider', () => {
    const keystoneIdp = object('keystone', 'cloud-a', 'global', 'identityProvider', 'keycloak', { pointsAt: [{ system: 'keycloak', cloud: 'cloud-a' }] });
    const protocol = object('keystone', 'cloud-a', 'global', 'protocol', 'keycloak/openid', { fields: { identityProvider: 'keycloak', mapping_id: 'm' } });
    assert.deepEqual(waiting([], [{ system: 'keycloak', cloud: 'cloud-a' }], [create(keystoneIdp), create(protocol)]),
      { [addressKey(keystoneIdp)]: 'keycloak/cloud-a', [addressKey(protocol)]: addressKey(keystoneIdp) });
  });

  it('a Keystone identity provider and a cluster\'s authentication config wait while their own cloud\'s realm failed or cannot be read; the other objects of those parts do not', () => {
    const pointsAtRealmA = { pointsAt: [{ system: 'keycloak', cloud: 'cloud-a' }] };
    const keystoneIdp = object('keystone', 'cloud-a', 'global', 'identityProvider', 'keycloak', pointsAtRealmA);
    const authn = object('kubernetes', 'cloud-a', 'c1', 'AuthenticationConfiguration', 'c1', pointsAtRealmA);
    const realmA = object('keycloak', 'cloud-a', 'cloud-a', 'group', 'g');
    const changes = [realmA, keystoneIdp, keystoneA[0]!, authn, clusterA1, object('keystone', 'cloud-b', 'global', 'identityProvider', 'keycloak')].map(create);
    const expected = { [addressKey(keystoneIdp)]: 'keycloak/cloud-a/cloud-a', [addressKey(authn)]: 'keycloak/cloud-a/cloud-a' };
    assert.deepEqual(waiting([realmA], [], changes), expected);
    assert.deepEqual(waiting([], [{ system: 'keycloak', cloud: 'cloud-a', scope: 'cloud-a' }], changes.slice(1)), expected);
  });

  it('a rename whose new object waits keeps the old one: deletions of a part with a waiting change wait too; other parts\' deletions go on', () => {
    const renamed = object('keycloak', 'cloud-c', 'cloud-c', 'client', 'https://new.example/realms/cloud-a', { pointsAt: [{ system: 'keycloak', cloud: 'cloud-a' }] });
    const old = object('keycloak', 'cloud-c', 'cloud-c', 'client', 'https://old.example/realms/cloud-a');
    const elsewhere = object('keycloak', 'cloud-b', 'cloud-b', 'group', 'gone');
    assert.deepEqual(waiting([], [{ system: 'keycloak', cloud: 'cloud-a' }], [create(renamed), remove(old), remove(elsewhere)]),
      { [addressKey(renamed)]: 'keycloak/cloud-a', [addressKey(old)]: 'keycloak/cloud-c/cloud-c' });
  });

  it('noop changes are neither steps nor obstacles', () => {
    const changes: Change[] = [{ ...create(homeClient), action: 'noop' }, create(idp)];
    assert.deepEqual(waiting([homeClient], [], changes), {});
  });
});
