// Runs the CLI's main() in this process and returns its exit code, stdout and stderr. Only string
// writes are captured (the CLI writes text); the test runner's own binary reporting passes through.
import { main } from '../../src/cli/main.ts';

export interface CliResult { readonly status: number; readonly stdout: string; readonly stderr: string }

export async function runCli(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (into: string[], original: typeof process.stdout.write, stream: NodeJS.WriteStream) => ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk !== 'string') return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    into.push(chunk);
    return true;
  }) as typeof process.stdout.write;
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  process.stdout.write = capture(out, writes.stdout, process.stdout);
  process.stderr.write = capture(err, writes.stderr, process.stderr);
  try {
    return { status: await main([...args]), stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}
