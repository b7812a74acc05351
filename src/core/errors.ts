// The one error type of the broker. Every failure that crosses a module boundary is a BrokerError
// with a stable ERR_* code; adapters translate library errors into it and keep the original as `cause`.

/** The codes of the problems validation finds in a spec (src/core/federation/problems.ts). */
export const SPEC_PROBLEM_CODES = {
  ERR_SPEC_YAML: 'The spec file is not valid YAML.',
  ERR_SPEC_SCHEMA: 'A field of the spec is unknown, missing or of the wrong type.',
  ERR_SPEC_DUPLICATE: 'Two entries of the spec have the same name.',
  ERR_SPEC_UNKNOWN_REF: 'The spec refers to a cloud or cluster it does not define.',
  ERR_SPEC_PRIVILEGED_GRANT: 'A policy rule grants a privileged or system: role.',
  ERR_SPEC_PRIVILEGED_EFFECT: 'A policy rule binds a Kubernetes role cluster-wide that can read Secrets, bind, escalate, impersonate or use wildcards, without an opt-in.',
  ERR_SPEC_SYSTEM_NAMESPACE: 'A policy rule binds a Kubernetes role in kube-system, kube-public or kube-node-lease without an opt-in.',
  ERR_SPEC_NAMING: 'A naming template of the spec lacks a placeholder it needs.',
  ERR_SPEC_TRUST: 'A trust edge of the spec is not usable (a cloud trusting itself).',
  ERR_SPEC_GRANT: 'A policy rule or grant cannot be rendered as written (unsupported condition, target without that system, incomplete grant).',
  ERR_SPEC_EXAMPLE_FAILED: 'A policy example does not give the outcome it states.',
  ERR_SPEC_LIMIT: 'The spec file exceeds a limit set against hostile input (size, nesting depth, alias expansion).',
  ERR_SPEC_API_VERSION: 'The spec\'s apiVersion is missing, unknown or newer than this broker reads.',
} as const;

export type SpecProblemCode = keyof typeof SPEC_PROBLEM_CODES;

