// Runs the CLI's main() once per argument list in this one process and prints, as JSON, each run's
// exit code, stdout and stderr: many CLI cases for the start-up cost of one process.
// Usage: node --import tsx test/support/cli-batch.ts '<JSON list of argument lists>'
import { writeSync } from 'node:fs';
import { main } from '../../src/cli/main.ts';

export interface CliRun { readonly status: number; readonly stdout: string; readonly stderr: string }

const runs: CliRun[] = [];
for (const args of JSON.parse(process.argv[2] ?? '[]') as string[][]) {
  const out: string[] = [];
  const err: string[] = [];
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.stdout.write = ((chunk: string | Uint8Array) => { out.push(String(chunk)); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => { err.push(String(chunk)); return true; }) as typeof process.stderr.write;
  try {
    runs.push({ status: await main(args), stdout: out.join(''), stderr: err.join('') });
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
  }
}
writeSync(1, JSON.stringify(runs));
process.exit(0);
