// THE table from error codes to HTTP statuses, and the one way errors leave the HTTP API: an
// RFC 9457 problem with the stable code, a message and an error id. The detail goes to the log only.
import type { ErrorCode } from '../core/errors.ts';
import { BrokerError, ERROR_CODES, isBrokerError } from '../core/errors.ts';

/**
 * Every code's HTTP status; the compiler refuses a code without one. 4xx: the caller's request is
 * wrong; 502/503: a system the broker needs failed; 500: a fault of the broker or its configuration
 * (spec, secrets, adapters), which the caller cannot fix.
 */
export const HTTP_STATUS = {
  ERR_SPEC_YAML: 500,
  ERR_SPEC_SCHEMA: 500,
  ERR_SPEC_DUPLICATE: 500,
  ERR_SPEC_UNKNOWN_REF: 500,
  ERR_SPEC_PRIVILEGED_GRANT: 500,
  ERR_SPEC_PRIVILEGED_EFFECT: 500,
  ERR_SPEC_SYSTEM_NAMESPACE: 500,
  ERR_SPEC_NAMING: 500,
  ERR_SPEC_TRUST: 500,
  ERR_SPEC_GRANT: 500,
  ERR_SPEC_EXAMPLE_FAILED: 500,
  ERR_SPEC_LIMIT: 500,
  ERR_SPEC_API_VERSION: 500,
  ERR_SPEC_FILE: 500,
  ERR_SECRET_UNRESOLVED: 500,
  ERR_CONFIG_INVALID: 500,
  ERR_HTTP_TIMEOUT: 503,
  ERR_HTTP_UNREACHABLE: 503,
  ERR_HTTP_TLS: 500,
  ERR_HTTP_REDIRECT: 500,
  ERR_HTTP_SSRF_BLOCKED: 500,
  ERR_HTTP_BODY_TOO_LARGE: 502,
  ERR_KEYCLOAK_REALM_NOT_FOUND: 500,
  ERR_KEYCLOAK_CLIENT_NOT_FOUND: 500,
  ERR_KEYCLOAK_AUTH: 502,
  ERR_KEYCLOAK_API: 502,
  ERR_KEYCLOAK_UNSUPPORTED_KIND: 500,
  ERR_KEYCLOAK_FEATURE_DISABLED: 501,
  ERR_KEYCLOAK_NOT_MANAGED: 409,
  ERR_METADATA_INVALID: 500,
  ERR_DISCOVERY_UNREACHABLE: 500,
  ERR_POLICY_PRIVILEGED: 500,
  ERR_KUBERNETES_POLICY_UNSUPPORTED: 500,
  ERR_KUBERNETES_AUTH: 500,
  ERR_KUBERNETES_API: 500,
  ERR_KUBERNETES_UNSUPPORTED_KIND: 500,
  ERR_KUBERNETES_AUTHN_CONFIG: 500,
  ERR_KEYSTONE_AUTH: 500,
  ERR_KEYSTONE_API: 500,
  ERR_KEYSTONE_UNSUPPORTED_KIND: 500,
  ERR_KEYSTONE_UNRENDERABLE: 500,
  ERR_REQUEST_BODY_TOO_LARGE: 413,
  ERR_REQUEST_CONTENT_TYPE: 415,
  ERR_REQUEST_MALFORMED: 400,
  ERR_REQUEST_INVALID: 400,
  ERR_UNAUTHENTICATED: 401,
  ERR_FORBIDDEN_CLOUD: 403,
  ERR_FORBIDDEN_PRIVILEGED: 403,
  ERR_SPEC_INVALID: 422,
  ERR_PLAN_STALE: 409,
  ERR_PLAN_NOT_FOUND: 404,
  ERR_RATE_LIMITED: 429,
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
  ERR_LOGOUT_HANDOVER_BUSY: 503,
  ERR_LOGOUT_EVENT_NOT_FOUND: 404,
  ERR_QUEUE_UNAVAILABLE: 503,
  ERR_SYNC_BUSY: 409,
  ERR_SYNC_LEASE_LOST: 409,
  ERR_SYNC_JOURNAL_INVALID: 500,
  ERR_USAGE: 400,
  ERR_SUBJECT_NOT_FOUND: 404,
  ERR_PLAN_CONFLICT: 409,
  ERR_CONFIRMATION_REQUIRED: 400,
  ERR_API_RESPONSE: 502,
  ERR_NOT_FOUND: 404,
  ERR_CONFLICT: 409,
  ERR_SPEC_MODE_GITOPS: 409,
  ERR_STORE_UNAVAILABLE: 503,
  ERR_STORE_CORRUPT: 500,
  ERR_IMPORT_INVALID: 400,
  ERR_INTERNAL: 500,
} as const satisfies Record<ErrorCode, number>;

export function statusFor(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail: string;
  readonly errorId: string;
  /** 4xx only: each problem of the request (an invalid body or spec) with its path. */
  readonly problems?: readonly RequestProblem[];
}

export interface RequestProblem { readonly path: string; readonly code: string; readonly message: string }

/** The client's view of an error: for 5xx only the generic title (internal messages may name internals). */
export function toProblem(error: unknown, errorId: string): Problem {
  const broker = isBrokerError(error) ? error : new BrokerError('ERR_INTERNAL', 'unexpected error');
  const status = statusFor(broker.code);
  const problems = status < 500 ? requestProblems(broker.details['problems']) : undefined;
  return {
    type: `urn:fedbroker:error:${broker.code}`, title: ERROR_CODES[broker.code], status, code: broker.code,
    detail: status >= 500 ? ERROR_CODES[broker.code] : broker.message, errorId, ...(problems && { problems }),
  };
}

function requestProblems(value: unknown): RequestProblem[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((p: { path?: unknown; code?: unknown; message?: unknown }) => ({ path: String(p.path ?? ''), code: String(p.code ?? ''), message: String(p.message ?? '') }));
}

/**
 * Body-parser and other library errors (they carry `type` and `status`), translated at the edge: too
 * large, wrong content type/charset/encoding, or a request that cannot be parsed.
 */
export function fromHttpLibraryError(error: unknown): unknown {
  if (isBrokerError(error)) return error;
  const e = error as { type?: unknown; status?: unknown };
  const status = typeof e?.status === 'number' ? e.status : undefined;
  if (e?.type === 'entity.too.large' || e?.type === 'parameters.too.many' || status === 413) return new BrokerError('ERR_REQUEST_BODY_TOO_LARGE', 'the request body is larger than allowed', { cause: error });
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported' || status === 415) return new BrokerError('ERR_REQUEST_CONTENT_TYPE', 'the request body\'s charset or encoding is not accepted', { cause: error });
  if (status !== undefined && status >= 400 && status < 500) return new BrokerError('ERR_REQUEST_MALFORMED', 'the request cannot be parsed', { cause: error });
  return error;
}
