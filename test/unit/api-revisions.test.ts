// Spec revisions over the admin API (API mode): the demo spec is revision 1; every applied spec change
// is the next revision with author, time, diff and outcome; rollback plans an earlier revision's spec and
// applying it records a new revision that restores it (re-plan empty); two broker processes on one store
// cannot record two successors of one revision; a cloud admin reads only what concerns its cloud;
// GitOps mode refuses spec changes. Every response is checked against the OpenAPI document.
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRevisionStore } from '../../src/adapters/memory/revision-store.ts';
import { fingerprint } from '../../src/services/api/plans.ts';
import { specWith, type MutableDoc } from '../support/example-federation.ts';
import { apiWorld, conformingCall, type ApiWorld } from '../support/api-world.ts';

const call = conformingCall;

const CLOUD_B_GRANT = (doc: MutableDoc) => { doc.policy[1].grant.push({ clouds: ['cloud-b'], keystone: [{ project: 'p2', roles: ['reader'] }] }); };
const changes = (plan: { body: { summary: { create: number; update: number; delete: number } } }) => plan.body.summary.create + plan.body.summary.update + plan.body.summary.delete;

async function planAndApply(w: ApiWorld, token: string, spec?: unknown) {
  const plan = await call(w, 'post', '/api/v1/plan', token, spec === undefined ? {} : { spec });
  assert.equal(plan.status, 200, plan.text);
  const applied = await call(w, 'post', '/api/v1/apply', token, { planId: plan.body.planId });
  assert.equal(applied.status, 200, applied.text);
  return applied;
}

describe('spec revisions (API mode)', () => {
  let w: ApiWorld;
  let fed: string;
  let adminB: string;
  beforeEach(async () => {
    w = await apiWorld();
    [fed, adminB] = [await w.federationAdmin(), await w.cloudAdmin('cloud-b')];
    await planAndApply(w, fed);
  });

  it('the start spec is revision 1; converging without a spec change records no revision', async () => {
    const list = await call(w, 'get', '/api/v1/revisions', fed);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.latest, 1);
    assert.deepEqual(list.body.revisions.map((r: { number: number }) => r.number), [1]);
    assert.deepEqual(list.body.revisions[0].origin, { kind: 'import', source: 'federation.example.yaml' });
    assert.equal(list.body.revisions[0].result.status, 'imported');
    assert.equal(list.body.revisions[0].fingerprint, fingerprint(w.logout.spec));
  });

  it('an applied change is the next revision: author, time, diff, outcome; the spec reads back whole', async () => {
    const applied = await planAndApply(w, adminB, specWith(CLOUD_B_GRANT));
    assert.equal(applied.body.revision, 2);
    const one = await call(w, 'get', '/api/v1/revisions/2', fed);
    assert.equal(one.status, 200, one.text);
    const r = one.body.revision;
    assert.equal(r.author, 'admin-cloud-b (https://127.0.0.1:18443/realms/cloud-b)');
    assert.equal(r.createdAt, new Date(w.now.ms).toISOString());
    assert.equal(r.origin.kind, 'apply');
    assert.equal(r.result.status, 'applied');
    assert.ok(r.result.applied > 0);
    assert.equal(r.result.failed, 0);
    const rule = w.logout.spec.policy[1]!.name;
    assert.deepEqual(r.diff.map((d: { path: string; change: string }) => [d.path, d.change]), [[`policy[${rule}].grant`, 'changed']]);
    assert.equal(r.diff[0].after.length, 2);
    assert.equal(one.body.spec.policy[1].grant.length, 2);
    assert.equal(w.deps.current.get().policy[1]?.grant.length, 2);
    assert.ok(w.audit.some((a) => a.action === 'api.apply' && a['revision'] === 2));
  });

  it('rollback to revision 1 plans the way back; applying it is revision 3 with revision 1\'s spec, and re-plan is empty', async () => {
    const writesBefore = w.federation.writes();
    await planAndApply(w, adminB, specWith(CLOUD_B_GRANT));
    assert.ok(w.federation.writes() > writesBefore);
    const back = await call(w, 'post', '/api/v1/revisions/1/rollback', adminB);
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.rollbackOf, 1);
    assert.ok(back.body.summary.delete > 0, 'the objects of the removed grant go');
    assert.deepEqual([...new Set(back.body.changes.map((c: { cloud: string }) => c.cloud))], ['cloud-b']);
    const applied = await call(w, 'post', '/api/v1/apply', adminB, { planId: back.body.planId });
    assert.equal(applied.status, 200, applied.text);
    assert.equal(applied.body.revision, 3);
    const three = await call(w, 'get', '/api/v1/revisions/3', fed);
    assert.deepEqual(three.body.revision.origin, { kind: 'rollback', planId: back.body.planId, to: 1 });
    assert.equal(three.body.revision.fingerprint, fingerprint(w.logout.spec));
    assert.equal(fingerprint(w.deps.current.get()), fingerprint(w.logout.spec));
    const again = await call(w, 'post', '/api/v1/plan', fed, {});
    assert.equal(changes(again), 0, again.text);
  });

  it('a cloud-b admin may not roll back a change of cloud-a\'s entry (403 ERR_FORBIDDEN_CLOUD), nothing planned', async () => {
    await planAndApply(w, fed, specWith((d) => { d.clouds[0].displayName = 'Cloud A (new)'; }));
    const res = await call(w, 'post', '/api/v1/revisions/1/rollback', adminB);
    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.code, 'ERR_FORBIDDEN_CLOUD');
    assert.ok(w.audit.some((a) => a.action === 'api.refused'));
  });

  it('a cloud-b admin reads the changes that concern cloud-b only, and no whole spec', async () => {
    await planAndApply(w, fed, specWith((d) => { d.clouds[0].displayName = 'Cloud A (new)'; d.clouds[1].displayName = 'Cloud B (new)'; }));
    const asFed = await call(w, 'get', '/api/v1/revisions/2', fed);
    assert.deepEqual(asFed.body.revision.diff.map((d: { path: string }) => d.path), ['clouds[cloud-a].displayName', 'clouds[cloud-b].displayName']);
    const asB = await call(w, 'get', '/api/v1/revisions/2', adminB);
    assert.equal(asB.status, 200, asB.text);
    assert.deepEqual(asB.body.revision.diff.map((d: { path: string }) => d.path), ['clouds[cloud-b].displayName']);
    assert.equal(asB.body.spec, undefined);
    const listB = await call(w, 'get', '/api/v1/revisions?limit=1', adminB);
    assert.deepEqual(listB.body.revisions.map((r: { number: number; diff: unknown[] }) => [r.number, r.diff.length]), [[2, 1]]);
  });

  it('a plain user is refused; an unknown revision is 404 ERR_NOT_FOUND; a malformed number 400', async () => {
    const user = await w.plainUser('cloud-b');
    assert.equal((await call(w, 'get', '/api/v1/revisions', user)).body.code, 'ERR_FORBIDDEN_CLOUD');
    const missing = await call(w, 'get', '/api/v1/revisions/9', fed);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'ERR_NOT_FOUND');
    const bad = await call(w, 'post', '/api/v1/revisions/x1/rollback', fed);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'ERR_REQUEST_INVALID');
    assert.equal((await call(w, 'get', '/api/v1/revisions?limit=0', fed)).body.code, 'ERR_REQUEST_INVALID');
  });
});

