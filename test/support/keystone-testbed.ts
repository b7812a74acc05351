// The demo spec's clouds pointed at the running test bed's Keystones (absolute CA and secret paths).
import type { CloudSpec } from '../../src/core/federation/schema.ts';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { exampleSpec } from './example-federation.ts';
import { loadTestbed, testbedCloud, testbedFetch } from './testbed.ts';

export function testbedKeystoneCloud(alias: string, mutate: (keystone: Record<string, unknown>) => void = () => {}): CloudSpec {
  const { caFile } = loadTestbed();
  const { keystone } = testbedCloud(alias);
  const spec = exampleSpec((doc) => {
    const cloud = doc.clouds.find((c: { alias: string }) => c.alias === alias);
    cloud.keystone.url = keystone.url;
    cloud.keystone.caFile = caFile;
    cloud.keystone.admin = { username: keystone.adminUser, password: { file: keystone.adminPasswordFile } };
    mutate(cloud.keystone);
  });
  return spec.clouds.find((c) => c.alias === alias) as CloudSpec;
}

/** The admin API of a cloud's Keystone on the test bed, with an admin token (for tests that change it by hand). */
export async function keystoneAdminApi(cloud: string): Promise<{ get(path: string, headers?: Record<string, string>): Promise<Record<string, unknown>>; send(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Record<string, unknown>> }> {
  const ks = testbedCloud(cloud).keystone;
  const auth = await testbedFetch(`${ks.url}/v3/auth/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ auth: {
    identity: { methods: ['password'], password: { user: { name: ks.adminUser, domain: { name: 'Default' }, password: readFileSync(ks.adminPasswordFile, 'utf8').trim() } } },
    scope: { project: { name: 'admin', domain: { name: 'Default' } } } } }) });
  await auth.text();
  const token = auth.headers.get('x-subject-token') as string;
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await testbedFetch(`${ks.url}${path}`, { method, headers: { ...headers, 'X-Auth-Token': token, 'Content-Type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  };
  return { get: (path, headers) => send('GET', path, undefined, headers), send };
}
