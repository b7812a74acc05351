/**
 * The defaults the README states agree with the code's constants and the test bed's settings: the
 * Redis URL, the demo ports, serve's listen address, poll and sync intervals, rate limits, grace
 * period, and the pinned versions. A README sentence that changes its wording fails here loudly
 * (its pattern no longer matches) rather than passing unchecked.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REDIS_URL } from '../../src/cli/logout-compose.ts';
import { DEFAULT_LISTEN, DEFAULT_POLL_INTERVAL_MS, DEFAULT_SYNC_EVENT_INTERVAL_MS } from '../../src/cli/serve.ts';
import { DEFAULT_SHUTDOWN_GRACE_MS } from '../../src/cli/serve-drain.ts';
import { DEFAULT_RATE_LIMITS } from '../../src/core/rate-limit.ts';
import { SYNC_INTERVAL_BOUNDS } from '../../src/core/federation/schema.ts';
import { readme } from '../support/readme.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const text = readme().replace(/\s+/g, ' ');
const libSh = readFileSync(join(ROOT, 'scripts/testbed/lib.sh'), 'utf8');

/** The README's first match of `pattern` (group 1), failing when the sentence is gone. */
function stated(pattern: RegExp): string {
  const m = pattern.exec(text);
  assert.ok(m, `README no longer states ${pattern}`);
  return m[1]!;
}
/** A default of scripts/testbed/lib.sh: `NAME="${FEDBROKER_…:-VALUE}"` or `NAME=VALUE`. */
function testbedDefault(name: string): string {
  const m = new RegExp(`^${name}=(?:"\\$\\{[A-Z_]+:-([^}]+)\\}"|(\\S+))$`, 'm').exec(libSh);
  assert.ok(m, `scripts/testbed/lib.sh has no ${name}`);
  return m[1] ?? m[2]!;
}
function testbedPorts(name: string): Record<string, number> {
  const m = new RegExp(`^declare -A ${name}=\\((.*)\\)$`, 'm').exec(libSh);
  assert.ok(m, `scripts/testbed/lib.sh has no ${name}`);
  return Object.fromEntries([...m[1]!.matchAll(/\[([a-z-]+)\]=(\d+)/g)].map((x) => [x[1]!, Number(x[2])]));
}
const rate = (l: { perSecond: number; burst: number }) => `${l.perSecond}:${l.burst}`;

describe('README defaults agree with the code', () => {
  it('the Redis default, and the demo Redis the README exports', () => {
    assert.equal(stated(/`FEDBROKER_REDIS_URL`, default `([^`]+)`/), DEFAULT_REDIS_URL);
    const demo = `redis://127.0.0.1:${testbedDefault('REDIS_PORT')}`;
    assert.equal(stated(/export FEDBROKER_REDIS_URL=(\S+)/), demo);
    assert.equal(stated(/export `FEDBROKER_REDIS_URL=([^`]+)`/), demo);
    assert.equal(stated(/\| Redis 7 \| (127\.0\.0\.1:\d+) \|/), `127.0.0.1:${testbedDefault('REDIS_PORT')}`);
  });

  it('serve: listen address, poll intervals, grace period, rate limits', () => {
    assert.equal(stated(/`FEDBROKER_LISTEN` \(default `([^`]+)`/), DEFAULT_LISTEN);
    assert.equal(Number(stated(/`FEDBROKER_POLL_INTERVAL_MS`, default (\d+) ms/)), DEFAULT_POLL_INTERVAL_MS);
    assert.equal(Number(stated(/`FEDBROKER_SYNC_EVENT_INTERVAL_MS`, default (\d+) ms/)), DEFAULT_SYNC_EVENT_INTERVAL_MS);
    assert.equal(Number(stated(/`FEDBROKER_SHUTDOWN_GRACE_MS` \(default (\d+) ms\)/)), DEFAULT_SHUTDOWN_GRACE_MS);
    assert.equal(stated(/`FEDBROKER_RATE_LIMIT_SOURCE`, default `([^`]+)`/), rate(DEFAULT_RATE_LIMITS.perSource));
    assert.equal(stated(/`FEDBROKER_RATE_LIMIT_CLOUD`, default `([^`]+)`/), rate(DEFAULT_RATE_LIMITS.perCloud));
    assert.equal(Number(stated(/every `sync\.intervalSeconds`, default (\d+)/)), SYNC_INTERVAL_BOUNDS.default);
  });

  it('the demo spec\'s broker URL is where serve listens by default', () => {
    const spec = readFileSync(join(ROOT, 'config/federation.example.yaml'), 'utf8');
    assert.match(spec, new RegExp(`^ {2}url: https://${DEFAULT_LISTEN.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('the test bed\'s ports and versions in the README table are the test bed\'s', () => {
    assert.equal(stated(/Keycloak (\d+\.\d+\.\d+) \(realms/), testbedDefault('KEYCLOAK_PINNED_VERSION'));
    assert.equal(stated(/\(default (\d+\.\d+\.\d+), the previous pin/), testbedDefault('KEYCLOAK_MATRIX_VERSION'));
    assert.equal(stated(/\| (https:\/\/127\.0\.0\.1:\d+), health on/), `https://127.0.0.1:${testbedDefault('KEYCLOAK_HTTPS_PORT')}`);
    assert.equal(Number(stated(/health on :(\d+)/)), Number(testbedDefault('KEYCLOAK_MGMT_PORT')));
    const keystone = testbedPorts('KEYSTONE_HTTPS_PORT');
    assert.equal(stated(/\| (https:\/\/127\.0\.0\.1:\d+, :\d+, :\d+) \| `scripts\/testbed\/keystone\.sh`/),
      `https://127.0.0.1:${keystone['cloud-a']}, :${keystone['cloud-b']}, :${keystone['cloud-c']}`);
    const kube = testbedPorts('KUBE_API_PORT');
    assert.equal(stated(/\| (https:\/\/127\.0\.0\.1:\d+, :\d+, :\d+) \| `scripts\/testbed\/kube\.sh`/),
      `https://127.0.0.1:${kube['cloud-a']}, :${kube['cloud-b']}, :${kube['cloud-c']}`);
    const kubeVersion = /^require k8s\.io\/kubernetes v(\d+\.\d+)\.\d+$/m.exec(readFileSync(join(ROOT, 'tools/kube/go.mod'), 'utf8'));
    assert.equal(stated(/kube-apiserver (\d+\.\d+) \(\+ etcd/), kubeVersion?.[1]);
  });
});
