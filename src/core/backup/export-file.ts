// The broker's export file (`fedbroker export` / `import`, docs/api.md "Export and import"): JSON
// lines, so a large audit trail streams and a bad entry is named by its line:
//   line 1       {"kind":"fedbroker-export","version":1,"exportedAt":"…","revisions":R,"audit":A}
//   next R lines {"revision":{…}}  the spec revisions, 1..R in order
//   next A lines {"audit":{…}}     the audit records, oldest first
// Reading checks everything before anything is written: every revision's spec validates, numbers run
// 1..R, fingerprints match the specs, counts match the header. Pure: the caller reads and writes.
import { z } from 'zod';
import { canonicalJson } from '../canonical-json.ts';
import type { NewAuditRecord, AuditRecord } from '../audit/record.ts';
import { validateSpec } from '../federation/validate.ts';
import { formatPath } from '../federation/problems.ts';
import type { Revision } from '../revisions/revision.ts';
import { sha256Base64url } from '../sha256.ts';

export const EXPORT_KIND = 'fedbroker-export';
export const EXPORT_VERSION = 1;

const header = z.strictObject({ kind: z.literal(EXPORT_KIND), version: z.literal(EXPORT_VERSION), exportedAt: z.iso.datetime(), revisions: z.number().int().min(0), audit: z.number().int().min(0) });
const diffEntry = z.strictObject({ path: z.string(), change: z.enum(['added', 'removed', 'changed']), before: z.unknown().optional(), after: z.unknown().optional() });
const revision = z.strictObject({
  number: z.number().int().min(1), spec: z.unknown(), fingerprint: z.string().min(1), author: z.string(), createdAt: z.iso.datetime(), finishedAt: z.iso.datetime().optional(),
  origin: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('import'), source: z.string() }),
    z.strictObject({ kind: z.literal('apply'), planId: z.string() }),
    z.strictObject({ kind: z.literal('rollback'), planId: z.string(), to: z.number().int().min(1) }),
  ]),
  diff: z.array(diffEntry),
  result: z.union([
    z.strictObject({ status: z.enum(['applying', 'imported']) }),
    z.strictObject({ status: z.enum(['applied', 'failed']), applied: z.number().int(), failed: z.number().int(), notAttempted: z.number().int(), unreachable: z.number().int() }),
  ]),
});
const auditRecord = z.strictObject({
  id: z.string().optional(), time: z.iso.datetime(), action: z.string().min(1), correlationId: z.string().min(1), actor: z.string(),
  clouds: z.array(z.string()), outcome: z.enum(['ok', 'failed', 'refused', 'retrying', 'error']), detail: z.record(z.string(), z.unknown()),
});

export interface ExportProblem { readonly line: number; readonly message: string }
export type ReadExport =
  | { readonly ok: true; readonly exportedAt: string; readonly revisions: readonly Revision[]; readonly audit: readonly NewAuditRecord[] }
  | { readonly ok: false; readonly problems: readonly ExportProblem[] };

export function exportHeader(exportedAtMs: number, revisions: number, audit: number): string {
  return JSON.stringify({ kind: EXPORT_KIND, version: EXPORT_VERSION, exportedAt: new Date(exportedAtMs).toISOString(), revisions, audit });
}
export const revisionLine = (r: Revision): string => JSON.stringify({ revision: r });
export const auditLine = (r: AuditRecord): string => JSON.stringify({ audit: r });

const fingerprintOf = (spec: unknown) => sha256Base64url(canonicalJson(spec));
const MAX_PROBLEMS = 20;

export function readExport(text: string): ReadExport {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const problems: ExportProblem[] = [];
  const add = (line: number, message: string) => { if (problems.length < MAX_PROBLEMS) problems.push({ line, message }); };
  const json = (i: number): unknown => {
    try { return JSON.parse(lines[i]!); } catch { add(i + 1, 'not a JSON object'); return undefined; }
  };
  const head = header.safeParse(json(0));
  if (!head.success) return { ok: false, problems: [{ line: 1, message: `not a fedbroker export header (kind "${EXPORT_KIND}", version ${EXPORT_VERSION}, exportedAt, revisions, audit): ${issues(head.error)}` }] };
  const expected = 1 + head.data.revisions + head.data.audit;
  if (lines.length !== expected) add(lines.length + 1, `the header announces ${head.data.revisions} revisions and ${head.data.audit} audit records (${expected} lines), the file has ${lines.length} lines: cut short or appended to`);
  const revisions: Revision[] = [];
  for (let i = 1; i <= head.data.revisions && i < lines.length; i++) {
    const parsed = z.strictObject({ revision }).safeParse(json(i));
    if (!parsed.success) { add(i + 1, `not a revision: ${issues(parsed.error)}`); continue; }
    const r = parsed.data.revision;
    if (r.number !== revisions.length + 1) add(i + 1, `revision ${r.number} where revision ${revisions.length + 1} belongs (numbers run 1, 2, … in order)`);
    const checked = validateSpec(r.spec);
    if (!checked.ok) { add(i + 1, `revision ${r.number}: its spec is invalid: ${checked.problems.slice(0, 3).map((p) => `${formatPath(p.path)}: ${p.message}`).join('; ')}`); continue; }
    if (fingerprintOf(checked.spec) !== r.fingerprint) add(i + 1, `revision ${r.number}: its fingerprint does not match its spec (edited by hand?)`);
    revisions.push({ ...r, spec: checked.spec } as Revision);
  }
  const audit: NewAuditRecord[] = [];
  for (let i = 1 + head.data.revisions; i < lines.length; i++) {
    const parsed = z.strictObject({ audit: auditRecord }).safeParse(json(i));
    if (!parsed.success) { add(i + 1, `not an audit record: ${issues(parsed.error)}`); continue; }
    const { id: _id, ...record } = parsed.data.audit;
    audit.push(record);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, exportedAt: head.data.exportedAt, revisions, audit };
}

function issues(error: z.ZodError): string {
  return error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ');
}
