// The spec parser's defences against hostile YAML: a size limit checked before parsing, a nesting
// limit checked while the parser runs (it stops at the first token too deep, so a 50,000-deep
// document costs microseconds, not a stack overflow), a cap on alias expansion ("billion laughs"),
// and keys that could reach an object's prototype (`__proto__`, `constructor`, `prototype`) refused.
// Each is a spec problem with the line where the parser knows it.
import { Composer, isAlias, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, Parser, YAMLParseError, type Document } from 'yaml';
import { problem, type SpecPath, type SpecProblem } from './problems.ts';

/** Largest spec accepted (bytes of the file; characters of a text): a federation of 60 clouds and 400 rules is ~430 KiB. */
export const SPEC_MAX_BYTES = 1024 * 1024;
/** Deepest nesting of mappings and lists; the spec's own structure is 8 deep. */
export const SPEC_MAX_DEPTH = 64;
/** Most nodes aliases may expand to (the yaml package's measure), against alias bombs. */
export const SPEC_MAX_ALIAS_COUNT = 100;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** The parser's stack holds the document and the open token besides the collections. */
const PARSER_STACK_OVERHEAD = 2;

export type Composed = { readonly doc: Document } | { readonly problem: SpecProblem };

/** `size`: when known (a file's stat; not for a stream that was cut off at the limit). */
export function tooLarge(what: string, size?: number): SpecProblem {
  const measured = size === undefined ? '' : ` (${size} bytes)`;
  return { ...problem('ERR_SPEC_LIMIT', [], `${what} is larger than the limit of 1 MiB (${SPEC_MAX_BYTES} bytes)${measured}; it was not parsed`, 'a federation spec is far smaller: check that this is the right file'), line: 1, column: 1 };
}

/** yaml's parseDocument, with the nesting limit applied while the tokens are produced. */
export function composeDocument(text: string, lineCounter: LineCounter): Composed {
  const parser = new Parser(lineCounter.addNewLine);
  lineCounter.addNewLine(0); // what Parser.parse does first; the tokens are fed one by one here
  const composer = new Composer({ prettyErrors: false, uniqueKeys: true });
  let tooDeepAt: number | undefined;
  function* tokens() {
    for (const lexeme of new Lexer().lex(text)) {
      yield* parser.next(lexeme);
      if (parser.stack.length > SPEC_MAX_DEPTH + PARSER_STACK_OVERHEAD) { tooDeepAt = parser.offset; return; }
    }
    yield* parser.end();
  }
  let doc: Document | undefined;
  for (const next of composer.compose(tokens(), true, text.length)) {
    if (tooDeepAt !== undefined) break;
    if (!doc) { doc = next; continue; }
    doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', 'the file holds more than one YAML document'));
    break;
  }
  if (tooDeepAt !== undefined) {
    const pos = lineCounter.linePos(tooDeepAt);
    return { problem: { ...problem('ERR_SPEC_LIMIT', [], `the YAML is nested more than ${SPEC_MAX_DEPTH} levels deep`, 'a federation spec is 8 levels deep; remove the nesting'), line: pos.line, column: pos.col } };
  }
  return { doc: doc as Document };
}

/** Forbidden keys anywhere in the document, each with its path and line; and where the first alias is. */
export function inspectDocument(doc: Document, lineCounter: LineCounter): { problems: SpecProblem[]; firstAlias?: number } {
  const problems: SpecProblem[] = [];
  let firstAlias: number | undefined;
  const stack: { node: unknown; path: SpecPath }[] = [{ node: doc.contents, path: [] }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, path } = item;
    if (isAlias(node)) {
      const at = node.range?.[0];
      if (at !== undefined && (firstAlias === undefined || at < firstAlias)) firstAlias = at;
    } else if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key !== undefined && FORBIDDEN_KEYS.has(key)) {
          const pos = lineCounter.linePos((pair.key as { range?: [number] }).range?.[0] ?? 0);
          problems.push({ ...problem('ERR_SPEC_SCHEMA', [...path, key], `the key "${key}" is not allowed in a spec (it could change an object's prototype)`, 'remove this key'), line: pos.line, column: pos.col });
          continue;
        }
        stack.push({ node: pair.key, path }, { node: pair.value, path: key === undefined ? path : [...path, key] });
      }
    } else if (isSeq(node)) {
      node.items.forEach((child, index) => stack.push({ node: child, path: [...path, index] }));
    }
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { problems, ...(firstAlias !== undefined && { firstAlias }) };
}

export function aliasBomb(lineCounter: LineCounter, firstAlias: number | undefined): SpecProblem {
  const pos = lineCounter.linePos(firstAlias ?? 0);
  return { ...problem('ERR_SPEC_LIMIT', [], `the YAML aliases expand to more than ${SPEC_MAX_ALIAS_COUNT} nodes (an alias bomb?)`, 'write the values out, or use fewer aliases'), line: pos.line, column: pos.col };
}

export type ReadDocument =
  | { readonly ok: true; readonly doc: Document; readonly lineCounter: LineCounter; readonly firstAlias?: number }
  | { readonly ok: false; readonly problems: readonly SpecProblem[] };

/** A spec's text as a YAML document, with every defence above applied; syntax errors carry their line. */
export function readSpecDocument(text: string): ReadDocument {
  // UTF-16 units never outnumber UTF-8 bytes, so this never refuses a text within the byte limit.
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
  return { ok: true, doc, lineCounter, ...(inspected.firstAlias !== undefined && { firstAlias: inspected.firstAlias }) };
}
