// The pure logout rules (src/core/logout): who the subject is across realms, where to fan out, the
// retry schedule, and the delivery report model.
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isBrokerError } from '../../src/core/errors.ts';
import { buildReport, deliveredAfter, failedAttempt, pendingDelivery, type LogoutEventRecord } from '../../src/core/logout/report.ts';
import {
  backoffDelayMs, DEFAULT_BACKOFF, deliveryKey, EVENT_ID_MAX_LENGTH, eventIdFor, fanoutTargets, keystoneUserName, subjectOfUser, userLookupIn, userMatches, type RealmUser,
} from '../../src/core/logout/subject.ts';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import { exampleSpec } from '../support/example-federation.ts';

const spec = exampleSpec();
const HOME_SUB = 'a1a1a1a1-0000-4000-8000-00000000a11c';
const aliceHome: RealmUser = { id: HOME_SUB, username: 'alice', attributes: {}, federatedIdentities: [] };
const aliceIn = (cloud: string, over: Partial<RealmUser> = {}): RealmUser => ({
  id: `${cloud}-alice`, username: 'cloud-a.alice', attributes: { home_cloud: ['cloud-a'], home_sub: [HOME_SUB] },
  federatedIdentities: [{ identityProvider: 'cloud-a', userId: HOME_SUB, userName: 'alice' }], ...over,
});

/** The demo spec where cloud-a users may log into cloud-c only. */
function onlyAtoC(): FederationSpec {
  return { ...spec, trust: { mode: 'edges', edges: [{ home: 'cloud-a', partner: 'cloud-c' }] } };
}

function code(fn: () => unknown): string {
  try { fn(); } catch (error) { return isBrokerError(error) ? error.code : 'not a BrokerError'; }
  return 'no error';
}

