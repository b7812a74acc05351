// Read a federation spec from disk: the edge where file I/O meets the pure parser.
import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BrokerError } from '../core/errors.ts';
import { parseSpecText } from '../core/federation/parse.ts';
import type { ValidationResult } from '../core/federation/validate.ts';
import { SPEC_MAX_BYTES, tooLarge } from '../core/federation/yaml-limits.ts';

export interface SpecFile {
  readonly file: string;
  /** Relative paths in the spec (caFile, secret files) are relative to the spec's folder. */
  readonly baseDir: string;
  readonly result: ValidationResult;
}

export async function readSpecFile(file: string): Promise<SpecFile> {
  let read: { text: string } | { size?: number };
  try {
    read = await readAtMost(file, SPEC_MAX_BYTES);
  } catch (cause) {
    throw new BrokerError('ERR_SPEC_FILE', `cannot read spec file ${file}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, { cause, details: { file } });
  }
  const result: ValidationResult = 'text' in read ? parseSpecText(read.text) : { ok: false, problems: [tooLarge(`spec file ${file}`, read.size)] };
  return { file, baseDir: dirname(resolve(file)), result };
}

/**
 * The file's text, or its size when it is larger than `limit` bytes. At most `limit` + 1 bytes are
 * read, whatever the file claims to be (a FIFO, /dev/zero or a growing file has no useful size).
 */
async function readAtMost(file: string, limit: number): Promise<{ text: string } | { size?: number }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size > limit) return { size };
    // Read one byte more than allowed: getting it means the file is too large.
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) {
      ({ bytesRead: n } = await handle.read(buffer, length, buffer.length - length, null));
    }
    return length > limit ? {} : { text: buffer.toString('utf8', 0, length) };
  } finally {
    await handle.close();
  }
}
