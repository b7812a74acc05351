// The event path's knobs in `serve`: the --sync-event-interval value (0 disables, anything but a
// whole number of ms is refused) and its metrics, whose labels come from fixed sets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SYNC_EVENT_INTERVAL_MS, intervalOf } from '../../src/cli/serve.ts';
import { BrokerMetrics } from '../../src/http/metrics.ts';

describe('the event path in serve', () => {
  it('takes the interval from the flag or the environment, 0 disables, refuses anything else', () => {
    assert.equal(intervalOf('--sync-event-interval', undefined, DEFAULT_SYNC_EVENT_INTERVAL_MS), 1000);
    assert.equal(intervalOf('--sync-event-interval', '250', DEFAULT_SYNC_EVENT_INTERVAL_MS), 250);
    assert.equal(intervalOf('--sync-event-interval', '0', DEFAULT_SYNC_EVENT_INTERVAL_MS), 0);
    for (const bad of ['', ' ', '-1', '1.5', 'soon']) {
      assert.throws(() => intervalOf('--sync-event-interval', bad, DEFAULT_SYNC_EVENT_INTERVAL_MS), { code: 'ERR_CONFIG_INVALID' }, bad);
    }
  });

  it('counts handled events and changes by system, op and result; unknown values become "unknown"', async () => {
    const metrics = new BrokerMetrics();
    metrics.observe({ action: 'sync.event' });
    metrics.observe({ action: 'sync.change', system: 'keystone', op: 'revokeTokens', result: 'applied' });
    metrics.observe({ action: 'sync.change', system: 'keycloak', op: 'endSessions', result: 'failed' });
    metrics.observe({ action: 'sync.change', system: 'x'.repeat(50), op: 'made-up', result: 'whatever' });
    const text = await metrics.registry.metrics();
    assert.match(text, /^fedbroker_sync_events_total 1$/m);
    assert.match(text, /^fedbroker_sync_changes_total\{system="keystone",op="revokeTokens",result="applied"\} 1$/m);
    assert.match(text, /^fedbroker_sync_changes_total\{system="keycloak",op="endSessions",result="failed"\} 1$/m);
    assert.match(text, /^fedbroker_sync_changes_total\{system="unknown",op="unknown",result="unknown"\} 1$/m);
  });
});
