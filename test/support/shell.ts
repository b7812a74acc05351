/**
 * Commands as a user types them: `bash -c` from the repository's root, in a clean environment (no
 * FEDBROKER_* of the caller), with a timeout after which the command is killed and the test fails.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

export const ROOT = new URL('../..', import.meta.url).pathname;

export interface Run { code: number | null; stdout: string; stderr: string }

export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FEDBROKER_')));
}

export function run(command: string, env: NodeJS.ProcessEnv, timeoutMs = 240_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timed out after ${timeoutMs} ms: ${command}\n${stdout}\n${stderr}`)); }, timeoutMs);
    child.once('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** The assertion message of a command that failed: its exit code and the tails of both streams. */
export function failed(command: string, result: Run): string {
  return `exit ${result.code}: ${command}\n--- stdout\n${result.stdout.slice(-3000)}\n--- stderr\n${result.stderr.slice(-3000)}`;
}

/**
 * Runs a `fedbroker logout status <id> --output json` command until its report is no longer `pending`,
 * then asserts it ended `delivered` with at least one delivery (a broker must be serving).
 */
export async function deliveredEventually(command: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await run(command, env);
    assert.equal(result.code, 0, failed(command, result));
    const report = JSON.parse(result.stdout) as { outcome: string; deliveries: Array<{ status: string }> };
    if (report.outcome !== 'pending') {
      assert.equal(report.outcome, 'delivered', result.stdout);
      assert.ok(report.deliveries.length > 0);
      return;
    }
    assert.ok(Date.now() < deadline, `still pending after ${timeoutMs / 1000} s: ${result.stdout}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
