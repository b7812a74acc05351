// The logout port contracts on the real adapters: Redis store and BullMQ queue on the test bed's
// Redis; Keystone revocation on cloud-c's Keystone with a throw-away OS-FEDERATION identity
// provider for cloud-c's realm (a real shadow user and a real federated token), removed afterwards.
import { after, before } from 'node:test';
import { readFileSync } from 'node:fs';
import { KeystoneRevocation } from '../../src/adapters/logout/keystone-revocation.ts';
import { BullDeliveryQueue } from '../../src/adapters/queue/bullmq-delivery-queue.ts';
import { closeRedis, connectRedis, RedisLogoutStore, type RedisClient } from '../../src/adapters/redis/logout-store.ts';
import { deliveryQueueContract, keystoneRevocationContract, logoutStoreContract } from '../contract/logout-ports.contract.ts';
import { loadTestbed, passwordGrantToken, testbedCloud, testbedFetch, userPassword } from '../support/testbed.ts';

const testbed = loadTestbed();
let redis: RedisClient;
before(async () => { redis = await connectRedis(testbed.redis.url); });
after(async () => { await closeRedis(redis); });

logoutStoreContract('redis', async () => new RedisLogoutStore(redis, `fedbroker:test:${Date.now()}`));
deliveryQueueContract('bullmq', async () => new BullDeliveryQueue(testbed.redis.url, { name: `fedbroker-test-${Date.now()}`, backoff: { firstDelayMs: 20, maxDelayMs: 50, maxAttempts: 10 } }));

const CLOUD = 'cloud-c';
const { keystone: ks, issuer } = testbedCloud(CLOUD);
const idp = `fedbroker-logout-test-${Date.now().toString(36)}`;
let adminToken = '';
let domainId = '';
let restoreRemoteIds: (() => Promise<void>) | undefined;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const res = await testbedFetch(`${ks.url}/v3${path}`, { method, headers: { 'x-auth-token': adminToken, 'content-type': 'application/json', ...headers }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

before(async () => {
  const password = readFileSync(ks.adminPasswordFile, 'utf8').trim();
  const res = await testbedFetch(`${ks.url}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ auth: {
    identity: { methods: ['password'], password: { user: { name: ks.adminUser, domain: { id: 'default' }, password } } },
    scope: { project: { name: 'admin', domain: { id: 'default' } } } } }) });
  adminToken = res.headers.get('x-subject-token') ?? '';
  // Keystone refuses a remote id held by another identity provider: borrow the realm issuer.
  const { identity_providers: all } = (await call('GET', '/OS-FEDERATION/identity_providers')).json as { identity_providers: { id: string; remote_ids: string[] }[] };
  const holders = all.filter((i) => i.remote_ids.includes(issuer));
  for (const h of holders) await call('PATCH', `/OS-FEDERATION/identity_providers/${h.id}`, { identity_provider: { remote_ids: h.remote_ids.filter((r) => r !== issuer) } });
  restoreRemoteIds = async () => { for (const h of holders) await call('PATCH', `/OS-FEDERATION/identity_providers/${h.id}`, { identity_provider: { remote_ids: h.remote_ids } }); };
  domainId = ((await call('POST', '/domains', { domain: { name: idp } })).json as { domain: { id: string } }).domain.id;
  await call('PUT', `/OS-FEDERATION/identity_providers/${idp}`, { identity_provider: { remote_ids: [issuer], enabled: true, domain_id: domainId } });
  await call('PUT', `/OS-FEDERATION/mappings/${idp}`, { mapping: { rules: [{ local: [{ user: { name: '{0}', type: 'ephemeral' } }], remote: [{ type: 'OIDC-preferred_username' }] }] } });
  await call('PUT', `/OS-FEDERATION/identity_providers/${idp}/protocols/openid`, { protocol: { mapping_id: idp } });
});
after(async () => {
  await call('DELETE', `/OS-FEDERATION/identity_providers/${idp}/protocols/openid`);
  await call('DELETE', `/OS-FEDERATION/identity_providers/${idp}`);
  await call('DELETE', `/OS-FEDERATION/mappings/${idp}`);
  await call('PATCH', `/domains/${domainId}`, { domain: { enabled: false } });
  await call('DELETE', `/domains/${domainId}`);
  await restoreRemoteIds?.();
});

keystoneRevocationContract('Keystone Zed (cloud-c)', async () => {
  const port = new KeystoneRevocation({
    cloud: CLOUD, url: ks.url, identityProvider: idp, fetch: testbedFetch as never,
    admin: { username: ks.adminUser, password: readFileSync(ks.adminPasswordFile, 'utf8').trim(), userDomain: 'Default', project: 'admin', projectDomain: 'Default' },
  });
  return { port, login: async () => {
    // Keystone's revocation events have second granularity: a token issued in the second of a revocation is revoked too.
    await new Promise((r) => setTimeout(r, 1100));
    const access = (await passwordGrantToken(CLOUD, 'alice', userPassword(CLOUD, 'alice'))).access_token;
    const res = await testbedFetch(`${ks.url}/v3/OS-FEDERATION/identity_providers/${idp}/protocols/openid/auth`, { method: 'POST', headers: { authorization: `Bearer ${access}` } });
    if (res.status !== 201) throw new Error(`federated login: ${res.status} ${await res.text()}`);
    const token = res.headers.get('x-subject-token') ?? '';
    return { uniqueId: 'alice', tokenValid: async () => (await call('GET', '/auth/tokens', undefined, { 'x-subject-token': token })).status === 200 };
  } };
});
