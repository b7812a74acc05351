// The /api/v1 routes through the real express app over the fake federation: plan → apply → re-plan,
// stale plans, per-cloud authorization on every route (federation admin, cloud-b admin, plain user),
// request validation, and every response checked against the OpenAPI document.
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exampleDoc, specWith, type MutableDoc } from '../support/example-federation.ts';
import { apiWorld, conformingCall, type ApiWorld } from '../support/api-world.ts';
import { assertConforms } from '../support/openapi-conformance.ts';
import { ALICE_A } from '../support/logout-fixtures.ts';

const call = conformingCall;

const CLOUD_B_GRANT = (doc: MutableDoc) => { doc.policy[1].grant.push({ clouds: ['cloud-b'], keystone: [{ project: 'p2', roles: ['reader'] }] }); };

describe('admin API routes', () => {
  let w: ApiWorld;
  let fed: string;
  let adminB: string;
  let user: string;
  beforeEach(async () => {
    w = await apiWorld();
    [fed, adminB, user] = [await w.federationAdmin(), await w.cloudAdmin('cloud-b'), await w.plainUser('cloud-b')];
  });

  /** The federation admin converges the fakes to the demo spec. */
  async function converge() {
    const plan = await call(w, 'post', '/api/v1/plan', fed, {});
    assert.equal(plan.status, 200, plan.text);
    const applied = await call(w, 'post', '/api/v1/apply', fed, { planId: plan.body.planId });
    assert.equal(applied.status, 200, applied.text);
    return { plan, applied };
  }

  it('plan, then apply exactly that plan by its id; planning again is empty; a plan applies once', async () => {
    const { plan, applied } = await converge();
    assert.ok(plan.body.summary.create > 0);
    assert.equal(applied.body.applied, plan.body.summary.create + plan.body.summary.update + plan.body.summary.delete);
    assert.equal(applied.body.failed, 0);
    const again = await call(w, 'post', '/api/v1/plan', fed, {});
    assert.equal(again.body.summary.create + again.body.summary.update + again.body.summary.delete, 0);
    const twice = await call(w, 'post', '/api/v1/apply', fed, { planId: plan.body.planId });
    assert.equal(twice.status, 404);
    assert.equal(twice.body.code, 'ERR_PLAN_NOT_FOUND');
    assert.ok(w.audit.some((a) => a.action === 'api.apply' && a['planId'] === plan.body.planId));
  });

  it('a plan whose observed state changed since is stale: 409 ERR_PLAN_STALE, nothing applied', async () => {
    const plan = await call(w, 'post', '/api/v1/plan', fed, {});
    const other = await call(w, 'post', '/api/v1/plan', fed, {});
    assert.equal((await call(w, 'post', '/api/v1/apply', fed, { planId: other.body.planId })).status, 200);
    const writes = w.federation.writes();
    const res = await call(w, 'post', '/api/v1/apply', fed, { planId: plan.body.planId });
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.code, 'ERR_PLAN_STALE');
    assert.equal(w.federation.writes(), writes);
  });

  it('a plan whose base spec changed since is stale', async () => {
    await converge();
    const first = await call(w, 'post', '/api/v1/plan', adminB, { spec: specWith(CLOUD_B_GRANT) });
    assert.equal(first.status, 200, first.text);
    const second = await call(w, 'post', '/api/v1/plan', fed, { spec: specWith((d) => { d.clouds[1].displayName = 'Cloud B (renamed)'; }) });
    assert.equal((await call(w, 'post', '/api/v1/apply', fed, { planId: second.body.planId })).status, 200);
    const res = await call(w, 'post', '/api/v1/apply', adminB, { planId: first.body.planId });
    assert.equal(res.status, 409);
    assert.equal(res.body.code, 'ERR_PLAN_STALE');
  });

  it('a cloud-b admin changes a cloud-b grant entry: plan (changes in cloud-b only), apply, and the spec is the new one', async () => {
    await converge();
    const plan = await call(w, 'post', '/api/v1/plan', adminB, { spec: specWith(CLOUD_B_GRANT) });
    assert.equal(plan.status, 200, plan.text);
    assert.ok(plan.body.changes.length > 0);
    assert.deepEqual([...new Set(plan.body.changes.map((c: { cloud: string }) => c.cloud))], ['cloud-b']);
    const applied = await call(w, 'post', '/api/v1/apply', adminB, { planId: plan.body.planId });
    assert.equal(applied.status, 200, applied.text);
    assert.equal(applied.body.failed, 0);
    assert.equal(w.deps.current.get().policy[1]?.grant.length, 2);
    assert.ok(applied.body.applied > 0);
    const again = await call(w, 'post', '/api/v1/plan', adminB, { spec: specWith(CLOUD_B_GRANT) });
    assert.deepEqual(again.body.changes, [], 'the change is in cloud-b\'s systems now');
  });

  const refusals: [string, (d: MutableDoc) => void][] = [
    ['a cloud-a grant entry', (d) => { d.policy[0].grant.push({ clouds: ['cloud-a'], keystone: [{ project: 'p2', roles: ['reader'] }] }); }],
    ['a grant entry for cloud-b and cloud-c', (d) => { d.policy[1].grant.push({ clouds: ['cloud-b', 'cloud-c'], keystone: [{ project: 'p2', roles: ['reader'] }] }); }],
    ['a rule without clouds (every partner)', (d) => { d.policy[1].grant[0].keystone[0].roles = ['member']; d.policy[1].examples[0].expect.keystone[0].roles = ['member']; }],
    ['cloud-a\'s entry', (d) => { d.clouds[0].displayName = 'Mine now'; }],
    ['cloud-b\'s own Keycloak URL (its connection)', (d) => { d.clouds[1].keycloak.url = 'https://127.0.0.1:18444'; }],
    ['the naming of the federation', (d) => { d.naming.username = '{username}.{homeCloud}'; }],
    ['a new trust edge cloud-b → cloud-a (writes into cloud-b, but cloud-a must propose)', (d) => { d.trust = { mode: 'edges', edges: [{ home: 'cloud-a', partner: 'cloud-b' }] }; d.policy = []; }],
  ];
  for (const [name, change] of refusals) {
    it(`a cloud-b admin is refused changing ${name}: 403 ERR_FORBIDDEN_CLOUD, audited, nothing planned`, async () => {
      const res = await call(w, 'post', '/api/v1/plan', adminB, { spec: specWith(change) });
      assert.equal(res.status, 403, res.text);
      assert.equal(res.body.code, 'ERR_FORBIDDEN_CLOUD');
      const line = w.audit.find((a) => a.action === 'api.refused');
      assert.equal(line?.correlationId, res.body.errorId);
      assert.equal((line?.['actor'] as { cloudAdminOf?: string }).cloudAdminOf, 'cloud-b');
      assert.ok(!w.audit.some((a) => a.action === 'api.plan'));
    });
  }

  it('a cloud-b admin cannot plan the whole federation when it writes into other clouds', async () => {
    const res = await call(w, 'post', '/api/v1/plan', adminB, {});
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'ERR_FORBIDDEN_CLOUD');
    assert.match(res.body.detail, /apply changes in cloud cloud-a/);
  });

  it('a privileged grant is refused for everyone, federation admins too (422 ERR_SPEC_INVALID naming ERR_SPEC_PRIVILEGED_GRANT)', async () => {
    for (const token of [fed, adminB]) {
      const res = await call(w, 'post', '/api/v1/plan', token, { spec: specWith((d) => { d.policy[1].grant.push({ clouds: ['cloud-b'], keystone: [{ project: 'p1', roles: ['admin'] }] }); }) });
      assert.equal(res.status, 422, res.text);
      assert.equal(res.body.code, 'ERR_SPEC_INVALID');
      assert.ok(res.body.problems.some((p: { code: string; path: string }) => p.code === 'ERR_SPEC_PRIVILEGED_GRANT' && p.path.startsWith('spec.policy[1].grant[1]')), JSON.stringify(res.body.problems));
    }
  });

  it('a plain user may do nothing but ask who they are', async () => {
    assert.equal((await call(w, 'get', '/api/v1/health', user)).status, 200);
    for (const [method, path, body] of [['post', '/api/v1/plan', {}], ['post', '/api/v1/validate', { spec: exampleDoc() }], ['get', '/api/v1/status', undefined],
      ['post', '/api/v1/explain', { subject: 'cloud-a:alice' }], ['post', '/api/v1/sync', {}], ['post', '/api/v1/logout', { subject: 'cloud-b:alice' }]] as const) {
      const res = await call(w, method, path, user, body);
      assert.equal(res.status, 403, `${path}: ${res.text}`);
      assert.equal(res.body.code, 'ERR_FORBIDDEN_CLOUD');
    }
  });

  it('validate: a valid spec gives its summary; an invalid one every problem with its path', async () => {
    const ok = await call(w, 'post', '/api/v1/validate', adminB, { spec: exampleDoc() });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body.summary, { name: 'scs-demo', clouds: 3, trustEdges: 6, policyRules: 2, examples: 4 });
    const bad = await call(w, 'post', '/api/v1/validate', adminB, { spec: specWith((d) => { d.clouds[0].alias = 'Cloud A'; d.clouds[1].keycloak.realmName = 'x'; }) });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.code, 'ERR_SPEC_INVALID');
    const paths = bad.body.problems.map((p: { path: string }) => p.path);
    assert.ok(paths.includes('spec.clouds[0].alias'), JSON.stringify(paths));
    assert.ok(paths.some((p: string) => p.startsWith('spec.clouds[1].keycloak')), JSON.stringify(paths));
  });

  it('unknown fields are 400 ERR_REQUEST_INVALID with their path; a missing body field too', async () => {
    const res = await call(w, 'post', '/api/v1/apply', fed, { planId: 'p', force: true });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'ERR_REQUEST_INVALID');
    assert.deepEqual(res.body.problems, [{ path: 'body.force', code: 'unknown_field', message: 'unknown field "force"' }]);
    const missing = await call(w, 'post', '/api/v1/apply', fed, {});
    assert.equal(missing.body.problems[0].path, 'body.planId');
    const query = await call(w, 'get', '/api/v1/status?cloud=cloud-b&verbose=1', adminB);
    assert.equal(query.status, 400);
    assert.equal(query.body.problems[0].path, 'query.verbose');
  });

  it('a body over the limit is 413, one that is not JSON 415, malformed JSON 400', async () => {
    const big = await call(w, 'post', '/api/v1/apply', fed, { planId: 'x'.repeat(20_000) });
    assert.equal(big.status, 413);
    assert.equal(big.body.code, 'ERR_REQUEST_BODY_TOO_LARGE');
    const text = await w.post('/api/v1/apply', 'planId=x', fed).type('form');
    assertConforms(text, 'post', '/api/v1/apply');
    assert.equal(text.status, 415);
    const broken = await w.post('/api/v1/apply', '{"planId":', fed).type('json');
    assertConforms(broken, 'post', '/api/v1/apply');
    assert.equal(broken.status, 400);
    assert.equal(broken.body.code, 'ERR_REQUEST_MALFORMED');
  });

  it('status: a cloud-b admin sees cloud-b only and is refused cloud-a; a federation admin sees all', async () => {
    const own = await call(w, 'get', '/api/v1/status', adminB);
    assert.equal(own.status, 200, own.text);
    assert.deepEqual([...new Set(own.body.conditions.map((c: { cloud: string }) => c.cloud))], ['cloud-b']);
    const other = await call(w, 'get', '/api/v1/status?cloud=cloud-a', adminB);
    assert.equal(other.status, 403);
    const all = await call(w, 'get', '/api/v1/status', fed);
    assert.deepEqual([...new Set(all.body.conditions.map((c: { cloud: string }) => c.cloud))], ['cloud-a', 'cloud-b', 'cloud-c']);
  });

  it('explain: a cloud-b admin sees what cloud-b grants only; cloud-a is refused', async () => {
    await converge();
    const res = await call(w, 'post', '/api/v1/explain', adminB, { subject: 'cloud-a:alice' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.partners.map((p: { cloud: string }) => p.cloud), ['cloud-b']);
    assert.equal(res.body.partners[0].keystone.outcome, 'authenticated');
    assert.deepEqual(res.body.partners[0].keystone.projects.map((p: { project: string; roles: string[] }) => `${p.project}:${p.roles.join(',')}`), ['p1:member']);
    assert.equal((await call(w, 'post', '/api/v1/explain', adminB, { subject: 'cloud-a:alice', cloud: 'cloud-a' })).status, 403);
    const all = await call(w, 'post', '/api/v1/explain', fed, { subject: 'cloud-a:alice' });
    assert.deepEqual(all.body.partners.map((p: { cloud: string }) => p.cloud), ['cloud-b', 'cloud-c']);
    assert.equal((await call(w, 'post', '/api/v1/explain', fed, { subject: 'cloud-a:alice', claims: {} })).status, 400);
  });

  it('sync: a cloud-b admin starts a run of cloud-b and reads its report; cloud-c is refused', async () => {
    const started = await call(w, 'post', '/api/v1/sync', adminB, { dryRun: true });
    assert.equal(started.status, 202, started.text);
    assert.deepEqual(w.syncCalls, [{ clouds: ['cloud-b'], dryRun: true, confirm: false }]);
    await new Promise((r) => setImmediate(r));
    const report = await call(w, 'get', `/api/v1/sync/${started.body.syncId}`, adminB);
    assert.equal(report.status, 200, report.text);
    assert.equal(report.body.status, 'done');
    assert.equal(report.body.result.dryRun, true);
    const refused = await call(w, 'post', '/api/v1/sync', adminB, { clouds: ['cloud-c'] });
    assert.equal(refused.status, 403);
    assert.equal(w.syncCalls.length, 1);
    const otherAdmin = await w.cloudAdmin('cloud-c');
    assert.equal((await call(w, 'get', `/api/v1/sync/${started.body.syncId}`, otherAdmin)).status, 403);
    assert.equal((await call(w, 'get', '/api/v1/sync/nope', fed)).status, 404);
  });

  it('logout: a cloud-b admin may not log out a user of cloud-a; a federation admin may, and reads the report', async () => {
    const refused = await call(w, 'post', '/api/v1/logout', adminB, { subject: 'cloud-a:alice' });
    assert.equal(refused.status, 403);
    assert.equal(w.logout.queue.enqueued, 0);
    const started = await call(w, 'post', '/api/v1/logout', fed, { subject: 'cloud-a:alice' });
    assert.equal(started.status, 202, started.text);
    await w.logout.queue.idle();
    const report = await call(w, 'get', `/api/v1/logout/events/${started.body.eventId}`, fed);
    assert.equal(report.status, 200, report.text);
    assert.equal(report.body.outcome, 'delivered');
    assert.equal((await call(w, 'get', `/api/v1/logout/events/${started.body.eventId}`, adminB)).status, 403);
    assert.equal((await call(w, 'post', '/api/v1/logout', fed, { subject: 'alice' })).status, 400);
  });

  it('logout in one cloud: a cloud-b admin ends a guest\'s sessions in cloud-b only, reads that report, and is refused for cloud-c (audited)', async () => {
    const started = await call(w, 'post', '/api/v1/clouds/cloud-b/logout', adminB, { subject: 'cloud-a:alice' });
    assert.equal(started.status, 202, started.text);
    await w.logout.queue.idle();
    const report = await call(w, 'get', `/api/v1/logout/events/${started.body.eventId}`, adminB);
    assert.equal(report.status, 200, report.text);
    assert.equal(report.body.outcome, 'delivered');
    assert.equal(report.body.onlyCloud, 'cloud-b');
    assert.deepEqual(report.body.deliveries.map((d: { system: string; cloud: string }) => `${d.system}/${d.cloud}`).sort(), ['keycloak/cloud-b', 'keystone/cloud-b']);
    assert.equal((await w.logout.keycloak.get('cloud-a')!.sessions('cloud-a', ALICE_A)).length, 2, 'her home sessions stay');
    assert.equal((await call(w, 'get', `/api/v1/logout/events/${started.body.eventId}`, await w.cloudAdmin('cloud-a'))).status, 403, 'not the home admin\'s report');
    const enqueued = w.logout.queue.enqueued;
    for (const body of [{ subject: 'cloud-a:alice' }, { subject: 'cloud-b:bob' }]) {
      const refused = await call(w, 'post', '/api/v1/clouds/cloud-c/logout', adminB, body);
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.body.code, 'ERR_FORBIDDEN_CLOUD');
    }
    assert.equal(w.logout.queue.enqueued, enqueued, 'nothing queued for the refused calls');
    assert.ok(w.audit.some((a) => a.action === 'api.refused' && String(a['reason'] ?? a['operation'] ?? '').length > 0), JSON.stringify(w.audit.filter((a) => a.action === 'api.refused')));
    const plain = await call(w, 'post', '/api/v1/clouds/cloud-b/logout', user, { subject: 'cloud-a:alice' });
    assert.equal(plain.body.code, 'ERR_FORBIDDEN_CLOUD');
    const unknown = await call(w, 'post', '/api/v1/clouds/cloud-b/logout', fed, { subject: 'cloud-a:nobody' });
    assert.equal(unknown.body.code, 'ERR_SUBJECT_NOT_FOUND');
    assert.equal((await call(w, 'post', '/api/v1/clouds/cloud-b/logout', fed, { subject: 'cloud-a:alice', everywhere: true })).status, 400, 'unknown field');
  });
});
