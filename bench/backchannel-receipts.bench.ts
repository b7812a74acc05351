// Receipts of back-channel logout tokens per second through the real HTTP endpoint: TLS, form body,
// rate limiter, signature (jose, a real verification per token), claims, the jti replay check in
// Redis, the subject, the event record and the BullMQ enqueue of its deliveries (none run: there are
// no workers, the fan-out is measured by bench/logout-fanout.bench.ts). The server is the broker's
// express app in a child process (bench/receipts-server.ts) on the test bed's Redis; this process is
// the load generator (undici, keep-alive, N connections, pipelining 1), every request a fresh token
// signed before the timed window. Floors, same run and concurrency: a bare HTTPS GET /healthz to the
// same server, and a bare Redis SET NX PX with ioredis (the broker's client library).
//   flock -o /tmp/testbed.lock node --import tsx bench/backchannel-receipts.bench.ts \
//     [--runs 3] [--seconds 10] [--concurrency 4,8,16,32] [--alg ES256|RS256] [--cpu-prof DIR: the server's CPU profile of each receipts window]
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { closeRedis, connectRedis, type RedisClient } from '../src/adapters/redis/logout-store.ts';
import type { ServerConfig } from './receipts-server.ts';
import { closedLoop, logoutToken, ms, quietSecond, realmKey, spread, type Alg, type LoadResult } from './receipts-load.ts';

const { values: args } = parseArgs({ options: {
  runs: { type: 'string', default: '3' }, seconds: { type: 'string', default: '10' }, concurrency: { type: 'string', default: '4,8,16,32' },
  alg: { type: 'string', default: 'ES256' }, 'cpu-prof': { type: 'string' }, 'max-rate': { type: 'string', default: '5000' },
} });
const RUNS = Number(args.runs);
const SECONDS = Number(args.seconds);
const LEVELS = args.concurrency.split(',').map(Number);
const ALG = args.alg as Alg;
const MAX_RATE = Number(args['max-rate']);
const FLOOR_SECONDS = Math.min(5, SECONDS);
const root = new URL('..', import.meta.url).pathname;
const REDIS_URL = process.env['FEDBROKER_REDIS_URL'] ?? 'redis://127.0.0.1:16379';
const PREFIX = `fedbroker-bench-receipts-${process.pid}`;
const USER = 'bench-user-';
const CLOUD = 'cloud-a';
const ISSUER = 'https://127.0.0.1:18443/realms/cloud-a';
const AUDIENCE = 'fed-cloud-b';

const key = realmKey(ALG, 'bench-kid-cloud-a');
const config: ServerConfig = {
  specFile: `${root}config/federation.example.yaml`, redisUrl: REDIS_URL, prefix: PREFIX,
  certFile: `${root}.testbed/ca/server.pem`, keyFile: `${root}.testbed/ca/server.key`, jwks: { [ISSUER]: key.jwk }, userPrefix: USER,
};

