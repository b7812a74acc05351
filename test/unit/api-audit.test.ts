// GET /api/v1/audit through the real express app over the fake federation: the records the API's own
// calls wrote, filtered by correlation id, cloud and time; a cloud admin reads only its own cloud's
// records and is refused another's; bad parameters are 400 naming the parameter; every response is
// checked against the OpenAPI document.
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apiWorld, conformingCall, type ApiWorld } from '../support/api-world.ts';

const get = (w: ApiWorld, path: string, token: string | undefined) => conformingCall(w, 'get', path, token);

describe('admin API: audit', () => {
  let w: ApiWorld;
  let fed: string;
  let adminB: string;
  let adminC: string;
  beforeEach(async () => {
    w = await apiWorld();
    [fed, adminB, adminC] = [await w.federationAdmin(), await w.cloudAdmin('cloud-b'), await w.cloudAdmin('cloud-c')];
  });

  it('the federation admin finds one call by its correlation id, with actor, clouds and outcome', async () => {
    const sync = await w.post('/api/v1/sync', { clouds: ['cloud-c'] }, adminC);
    assert.equal(sync.status, 202, sync.text);
    const started = w.audit.find((a) => a.action === 'api.sync.started')!;
    const res = await get(w, `/api/v1/audit?correlationId=${encodeURIComponent(String(started.correlationId))}`, fed);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.records.length, 1);
    const [record] = res.body.records;
    assert.equal(record.action, 'api.sync.started');
    assert.deepEqual(record.clouds, ['cloud-c']);
    assert.equal(record.outcome, 'ok');
    assert.match(record.actor, /^admin-cloud-c \(/);
  });

  it('a cloud admin reads only records of its own cloud, and is refused another cloud\'s (ERR_FORBIDDEN_CLOUD, audited)', async () => {
    assert.equal((await w.post('/api/v1/sync', { clouds: ['cloud-c'] }, adminC)).status, 202);
    assert.equal((await w.post('/api/v1/sync', { clouds: ['cloud-b'] }, adminB)).status, 202);
    const own = await get(w, '/api/v1/audit', adminB);
    assert.equal(own.status, 200, own.text);
    assert.ok(own.body.records.length > 0);
    assert.ok(own.body.records.every((r: { clouds: string[] }) => r.clouds.includes('cloud-b')), JSON.stringify(own.body.records));
    const all = await get(w, '/api/v1/audit', fed);
    assert.ok(all.body.records.some((r: { clouds: string[] }) => r.clouds.includes('cloud-c') && !r.clouds.includes('cloud-b')), 'the federation admin sees cloud-c\'s record');
    const other = await get(w, '/api/v1/audit?cloud=cloud-c', adminB);
    assert.equal(other.status, 403);
    assert.equal(other.body.code, 'ERR_FORBIDDEN_CLOUD');
    assert.ok(w.audit.some((a) => a.action === 'api.refused' && a['route'] === 'GET /api/v1/audit'), JSON.stringify(w.audit.map((a) => [a.action, a['route']])));
  });

  it('since takes a time or a duration back from now; a record older than since is left out', async () => {
    assert.equal((await w.post('/api/v1/sync', { clouds: ['cloud-b'] }, fed)).status, 202);
    w.now.ms += 120_000;
    assert.equal((await get(w, '/api/v1/audit?since=1m', fed)).body.records.filter((r: { action: string }) => r.action === 'api.sync.started').length, 0);
    assert.equal((await get(w, '/api/v1/audit?since=5m', fed)).body.records.filter((r: { action: string }) => r.action === 'api.sync.started').length, 1);
    assert.equal((await get(w, `/api/v1/audit?since=${new Date(w.now.ms - 600_000).toISOString()}`, fed)).body.records.filter((r: { action: string }) => r.action === 'api.sync.started').length, 1);
  });

  it('bad parameters: 400 ERR_REQUEST_INVALID naming the parameter; an unknown cloud 404', async () => {
    for (const [query, field] of [['since=yesterday', 'since'], ['limit=0', 'limit'], ['limit=abc', 'limit'], ['correlationId=a%20b', 'correlationId'], ['color=red', 'color']] as const) {
      const res = await get(w, `/api/v1/audit?${query}`, fed);
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      assert.equal(res.body.code, 'ERR_REQUEST_INVALID', query);
      assert.match(JSON.stringify(res.body), new RegExp(field), query);
    }
    const unknown = await get(w, '/api/v1/audit?cloud=cloud-z', fed);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'ERR_NOT_FOUND');
  });
});
