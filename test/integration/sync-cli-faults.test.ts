// `fedbroker sync --dry-run` on the real test bed: the whole federation read, and outages simulated by
// pointing a copy of the spec at a closed port: a partner Keystone down is reported and the rest is
// synced (exit 5); an unreadable home is reported and none of its users is counted as gone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fedbroker, writeSpecVariant, DEMO_SPEC } from '../support/federation.ts';
import { loadTestbed } from '../support/testbed.ts';

interface SyncJson {
  dryRun: boolean;
  failures: { cloud: string; system: string; part: string; code: string }[];
  targets: { home: string; cloud: string; system: string; changes: { op: string; reason: string }[] }[];
}

function syncJson(spec: string, ...args: string[]): { status: number | null; json: SyncJson } {
  const run = fedbroker('sync', spec, '--dry-run', '-o', 'json', ...args);
  assert.ok(run.stdout.trim().startsWith('{'), `stdout: ${run.stdout.slice(0, 300)} stderr: ${run.stderr.slice(0, 500)}`);
  return { status: run.status, json: JSON.parse(run.stdout) as SyncJson };
}

const where = (json: SyncJson) => json.targets.map((t) => `${t.cloud} ${t.system} <- ${t.home}`).sort();

describe('fedbroker sync --dry-run on the test bed', () => {
  it('reads every home and partner system (six edges, two systems each); exit 0', () => {
    loadTestbed();
    const { status, json } = syncJson(DEMO_SPEC);
    assert.equal(status, 0);
    assert.deepEqual(json.failures, []);
    assert.equal(json.dryRun, true);
    assert.equal(json.targets.length, 12);
  });

  it('a partner Keystone down: reported, every other part synced, exit 5', () => {
    const spec = writeSpecVariant('sync-keystone-down', (doc) => { doc.clouds[1].keystone.url = 'https://127.0.0.1:1'; });
    const { status, json } = syncJson(spec);
    assert.equal(status, 5);
    assert.deepEqual(json.failures.map((f) => [f.cloud, f.system, f.part]), [['cloud-b', 'keystone', 'partner']]);
    assert.equal(json.failures[0]!.code, 'ERR_HTTP_UNREACHABLE');
    assert.ok(where(json).includes('cloud-b keycloak <- cloud-a'));
    assert.ok(!where(json).some((w) => w.startsWith('cloud-b keystone')));
    assert.equal(json.targets.length, 10);
  });

  it('a home realm that cannot be read: reported, its users are not counted as gone anywhere, exit 5', () => {
    const spec = writeSpecVariant('sync-home-unreadable', (doc) => { doc.clouds[0].keycloak.realm = 'no-such-realm'; });
    const { status, json } = syncJson(spec, '--cloud', 'cloud-b');
    assert.equal(status, 5);
    assert.ok(json.failures.some((f) => f.cloud === 'cloud-a' && f.part === 'home'), JSON.stringify(json.failures));
    assert.ok(!json.targets.some((t) => t.home === 'cloud-a'), 'nothing is computed for the unreadable home');
    assert.ok(!json.targets.flatMap((t) => t.changes).some((c) => c.op === 'deleteUser' || c.op === 'removeMembership'), 'no removal');
    assert.deepEqual(where(json), ['cloud-b keycloak <- cloud-c', 'cloud-b keystone <- cloud-c']);
  });
});
