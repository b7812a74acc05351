// `fedbroker migrate`: a spec's text converted to the current spec version, comments and order kept
// (the scalars to change are found with the YAML Document API and replaced where they stand). Pure: the CLI reads and writes the file.
import { LineCounter } from 'yaml';
import { problem, type SpecProblem } from './problems.ts';
import { applyScalarEdits, migrateDocument } from './versions.ts';
import { composeDocument, inspectDocument, SPEC_MAX_BYTES, tooLarge } from './yaml-limits.ts';

export type MigratedText =
  | { readonly ok: true; readonly text: string; readonly from: string; readonly changed: boolean }
  | { readonly ok: false; readonly problems: readonly SpecProblem[] };

export function migrateSpecText(text: string): MigratedText {
  if (text.length > SPEC_MAX_BYTES) return { ok: false, problems: [tooLarge('the spec', text.length)] };
  const lineCounter = new LineCounter();
  const composed = composeDocument(text, lineCounter);
  if ('problem' in composed) return { ok: false, problems: [composed.problem] };
  const { doc } = composed;
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { ...problem('ERR_SPEC_YAML', [], e.message.split('\n')[0] ?? e.message, 'fix the YAML syntax at this line'), line: pos.line, column: pos.col };
      }),
    };
  }
  const inspected = inspectDocument(doc, lineCounter);
  if (inspected.problems.length > 0) return { ok: false, problems: inspected.problems };
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
