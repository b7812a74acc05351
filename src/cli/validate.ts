// `fedbroker validate <file>`: check a federation spec and report every problem with its path and line.
import { readSpecFile } from '../adapters/federation-file.ts';
import { formatPath, type SpecProblem } from '../core/federation/problems.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import { trustEdges } from '../core/federation/trust.ts';
import { previousVersionWarning } from '../core/federation/versions.ts';
import { EXIT, printJson, type OutputFormat } from './output.ts';

export async function validateCommand(file: string, format: OutputFormat): Promise<number> {
  const { result } = await readSpecFile(file);
  if (result.ok) {
    if (result.convertedFrom !== undefined) console.error(`warning: ${previousVersionWarning(file, result.convertedFrom)}`);
    return printValidSummary(file, summarize(result.spec), format);
  }
  if (format === 'json') {
    printJson({ file, valid: false, problems: result.problems.map((p) => ({ ...p, path: formatPath(p.path), pathSegments: p.path })) });
  } else {
    const n = result.problems.length;
    console.error(`${file}: invalid federation spec, ${n} problem${n === 1 ? '' : 's'}:`);
    for (const p of result.problems) console.error(humanProblem(file, p));
  }
  return EXIT.SPEC_INVALID;
}

export type SpecSummary = ReturnType<typeof summarize>;

/** A valid spec's summary (locally, or as a broker's POST /api/v1/validate gives it). */
export function printValidSummary(file: string, summary: SpecSummary, format: OutputFormat): number {
  if (format === 'json') printJson({ file, valid: true, summary });
  else console.log(`${file}: valid (${summary.clouds} clouds, ${summary.trustEdges} trust edges, ${summary.policyRules} policy rules, ${summary.examples} examples passed)`);
  return EXIT.OK;
}

/** One spec problem as a person reads it: file:line:column, path, message, code and the fix. */
export function humanProblem(file: string, p: SpecProblem): string {
  const where = p.line === undefined ? file : `${file}:${p.line}:${p.column ?? 1}`;
  const path = p.path.length > 0 ? `${formatPath(p.path)}: ` : '';
  return `  ${where}  ${path}${p.message}  [${p.code}]${p.hint ? `\n      fix: ${p.hint}` : ''}`;
}

function summarize(spec: FederationSpec) {
  return {
    name: spec.metadata.name,
    clouds: spec.clouds.length,
    trustEdges: trustEdges(spec).length,
    policyRules: spec.policy.length,
    examples: spec.policy.reduce((n, r) => n + r.examples.length, 0),
  };
}
