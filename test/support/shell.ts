/**
 * Commands as a user types them: `bash -c` from the repository's root, in a clean environment (no
 * FEDBROKER_* of the caller), with a timeout after which the command is killed and the test fails.
 */
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
