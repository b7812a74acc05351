// THE table from error codes to HTTP statuses, and the one way errors leave the HTTP API: an
// RFC 9457 problem with the stable code, a message and an error id. The detail goes to the log only.
import type { ErrorCode } from '../core/errors.ts';
import { BrokerError, ERROR_CODES, isBrokerError } from '../core/errors.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_LOGOUT_MALFORMED: 400,
  ERR_LOGOUT_ISSUER: 400,
  ERR_LOGOUT_SIGNATURE: 400,
  ERR_LOGOUT_TYP: 400,
  ERR_LOGOUT_AUDIENCE: 400,
  ERR_LOGOUT_IAT_EXPIRED: 400,
  ERR_LOGOUT_IAT_FUTURE: 400,
  ERR_LOGOUT_EXPIRED: 400,
  ERR_LOGOUT_NOT_YET_VALID: 400,
  ERR_LOGOUT_CLAIM_INVALID: 400,
  ERR_LOGOUT_JTI: 400,
  ERR_LOGOUT_REPLAY: 400,
  ERR_LOGOUT_EVENTS: 400,
  ERR_LOGOUT_NONCE: 400,
  ERR_LOGOUT_SUBJECT: 400,
  ERR_LOGOUT_SUBJECT_UNKNOWN: 400,
  ERR_LOGOUT_BODY_TOO_LARGE: 413,
  ERR_LOGOUT_EVENT_NOT_FOUND: 404,
  ERR_NOT_FOUND: 404,
  ERR_CONFLICT: 409,
  ERR_QUEUE_UNAVAILABLE: 503,
  ERR_HTTP_UNREACHABLE: 503,
  ERR_HTTP_TIMEOUT: 503,
  ERR_KEYCLOAK_API: 502,
  ERR_KEYCLOAK_AUTH: 502,
};

export function statusFor(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail: string;
  readonly errorId: string;
}

/** The client's view of an error: for 5xx only the generic title (internal messages may name internals). */
export function toProblem(error: unknown, errorId: string): Problem {
  const broker = isBrokerError(error) ? error : new BrokerError('ERR_INTERNAL', 'unexpected error');
  const status = statusFor(broker.code);
  return {
    type: `urn:fedbroker:error:${broker.code}`, title: ERROR_CODES[broker.code], status, code: broker.code,
    detail: status >= 500 ? ERROR_CODES[broker.code] : broker.message, errorId,
  };
}

/** Body-parser and other library errors, translated at the edge. */
export function fromHttpLibraryError(error: unknown): unknown {
  const e = error as { type?: unknown; status?: unknown };
  if (e?.type === 'entity.too.large' || e?.status === 413) return new BrokerError('ERR_LOGOUT_BODY_TOO_LARGE', 'the request body is larger than allowed', { cause: error });
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new BrokerError('ERR_LOGOUT_MALFORMED', 'the request body cannot be parsed', { cause: error });
  return error;
}
