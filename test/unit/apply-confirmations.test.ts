// Apply with steps confirmed later (each cluster reloading its authentication config): the other
// parts go on while a cluster reloads, so the clusters' reloads overlap instead of queueing; a reload
// that fails marks its step failed and holds back what depends on that cluster; the report waits for
// every confirmation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BrokerError } from '../../src/core/errors.ts';
import type { Change } from '../../src/core/plan/diff.ts';
import type { ManagedSystemPort } from '../../src/ports.ts';
import { applyReachable, planReachable, type OnboardingDeps } from '../../src/services/onboarding.ts';
import { fakeFederation } from '../support/fake-federation.ts';

interface Deferred { resolve(): void; reject(e: unknown): void; promise: Promise<void> }
function deferred(): Deferred {
  let resolve!: () => void; let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  return { resolve, reject, promise };
}

/** The federation over fakes, whose clusters confirm their authentication config only when the test says so. */
function slowReloads() {
  const fed = fakeFederation();
  const reloads = new Map<string, Deferred>();
  const events: string[] = [];
  const deps: OnboardingDeps = { systems: fed.deps.systems.map((system) => system.description.name !== 'kubernetes' ? system : {
    ...system,
    adapter: (cloud: string, scope: string): ManagedSystemPort => {
      const port = system.adapter(cloud, scope);
      return {
        cloud: port.cloud,
        observe: (...args) => port.observe(...args),
        apply: async (change: Change, writeOnly) => {
          await port.apply(change, writeOnly);
          const kind = (change.desired ?? change.observed)!.kind;
          events.push(`${kind} ${cloud}/${scope}`);
          if (kind !== 'AuthenticationConfiguration') return;
          const reload = deferred();
          reloads.set(`${cloud}/${scope}`, reload);
          return { confirmed: reload.promise.then(() => { events.push(`reloaded ${cloud}/${scope}`); }) };
        },
      };
    },
  }) };
  return { deps, reloads, events };
}

const settled = () => new Promise((r) => setImmediate(r));

describe('apply with confirmations under way', () => {
  it('every cluster gets its config written before any reload is confirmed; the report waits for all', async () => {
    const { deps, reloads, events } = slowReloads();
    const reachable = await planReachable(fakeFederation().spec, deps);
    let done = false;
    const applying = applyReachable(reachable, deps).then((r) => { done = true; return r; });
    for (let i = 0; i < 50 && reloads.size < 3; i++) await settled();
    assert.deepEqual([...reloads.keys()].sort(), ['cloud-a/cloud-a', 'cloud-b/cloud-b', 'cloud-c/cloud-c']);
    assert.equal(events.filter((e) => e.startsWith('reloaded')).length, 0);
    assert.equal(done, false, 'the report waits for the reloads');
    for (const reload of reloads.values()) reload.resolve();
    const report = await applying;
    assert.equal(report.failed, 0);
    assert.equal(report.notAttempted, 0);
    assert.equal(report.applied, report.total);
    assert.equal(events.filter((e) => e.startsWith('reloaded')).length, 3);
  });

  it('a reload that fails: that step is failed, the other clusters applied, and the report says so', async () => {
    const { deps, reloads } = slowReloads();
    const reachable = await planReachable(fakeFederation().spec, deps);
    const applying = applyReachable(reachable, deps);
    for (let i = 0; i < 50 && reloads.size < 3; i++) await settled();
    reloads.get('cloud-b/cloud-b')!.reject(new BrokerError('ERR_KUBERNETES_AUTHN_CONFIG', 'the apiserver rejected the new authentication config'));
    reloads.get('cloud-a/cloud-a')!.resolve();
    reloads.get('cloud-c/cloud-c')!.resolve();
    const report = await applying;
    const failed = report.outcomes.filter((o) => o.status === 'failed');
    assert.equal(failed.length, 1);
    const subject = failed[0]!.change.desired!;
    assert.deepEqual([subject.kind, subject.cloud], ['AuthenticationConfiguration', 'cloud-b']);
    assert.equal((failed[0] as { error: BrokerError }).error.code, 'ERR_KUBERNETES_AUTHN_CONFIG');
    assert.equal(report.applied, report.total - 1 - report.notAttempted);
  });
});
