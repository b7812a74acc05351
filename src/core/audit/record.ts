// The durable audit record (docs/audit.md): what every audit entry of the broker becomes in the store,
// and the query over it. Pure: the time is passed in, the store assigns the id.
//
// An entry names its clouds in one of a few fields (`cloud`, `homeCloud`, `partner`, `clouds`, or a
// delivery `target` "<system>/<cloud>"); its outcome is its own `outcome` field, else what the action
// says (`*.failed`, `*.refused`, `*.retrying`), else ok. The actor is the API caller when there was one;
// the broker itself otherwise (pollers, deliveries, scheduled sync).
import { redactValue } from '../redact.ts';

export type AuditOutcome = 'ok' | 'failed' | 'refused' | 'retrying' | 'error';

export interface AuditRecord {
  /** Assigned by the store; ordered by time. */
  readonly id: string;
  readonly time: string;
  readonly action: string;
  readonly correlationId: string;
  /** "broker", or the API caller: "<username or sub> (<issuer>)". */
  readonly actor: string;
  readonly clouds: readonly string[];
  readonly outcome: AuditOutcome;
  /** The rest of the entry (redacted). */
  readonly detail: Readonly<Record<string, unknown>>;
}

export type NewAuditRecord = Omit<AuditRecord, 'id'>;

export interface AuditQuery {
  /** Only records at or after this time (ms). */
  readonly sinceMs?: number;
  /** Only records that touched this cloud. */
  readonly cloud?: string;
  readonly correlationId?: string;
  /** At most this many, the oldest first. */
  readonly limit: number;
}

export const AUDIT_QUERY_MAX = 10_000;
/** What a correlation id may be: what is sent in X-Correlation-Id and accepted in audit queries. */
export const CORRELATION_ID_PATTERN = /^[\w.:-]{1,128}$/;
export const DEFAULT_AUDIT_RETENTION_DAYS = 30;

const CLOUD_FIELDS = ['cloud', 'homeCloud', 'partner'] as const;
const OWN_FIELDS = new Set(['action', 'correlationId', 'actor', 'audit', 'outcome']);

export function auditRecordOf(entry: { readonly action: string; readonly correlationId: string; readonly [field: string]: unknown }, timeMs: number): NewAuditRecord {
  const detail: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) if (!OWN_FIELDS.has(key) && value !== undefined) detail[key] = value;
  return {
    time: new Date(timeMs).toISOString(), action: entry.action, correlationId: entry.correlationId,
    actor: actorOf(entry['actor']), clouds: cloudsOf(entry), outcome: outcomeOf(entry), detail: redactValue(detail) as Record<string, unknown>,
  };
}

export function matchesAuditQuery(record: AuditRecord, query: Omit<AuditQuery, 'limit'>): boolean {
  if (query.sinceMs !== undefined && Date.parse(record.time) < query.sinceMs) return false;
  if (query.cloud !== undefined && !record.clouds.includes(query.cloud)) return false;
  return query.correlationId === undefined || record.correlationId === query.correlationId;
}

function cloudsOf(entry: Readonly<Record<string, unknown>>): string[] {
  const found = new Set<string>();
  for (const field of CLOUD_FIELDS) if (typeof entry[field] === 'string') found.add(entry[field] as string);
  if (Array.isArray(entry['clouds'])) for (const c of entry['clouds']) if (typeof c === 'string') found.add(c);
  if (typeof entry['target'] === 'string' && entry['target'].includes('/')) found.add(entry['target'].slice(entry['target'].indexOf('/') + 1));
  if (Array.isArray(entry['targets'])) for (const t of entry['targets']) if (typeof t === 'string' && t.includes('/')) found.add(t.slice(t.indexOf('/') + 1));
  return [...found].sort();
}

function outcomeOf(entry: Readonly<Record<string, unknown>>): AuditOutcome {
  const own = entry['outcome'];
  if (own === 'error' || own === 'failed' || own === 'refused' || own === 'retrying') return own;
  if (entry['result'] === 'failed') return 'failed';
  if (entry['result'] === 'braked') return 'refused';
  if (/\.failed$/.test(entry.action as string)) return 'failed';
  if (/(^|\.)(refused|brake)$/.test(entry.action as string)) return 'refused';
  if (/\.retrying$/.test(entry.action as string)) return 'retrying';
  return 'ok';
}

/** "broker", or "<username or sub> (<issuer>)" of an API caller (describeActor). */
export function actorOf(actor: unknown): string {
  if (!actor || typeof actor !== 'object') return 'broker';
  const a = actor as { username?: unknown; sub?: unknown; issuer?: unknown };
  const who = typeof a.username === 'string' ? a.username : typeof a.sub === 'string' ? a.sub : 'unknown';
  return typeof a.issuer === 'string' ? `${who} (${a.issuer})` : who;
}
