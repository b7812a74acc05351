// How a sync run is printed: per partner cloud and system, each change with its reason, the brake's
// findings and the parts not synced.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatSync, formatSyncJson, summarize, syncRunToJson } from '../../src/core/sync/format.ts';
import { BrokerError } from '../../src/core/errors.ts';
import type { SyncTarget } from '../../src/core/sync/model.ts';

const target: SyncTarget = {
  home: 'cloud-a', partner: 'cloud-b', system: 'keycloak', observedUsers: 3, observedMemberships: 4,
  changes: [
    { op: 'addMembership', system: 'keycloak', username: 'cloud-a.alice', userId: 'u1', group: '/cloud-a:/projects/p1/members', groupId: 'g1', reason: 'alice is in home group /projects/p1/members of cloud-a' },
    { op: 'disableUser', system: 'keycloak', username: 'cloud-a.carol', userId: 'u2', reason: 'carol is disabled at home in cloud-a' },
    { op: 'deleteUser', system: 'keycloak', username: 'cloud-a.dave', userId: 'u3', reason: 'no such user at home in cloud-a (deleted there)' },
  ],
};

describe('sync report text', () => {
  it('counts added, removed and changed, and shows each change with its reason', () => {
    assert.deepEqual(summarize([target]), { added: 1, removed: 1, changed: 1, effects: 0 });
    const text = formatSync({ targets: [target], brake: [], failures: [], dryRun: true, stoppedByBrake: false });
    assert.deepEqual(text.trimEnd().split('\n'), [
      'cloud-b keycloak (users of cloud-a): 1 added, 1 removed, 1 changed',
      '  + add cloud-a.alice to /cloud-a:/projects/p1/members  (alice is in home group /projects/p1/members of cloud-a)',
      '  ~ disable user cloud-a.carol  (carol is disabled at home in cloud-a)',
      '  - delete user cloud-a.dave  (no such user at home in cloud-a (deleted there))',
      'Sync: 1 added, 1 removed, 1 changed; dry run, nothing written.',
    ]);
  });

  it('names the brake\'s findings and the parts not synced', () => {
    const text = formatSync({ targets: [], dryRun: false, stoppedByBrake: true,
      brake: [{ home: 'cloud-a', partner: 'cloud-b', system: 'keystone', what: 'memberships', removals: 20, observed: 23, limitPercent: 10 }],
      failures: [{ cloud: 'cloud-c', system: 'keycloak', part: 'home', code: 'ERR_HTTP_UNREACHABLE', message: 'down' }] });
    assert.match(text, /^Brake: cloud-b keystone would lose 20 of 23 memberships of cloud-a \(more than 10 %\)\.$/m);
    assert.match(text, /^Not synced: home cloud-c could not be read; its users are left as they are: ERR_HTTP_UNREACHABLE: down$/m);
    assert.match(text, /stopped by the brake before writing; run again with --confirm to apply\.$/m);
  });
});

describe('sync report JSON (sync -o json, GET /api/v1/sync/{id})', () => {
  it('carries each change with its outcome, and reads as the same text as the report itself', () => {
    const report = {
      targets: [target], dryRun: false, stopped: false, stoppedByBrake: false, brake: [],
      failures: [{ cloud: 'cloud-b', system: 'keycloak', part: 'apply', error: new BrokerError('ERR_KEYCLOAK_API', 'refused') }],
      applied: [[{}, { error: new BrokerError('ERR_KEYCLOAK_API', 'refused') }]],
    };
    const json = JSON.parse(JSON.stringify(syncRunToJson(report)));
    assert.deepEqual(json.targets[0].changes.map((c: { applied: boolean; failed?: boolean }) => [c.applied, c.failed ?? false]), [[true, false], [false, true], [false, false]]);
    assert.deepEqual(json.summary, { added: 1, removed: 1, changed: 1, effects: 0 });
    assert.deepEqual(json.failures, [{ cloud: 'cloud-b', system: 'keycloak', part: 'apply', code: 'ERR_KEYCLOAK_API', message: 'refused' }]);
    assert.equal(formatSyncJson(json), formatSync({ ...report, failures: json.failures }));
  });
});
