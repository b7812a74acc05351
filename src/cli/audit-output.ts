// How audit shows records, locally and against a running broker (./remote): the same lines and JSON.
import { auditLine } from '../core/audit/query.ts';
import type { AuditRecord } from '../core/audit/record.ts';
import { EXIT, printJson, type OutputFormat } from './output.ts';

export function printAuditRecords(records: readonly AuditRecord[], format: OutputFormat): number {
  if (format === 'json') printJson({ records });
  else if (records.length === 0) console.log('no audit records match');
  else for (const r of records) console.log(auditLine(r));
  return EXIT.OK;
}
