// Reading the audit trail (fedbroker audit, GET /api/v1/audit): the query's parts from their text
// forms, checked, and one record as a line of text. Pure: the time is passed in.
import { BrokerError } from '../errors.ts';
import { cloudAlias } from '../federation/schema.ts';
import { AUDIT_QUERY_MAX, CORRELATION_ID_PATTERN, type AuditQuery, type AuditRecord } from './record.ts';

export interface AuditQueryText {
  /** An ISO 8601 time, or a duration back from now: 90s, 30m, 12h, 7d. */
  readonly since?: string;
  readonly cloud?: string;
  readonly correlationId?: string;
  readonly limit?: string | number;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DEFAULT_LIMIT = 1000;

/** The query the text asks for; ERR_REQUEST_INVALID naming the parameter and its forms when it cannot be read. */
export function auditQueryOf(text: AuditQueryText, nowMs: number, field = (name: string) => `--${name}`): AuditQuery {
  const limit = text.limit === undefined ? DEFAULT_LIMIT : Number(text.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_QUERY_MAX) {
    throw invalid(field('limit'), `must be a whole number from 1 to ${AUDIT_QUERY_MAX}, not "${text.limit}"`);
  }
  if (text.cloud !== undefined && !cloudAlias.safeParse(text.cloud).success) throw invalid(field('cloud'), `"${text.cloud}" is not a cloud alias`);
  if (text.correlationId !== undefined && !CORRELATION_ID_PATTERN.test(text.correlationId)) throw invalid(field('correlation-id'), 'is 1–128 letters, digits and . _ : -');
  return {
    limit,
    ...(text.since !== undefined && { sinceMs: sinceOf(text.since, nowMs, field('since')) }),
    ...(text.cloud !== undefined && { cloud: text.cloud }),
    ...(text.correlationId !== undefined && { correlationId: text.correlationId }),
  };
}

function sinceOf(value: string, nowMs: number, name: string): number {
  const duration = /^(\d{1,6})([smhd])$/.exec(value);
  if (duration) return nowMs - Number(duration[1]) * UNIT_MS[duration[2]!]!;
  const time = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw invalid(name, `"${value}" is neither a time (2026-12-01T10:00:00Z) nor a duration back from now (90s, 30m, 12h, 7d)`);
  return time;
}

/** One record as a line: time, action, outcome, clouds, correlation id, actor, then the detail as JSON. */
export function auditLine(r: AuditRecord): string {
  const detail = Object.keys(r.detail).length > 0 ? `  ${JSON.stringify(r.detail)}` : '';
  return `${r.time}  ${r.action.padEnd(20)} ${r.outcome.padEnd(8)} ${(r.clouds.join(',') || '-').padEnd(16)} ${r.correlationId}  ${r.actor}${detail}`;
}

function invalid(name: string, why: string): BrokerError {
  return new BrokerError('ERR_REQUEST_INVALID', `${name} ${why}`, { details: { field: name } });
}
