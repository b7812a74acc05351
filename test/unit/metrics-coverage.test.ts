// What /metrics says about the broker's work, fed from the audit entries the use cases write: the
// latency of each logout target by system, full sync runs (outcome, writes, drift per partner cloud
// and system), applied plans' outcomes, whether each cloud's systems were reached, and admin API
// requests by route template and status. Every label from a bounded set.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp } from '../../src/http/app.ts';
import { BrokerMetrics } from '../../src/http/metrics.ts';
import { runEntry } from '../../src/jobs/sync-job.ts';
import type { SyncReport } from '../../src/services/sync.ts';
import { logoutWorld, silentLogger } from '../support/logout-fixtures.ts';

const CLOUDS = ['cloud-a', 'cloud-b', 'cloud-c'];

/** The value of one series (labels in the exposition's order), undefined when it does not exist. */
async function value(metrics: BrokerMetrics, line: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

function report(targets: SyncReport['targets'], failures: SyncReport['failures'] = []): SyncReport {
  return { targets, failures, applied: [], brake: [], stoppedByBrake: false, stopped: false } as unknown as SyncReport;
}

const change = { op: 'addMembership', system: 'keycloak', username: 'cloud-a.alice', group: '/cloud-a:/projects/p1/members', groupId: 'g1', reason: 'policy' } as const;
const target = (partner: string, system: 'keycloak' | 'keystone', changes: number) =>
  ({ home: 'cloud-a', partner, system, changes: Array.from({ length: changes }, () => change), observedUsers: 1, observedMemberships: 1 });

describe('metrics of the broker\'s work', () => {
  it('a full sync run: its outcome, its writes, the drift per partner cloud and system, and which parts it reached', async () => {
    const metrics = new BrokerMetrics(CLOUDS);
    const unreachable = { code: 'ERR_HTTP_UNREACHABLE', message: 'cannot connect' };
    const entry = runEntry(report([target('cloud-b', 'keycloak', 2), target('cloud-b', 'keystone', 0), target('cloud-c', 'keycloak', 1)],
      [{ cloud: 'cloud-c', system: 'keystone', part: 'partner', home: 'cloud-a', error: Object.assign(new Error(unreachable.message), { code: unreachable.code, name: 'BrokerError' }) }] as never));
    assert.deepEqual(entry['drift'], [
      { cloud: 'cloud-b', system: 'keycloak', changes: 2 }, { cloud: 'cloud-b', system: 'keystone', changes: 0 }, { cloud: 'cloud-c', system: 'keycloak', changes: 1 },
    ]);
    metrics.observe({ action: 'sync.run', ...entry, failures: [{ cloud: 'cloud-c', system: 'keystone', part: 'partner', code: 'ERR_HTTP_UNREACHABLE' }], writes: 3 });
    assert.equal(await value(metrics, 'fedbroker_sync_runs_total{outcome="partial"}'), 1);
    assert.equal(await value(metrics, 'fedbroker_sync_run_writes_total'), 3);
    assert.equal(await value(metrics, 'fedbroker_sync_drift_changes{cloud="cloud-b",system="keycloak"}'), 2);
    assert.equal(await value(metrics, 'fedbroker_sync_drift_changes{cloud="cloud-b",system="keystone"}'), 0);
    assert.equal(await value(metrics, 'fedbroker_cloud_reachable{cloud="cloud-b",system="keystone"}'), 1);
    assert.equal(await value(metrics, 'fedbroker_cloud_reachable{cloud="cloud-c",system="keystone"}'), 0);
    // The next run without drift sets the gauge back to 0.
    metrics.observe({ action: 'sync.run', ...runEntry(report([target('cloud-b', 'keycloak', 0)])) });
    assert.equal(await value(metrics, 'fedbroker_sync_drift_changes{cloud="cloud-b",system="keycloak"}'), 0);
    assert.equal(await value(metrics, 'fedbroker_sync_runs_total{outcome="applied"}'), 1);
  });

  it('logout targets: latency by system, and a target that cannot be reached is 0 until it is delivered', async () => {
    const metrics = new BrokerMetrics(CLOUDS);
    metrics.observe({ action: 'logout.delivered', target: 'keystone/cloud-b', latencyMs: 300 });
    metrics.observe({ action: 'logout.delivered', target: 'keycloak/cloud-b', latencyMs: 40 });
    assert.equal(await value(metrics, 'fedbroker_logout_target_seconds_count{system="keystone"}'), 1);
    assert.equal(await value(metrics, 'fedbroker_logout_target_seconds_bucket{le="0.25",system="keystone"}'), 0);
    assert.equal(await value(metrics, 'fedbroker_logout_target_seconds_bucket{le="0.5",system="keystone"}'), 1);
    assert.equal(await value(metrics, 'fedbroker_logout_target_seconds_bucket{le="0.05",system="keycloak"}'), 1);
    metrics.observe({ action: 'logout.retrying', target: 'keycloak/cloud-c', error: { code: 'ERR_HTTP_TIMEOUT' } });
    assert.equal(await value(metrics, 'fedbroker_cloud_reachable{cloud="cloud-c",system="keycloak"}'), 0);
    // A refusal is not an outage: it leaves the gauge alone.
    metrics.observe({ action: 'logout.retrying', target: 'keycloak/cloud-b', error: { code: 'ERR_KEYCLOAK_API' } });
    assert.equal(await value(metrics, 'fedbroker_cloud_reachable{cloud="cloud-b",system="keycloak"}'), 1);
    metrics.observe({ action: 'logout.delivered', target: 'keycloak/cloud-c', latencyMs: 5000 });
    assert.equal(await value(metrics, 'fedbroker_cloud_reachable{cloud="cloud-c",system="keycloak"}'), 1);
    // A cloud outside the spec creates no series.
    metrics.observe({ action: 'logout.delivered', target: 'keycloak/evil-cloud', latencyMs: 1 });
    assert.ok(!(await metrics.registry.metrics()).includes('evil-cloud'));
  });

  it('applied plans by outcome', async () => {
    const metrics = new BrokerMetrics(CLOUDS);
    metrics.observe({ action: 'api.apply', applied: 5, failed: 1, notAttempted: 2 });
    metrics.observe({ action: 'api.apply', applied: 1, failed: 0, notAttempted: 0 });
    assert.equal(await value(metrics, 'fedbroker_apply_changes_total{outcome="applied"}'), 6);
    assert.equal(await value(metrics, 'fedbroker_apply_changes_total{outcome="failed"}'), 1);
    assert.equal(await value(metrics, 'fedbroker_apply_changes_total{outcome="notAttempted"}'), 2);
  });

  it('admin API requests by route template and status; paths a caller makes up are one `unmatched` series', async () => {
    const world = await logoutWorld();
    const metrics = new BrokerMetrics(world.spec.clouds.map((c) => c.alias));
    const app = createApp({ logout: world.deps, logger: silentLogger, metrics, ready: async () => {}, insecureUnauthenticatedAdminApi: true });
    for (const id of ['a', 'b', 'c']) assert.equal((await request(app).get(`/api/v1/logout/events/${id}`)).status, 404);
    for (const path of ['/api/v1/x1', '/api/v1/x2/y']) assert.equal((await request(app).get(path)).status, 404);
    assert.equal((await request(app).post('/api/v1/logout/backchannel/cloud-a').type('form').send({ logout_token: 'x' })).status, 400);
    assert.equal(await value(metrics, 'fedbroker_api_requests_total{route="/api/v1/logout/events/:id",status="404"}'), 3);
    assert.equal(await value(metrics, 'fedbroker_api_requests_total{route="unmatched",status="404"}'), 2);
    assert.equal(await value(metrics, 'fedbroker_api_requests_total{route="/api/v1/logout/backchannel/:cloud",status="400"}'), 1);
    assert.ok(!(await metrics.registry.metrics()).includes('x2'));
  });
});
