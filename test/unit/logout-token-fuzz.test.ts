// Fuzzing the logout-token pipeline (decode, issuer, jose signature and claim checks, core rules) with
// 10,000 mutated tokens: header and claim mutations are re-signed with the realm's key, so they reach
// the claim rules; signature mutations do not. An independent oracle (test/support/logout-oracle.ts,
// from the OIDC Back-Channel Logout 1.0 spec) decides accept/reject; the broker must agree on every one.
import { createPublicKey, KeyObject, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { exportJWK } from 'jose';
import { isBrokerError } from '../../src/core/errors.ts';
import { validateLogoutToken } from '../../src/services/logout/receive.ts';
import { ALICE_A, ISSUER, logoutWorld } from '../support/logout-fixtures.ts';
import { BACKCHANNEL_LOGOUT_EVENT_URI as BCL, NOT_JSON, oracle, ORACLE_RULES, type OraclePolicy, type SignatureMode } from '../support/logout-oracle.ts';

const RUNS = 10_000;
const SEED = 20_260_101;
const ISS = ISSUER('cloud-a');
const POLICY: OraclePolicy = {
  issuer: ISS, clientIds: ['fed-cloud-b', 'fed-cloud-c'], // full-mesh demo federation: fed-<partner> in the home realm
  alg: 'ES256', kid: 'kid-cloud-a', maxAgeSeconds: 120, futureSkewSeconds: 30, clockToleranceSeconds: 30, maxIdLength: 512,
};

const ABSENT = Symbol('absent');
/** Mostly a valid value, sometimes a mutation (whose validity the oracle decides, not the generator). */
const field = <V, M>(valid: fc.Arbitrary<V>, mutated: fc.Arbitrary<M>): fc.Arbitrary<V | M> => fc.oneof({ weight: 14, arbitrary: valid }, { weight: 1, arbitrary: mutated });
const around = (now: number, min: number, max: number, edges: number[]) =>
  fc.oneof(fc.integer({ min, max }).map((o) => now + o), fc.constantFrom(...edges.map((o) => now + o)));

function mutations(now: number, foreignJwk: Record<string, unknown>) {
  const header = fc.record({
    alg: field(fc.constant('ES256'), fc.constantFrom('none', 'HS256', 'RS256', 'ES384', 'es256', 'ES256 ', ABSENT, 256, null)),
    typ: field(fc.constantFrom('logout+jwt', 'application/logout+jwt', 'Logout+JWT', 'APPLICATION/LOGOUT+JWT'),
      fc.constantFrom(ABSENT, 'JWT', 'jwt', 'at+jwt', 'logout+jwt ', '', 'application/jwt', 'logout+jwt+x', 'text/logout+jwt', 7, null, ['logout+jwt'])),
    kid: field(fc.constantFrom('kid-cloud-a', ABSENT), fc.constantFrom('kid-cloud-b', 'kid-cloud-a ', '', 'KID-CLOUD-A', 42, null)),
    crit: field(fc.constant(ABSENT), fc.constantFrom(['exp'], [], ['x-ext'], 'x-ext')),
    extra: field(fc.constantFrom({}, { jku: 'https://evil.example/jwks' }, { x5u: 'https://evil.example/x5u' }, { jwk: foreignJwk }, { 'x-ext': 1 }), fc.constant({})),
  });
  const claims = fc.record({
    iss: field(fc.constant(ISS), fc.constantFrom(ISSUER('cloud-b'), `${ISS}/`, ISS.toUpperCase(), 'https://evil.example/realms/cloud-a', ABSENT, 42, null, [ISS])),
    aud: field(fc.constantFrom('fed-cloud-b', 'fed-cloud-c', ['fed-cloud-c'], ['account', 'fed-cloud-b']),
      fc.constantFrom('fed-cloud-a', 'openstack', [], ABSENT, 42, ['account'], 'FED-CLOUD-B', { aud: 'fed-cloud-b' }, null)),
    iat: field(fc.integer({ min: -110, max: 25 }).map((o) => now + o),
      fc.oneof(around(now, -300, 120, [-120, -121, 30, 31, -120.5, 30.5, 0.25]), fc.constantFrom(String(now), null, ABSENT, true, [now], {}, 0, -1))),
    exp: field(fc.oneof(fc.constant(ABSENT), fc.integer({ min: 60, max: 3600 }).map((o) => now + o)),
      fc.oneof(around(now, -3600, 60, [-31, -30, -29, -30.5, -29.5]), fc.constantFrom('x', String(now + 60), null, true, {}))),
    nbf: field(fc.oneof(fc.constant(ABSENT), fc.integer({ min: -600, max: 0 }).map((o) => now + o)),
      fc.oneof(around(now, -60, 3700, [10, 29, 30, 31, 30.5, 600, 3600]), fc.constantFrom('x', String(now), null, false, [now]))),
    jti: field(fc.oneof(fc.nat().map((n) => `jti-${n}`), fc.string({ minLength: 1, maxLength: 40 }), fc.constant('j'.repeat(512))),
      fc.constantFrom('', ABSENT, 42, null, 'j'.repeat(513), ['jti-1'])),
    events: field(fc.constantFrom({ [BCL]: {} }, { [BCL]: {}, 'urn:x': {} }, { [BCL]: { extra: 1 } }),
      fc.constantFrom(ABSENT, {}, { [BCL]: 'yes' }, { [BCL]: [] }, { [BCL]: null }, { [BCL]: true }, [], [{ [BCL]: {} }], 'x', null,
        { [`${BCL}/`]: {} }, { 'urn:other': {} }, { [BCL.toUpperCase()]: {} })),
    nonce: field(fc.constant(ABSENT), fc.constantFrom('n-1', '', null, 0, false, {})),
    subject: field(fc.constantFrom([ALICE_A, 'sid-a-1'], [ALICE_A, ABSENT], [ABSENT, 'sid-a-1'], ['x'.repeat(512), ABSENT]),
      fc.constantFrom([ABSENT, ABSENT], ['', 'sid-a-1'], [42, 'sid-a-1'], [ALICE_A, ''], [ALICE_A, 7], ['', ''], ['x'.repeat(513), ABSENT], [null, 'sid-a-1'], [ABSENT, ['sid']])),
    extra: fc.constantFrom({}, { foo: 'bar' }, { acr: '1', azp: 'account' }),
  });
  return fc.record({
    header, claims,
    headerShape: field(fc.constantFrom('compact', 'pretty'), fc.constantFrom('not-json', 'array')),
    payloadShape: field(fc.constantFrom('compact', 'pretty'), fc.constantFrom('not-json', 'array', 'string', 'number')),
    signature: field(fc.constant<SignatureMode>('realm'), fc.constantFrom<SignatureMode>('foreign', 'embedded-jwk', 'truncated', 'empty', 'flipped', 'other-payload')),
  });
}
type Mutation = ReturnType<typeof mutations> extends fc.Arbitrary<infer T> ? T : never;

const present = (entries: [string, unknown][]) => Object.fromEntries(entries.filter(([, v]) => v !== ABSENT));
const b64u = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

function serialise(value: Record<string, unknown>, shape: string): string {
  switch (shape) {
    case 'pretty': return JSON.stringify(value, null, 1);
    case 'not-json': return JSON.stringify(value).slice(0, -1);
    case 'array': return JSON.stringify([value]);
    case 'string': return JSON.stringify('a string');
    case 'number': return '1';
    default: return JSON.stringify(value);
  }
}

function parsed(json: string): unknown {
  try { return JSON.parse(json) as unknown; } catch { return NOT_JSON; }
}

describe('logout token fuzzing against a spec oracle', () => {
  it(`${RUNS} mutated tokens: 0 false accepts, 0 false rejects`, async () => {
    const world = await logoutWorld();
    const now = Math.floor(world.now.ms / 1000);
    const realm = KeyObject.from(world.realmKey('cloud-a'));
    const foreign = KeyObject.from(world.foreignKey);
    const foreignJwk = { ...(await exportJWK(createPublicKey(foreign))), kid: 'kid-cloud-a' };
    const es256 = (key: KeyObject, input: string) => sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    assert.deepEqual([...(world.deps.issuers.find((i) => i.cloud === 'cloud-a')?.audiences ?? [])].sort(), POLICY.clientIds, 'the oracle knows the demo federation');

    const token = (m: Mutation) => {
      const { alg, typ, kid, crit, extra } = m.header;
      const header = present([['alg', alg], ['typ', typ], ['kid', kid], ['crit', crit], ...Object.entries(extra as object)]);
      if (m.signature === 'embedded-jwk') header['jwk'] = foreignJwk;
      const [sub, sid] = m.claims.subject as [unknown, unknown];
      const payload = present([['iss', m.claims.iss], ['aud', m.claims.aud], ['iat', m.claims.iat], ['exp', m.claims.exp], ['nbf', m.claims.nbf],
        ['jti', m.claims.jti], ['sub', sub], ['sid', sid], ['events', m.claims.events], ['nonce', m.claims.nonce], ...Object.entries(m.claims.extra)]);
      const headerJson = serialise(header, m.headerShape);
      const payloadJson = serialise(payload, m.payloadShape);
      const input = `${b64u(headerJson)}.${b64u(payloadJson)}`;
      const signature = {
        realm: () => es256(realm, input),
        foreign: () => es256(foreign, input),
        'embedded-jwk': () => es256(foreign, input),
        truncated: () => es256(realm, input).slice(0, -2),
        empty: () => '',
        flipped: () => { const s = es256(realm, input); return (s[0] === 'A' ? 'B' : 'A') + s.slice(1); },
        'other-payload': () => es256(realm, `${b64u(headerJson)}.${b64u('{}')}`),
      }[m.signature]();
      return { jwt: `${input}.${signature}`, verdict: oracle({ header: parsed(headerJson), payload: parsed(payloadJson), signature: m.signature, now }, POLICY) };
    };

    const cases = fc.sample(mutations(now, foreignJwk), { seed: SEED, numRuns: RUNS });
    assert.equal(cases.length, RUNS);
    const falseAccepts: string[] = [];
    const falseRejects: string[] = [];
    const rules = new Map<string, number>();
    const codes = new Map<string, number>();
    let accepted = 0;
    for (const m of cases) {
      const { jwt, verdict } = token(m);
      let code = 'accepted';
      try {
        await validateLogoutToken(world.deps, 'cloud-a', jwt);
        accepted += 1;
      } catch (error) {
        assert.ok(isBrokerError(error) && error.code.startsWith('ERR_LOGOUT_'), `not an ERR_LOGOUT_* BrokerError: ${String(error)}`);
        code = error.code;
      }
      codes.set(code, (codes.get(code) ?? 0) + 1);
      if (!verdict.accept) rules.set(verdict.rule, (rules.get(verdict.rule) ?? 0) + 1);
      const show = () => `${code} vs oracle ${verdict.accept ? 'accept' : verdict.rule}: ${JSON.stringify(m, (_k, v: unknown) => (v === ABSENT ? '<absent>' : v))}`;
      if (code === 'accepted' && !verdict.accept) falseAccepts.push(show());
      if (code !== 'accepted' && verdict.accept) falseRejects.push(show());
    }
    assert.deepEqual(falseAccepts.slice(0, 5), [], `${falseAccepts.length} false accepts`);
    assert.deepEqual(falseRejects.slice(0, 5), [], `${falseRejects.length} false rejects`);
    // The run must mean something: both outcomes are common, and every rule of the oracle was hit.
    assert.ok(accepted > RUNS * 0.15 && accepted < RUNS * 0.85, `${accepted} accepted`);
    for (const rule of ORACLE_RULES) assert.ok((rules.get(rule) ?? 0) > 0, `no mutation broke rule ${rule}`);
    for (const code of ['ERR_LOGOUT_EXPIRED', 'ERR_LOGOUT_NOT_YET_VALID', 'ERR_LOGOUT_CLAIM_INVALID', 'ERR_LOGOUT_SIGNATURE', 'ERR_LOGOUT_TYP']) {
      assert.ok((codes.get(code) ?? 0) > 0, `no token was refused with ${code}: ${JSON.stringify([...codes])}`);
    }
  });
});
