// The spec versions this broker reads, and the conversion of the previous one to the current one.
// Pure. Two forms of the same conversion: on the parsed document (validate, plan, apply and the HTTP
// API read a previous-version spec as the current one) and on the YAML Document (`fedbroker migrate`
// rewrites the file's scalars where they stand, keeping every comment and the order). See docs/upgrades.md.
//
// v1alpha1 → v1alpha2: a trust edge names its ends `home` and `partner` (was `from` and `to`);
// nothing else changed.
import { isMap, isScalar, isSeq, type Document, type Scalar } from 'yaml';
import { problem, type SpecPath, type SpecProblem } from './problems.ts';
import { API_VERSION } from './schema.ts';

export const PREVIOUS_API_VERSION = 'federation.scs.community/v1alpha1';
/** Newest first. */
export const READABLE_API_VERSIONS: readonly string[] = [API_VERSION, PREVIOUS_API_VERSION];

/** v1alpha1 key of a trust edge → its v1alpha2 key. */
const EDGE_KEYS: Readonly<Record<string, string>> = { from: 'home', to: 'partner' };

export type VersionedDocument =
  | { readonly ok: true; readonly document: unknown; readonly convertedFrom?: string }
  | { readonly ok: false; readonly problem: SpecProblem };

/** The document in the current version: as it is, converted from the previous version, or refused. */
export function toCurrentVersion(document: unknown): VersionedDocument {
  if (!isRecord(document)) return { ok: true, document }; // the schema reports what is wrong with it
  const version = document['apiVersion'];
  if (version === API_VERSION) return { ok: true, document };
  if (version !== PREVIOUS_API_VERSION) return { ok: false, problem: apiVersionProblem(version) };
  return { ok: true, document: convertObject(document), convertedFrom: PREVIOUS_API_VERSION };
}

export function apiVersionProblem(found: unknown): SpecProblem {
  const what = found === undefined ? 'missing' : `"${String(found)}" is not a spec version this broker reads`;
  return problem('ERR_SPEC_API_VERSION', ['apiVersion'], `${what}; it reads ${READABLE_API_VERSIONS.join(' and ')}`,
    `set apiVersion: ${API_VERSION} (a spec written for a newer broker needs that broker)`);
}

/** A problem's path in the converted document, spelt as in a file of version `version` (for its line). */
export function pathInVersion(path: SpecPath, version: string | undefined): SpecPath {
  if (version !== PREVIOUS_API_VERSION || path[0] !== 'trust' || path[1] !== 'edges' || path.length < 4) return path;
  const previousKey = Object.entries(EDGE_KEYS).find(([, current]) => current === path[3])?.[0];
  return previousKey === undefined ? path : [...path.slice(0, 3), previousKey, ...path.slice(4)];
}

/** What the one-time warning of validate, plan and apply says about a spec file read in the previous version. */
export function previousVersionWarning(file: string, version: string): string {
  return `${file}: apiVersion ${version} is the previous spec version; read as ${API_VERSION}. `
    + `Convert the file with \`fedbroker migrate ${file} --write\`.`;
}

/** One scalar of the file replaced: its source range and its new value. */
export interface ScalarEdit {
  readonly start: number;
  readonly end: number;
  readonly value: string;
}

export type MigratedDocument =
  | { readonly ok: true; readonly from: string; readonly edits: readonly ScalarEdit[] }
  | { readonly ok: false; readonly problem: SpecProblem };

/**
 * The edits that convert a parsed YAML Document to the current version: scalars found through the
 * Document API, replaced where they stand in the text, so every other byte (comments, order, flow
 * style, quoting) stays as it was. None when the Document is in the current version.
 */
export function migrateDocument(doc: Document): MigratedDocument {
  const root = doc.contents;
  const versionNode = isMap(root) ? root.items.find((p) => isScalar(p.key) && p.key.value === 'apiVersion')?.value : undefined;
  const version = isScalar(versionNode) ? versionNode.value : undefined;
  if (version === API_VERSION) return { ok: true, from: API_VERSION, edits: [] };
  if (version !== PREVIOUS_API_VERSION || !isScalar(versionNode) || !isMap(root)) return { ok: false, problem: apiVersionProblem(version) };
  const edits: ScalarEdit[] = [];
  const replace = (node: Scalar, value: string) => {
    if (node.range) edits.push({ start: node.range[0], end: node.range[1], value });
  };
  replace(versionNode, API_VERSION);
  const trust = root.get('trust', true);
  const edges = isMap(trust) ? trust.get('edges', true) : undefined;
  for (const edge of isSeq(edges) ? edges.items : []) {
    if (!isMap(edge)) continue;
    for (const { key } of edge.items) {
      const renamed = isScalar(key) && typeof key.value === 'string' ? EDGE_KEYS[key.value] : undefined;
      if (isScalar(key) && renamed !== undefined) replace(key, renamed);
    }
  }
  return { ok: true, from: PREVIOUS_API_VERSION, edits };
}

/** `text` with the edits made; a quoted scalar keeps its quotes. */
export function applyScalarEdits(text: string, edits: readonly ScalarEdit[]): string {
  let out = text;
  for (const { start, end, value } of [...edits].sort((a, b) => b.start - a.start)) {
    const quote = out[start] === '"' || out[start] === "'" ? out[start] : '';
    out = `${out.slice(0, start)}${quote}${value}${quote}${out.slice(end)}`;
  }
  return out;
}

function convertObject(document: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const trust = document['trust'];
  const edges = isRecord(trust) ? trust['edges'] : undefined;
  const converted: Record<string, unknown> = { ...document, apiVersion: API_VERSION };
  if (isRecord(trust) && Array.isArray(edges)) {
    converted['trust'] = { ...trust, edges: edges.map((e) => (isRecord(e) ? renameKeys(e, EDGE_KEYS) : e)) };
  }
  return converted;
}

function renameKeys(value: Readonly<Record<string, unknown>>, names: Readonly<Record<string, string>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [names[k] ?? k, v]));
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
