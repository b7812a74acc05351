// Read a federation spec from disk: the edge where file I/O meets the pure parser.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BrokerError } from '../core/errors.ts';
import { parseSpecText } from '../core/federation/parse.ts';
import type { ValidationResult } from '../core/federation/validate.ts';

export interface SpecFile {
  readonly file: string;
  /** Relative paths in the spec (caFile, secret files) are relative to the spec's folder. */
  readonly baseDir: string;
  readonly result: ValidationResult;
}

export async function readSpecFile(file: string): Promise<SpecFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new BrokerError('ERR_SPEC_FILE', `cannot read spec file ${file}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, { cause, details: { file } });
  }
  return { file, baseDir: dirname(resolve(file)), result: parseSpecText(text) };
}