describe('spec revisions shared by two broker processes', () => {
  it('a revision recorded by one process is the other\'s current spec; of two plans on one revision only the first applies', async () => {
    const store = new MemoryRevisionStore();
    const a = await apiWorld({ revisions: store });
    const b = await apiWorld({ revisions: store });
    const [fedA, fedB] = [await a.federationAdmin(), await b.federationAdmin()];
    const planA = await call(a, 'post', '/api/v1/plan', fedA, { spec: specWith((d) => { d.clouds[1].displayName = 'B by A'; }) });
    const planB = await call(b, 'post', '/api/v1/plan', fedB, { spec: specWith((d) => { d.clouds[1].displayName = 'B by B'; }) });
    assert.equal((await call(a, 'post', '/api/v1/apply', fedA, { planId: planA.body.planId })).body.revision, 2);
    const writes = b.federation.writes();
    const refused = await call(b, 'post', '/api/v1/apply', fedB, { planId: planB.body.planId });
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.body.code, 'ERR_PLAN_STALE');
    assert.equal(b.federation.writes(), writes, 'nothing applied');
    assert.equal(b.deps.current.get().clouds[1]?.displayName, 'B by A', 'process b took revision 2');
    assert.equal((await store.latest())?.number, 2);
  });
});

describe('GitOps mode', () => {
  it('the spec file is the only source: a changed spec and the revision routes are 409 ERR_SPEC_MODE_GITOPS; planning the file works', async () => {
    const w = await apiWorld({ mode: 'gitops' });
    const fed = await w.federationAdmin();
    const changed = await call(w, 'post', '/api/v1/plan', fed, { spec: specWith(CLOUD_B_GRANT) });
    assert.equal(changed.status, 409, changed.text);
    assert.equal(changed.body.code, 'ERR_SPEC_MODE_GITOPS');
    assert.match(changed.body.detail, /federation\.example\.yaml/);
    for (const [method, path] of [['get', '/api/v1/revisions'], ['get', '/api/v1/revisions/1'], ['post', '/api/v1/revisions/1/rollback']] as const) {
      const res = await call(w, method, path, fed);
      assert.equal(res.status, 409, `${method} ${path}: ${res.text}`);
      assert.equal(res.body.code, 'ERR_SPEC_MODE_GITOPS');
    }
    const applied = await planAndApply(w, fed);
    assert.equal(applied.body.revision, undefined);
    assert.equal(applied.body.failed, 0);
    assert.ok(applied.body.applied > 0);
  });
});