describe('correlation: the federated subject across realms', () => {
  it('a user at home is the subject itself (home sub = realm id)', () => {
    assert.deepEqual(subjectOfUser(spec, 'cloud-a', aliceHome), { homeCloud: 'cloud-a', homeSub: HOME_SUB, homeUsername: 'alice' });
  });

  it('her brokered copies in cloud-b and cloud-c resolve to the same subject as the home user', () => {
    const home = subjectOfUser(spec, 'cloud-a', aliceHome);
    for (const cloud of ['cloud-b', 'cloud-c']) assert.deepEqual(subjectOfUser(spec, cloud, aliceIn(cloud)), home, cloud);
  });

  it('a SAML home: the home_sub attribute wins over the link id (the NameID)', () => {
    const carol: RealmUser = { id: 'b-carol', username: 'cloud-c.carol', attributes: { home_cloud: ['cloud-c'], home_sub: ['carol-sub'] },
      federatedIdentities: [{ identityProvider: 'cloud-c', userId: 'carol', userName: 'carol' }] };
    assert.deepEqual(subjectOfUser(spec, 'cloud-b', carol), { homeCloud: 'cloud-c', homeSub: 'carol-sub', homeUsername: 'carol' });
    const noAttr = { ...carol, attributes: { home_cloud: ['cloud-c'] } };
    assert.equal(subjectOfUser(spec, 'cloud-b', noAttr).homeSub, 'carol', 'falls back to the link id');
  });

  it('refuses a home_cloud without link, an unknown home, and one the cloud does not trust', () => {
    assert.equal(code(() => subjectOfUser(spec, 'cloud-b', aliceIn('cloud-b', { federatedIdentities: [] }))), 'ERR_LOGOUT_SUBJECT_UNKNOWN');
    assert.equal(code(() => subjectOfUser(spec, 'cloud-b', aliceIn('cloud-b', { attributes: { home_cloud: ['cloud-x'] } }))), 'ERR_LOGOUT_SUBJECT_UNKNOWN');
    const noTrust = onlyAtoC();
    assert.equal(code(() => subjectOfUser(noTrust, 'cloud-b', aliceIn('cloud-b'))), 'ERR_LOGOUT_SUBJECT_UNKNOWN');
  });

  it('lookups: by id at home, by IdP link + home sub + downstream name elsewhere', () => {
    const subject = subjectOfUser(spec, 'cloud-a', aliceHome);
    assert.deepEqual(userLookupIn(spec, subject, 'cloud-a'), { by: 'id', id: HOME_SUB });
    assert.deepEqual(userLookupIn(spec, subject, 'cloud-b'), { by: 'brokered', identityProvider: 'cloud-a', homeSub: HOME_SUB, username: 'cloud-a.alice' });
  });

  it('a search hit is trusted only when it resolves to the same subject', () => {
    const subject = subjectOfUser(spec, 'cloud-a', aliceHome);
    assert.equal(userMatches(spec, subject, 'cloud-b', aliceIn('cloud-b')), true);
    assert.equal(userMatches(spec, subject, 'cloud-b', aliceIn('cloud-b', { attributes: { home_cloud: ['cloud-a'], home_sub: ['someone-else'] } })), false);
    assert.equal(userMatches(spec, subject, 'cloud-b', aliceIn('cloud-b', { attributes: { home_cloud: ['cloud-c'], home_sub: [HOME_SUB] } })), false, 'other home');
    assert.equal(userMatches(spec, subject, 'cloud-b', { id: 'x', username: 'cloud-a.alice', attributes: {} }), false, 'a local look-alike');
  });

  it('targets: Keycloak and Keystone of home and every trusting partner; Keystone user names per cloud', () => {
    const subject = subjectOfUser(spec, 'cloud-a', aliceHome);
    assert.deepEqual(fanoutTargets(spec, subject).map((t) => `${t.system}/${t.cloud}`),
      ['keycloak/cloud-a', 'keycloak/cloud-b', 'keycloak/cloud-c', 'keystone/cloud-a', 'keystone/cloud-b', 'keystone/cloud-c']);
    const partial = onlyAtoC();
    assert.deepEqual(fanoutTargets(partial, subject).map((t) => `${t.system}/${t.cloud}`), ['keycloak/cloud-a', 'keycloak/cloud-c', 'keystone/cloud-a', 'keystone/cloud-c']);
    assert.equal(keystoneUserName(spec, subject, 'cloud-b'), 'cloud-a.alice');
    assert.equal(keystoneUserName(spec, subject, 'cloud-a'), 'alice');
    assert.equal(keystoneUserName(spec, { homeCloud: 'cloud-a', homeSub: HOME_SUB }, 'cloud-b'), undefined, 'no name known: nothing to revoke by name');
  });

  it('ids: deterministic per signal, one idempotency key per (event, target), safe characters only', () => {
    const digest = (source: string, cloud: string, ref: string) => createHash('sha256').update(JSON.stringify([source, cloud, ref])).digest('base64url');
    assert.equal(eventIdFor({ source: 'backchannel', cloud: 'cloud-a', ref: 'j/1 x' }), `bcl-cloud-a-j_1_x-${digest('backchannel', 'cloud-a', 'j/1 x')}`);
    assert.equal(eventIdFor({ source: 'keycloak-event', cloud: 'cloud-b', ref: 'e1' }), `kce-cloud-b-e1-${digest('keycloak-event', 'cloud-b', 'e1')}`);
    assert.equal(deliveryKey('bcl-cloud-a-j:1', { system: 'keystone', cloud: 'cloud-c' }), 'bcl-cloud-a-j_1-keystone-cloud-c');
    const long = eventIdFor({ source: 'admin', cloud: 'cloud-a', ref: 'x'.repeat(500) });
    assert.equal(long, `adm-cloud-a-${'x'.repeat(48)}-${digest('admin', 'cloud-a', 'x'.repeat(500))}`);
    assert.equal(deliveryKey(long, { system: 'keycloak', cloud: 'cloud-b' }), `${long}-keycloak-cloud-b`, 'the digest survives into the delivery key');
  });

  it('event ids never collide: jtis sharing a 150-character prefix, or equal after character replacement', () => {
    const prefix = 'p'.repeat(150);
    const a = eventIdFor({ source: 'backchannel', cloud: 'cloud-a', ref: `${prefix}-first` });
    const b = eventIdFor({ source: 'backchannel', cloud: 'cloud-a', ref: `${prefix}-second` });
    assert.notEqual(a, b);
    assert.notEqual(eventIdFor({ source: 'backchannel', cloud: 'cloud-a', ref: 'j/1' }), eventIdFor({ source: 'backchannel', cloud: 'cloud-a', ref: 'j_1' }));
    assert.notEqual(eventIdFor({ source: 'backchannel', cloud: 'cloud-a', ref: 'b-x' }), eventIdFor({ source: 'backchannel', cloud: 'cloud-a-b', ref: 'x' }));
    assert.notEqual(eventIdFor({ source: 'backchannel', cloud: 'cloud-a', ref: 'x' }), eventIdFor({ source: 'keycloak-event', cloud: 'cloud-a', ref: 'x' }));
  });

  it('event ids: same signal, same id; different signals, different ids; bounded length and safe characters (property)', () => {
    const source = fc.constantFrom('backchannel' as const, 'keycloak-event' as const, 'admin' as const);
    const signal = fc.record({ source, cloud: fc.constantFrom('cloud-a', 'cloud-b', 'c'.repeat(80)), ref: fc.string({ unit: 'grapheme', maxLength: 600 }) });
    const sharedPrefix = fc.string({ minLength: 150, maxLength: 400 });
    fc.assert(fc.property(signal, signal, sharedPrefix, (x, y, p) => {
      for (const s of [x, y, { ...x, ref: p + x.ref }, { ...y, ref: p + y.ref }]) {
        const id = eventIdFor(s);
        assert.equal(eventIdFor({ ...s }), id);
        assert.ok(id.length <= EVENT_ID_MAX_LENGTH && EVENT_ID_MAX_LENGTH <= 160, `${id.length}`);
        assert.match(id, /^(bcl|kce|adm)-[A-Za-z0-9_.-]+$/);
      }
      const same = x.source === y.source && x.cloud === y.cloud;
      if (!same || x.ref !== y.ref) {
        assert.notEqual(eventIdFor(x), eventIdFor(y));
        assert.notEqual(eventIdFor({ ...x, ref: p + x.ref }), eventIdFor({ ...y, ref: p + y.ref }));
      }
    }), { seed: 20260101, numRuns: 500 });
  });
});

