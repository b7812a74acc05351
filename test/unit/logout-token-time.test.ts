// Time and type rules of logout tokens, at both layers: the jose verifier (its own exp/nbf/iat checks
// run right after the signature, at the broker's clock and with seconds of skew) and the pure core
// rules (src/core/logout/token-rules.ts), each failure with its own code.
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError, type ErrorCode } from '../../src/core/errors.ts';
import { checkLogoutClaims, LOGOUT_CLOCK_TOLERANCE_SECONDS, BACKCHANNEL_LOGOUT_EVENT, type LogoutIssuer } from '../../src/core/logout/token-rules.ts';
import { statusFor } from '../../src/http/problem.ts';
import { ALICE_A, ISSUER, logoutWorld, type LogoutWorld } from '../support/logout-fixtures.ts';

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode | 'accepted'> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    assert.ok(isBrokerError(error), `not a BrokerError: ${String(error)}`);
    return error.code;
  }
}

describe('jose verifier: claim errors of a correctly signed token get precise codes', () => {
  let world: LogoutWorld;
  let issuer: LogoutIssuer;
  let now: number;
  const verify = async (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    codeOf(world.deps.verifier.verify(await world.token('cloud-a', claims, header), issuer, { now: new Date(world.now.ms), clockToleranceSeconds: LOGOUT_CLOCK_TOLERANCE_SECONDS }));
  beforeEach(async () => {
    world = await logoutWorld();
    issuer = world.deps.issuers.find((i) => i.cloud === 'cloud-a') as LogoutIssuer;
    now = Math.floor(world.now.ms / 1000);
  });

  it('the tolerance is a named constant of seconds', () => {
    assert.equal(LOGOUT_CLOCK_TOLERANCE_SECONDS, 30);
  });

  it('exp in the past: ERR_LOGOUT_EXPIRED; within the tolerance: accepted', async () => {
    assert.equal(await verify({ exp: now - 600 }), 'ERR_LOGOUT_EXPIRED');
    assert.equal(await verify({ exp: now - 30 }), 'ERR_LOGOUT_EXPIRED');
    assert.equal(await verify({ exp: now - 29 }), 'accepted');
  });

  it('nbf ahead: ERR_LOGOUT_NOT_YET_VALID for 10 min and 1 h; accepted for 10 s and 30 s', async () => {
    assert.equal(await verify({ nbf: now + 600 }), 'ERR_LOGOUT_NOT_YET_VALID');
    assert.equal(await verify({ nbf: now + 3600 }), 'ERR_LOGOUT_NOT_YET_VALID');
    assert.equal(await verify({ nbf: now + 31 }), 'ERR_LOGOUT_NOT_YET_VALID');
    assert.equal(await verify({ nbf: now + 10 }), 'accepted');
    assert.equal(await verify({ nbf: now + 30 }), 'accepted');
  });

  it('iat, exp or nbf of the wrong type: ERR_LOGOUT_CLAIM_INVALID', async () => {
    assert.equal(await verify({ iat: String(now) }), 'ERR_LOGOUT_CLAIM_INVALID');
    assert.equal(await verify({ exp: `${now + 60}` }), 'ERR_LOGOUT_CLAIM_INVALID');
    assert.equal(await verify({ nbf: true }), 'ERR_LOGOUT_CLAIM_INVALID');
  });

  it('uses the broker clock it is given, not the system clock', async () => {
    world.now.ms = Date.UTC(2020, 5, 1);
    now = Math.floor(world.now.ms / 1000);
    assert.equal(await verify({ exp: now + 60, nbf: now - 1 }), 'accepted');
    assert.equal(await verify({ exp: now - 60 }), 'ERR_LOGOUT_EXPIRED');
  });

  it('a forged signature stays ERR_LOGOUT_SIGNATURE even with expired claims; a kid that is no string too', async () => {
    const forged = await world.token('cloud-a', { exp: now - 600 }, {}, world.foreignKey);
    assert.equal(await codeOf(world.deps.verifier.verify(forged, issuer, { now: new Date(world.now.ms), clockToleranceSeconds: 30 })), 'ERR_LOGOUT_SIGNATURE');
    assert.equal(await verify({}, { kid: 7 }), 'ERR_LOGOUT_SIGNATURE');
  });

  it('the new codes are 400 answers (OIDC Back-Channel Logout 1.0 §2.8)', () => {
    for (const code of ['ERR_LOGOUT_EXPIRED', 'ERR_LOGOUT_NOT_YET_VALID', 'ERR_LOGOUT_CLAIM_INVALID'] as const) assert.equal(statusFor(code), 400, code);
  });
});

describe('core rules: exp, nbf, iat and subjects', () => {
  const issuer: LogoutIssuer = {
    cloud: 'cloud-a', realm: 'cloud-a', issuer: ISSUER('cloud-a'), jwksUri: `${ISSUER('cloud-a')}/protocol/openid-connect/certs`,
    audiences: ['fed-cloud-b'], acceptUntyped: false,
  };
  const NOW = 1_800_000_000;
  const claims = (over: Record<string, unknown>) => {
    const c: Record<string, unknown> = { iss: issuer.issuer, aud: 'fed-cloud-b', iat: NOW, jti: 'j-1', sub: ALICE_A, events: { [BACKCHANNEL_LOGOUT_EVENT]: {} }, ...over };
    for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k];
    return c;
  };
  const code = (over: Record<string, unknown>, header: Record<string, unknown> = { typ: 'logout+jwt' }) => {
    try {
      checkLogoutClaims(header, claims(over), NOW, issuer);
      return 'accepted';
    } catch (error) {
      assert.ok(isBrokerError(error));
      return error.code;
    }
  };

  it('each time rule has its own code, at the 30 s boundary', () => {
    assert.deepEqual(
      [code({}), code({ exp: NOW - 30 }), code({ exp: NOW - 29 }), code({ nbf: NOW + 31 }), code({ nbf: NOW + 30 }), code({ iat: NOW - 121 }), code({ iat: NOW + 31 })],
      ['accepted', 'ERR_LOGOUT_EXPIRED', 'accepted', 'ERR_LOGOUT_NOT_YET_VALID', 'accepted', 'ERR_LOGOUT_IAT_EXPIRED', 'ERR_LOGOUT_IAT_FUTURE'],
    );
  });

  it('a missing or non-numeric date is ERR_LOGOUT_CLAIM_INVALID', () => {
    for (const over of [{ iat: undefined }, { iat: String(NOW) }, { iat: null }, { exp: 'x' }, { nbf: [NOW] }, { exp: Infinity }]) {
      assert.equal(code(over), 'ERR_LOGOUT_CLAIM_INVALID', JSON.stringify(over));
    }
  });

  it('sub and sid, when present, must be non-empty strings; a typ that is no string is refused', () => {
    assert.equal(code({ sub: undefined, sid: 'sid-1' }), 'accepted');
    assert.equal(code({ sub: 42, sid: 'sid-1' }), 'ERR_LOGOUT_SUBJECT');
    assert.equal(code({ sid: '' }), 'ERR_LOGOUT_SUBJECT');
    assert.equal(code({}, { typ: 1 }), 'ERR_LOGOUT_TYP');
    assert.equal(code({}, { typ: 'Application/Logout+JWT' }), 'accepted');
  });
});
