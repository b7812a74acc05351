// The broker found a posted spec invalid (422 ERR_SPEC_INVALID, each problem with its path): shown
// like the local commands show spec problems, exit 3. Any other error goes on to main's reporting.
import { isBrokerError } from '../../core/errors.ts';
import { EXIT, printJson, type OutputFormat } from '../output.ts';

interface RemoteProblem { path: string; code: string; message: string }

export function printSpecRefused(file: string, error: unknown, format: OutputFormat): number {
  if (!isBrokerError(error, 'ERR_SPEC_INVALID')) throw error;
  const problems = (Array.isArray(error.details['problems']) ? error.details['problems'] : []) as RemoteProblem[];
  const errorId = typeof error.details['errorId'] === 'string' ? error.details['errorId'] : undefined;
  // The broker names paths below its request body (spec.clouds[0].alias); locally they start at the spec.
  const shown = problems.map((p) => ({ ...p, path: p.path.replace(/^spec\.?/, '') }));
  if (format === 'json') printJson({ file, valid: false, problems: shown, ...(errorId && { errorId }) });
  else {
    console.error(`${file}: the broker finds the spec invalid, ${shown.length} problem${shown.length === 1 ? '' : 's'}${errorId ? ` (errorId=${errorId})` : ''}:`);
    for (const p of shown) console.error(`  ${file}  ${p.path ? `${p.path}: ` : ''}${p.message}  [${p.code}]`);
  }
  return EXIT.SPEC_INVALID;
}
