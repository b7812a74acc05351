// No secret reaches a log line: the broker's logger (src/adapters/log/pino-logger.ts) redacts at
// every depth and inside strings, and the HTTP app logs 5xx errors as code, message, error id and a
// name/code/message cause chain. The pino output is captured and searched for every secret value.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createBrokerLogger } from '../../src/adapters/log/pino-logger.ts';
import { BrokerError } from '../../src/core/errors.ts';
import { causeChain, isSecretKey, MASK, REDACTED, redactString, redactValue } from '../../src/core/redact.ts';
import { createApp } from '../../src/http/app.ts';
import { BrokerMetrics } from '../../src/http/metrics.ts';
import { logoutWorld } from '../support/logout-fixtures.ts';

function captured() {
  const lines: string[] = [];
  const logger = createBrokerLogger({ write: (line: string) => { lines.push(line); } }, { level: 'debug' });
  return { logger, lines, text: () => lines.join(''), records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** The value at `path` inside a parsed log record. */
const dig = (value: unknown, ...path: (string | number)[]): unknown => path.reduce<unknown>((o, k) => (o as Record<string | number, unknown> | undefined)?.[k], value);

function assertAbsent(text: string, secrets: readonly string[]) {
  for (const secret of secrets) assert.ok(!text.includes(secret), `secret ${secret} leaked into: ${text}`);
}

describe('log redaction', () => {
  it('top-level password, nested Authorization header, Redis URL, array of objects with Client_Secret', () => {
    const { logger, lines, text, records } = captured();
    logger.info({ password: 'pw-top-1' }, 'login');
    logger.warn({ request: { method: 'GET', headers: { Authorization: 'Bearer tok-nested-2', Accept: 'application/json' } } }, 'outbound call');
    logger.info({ redis: 'redis://:redis-pw-3@127.0.0.1:6379/0' }, 'connecting to redis://:redis-pw-3@127.0.0.1:6379');
    logger.info({ clients: [{ clientId: 'fed-cloud-b', Client_Secret: 'cs-4' }, { clientId: 'fed-cloud-c', more: [{ CLIENT_SECRET: 'cs-5', 'x-api-key': 'key-6' }] }] }, 'clients');
    logger.info({ upstream: 'https://admin:https-pw-7@keycloak.example/admin?client_secret=qs-8&x=1' }, 'https://admin:https-pw-7@keycloak.example');
    logger.child({ apiKey: 'child-9', cloud: 'cloud-a' }).info({ deep: { a: { b: { c: { refresh_token: 'rt-10', Cookie: 'sid=ck-11' } } } } }, 'deep');
    logger.info('printf %s and %o', 'password=printf-12', { id_token: 'idt-13' });
    assert.equal(lines.length, 7);
    assertAbsent(text(), ['pw-top-1', 'tok-nested-2', 'redis-pw-3', 'cs-4', 'cs-5', 'key-6', 'https-pw-7', 'qs-8', 'child-9', 'rt-10', 'ck-11', 'printf-12', 'idt-13']);
    const [top, nested, redis, clients, https] = records();
    assert.equal(dig(top, 'password'), REDACTED);
    assert.equal(dig(nested, 'request', 'headers', 'Authorization'), REDACTED);
    assert.equal(dig(nested, 'request', 'headers', 'Accept'), 'application/json', 'non-secrets stay');
    assert.equal(dig(redis, 'redis'), `redis://:${MASK}@127.0.0.1:6379/0`);
    assert.equal(dig(redis, 'msg'), `connecting to redis://:${MASK}@127.0.0.1:6379`);
    assert.deepEqual(dig(clients, 'clients'), [{ clientId: 'fed-cloud-b', Client_Secret: REDACTED }, { clientId: 'fed-cloud-c', more: [{ CLIENT_SECRET: REDACTED, 'x-api-key': REDACTED }] }]);
    assert.equal(dig(https, 'upstream'), `https://admin:${MASK}@keycloak.example/admin?client_secret=${MASK}&x=1`);
  });

  it('an error logged directly appears as name/code/message chains; its config and payload do not', () => {
    const { logger, text, records } = captured();
    const error = Object.assign(new Error('request to https://u:err-pw-1@kc.example failed'), {
      code: 'ECONNRESET', config: { headers: { 'X-Other': 'cfg-visible-2' }, data: 'cfg-body-3' }, cause: new Error('inner token=err-tok-4'),
    });
    logger.error(error);
    logger.error({ err: error, attempt: 2 });
    assertAbsent(text(), ['err-pw-1', 'cfg-visible-2', 'cfg-body-3', 'err-tok-4']);
    for (const r of records()) {
      assert.deepEqual(r['err'], { name: 'Error', code: 'ECONNRESET', message: `request to https://u:${MASK}@kc.example failed`, causes: [{ name: 'Error', message: `inner token=${MASK}` }] });
      assert.equal(r['msg'], `request to https://u:${MASK}@kc.example failed`);
    }
  });

  it('cycles and depth are cut, odd values survive, nothing throws', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic['self'] = cyclic;
    cyclic['list'] = [cyclic, { password: 'x' }];
    const out = redactValue({ cyclic, deep: JSON.parse(`${'{"a":'.repeat(30)}{"password":"deep-pw"}${'}'.repeat(30)}`), big: 10n, when: new Date(0), map: new Map([['secret', 's-1']]) });
    const text = JSON.stringify(out);
    assertAbsent(text, ['deep-pw', 's-1']);
    assert.match(text, /\[Circular\]/);
    assert.match(text, /\[Truncated\]/);
    assert.deepEqual((out as Record<string, unknown>)['map'], { secret: REDACTED });
    assert.equal((out as Record<string, unknown>)['when'], '1970-01-01T00:00:00.000Z');
  });

  it('key pattern: case- and separator-insensitive; names of where a secret lives are kept', () => {
    for (const k of ['password', 'PASSWORD', 'Client_Secret', 'clientSecret', 'authorization', 'Proxy-Authorization', 'set-cookie', 'access_token', 'refresh_token', 'id_token', 'logout_token', 'apiKey', 'X-API-KEY', 'pwd', 'auth', 'privateKey']) {
      assert.ok(isSecretKey(k), k);
    }
    for (const k of ['cloud', 'sid', 'jti', 'tokenEndpoint', 'token_type', 'secretRef', 'clientId', 'key', 'path', 'status']) assert.ok(!isSecretKey(k), k);
    assert.equal(redactString('Authorization: Bearer abc.def-ghi'), `Authorization: Bearer ${MASK}`);
    assert.equal(redactString('token eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln here'), `token ${MASK}jwt here`);
    assert.equal(redactString('redis://:p@ss@host:6379'), `redis://:${MASK}@host:6379`);
    assert.equal(redactString('https://tok123@github.com/x'), `https://${MASK}@github.com/x`);
    assert.equal(redactString('{"client_secret":"js-1","id":"v"}'), `{"client_secret":"${MASK}","id":"v"}`);
    assert.equal(redactString('body {"password": "correct horse", "user": "u"}'), `body {"password": "${MASK}", "user": "u"}`);
    assert.equal(redactString('see https://kc.example/x?a=1&refresh_token=rt-1&b=2'), `see https://kc.example/x?a=1&refresh_token=${MASK}&b=2`);
  });

  it('string redaction is linear: pathological inputs of 48,000 characters take milliseconds, not minutes', () => {
    const n = 48_000;
    const inputs = ['token'.repeat(n / 5), 'a.'.repeat(n / 2), 'eyJ-'.repeat(n / 4), 'x://a@'.repeat(n / 6), `password: ${'p'.repeat(n)}`, '"a":"'.repeat(n / 5), 'a'.repeat(n)];
    const started = performance.now();
    for (const input of inputs) redactString(input);
    const ms = performance.now() - started;
    assert.ok(ms < 2000, `${ms.toFixed(0)} ms`);
  });

  it('causeChain: at most five links, cycles cut, non-errors described, not dumped', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    assert.deepEqual(causeChain(b).map((l) => l.message), ['b', 'a']);
    const long = Array.from({ length: 10 }).reduce<unknown>((cause, _, i) => new Error(`e${i}`, { cause }), undefined);
    assert.equal(causeChain(long).length, 5);
    assert.deepEqual(causeChain(new Error('x', { cause: { payload: { secret: 'p-1' } } })), [{ name: 'Error', message: 'x' }, { name: 'object', message: '(a value of type object, not shown)' }]);
  });
});

