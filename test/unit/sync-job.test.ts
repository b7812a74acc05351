// The role-sync job of serve (src/jobs/sync-job.ts): first run soon after start, then every interval
// start to start, never two runs at once, one audit line per run (outcome, totals, failures with
// codes), a failing run does not end the job, stop() aborts the run under way and waits for it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { syncIntervalOf } from '../../src/cli/serve.ts';
import { BrokerError } from '../../src/core/errors.ts';
import { startSyncJob } from '../../src/jobs/sync-job.ts';
import type { AuditLog } from '../../src/ports.ts';
import type { SyncReport } from '../../src/services/sync.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const logger = pino({ level: 'silent' });

function report(overrides: Partial<SyncReport> = {}): SyncReport {
  return { targets: [], failures: [], brake: [], stoppedByBrake: false, dryRun: false, stopped: false, applied: [], ...overrides };
}

function recorder(): AuditLog & { entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  return { entries, record: (e) => { entries.push(e); } };
}

let n = 0;
const ids = { newId: () => `run-${(n += 1)}` };

describe('sync job in serve', () => {
  it('runs soon after start, then each interval; a run longer than the interval delays the next instead of overlapping', async () => {
    const audit = recorder();
    let active = 0;
    let maxActive = 0;
    const starts: number[] = [];
    const t0 = Date.now();
    const job = startSyncJob(async () => {
      starts.push(Date.now() - t0);
      active += 1;
      maxActive = Math.max(maxActive, active);
      await sleep(starts.length === 2 ? 250 : 10);
      active -= 1;
      return report();
    }, audit, logger, ids, { intervalMs: 100, firstRunDelayMs: 20 });
    await sleep(700);
    await job.stop();
    assert.equal(maxActive, 1, 'never two runs at once');
    assert.ok(starts[0]! >= 15 && starts[0]! < 90, `first run at ${starts[0]} ms`);
    assert.ok(starts[2]! - starts[1]! >= 250, `the third run waited for the long second one: ${starts.join(', ')}`);
    assert.ok(starts.length >= 4, `runs at ${starts.join(', ')}`);
    assert.equal(audit.entries.length, starts.length);
  });

  it('writes one audit line per run: outcome, totals, writes, failures with their codes; a throwing run is audited and the job goes on', async () => {
    const audit = recorder();
    let calls = 0;
    const failed = report({ failures: [{ cloud: 'cloud-b', part: 'lease', error: new BrokerError('ERR_SYNC_BUSY', 'another process') }] });
    const job = startSyncJob(async () => {
      calls += 1;
      if (calls === 1) throw new BrokerError('ERR_QUEUE_UNAVAILABLE', 'Redis down');
      return failed;
    }, audit, logger, ids, { intervalMs: 30, firstRunDelayMs: 0 });
    await sleep(120);
    await job.stop();
    assert.ok(calls >= 2);
    assert.deepEqual({ ...audit.entries[0], durationMs: 0, correlationId: '' }, { action: 'sync.run', correlationId: '', outcome: 'error', code: 'ERR_QUEUE_UNAVAILABLE', durationMs: 0 });
    const second = audit.entries[1]!;
    assert.equal(second['action'], 'sync.run');
    assert.equal(second['outcome'], 'partial');
    assert.deepEqual(second['summary'], { added: 0, removed: 0, changed: 0, effects: 0 });
    assert.deepEqual((second['failures'] as { code: string; cloud: string }[]).map((f) => `${f.cloud} ${f.code}`), ['cloud-b ERR_SYNC_BUSY']);
    assert.notEqual(audit.entries[0]!['correlationId'], second['correlationId']);
  });

  it('stop() aborts the run under way through its signal and waits for it to end; no run starts after', async () => {
    const audit = recorder();
    let runs = 0;
    let sawAbort = false;
    let ended = false;
    const job = startSyncJob(async (signal) => {
      runs += 1;
      while (!signal.aborted) await sleep(5);
      sawAbort = true;
      await sleep(30);
      ended = true;
      return report({ stopped: true });
    }, audit, logger, ids, { intervalMs: 10, firstRunDelayMs: 0 });
    await sleep(40);
    await job.stop();
    assert.equal(sawAbort, true);
    assert.equal(ended, true, 'stop waited for the run');
    assert.equal(audit.entries[0]!['outcome'], 'stopped');
    await sleep(60);
    assert.equal(runs, 1);
  });

  it('the interval: flag or environment in ms (0 disables), else the spec\'s seconds', () => {
    assert.equal(syncIntervalOf(undefined, 300), 300_000);
    assert.equal(syncIntervalOf('0', 300), 0);
    assert.equal(syncIntervalOf('1500', 300), 1500);
    for (const bad of ['-1', '1.5', 'soon']) assert.throws(() => syncIntervalOf(bad, 300), (e) => (e as BrokerError).code === 'ERR_CONFIG_INVALID');
  });
});
