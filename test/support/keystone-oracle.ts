// Keystone's own mapping engine as a test oracle: ONE /usr/bin/python3 process running
// scripts/keystone-mapping-oracle.py (keystone.federation.utils.RuleProcessor), fed JSON lines.
// Also the official CLI, `keystone-manage mapping_engine`, for a few cross-checks.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { JsonValue } from '../../src/core/json.ts';
import type { Assertion } from '../../src/core/explain/keystone-mapping-engine.ts';

export const KEYSTONE_PYTHON = '/usr/bin/python3';
export const ORACLE_SCRIPT = new URL('../../scripts/keystone-mapping-oracle.py', import.meta.url).pathname;

export interface OracleCase { readonly rules: readonly JsonValue[]; readonly assertion: Assertion }
export type OracleAnswer =
  | { ok: true; matchedRules: number[]; mapped: { user: Record<string, JsonValue>; group_names: JsonValue[]; group_ids: string[]; projects: JsonValue[] } }
  | { ok: false; error: string; message: string; matchedRules: number[] };
export interface OracleBench { evaluations: number; seconds: number; perSecond: number }

/** Sends every request through one Python process; answers in request order. Fails loudly if Keystone's Python is missing. */
async function exchange(requests: readonly Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const child = spawn(KEYSTONE_PYTHON, [ORACLE_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const answers: Record<string, unknown>[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => answers.push(JSON.parse(line) as Record<string, unknown>));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  for (const [id, request] of requests.entries()) {
    if (!child.stdin.write(`${JSON.stringify({ ...request, id })}\n`)) await new Promise((r) => child.stdin.once('drain', r));
  }
  child.stdin.end();
  const code = await exited;
  if (code !== 0 || answers.length !== requests.length) {
    throw new Error(`Keystone mapping oracle (${KEYSTONE_PYTHON} ${ORACLE_SCRIPT}) exited ${code} after ${answers.length}/${requests.length} answers: ${stderr.slice(-2000)}`);
  }
  return answers;
}

export async function runOracle(cases: readonly OracleCase[]): Promise<OracleAnswer[]> {
  return (await exchange(cases.map((c) => ({ rules: c.rules, assertion: c.assertion })))) as unknown as OracleAnswer[];
}

export async function benchOracle(rules: readonly JsonValue[], assertions: readonly Assertion[], seconds: number): Promise<OracleBench> {
  const [answer] = await exchange([{ op: 'bench', rules, assertions, seconds }]);
  return answer as unknown as OracleBench;
}

/**
 * The official offline tester: `keystone-manage mapping_engine --rules R.json --input in.txt [--prefix P]`.
 * The input file holds one "name: value" line per assertion variable (values are stripped; ";" separates values).
 * Prints the engine's JSON result; a mapping that maps nothing ends with an error (non-zero exit).
 */
export async function runKeystoneManageMappingEngine(rules: readonly JsonValue[], assertion: Assertion): Promise<{ ok: boolean; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'fedbroker-mapping-'));
  try {
    const rulesFile = join(dir, 'rules.json');
    const inputFile = join(dir, 'input.txt');
    await writeFile(rulesFile, JSON.stringify({ rules }));
    await writeFile(inputFile, Object.entries(assertion).map(([k, v]) => `${k}: ${v}`).join('\n'));
    try {
      const { stdout } = await promisify(execFile)('keystone-manage', ['--config-file', '/dev/null', 'mapping_engine', '--rules', rulesFile, '--input', inputFile], { timeout: 60_000 });
      return { ok: true, output: stdout };
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
