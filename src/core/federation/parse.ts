// Parse spec text (YAML or JSON) and validate it; every problem carries its YAML line and column.
// Hostile input (too large, too deep, alias bombs, prototype keys) is refused first: ./yaml-limits.ts.
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { SpecPath, SpecProblem } from './problems.ts';
import { validateSpec, type ValidationResult } from './validate.ts';
import { aliasBomb, readSpecDocument, SPEC_MAX_ALIAS_COUNT } from './yaml-limits.ts';

export function parseSpecText(text: string): ValidationResult {
  const read = readSpecDocument(text);
  if (!read.ok) return read;
  const { doc, lineCounter } = read;
  let document: unknown;
  try {
    document = doc.toJS({ maxAliasCount: SPEC_MAX_ALIAS_COUNT });
  } catch {
    // The yaml package throws (a ReferenceError) when aliases expand beyond maxAliasCount.
    return { ok: false, problems: [aliasBomb(lineCounter, read.firstAlias)] };
  }
  const result = validateSpec(document);
  if (result.ok) return result;
  return { ok: false, problems: result.problems.map((p) => withPosition(p, doc, lineCounter)) };
}

function withPosition(p: SpecProblem, doc: Document, lineCounter: LineCounter): SpecProblem {
  const offset = offsetOf(doc, p.path);
  if (offset === undefined) return p;
  const pos = lineCounter.linePos(offset);
  return { ...p, line: pos.line, column: pos.col };
}

/** Offset of the deepest node on `path` that exists: the key of a mapping entry, or a list item. */
function offsetOf(doc: Document, path: SpecPath): number | undefined {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === segment);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}