export const ERROR_CODES = {
  ...SPEC_PROBLEM_CODES,
  ERR_SPEC_FILE: 'The spec file cannot be read.',
  ERR_SECRET_UNRESOLVED: 'A secret reference points to an environment variable or file that is missing or empty.',
  ERR_CONFIG_INVALID: 'The broker configuration is invalid.',
  ERR_HTTP_TIMEOUT: 'An outbound request timed out.',
  ERR_HTTP_UNREACHABLE: 'An outbound request could not connect.',
  ERR_HTTP_TLS: 'TLS verification of an outbound request failed.',
  ERR_HTTP_REDIRECT: 'An outbound request was redirected; redirects are not followed.',
  ERR_HTTP_SSRF_BLOCKED: 'An outbound request targets an address that is not allowed.',
  ERR_HTTP_BODY_TOO_LARGE: 'An outbound answer\'s body exceeds the size limit; the read was stopped at the limit.',
  ERR_KEYCLOAK_REALM_NOT_FOUND: 'A realm named in the spec does not exist.',
  ERR_KEYCLOAK_CLIENT_NOT_FOUND: 'A client named in the spec does not exist in its realm.',
  ERR_KEYCLOAK_AUTH: 'Keycloak refused the broker\'s admin credentials or token.',
  ERR_KEYCLOAK_API: 'The Keycloak admin API answered with an unexpected status.',
  ERR_KEYCLOAK_UNSUPPORTED_KIND: 'The Keycloak adapter cannot handle this kind of object yet.',
  ERR_KEYCLOAK_FEATURE_DISABLED: 'A Keycloak feature the command needs is off (rotate-secrets: build Keycloak with --features=client-secret-rotation).',
  ERR_KEYCLOAK_NOT_MANAGED: 'The object the command would change was not made by the broker; it is left alone.',
  ERR_METADATA_INVALID: 'A home cloud\'s OIDC discovery document or SAML descriptor is missing or malformed.',
  ERR_DISCOVERY_UNREACHABLE: 'A home cloud\'s OIDC discovery document or SAML descriptor could not be fetched.',
  ERR_POLICY_PRIVILEGED: 'Policy would grant a privileged or system: role, or a Kubernetes binding that is privileged in effect; refused at render or plan time.',
  ERR_KUBERNETES_POLICY_UNSUPPORTED: 'A policy rule with Kubernetes grants has a condition RBAC cannot enforce (groups.all, attributes).',
  ERR_KUBERNETES_AUTH: 'A Kubernetes API server refused the broker\'s credentials or rights.',
  ERR_KUBERNETES_API: 'A Kubernetes API server answered with an unexpected status.',
  ERR_KUBERNETES_UNSUPPORTED_KIND: 'The Kubernetes adapter cannot handle this kind of object or change.',
  ERR_KUBERNETES_AUTHN_CONFIG: 'The authentication configuration file could not be written, or the API server did not load it in time.',
  ERR_KEYSTONE_AUTH: 'Keystone refused the broker\'s admin credentials or token.',
  ERR_KEYSTONE_API: 'The Keystone API answered with an unexpected status.',
  ERR_KEYSTONE_UNSUPPORTED_KIND: 'The Keystone adapter cannot handle this kind of object or change.',
  ERR_KEYSTONE_UNRENDERABLE: 'A policy value cannot be expressed in a Keystone mapping (e.g. it contains ";", on which Keystone splits claims).',
  ERR_REQUEST_BODY_TOO_LARGE: 'The request body exceeds the size limit (or has too many parameters).',
  ERR_REQUEST_CONTENT_TYPE: 'The request body has a content type (or charset, or encoding) the route does not accept.',
  ERR_REQUEST_MALFORMED: 'The request cannot be parsed (body or path).',
  ERR_REQUEST_INVALID: 'The request body or query does not match the route\'s schema (an unknown field, a missing one, a wrong type); each problem names its path.',
  ERR_UNAUTHENTICATED: 'The request carries no bearer token, or one that does not verify (unknown issuer, another audience, expired, not yet valid, bad signature).',
  ERR_FORBIDDEN_CLOUD: 'The caller may not do this: it concerns a cloud (or the whole federation) outside the caller\'s admin scope.',
  ERR_FORBIDDEN_PRIVILEGED: 'The change grants a privileged role (Keystone admin, cluster-admin, system:*, or one the spec lists); nobody may make it through the API.',
  ERR_SPEC_INVALID: 'The federation spec in the request is invalid; its problems are listed with their paths.',
  ERR_PLAN_STALE: 'The plan is stale: the spec or the observed state changed since it was made; plan again.',
  ERR_PLAN_NOT_FOUND: 'No plan with this id is known (never made, expired, or applied already).',
  ERR_RATE_LIMITED: 'Too many requests from this source or for this cloud; retry after the time the Retry-After header gives.',
  ERR_LOGOUT_MALFORMED: 'The back-channel logout request carries no logout token, or the token is not a compact JWS.',
  ERR_LOGOUT_ISSUER: 'The logout token\'s issuer is not the realm of the cloud it was sent for.',
  ERR_LOGOUT_SIGNATURE: 'The logout token\'s signature does not verify against its realm\'s keys.',
  ERR_LOGOUT_TYP: 'The logout token is not typed logout+jwt (plain JWT only where the cloud allows untyped logout tokens).',
  ERR_LOGOUT_AUDIENCE: 'The logout token is not addressed to one of the broker\'s clients in that realm.',
  ERR_LOGOUT_IAT_EXPIRED: 'The logout token was issued too long ago.',
  ERR_LOGOUT_IAT_FUTURE: 'The logout token was issued in the future beyond the allowed clock skew.',
  ERR_LOGOUT_EXPIRED: 'The logout token\'s exp lies in the past beyond the allowed clock skew.',
  ERR_LOGOUT_NOT_YET_VALID: 'The logout token\'s nbf lies in the future beyond the allowed clock skew.',
  ERR_LOGOUT_CLAIM_INVALID: 'A logout token claim is missing or has the wrong type (iat, exp and nbf must be numeric dates).',
  ERR_LOGOUT_JTI: 'The logout token has no jti.',
  ERR_LOGOUT_REPLAY: 'The logout token\'s jti was seen before (replay).',
  ERR_LOGOUT_EVENTS: 'The logout token has no back-channel logout event in its events claim.',
  ERR_LOGOUT_NONCE: 'The logout token carries a nonce, which logout tokens must not.',
  ERR_LOGOUT_SUBJECT: 'The logout token names neither sub nor sid.',
  ERR_LOGOUT_SUBJECT_UNKNOWN: 'No federated subject matches the logout (unknown user or realm).',
  ERR_LOGOUT_HANDOVER_BUSY: 'Another delivery has this identity provider\'s logout hand-over to the home turned off right now; the delivery is retried.',
  ERR_LOGOUT_EVENT_NOT_FOUND: 'No logout event with this id is known.',
  ERR_QUEUE_UNAVAILABLE: 'The logout queue (Redis) cannot be reached; nothing was accepted.',
  ERR_SYNC_BUSY: 'Another broker process holds the sync lease of this cloud; its part of the run was left to that process.',
  ERR_SYNC_JOURNAL_INVALID: 'An entry of the sync effect journal in Redis cannot be read back; it was left in place for an operator to look at (docs/sync.md, "Removal effects").',
  ERR_SYNC_LEASE_LOST: 'The sync lease of this cloud was lost (expired, taken over, or Redis unreachable) during the run; its writes stopped at once.',
  ERR_USAGE: 'The command was called with arguments it cannot use.',
  ERR_SUBJECT_NOT_FOUND: 'The home cloud has no such user (explain, admin logout), or the claims name no cloud of the spec.',
  ERR_PLAN_CONFLICT: 'The plan would touch objects the broker does not own; nothing was applied.',
  ERR_CONFIRMATION_REQUIRED: 'apply needs --yes when it cannot ask on a terminal.',
  ERR_API_RESPONSE: 'A broker\'s admin API (fedbroker --server) answered with something that is not an answer of its API (an unexpected status, or a body that is not its JSON).',
  ERR_NOT_FOUND: 'The object does not exist.',
  ERR_CONFLICT: 'The object exists already or was changed concurrently.',
  ERR_SPEC_MODE_GITOPS: 'The broker runs in GitOps mode: its spec is the file it was started with; change that file (and apply it), or run serve with --spec-mode api.',
  ERR_STORE_UNAVAILABLE: 'The broker\'s store (Redis) cannot be reached; nothing was changed.',
  ERR_STORE_CORRUPT: 'An entry in the broker\'s store cannot be read back; it was left in place for an operator to look at.',
  ERR_IMPORT_INVALID: 'The export file to import is not a broker export, or one of its revisions or audit records is invalid; nothing was imported.',
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