interface ServerStats { rssMiB: number; jwksFetches: number; userLookups: number; cpuUs: { user: number; system: number } }
const child: ChildProcess = fork(`${root}bench/receipts-server.ts`, [], {
  execArgv: ['--import', 'tsx'],
  env: { ...process.env, BENCH_RECEIPTS: JSON.stringify(config) }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const replies: ((msg: Record<string, unknown>) => void)[] = [];
child.on('message', (msg: Record<string, unknown>) => { replies.shift()?.(msg); });
child.on('exit', (code) => { if (replies.length > 0) { console.error(`the server process exited (${code}) before it answered`); process.exit(1); } });
const ask = (cmd?: string, extra: Record<string, unknown> = {}) => new Promise<Record<string, unknown>>((resolve) => { replies.push(resolve); if (cmd) child.send({ cmd, ...extra }); });
const serverStats = async () => (await ask('stats'))['stats'] as ServerStats;
const port = (await ask())['ready'] as number;

const redis: RedisClient = await connectRedis(REDIS_URL);
async function deleteBenchKeys(): Promise<number> {
  let deleted = 0;
  for (const match of [`${PREFIX}*`, `bull:${PREFIX}:*`]) {
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 2000);
      cursor = nextCursor;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  }
  return deleted;
}

const ca = readFileSync(`${root}.testbed/ca/ca.pem`);
let userSeq = 0;
function tokens(count: number): string[] {
  return Array.from({ length: count }, () => { const n = userSeq++; return logoutToken(key, { iss: ISSUER, aud: AUDIENCE, sub: `${USER}${n}`, sid: `bench-sid-${n}` }); });
}

async function receipts(pool: Pool, concurrency: number, durationMs: number, signed: string[]): Promise<LoadResult & { coalesced: number }> {
  let coalesced = 0;
  const result = await closedLoop(concurrency, durationMs, signed.length, async (i) => {
    const res = await pool.request({ method: 'POST', path: `/api/v1/logout/backchannel/${CLOUD}`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `logout_token=${signed[i]}` });
    const body = await res.body.text();
    if (res.statusCode !== 200) return `${res.statusCode} ${body.slice(0, 200)}`;
    if ((JSON.parse(body) as { coalesced: boolean }).coalesced) coalesced += 1;
    return undefined;
  });
  return { ...result, coalesced };
}

async function healthz(pool: Pool, concurrency: number): Promise<LoadResult> {
  return closedLoop(concurrency, FLOOR_SECONDS * 1000, Infinity, async () => {
    const res = await pool.request({ method: 'GET', path: '/healthz' });
    await res.body.text();
    return res.statusCode === 200 ? undefined : String(res.statusCode);
  });
}

async function redisSetNx(concurrency: number): Promise<LoadResult> {
  return closedLoop(concurrency, FLOOR_SECONDS * 1000, Infinity, async (i) =>
    ((await redis.set(`${PREFIX}:floor:${i}`, '1', 'PX', 60_000, 'NX')) === 'OK' ? undefined : 'not set'));
}

interface Row { c: number; rec: LoadResult[]; https: LoadResult[]; set: LoadResult[]; rss: number[]; cpu: number[]; cpuMsPerReceipt: number[]; cpuMsPerHttps: number[]; coalesced: number; load: number[]; idle: number[] }
const rows: Row[] = LEVELS.map((c) => ({ c, rec: [], https: [], set: [], rss: [], cpu: [], cpuMsPerReceipt: [], cpuMsPerHttps: [], coalesced: 0, load: [], idle: [] }));
const warmupPool = new Pool(`https://127.0.0.1:${port}`, { connections: 8, pipelining: 1, connect: { ca } });
await receipts(warmupPool, 8, 3000, tokens(3000)); // JIT, the JWKS fetch, the Redis and BullMQ connections
await warmupPool.close();
console.log(`backchannel receipts bench: ${cpus().length} CPUs (nproc), node ${process.version}, ${ALG} logout tokens, ${RUNS} runs × ${SECONDS} s per concurrency (floors ${FLOOR_SECONDS} s), load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`server: createApp over HTTPS (test bed server cert), real RedisLogoutStore + BullMQ queue + Redis audit store on ${REDIS_URL} (prefix/queue ${PREFIX}), real jose verifier over a fake JWKS fetch,`);
console.log('        FAKE Keycloak adapter (src/adapters/fakes, FakeKeycloakSessions) for the subject lookup (userById) of each receipt; no delivery workers;');
console.log('        rate limits RAISED to 1,000,000/s per source and per cloud (defaults 200/s per source, 500/s per cloud); audit lines at info to stdout (discarded)');

try {
  for (let run = 0; run < RUNS; run += 1) {
    for (const row of rows) {
      await deleteBenchKeys();
      const pool = new Pool(`https://127.0.0.1:${port}`, { connections: row.c, pipelining: 1, connect: { ca } });
      const signed = tokens(Math.ceil(MAX_RATE * SECONDS));
      row.idle.push(await quietSecond());
      const before = await serverStats();
      const t = performance.now();
      row.load.push(loadavg()[0]!);
      if (args['cpu-prof']) await ask('prof-start');
      const r = await receipts(pool, row.c, SECONDS * 1000, signed);
      if (args['cpu-prof']) console.log(`  CPU profile of the server: ${String((await ask('prof-stop', { file: `${args['cpu-prof']}/receipts-c${row.c}-run${run + 1}.cpuprofile` }))['profiled'])}`);
      const after = await serverStats();
      const cpuS = (after.cpuUs.user + after.cpuUs.system - before.cpuUs.user - before.cpuUs.system) / 1e6;
      row.cpu.push(cpuS / ((performance.now() - t) / 1000));
      row.cpuMsPerReceipt.push((cpuS * 1000) / r.done);
      row.rec.push(r);
      row.coalesced += r.coalesced;
      row.rss.push(after.rssMiB);
      const h = await healthz(pool, row.c);
      const afterHttps = await serverStats();
      row.https.push(h);
      row.cpuMsPerHttps.push((afterHttps.cpuUs.user + afterHttps.cpuUs.system - after.cpuUs.user - after.cpuUs.system) / 1000 / h.done);
      await pool.close();
      row.set.push(await redisSetNx(row.c));
      const fail = r.failed > 0 ? `  FAILED ${r.failed}: ${r.firstFailure}` : '';
      console.log(`  run ${run + 1} c=${String(row.c).padEnd(3)} receipts ${r.perSecond.toFixed(0).padStart(5)}/s p50 ${ms(r.p50)} p99 ${ms(r.p99)} max ${ms(r.max)} (n=${r.done}, server CPU ${(row.cpu.at(-1)! * 100).toFixed(0)}%, ${row.cpuMsPerReceipt.at(-1)!.toFixed(2)} ms/receipt, idle before ${(row.idle.at(-1)! * 100).toFixed(0)}%)`
        + ` | HTTPS ${row.https.at(-1)!.perSecond.toFixed(0)}/s p99 ${ms(row.https.at(-1)!.p99)} ${row.cpuMsPerHttps.at(-1)!.toFixed(2)} ms/req | SET NX ${row.set.at(-1)!.perSecond.toFixed(0)}/s p99 ${ms(row.set.at(-1)!.p99)} | RSS ${after.rssMiB.toFixed(0)} MiB${fail}`);
    }
  }
  const final = await serverStats();
  const f = (xs: number[], d = 0) => { const s = spread(xs); return `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`; };
  console.log('\nmedian (min–max) over runs');
  console.log('conc | receipts/s          | p99 ms            | bare HTTPS/s        | HTTPS p99 ms    | SET NX/s               | SET p99 ms    | rec/HTTPS | server CPU | CPU ms/receipt | CPU ms/HTTPS | RSS MiB | load1 | idle before');
  for (const row of rows) {
    const ratio = spread(row.rec.map((r, i) => r.perSecond / row.https[i]!.perSecond)).median;
    console.log(`${String(row.c).padEnd(4)} | ${f(row.rec.map((r) => r.perSecond)).padEnd(19)} | ${f(row.rec.map((r) => r.p99), 1).padEnd(17)} | ${f(row.https.map((r) => r.perSecond)).padEnd(19)} | `
      + `${f(row.https.map((r) => r.p99), 1).padEnd(15)} | ${f(row.set.map((r) => r.perSecond)).padEnd(22)} | ${f(row.set.map((r) => r.p99), 1).padEnd(13)} | ${ratio.toFixed(2).padEnd(9)} | `
      + `${f(row.cpu.map((x) => x * 100))}% | ${f(row.cpuMsPerReceipt, 2)} | ${f(row.cpuMsPerHttps, 2)} | ${f(row.rss)} | ${f(row.load, 2)} | ${f(row.idle.map((x) => x * 100))}%`);
  }
  const ok = rows.filter((row) => spread(row.rec.map((r) => r.p99)).median <= 20 && row.rec.every((r) => r.failed === 0));
  const best = ok.sort((a, b) => spread(b.rec.map((r) => r.perSecond)).median - spread(a.rec.map((r) => r.perSecond)).median)[0];
  console.log(`\nbest with median p99 <= 20 ms: ${best ? `c=${best.c}: ${f(best.rec.map((r) => r.perSecond))} receipts/s` : 'none'}; goal >= 2000/s on 2 cores with p99 <= 20 ms`);
  console.log(`JWKS fetches by the server: ${final.jwksFetches}; subject lookups (fake Keycloak adapter): ${final.userLookups}; coalesced receipts: ${rows.reduce((n, r) => n + r.coalesced, 0)}; load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await ask('stop');
  console.log(`deleted ${await deleteBenchKeys()} bench keys (${PREFIX}*, bull:${PREFIX}:*)`);
  await closeRedis(redis);
}
