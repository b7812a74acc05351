// Shared first step of the commands that act on a federation: read and validate the spec, or
// print its problems and stop with EXIT.SPEC_INVALID. A spec of the previous version is read and
// warned about once, on stderr (stdout stays the command's output, e.g. JSON).
import { readSpecFile } from '../adapters/federation-file.ts';
import { formatPath } from '../core/federation/problems.ts';
import { previousVersionWarning } from '../core/federation/versions.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import { EXIT, printJson, type OutputFormat } from './output.ts';

export type Loaded = { spec: FederationSpec; baseDir: string } | { exitCode: number };

export async function loadValidSpec(file: string, format: OutputFormat): Promise<Loaded> {
  const { result, baseDir } = await readSpecFile(file);
  if (result.ok) {
    if (result.convertedFrom !== undefined) console.error(`warning: ${previousVersionWarning(file, result.convertedFrom)}`);
    return { spec: result.spec, baseDir };
  }
  if (format === 'json') printJson({ file, valid: false, problems: result.problems.map((p) => ({ ...p, path: formatPath(p.path) })) });
  else console.error(`${file}: invalid federation spec (${result.problems.length} problems); run \`fedbroker validate ${file}\` for details`);
  return { exitCode: EXIT.SPEC_INVALID };
}
