// Output helpers shared by the CLI commands: human text by default, JSON with --output json.
import { InvalidArgumentError } from 'commander';

export type OutputFormat = 'human' | 'json';

export const EXIT = {
  OK: 0,
  /** The operation ran and failed (a target refused, a step errored). */
  FAILED: 1,
  /** Bad invocation: unknown option, missing argument, unreadable file. */
  USAGE: 2,
  /** The spec is invalid; nothing was changed. */
  SPEC_INVALID: 3,
  /** `plan --detailed-exitcode`: the plan has changes. */
  CHANGES_PRESENT: 4,
  /**
   * plan/status: some clouds could not be reached; the output covers every reachable one. apply: some
   * parts could not be reached or some changes failed (or waited for one that failed), others were applied.
   */
  PARTIAL: 5,
  /** sync: the brake stopped a run that would remove too much; nothing was written (run again with --confirm). */
  BRAKE: 6,
  /** apply: changes were pending and none could be applied (each failed or waited for one that failed). */
  NOTHING_APPLIED: 7,
} as const;

/**
 * The exit code of a command that stopped with this error code: the same locally and against a
 * running broker (whose problem responses carry the code). Spec problems: 3; bad invocations: 2.
 */
export function exitCodeForError(code: string): number {
  if (code === 'ERR_SPEC_INVALID') return EXIT.SPEC_INVALID;
  return code === 'ERR_SPEC_FILE' || code === 'ERR_IMPORT_INVALID' || code === 'ERR_CONFIRMATION_REQUIRED' || code === 'ERR_USAGE' || code === 'ERR_REQUEST_INVALID' ? EXIT.USAGE : EXIT.FAILED;
}

export function parseOutputFormat(value: string): OutputFormat {
  if (value === 'human' || value === 'json') return value;
  throw new InvalidArgumentError(`--output must be "human" or "json", not "${value}"`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** True when the command line asks for JSON output, in any of commander's spellings. */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.some((arg, i) => arg === '--output=json' || arg === '-ojson' || ((arg === '--output' || arg === '-o') && argv[i + 1] === 'json'));
}
