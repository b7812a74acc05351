// `fedbroker migrate`: a spec's text converted to the current spec version, comments and order kept
// (the scalars to change are found with the YAML Document API and replaced where they stand). Pure: the CLI reads and writes the file.
import type { LineCounter } from 'yaml';
import type { SpecProblem } from './problems.ts';
import { applyScalarEdits, migrateDocument } from './versions.ts';
import { readSpecDocument } from './yaml-limits.ts';

export type MigratedText =
  | { readonly ok: true; readonly text: string; readonly from: string; readonly changed: boolean }
  | { readonly ok: false; readonly problems: readonly SpecProblem[] };

export function migrateSpecText(text: string): MigratedText {
  const read = readSpecDocument(text);
  if (!read.ok) return read;
  const { doc, lineCounter } = read;
  const migrated = migrateDocument(doc);
  if (!migrated.ok) {
    const at = migratedLine(text, lineCounter);
    return { ok: false, problems: [{ ...migrated.problem, ...at }] };
  }
  return { ok: true, text: applyScalarEdits(text, migrated.edits), from: migrated.from, changed: migrated.edits.length > 0 };
}

/** Where the apiVersion line is, for the refusal (the first line when there is none). */
function migratedLine(text: string, lineCounter: LineCounter): { line: number; column: number } {
  const offset = /^apiVersion\s*:/m.exec(text)?.index;
  if (offset === undefined) return { line: 1, column: 1 };
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}
