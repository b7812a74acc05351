// Runs `fedbroker serve` as a child process for integration tests (TLS with the test bed's certificate
// on the spec's broker URL 127.0.0.1:17443, or on `--listen` when `extraArgs` has it: a second broker),
// and waits for its first log line saying it serves.
// The role-sync job and its admin-event poller are off (--sync-interval 0, --sync-event-interval 0)
// unless a test asks for them in `extraArgs` (the last value given wins): a sync would write into the
// shared test bed under other tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { loadTestbed, testbedDir, testbedFetch } from './testbed.ts';

const root = new URL('../..', import.meta.url).pathname;

export interface BrokerProcess {
  readonly url: string;
  readonly logs: () => string;
  /** Audit entries (JSON lines with audit: true) seen so far. */
  readonly audit: () => { action: string; [k: string]: unknown }[];
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export async function startBroker(spec: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<BrokerProcess> {
  const testbed = loadTestbed();
  const ca = join(testbedDir(), 'ca');
  const child: ChildProcess = spawn(process.execPath, [join(root, 'bin/fedbroker.mjs'), 'serve', '--spec', spec,
    '--tls-cert', join(ca, 'server.pem'), '--tls-key', join(ca, 'server.key'), '--redis', testbed.redis.url,
    '--poll-interval', '500', '--sync-interval', '0', '--sync-event-interval', '0', '--insecure-unauthenticated-admin-api', ...extraArgs], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  while (!out.includes('"fedbroker serving"')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`fedbroker serve did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const listen = extraArgs.lastIndexOf('--listen');
  const url = `https://${listen >= 0 ? extraArgs[listen + 1] : '127.0.0.1:17443'}`;
  const stopWith = async (signal: NodeJS.Signals) => { if (child.exitCode === null) { child.kill(signal); await exited; } };
  return {
    url,
    logs: () => out,
    audit: () => out.split('\n').filter((l) => l.includes('"audit":true')).map((l) => JSON.parse(l)),
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
  };
}

/** The delivery report of an event through the broker's (unauthenticated, test-only) admin route. */
export async function report(broker: BrokerProcess, eventId: string): Promise<{ outcome: string; deliveries: { system: string; cloud: string; status: string; attempts: number; detail?: string }[]; latencyMs?: number; [k: string]: unknown }> {
  const res = await testbedFetch(`${broker.url}/api/v1/logout/events/${encodeURIComponent(eventId)}`);
  if (res.status !== 200) throw new Error(`report ${eventId}: ${res.status} ${await res.text()}`);
  return res.json() as never;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, stepMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