describe('backoff schedule', () => {
  it('250, 500, 1000, 2000, then 2000 ms for every further retry', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 100, 1799].map((n) => backoffDelayMs(n)), [250, 500, 1000, 2000, 2000, 2000, 2000, 2000]);
  });
  it('about one hour of retries in all before a delivery fails', () => {
    let total = 0;
    for (let n = 1; n < DEFAULT_BACKOFF.maxAttempts; n += 1) total += backoffDelayMs(n);
    assert.ok(total > 55 * 60_000 && total < 65 * 60_000, `${total} ms`);
  });
  it('follows a custom policy and never overflows', () => {
    const policy = { firstDelayMs: 5, maxDelayMs: 20, maxAttempts: 10 };
    assert.deepEqual([0, 1, 2, 3, 4, 10_000].map((n) => backoffDelayMs(n, policy)), [5, 5, 10, 20, 20, 20]);
    assert.ok(Number.isFinite(backoffDelayMs(Number.MAX_SAFE_INTEGER)));
  });
});

describe('delivery report model', () => {
  const event: LogoutEventRecord = {
    id: 'bcl-cloud-a-1', source: 'backchannel', cloud: 'cloud-a', subject: { homeCloud: 'cloud-a', homeSub: HOME_SUB }, receivedAt: 1000,
    correlationId: 'bcl-cloud-a-1', targets: [{ system: 'keycloak', cloud: 'cloud-a' }, { system: 'keycloak', cloud: 'cloud-b' }, { system: 'keystone', cloud: 'cloud-b' }],
  };
  const [kcA, kcB, ksB] = event.targets.map(pendingDelivery) as [ReturnType<typeof pendingDelivery>, ReturnType<typeof pendingDelivery>, ReturnType<typeof pendingDelivery>];

  it('no delivery yet: every target pending, in target order, no latency', () => {
    const r = buildReport(event, []);
    assert.equal(r.outcome, 'pending');
    assert.deepEqual(r.deliveries.map((d) => [d.system, d.cloud, d.status, d.attempts]), [['keycloak', 'cloud-a', 'pending', 0], ['keycloak', 'cloud-b', 'pending', 0], ['keystone', 'cloud-b', 'pending', 0]]);
    assert.equal(r.latencyMs, undefined);
  });

  it('a retrying target keeps the event pending; the final failure makes it failed', () => {
    const retrying = failedAttempt(kcB, 2, { code: 'ERR_HTTP_UNREACHABLE', message: 'down' }, false);
    assert.deepEqual([retrying.status, retrying.attempts, retrying.lastError?.code], ['retrying', 2, 'ERR_HTTP_UNREACHABLE']);
    assert.equal(buildReport(event, [deliveredAfter(kcA, 1, 1100, 1000, 'ok'), retrying]).outcome, 'pending');
    const failed = failedAttempt(retrying, 1800, { code: 'ERR_HTTP_UNREACHABLE', message: 'down' }, true);
    assert.equal(failed.status, 'failed');
    assert.equal(buildReport(event, [deliveredAfter(kcA, 1, 1100, 1000, 'ok'), failed, deliveredAfter(ksB, 1, 1200, 1000, 'ok')]).outcome, 'failed');
  });

  it('all delivered: completed when the last target was confirmed, latency from receipt', () => {
    const deliveries = [deliveredAfter(ksB, 1, 1300, 1000, '1 federated user(s) revoked'), deliveredAfter(kcA, 1, 1100, 1000, '1 session(s)'),
      deliveredAfter(failedAttempt(kcB, 1, { code: 'ERR_HTTP_UNREACHABLE', message: 'x' }, false), 3, 1800, 1000, '1 session(s)')];
    const r = buildReport(event, deliveries);
    assert.equal(r.outcome, 'delivered');
    assert.equal(r.completedAt, 1800);
    assert.equal(r.latencyMs, 800);
    assert.deepEqual(r.deliveries.map((d) => [d.cloud, d.system, d.latencyMs, d.attempts]), [['cloud-a', 'keycloak', 100, 1], ['cloud-b', 'keycloak', 800, 3], ['cloud-b', 'keystone', 300, 1]]);
    assert.equal(r.deliveries[2]?.detail, '1 federated user(s) revoked');
  });

  it('deliveries for targets the event does not have are ignored', () => {
    const stray = deliveredAfter(pendingDelivery({ system: 'keystone', cloud: 'cloud-x' }), 1, 1100, 1000, 'x');
    assert.equal(buildReport(event, [stray]).deliveries.length, 3);
  });
});
