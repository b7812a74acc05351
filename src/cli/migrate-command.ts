// `fedbroker migrate <spec> [--write]`: the spec converted to the current spec version, printed, or
// written in place (comments, order and layout kept; only the changed scalars differ). A spec already
// in the current version is left as it is; an unknown or newer version is refused (ERR_SPEC_API_VERSION).
import { readFile, rename, writeFile } from 'node:fs/promises';
import { BrokerError } from '../core/errors.ts';
import { migrateSpecText } from '../core/federation/migrate.ts';
import { API_VERSION } from '../core/federation/schema.ts';
import { EXIT } from './output.ts';
import { humanProblem } from './validate.ts';

export interface MigrateOptions {
  readonly write?: boolean;
}

export async function migrateCommand(file: string, options: MigrateOptions): Promise<number> {
  const migrated = migrateSpecText(await readText(file));
  if (!migrated.ok) {
    for (const p of migrated.problems) console.error(humanProblem(file, p));
    return EXIT.SPEC_INVALID;
  }
  if (!options.write) {
    process.stdout.write(migrated.text);
    if (!migrated.changed) console.error(`${file}: already ${API_VERSION}; nothing to convert`);
    return EXIT.OK;
  }
  if (!migrated.changed) {
    console.log(`${file}: already ${API_VERSION}; left as it is`);
    return EXIT.OK;
  }
  // Written next to the file and renamed over it, so a crash never leaves half a spec.
  const temporary = `${file}.migrate-${process.pid}.tmp`;
  await writeFile(temporary, migrated.text, { flag: 'wx' });
  await rename(temporary, file);
  console.log(`${file}: converted from ${migrated.from} to ${API_VERSION}; run \`fedbroker validate ${file}\` to check it`);
  return EXIT.OK;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8'); // migrateSpecText refuses a text over the spec size limit
  } catch (cause) {
    throw new BrokerError('ERR_SPEC_FILE', `cannot read spec file ${file}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, { cause, details: { file } });
  }
}
