// The one error type of the broker. Every failure that crosses a module boundary is a BrokerError
// with a stable ERR_* code; adapters translate library errors into it and keep the original as `cause`.

export const ERROR_CODES = {
  ERR_SPEC_YAML: 'The spec file is not valid YAML.',
  ERR_SPEC_INVALID: 'The spec has problems; see `problems`.',
  ERR_SPEC_FILE: 'The spec file cannot be read.',
  ERR_SECRET_UNRESOLVED: 'A secret reference points to an environment variable or file that is missing or empty.',
  ERR_CONFIG_INVALID: 'The broker configuration is invalid.',
  ERR_HTTP_TIMEOUT: 'An outbound request timed out.',
  ERR_HTTP_UNREACHABLE: 'An outbound request could not connect.',
  ERR_HTTP_TLS: 'TLS verification of an outbound request failed.',
  ERR_HTTP_REDIRECT: 'An outbound request was redirected; redirects are not followed.',
  ERR_HTTP_SSRF_BLOCKED: 'An outbound request targets an address that is not allowed.',
  ERR_HTTP_STATUS: 'An outbound request returned an unexpected status.',
  ERR_UPSTREAM_AUTH: 'A downstream system rejected the broker\'s credentials.',
  ERR_KEYCLOAK_REALM_NOT_FOUND: 'A realm named in the spec does not exist.',
  ERR_KEYCLOAK_CLIENT_NOT_FOUND: 'A client named in the spec does not exist in its realm.',
  ERR_KEYCLOAK_AUTH: 'Keycloak refused the broker\'s admin credentials or token.',
  ERR_KEYCLOAK_API: 'The Keycloak admin API answered with an unexpected status.',
  ERR_KEYCLOAK_UNSUPPORTED_KIND: 'The Keycloak adapter cannot handle this kind of object yet.',
  ERR_METADATA_INVALID: 'A home cloud\'s OIDC discovery document or SAML descriptor is missing or malformed.',
  ERR_DISCOVERY_UNREACHABLE: 'A home cloud\'s OIDC discovery document or SAML descriptor could not be fetched.',
  ERR_PLAN_CONFLICT: 'The plan would touch objects the broker does not own; nothing was applied.',
  ERR_CONFIRMATION_REQUIRED: 'apply needs --yes when it cannot ask on a terminal.',
  ERR_NOT_FOUND: 'The object does not exist.',
  ERR_CONFLICT: 'The object exists already or was changed concurrently.',
  ERR_INTERNAL: 'An unexpected internal error.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface BrokerErrorOptions {
  cause?: unknown;
  /** Structured, non-secret detail for logs and machine output (e.g. the cloud and object involved). */
  details?: Record<string, unknown>;
}

export class BrokerError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: BrokerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BrokerError';
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

export function isBrokerError(value: unknown, code?: ErrorCode): value is BrokerError {
  return value instanceof BrokerError && (code === undefined || value.code === code);
}
