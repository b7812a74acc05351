// The CPU of one receipt without HTTP: receiveBackchannelLogout called directly, N in flight, with the
// real Redis store, BullMQ queue and Redis audit store (bench prefix, deleted afterwards), the real jose
// verifier over an in-process JWKS and the fake Keycloak adapter for the subject. Variants drop one
// part to show its share: `noaudit` (audit log a no-op), `noqueue` (enqueue a no-op). Prints the
// broker's CPU per receipt and the rate. Next to bench/backchannel-receipts.bench.ts (through HTTPS).
//   flock -o /tmp/testbed.lock node --import tsx bench/receipts-inprocess.bench.ts [full|noaudit|noqueue ...]
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { parse } from 'yaml';
import { FakeKeycloakSessions } from '../src/adapters/fakes/logout.ts';
import { createBrokerLogger } from '../src/adapters/log/pino-logger.ts';
import { JoseLogoutTokenVerifier } from '../src/adapters/oidc/logout-token-verifier.ts';
import { BullDeliveryQueue } from '../src/adapters/queue/bullmq-delivery-queue.ts';
import { RedisAuditStore } from '../src/adapters/redis/audit-store.ts';
import { closeRedis, connectRedis, RedisLogoutStore } from '../src/adapters/redis/logout-store.ts';
import { storedAuditLog } from '../src/cli/logout-compose.ts';
import { validateSpec } from '../src/core/federation/validate.ts';
import type { RealmUser } from '../src/core/logout/subject.ts';
import { logoutIssuers } from '../src/core/logout/token-rules.ts';
import type { DeliveryQueue } from '../src/ports.ts';
import type { LogoutDeps } from '../src/services/logout/deps.ts';
import { receiveBackchannelLogout } from '../src/services/logout/receive.ts';
import { logoutToken, realmKey } from './receipts-load.ts';

const REDIS_URL = process.env['FEDBROKER_REDIS_URL'] ?? 'redis://127.0.0.1:16379';
const PREFIX = `fedbroker-bench-inprocess-${process.pid}`;
const ISSUER = 'https://127.0.0.1:18443/realms/cloud-a';
const IN_FLIGHT = 32;
const N = 6000;
const parsed = validateSpec(parse(readFileSync(new URL('../config/federation.example.yaml', import.meta.url), 'utf8')));
if (!parsed.ok) throw new Error('invalid demo spec');
const spec = parsed.spec;
const key = realmKey('ES256', 'bench-kid');

class AnyUser extends FakeKeycloakSessions {
  override async userById(_realm: string, id: string): Promise<RealmUser | undefined> { return { id, username: id, attributes: {}, federatedIdentities: [] }; }
}

const redis = await connectRedis(REDIS_URL);
const queue = new BullDeliveryQueue(REDIS_URL, { name: PREFIX });
const { audit, flush } = storedAuditLog(new RedisAuditStore(redis, { prefix: `${PREFIX}:audit`, retentionDays: 1, now: Date.now }),
  createBrokerLogger(pino.destination({ dest: '/dev/null', sync: true })), Date.now);
const noQueue: DeliveryQueue = { enqueue: async () => {}, process: () => {}, drain: async () => true, close: async () => {} };
let seq = 0;
const tokens = (count: number) => Array.from({ length: count }, () => { seq += 1; return logoutToken(key, { iss: ISSUER, aud: 'fed-cloud-b', sub: `u${seq}`, sid: `s${seq}` }); });

async function receive(deps: LogoutDeps, list: string[]): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => { while (i < list.length) await receiveBackchannelLogout(deps, 'cloud-a', list[i++]!); }));
}

try {
  for (const variant of process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['full', 'noaudit', 'noqueue']) {
    const deps: LogoutDeps = {
      spec, issuers: logoutIssuers(spec), keycloak: (cloud) => new AnyUser(cloud), keystone: () => undefined,
      verifier: new JoseLogoutTokenVerifier({ fetchFor: () => async () => new Response(JSON.stringify({ keys: [key.jwk] }), { headers: { 'content-type': 'application/json' } }) }),
      store: new RedisLogoutStore(redis, `${PREFIX}:logout`), queue: variant === 'noqueue' ? noQueue : queue,
      clock: { now: () => new Date() }, ids: { newId: () => crypto.randomUUID() }, audit: variant === 'noaudit' ? { record: () => {} } : audit,
    };
    await receive(deps, tokens(2000)); // warm-up
    const list = tokens(N);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await receive(deps, list);
    const cpu = process.cpuUsage(cpu0);
    console.log(`${variant.padEnd(8)} ${((cpu.user + cpu.system) / N).toFixed(0).padStart(5)} µs CPU per receipt, ${(N / ((performance.now() - t0) / 1000)).toFixed(0)} receipts/s (${IN_FLIGHT} in flight, n=${N})`);
  }
} finally {
  await flush();
  await queue.close();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${PREFIX}*`, 'COUNT', 2000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  await closeRedis(redis);
}