describe('5xx error log of the HTTP app', () => {
  it('logs code, message, error id and a redacted cause chain, never the error object with its request config', async () => {
    const { logger, text, records } = captured();
    const world = await logoutWorld();
    const upstream = Object.assign(new Error('connect ECONNREFUSED redis://:ready-pw-1@10.0.0.1:6379'), {
      code: 'ECONNREFUSED',
      config: { url: 'https://kc.example/token', headers: { Authorization: 'Bearer cfg-tok-2' }, data: 'grant_type=client_credentials&client_secret=cfg-cs-3' },
      response: { data: { access_token: 'resp-at-4' } },
      cause: new Error('socket closed, password=inner-pw-5'),
    });
    let failWith: unknown = new BrokerError('ERR_QUEUE_UNAVAILABLE', 'Redis at redis://:msg-pw-6@10.0.0.1:6379 cannot be reached', { cause: upstream, details: { url: 'redis://:det-pw-7@10.0.0.1', cloud: 'cloud-a' } });
    const app = createApp({ logout: world.deps, logger, metrics: new BrokerMetrics(), ready: async () => { throw failWith; } });
    const res = await request(app).get('/readyz');
    assert.equal(res.status, 503);
    failWith = upstream;
    const raw = await request(app).get('/readyz');
    assert.equal(raw.status, 500);

    assertAbsent(text(), ['ready-pw-1', 'cfg-tok-2', 'cfg-cs-3', 'resp-at-4', 'inner-pw-5', 'msg-pw-6', 'det-pw-7', 'kc.example/token']);
    const [broker, internal] = records();
    assert.deepEqual([dig(broker, 'level'), dig(broker, 'code'), dig(broker, 'errorId'), dig(broker, 'message')],
      [50, 'ERR_QUEUE_UNAVAILABLE', res.body.errorId, `Redis at redis://:${MASK}@10.0.0.1:6379 cannot be reached`]);
    assert.deepEqual(dig(broker, 'details'), { url: `redis://:${MASK}@10.0.0.1`, cloud: 'cloud-a' });
    assert.deepEqual(dig(broker, 'causes'), [
      { name: 'Error', code: 'ECONNREFUSED', message: `connect ECONNREFUSED redis://:${MASK}@10.0.0.1:6379` },
      { name: 'Error', message: `socket closed, password=${MASK}` },
    ]);
    assert.equal(dig(broker, 'err'), undefined);
    assert.deepEqual([dig(internal, 'code'), dig(internal, 'errorId'), dig(internal, 'causes', 0, 'code')], ['ERR_INTERNAL', raw.body.errorId, 'ECONNREFUSED']);
  });
});
