// The one way the broker calls other servers. Every outbound request gets: a timeout, no redirect
// following, the configured CA bundle with TLS verification on, and an SSRF guard (only origins the
// spec names; never link-local/metadata addresses, whatever a name resolves to), and the
// X-Correlation-Id of the operation it is made for (./correlation.ts).
// Libraries that take a fetch function (openid-client, jose, the Keycloak admin client) get `fetch`.
// Every answer's body is limited while it streams (./http-body.ts): DEFAULT_MAX_BODY_BYTES unless
// the HttpOut or the call (`maxBodyBytes`) says otherwise; past it the read fails with
// ERR_HTTP_BODY_TOO_LARGE and the connection is dropped.
//
// Keep-alive: servers such as Apache close a connection idle for `KeepAliveTimeout` (5 s by default);
// a request written onto such a connection just then fails with "other side closed". So pooled
// connections are kept at most POOLED_IDLE_MAX_MS (far below any usual server timeout, whatever the
// server advertises); requests that are not idempotent (POST, PATCH) always use a fresh connection, so
// they can never land on a connection the server is closing; idempotent ones (GET, HEAD, PUT, DELETE,
// OPTIONS) are retried once when the connection broke before any answer arrived.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { createSecureContext, rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { BrokerError } from '../core/errors.ts';
import { CORRELATION_HEADER, currentCorrelationId } from './correlation.ts';
import { ipLiteralHost, isForbiddenAddress } from '../core/net-address.ts';
import { DEFAULT_MAX_BODY_BYTES, limitBody, type FetchLike } from './http-body.ts';

export { isForbiddenAddress } from '../core/net-address.ts';
export { DEFAULT_MAX_BODY_BYTES, type FetchLike, type OutboundInit } from './http-body.ts';

export interface HttpOutOptions {
  /** Origins (scheme://host:port) the broker may call; anything else is refused. */
  readonly allowedOrigins: readonly string[];
  /** Extra trusted CA certificates (PEM). The system CAs stay trusted. */
  readonly caPem?: readonly string[];
  readonly timeoutMs?: number;
  /** Largest answer body accepted when a call does not set its own (default DEFAULT_MAX_BODY_BYTES). */
  readonly maxBodyBytes?: number;
  /** Told of every request that passed the guards, before it is sent (counting writes, metrics). */
  readonly onRequest?: (method: string, url: URL) => void;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** The longest a pooled connection sits idle before it is closed by us, not the server. */
export const POOLED_IDLE_MAX_MS = 2_000;
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const BROKEN_CONNECTION_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);

export class HttpOut {
  readonly #allowed: Set<string>;
  readonly #pooledAgent: Agent;
  readonly #freshAgent: Agent;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  readonly #onRequest: ((method: string, url: URL) => void) | undefined;

  constructor(options: HttpOutOptions) {
    this.#allowed = new Set(options.allowedOrigins.map((o) => new URL(o).origin));
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#onRequest = options.onRequest;
    // The trust store is built once: given as `ca`, every new connection would parse the ~140 system
    // roots again, ~23 ms of blocked event loop per connection (measured), paid by every POST/PATCH.
    const secureContext = options.caPem && options.caPem.length > 0 ? createSecureContext({ ca: [...rootCertificates, ...options.caPem] }) : undefined;
    const common = {
      connect: { ...(secureContext && { secureContext }), rejectUnauthorized: true, lookup: guardedLookup },
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
    };
    this.#pooledAgent = new Agent({ ...common, keepAliveTimeout: POOLED_IDLE_MAX_MS, keepAliveMaxTimeout: POOLED_IDLE_MAX_MS, keepAliveTimeoutThreshold: 1_000 });
    this.#freshAgent = new Agent({ ...common, pipelining: 0 });
  }

  /** A fetch with every guard applied; redirects become ERR_HTTP_REDIRECT; bodies are size-limited. */
  readonly fetch: FetchLike = async (input, { maxBodyBytes, ...init } = {}) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    if (!this.#allowed.has(url.origin)) {
      throw new BrokerError('ERR_HTTP_SSRF_BLOCKED', `outbound call to ${url.origin} is not allowed: it is not a server named in the spec`, { details: { origin: url.origin } });
    }
    const literal = ipLiteralHost(url.hostname);
    if (literal !== undefined && isForbiddenAddress(literal)) {
      throw new BrokerError('ERR_HTTP_SSRF_BLOCKED', `outbound call to ${url.origin} refused: ${literal} is a forbidden address`, { details: { origin: url.origin } });
    }
    const method = (init.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    this.#onRequest?.(method, url);
    const idempotent = IDEMPOTENT_METHODS.has(method);
    // A Request's body is a stream that cannot be sent twice.
    const replayable = idempotent && !(input instanceof Request && input.body !== null) && !(init.body instanceof ReadableStream);
    // A Request is sent as its parts: the undici package's fetch does not take the global Request class.
    const fromRequest = input instanceof Request ? { method: input.method, headers: input.headers, ...(input.body && { body: input.body, duplex: 'half' }) } : {};
    const headers = withCorrelationHeader(input, init.headers);
    const send = () => {
      const signal = init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(this.#timeoutMs)]) : AbortSignal.timeout(this.#timeoutMs);
      const dispatcher = idempotent ? this.#pooledAgent : this.#freshAgent;
      // undici's own fetch shares its types with the global one at runtime; the casts bridge the typings.
      return (undiciFetch as unknown as FetchLike)(url.toString(), { ...fromRequest, ...init, ...(headers && { headers }), redirect: 'manual', signal, dispatcher } as unknown as RequestInit);
    };
    let response: Response;
    try {
      try {
        response = await send();
      } catch (first) {
        if (!replayable || !isBrokenConnection(first)) throw first;
        response = await send();
      }
    } catch (cause) {
      throw translateError(cause, url);
    }
    if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
      throw new BrokerError('ERR_HTTP_REDIRECT', `${url.origin}${url.pathname} answered with a redirect (${response.status}); redirects are not followed`, {
        details: { url: `${url.origin}${url.pathname}`, status: response.status },
      });
    }
    return limitBody(response, maxBodyBytes ?? this.#maxBodyBytes, `${url.origin}${url.pathname}`);
  };

  async close(): Promise<void> {
    await Promise.all([this.#pooledAgent.close(), this.#freshAgent.close()]);
  }
}

/** The request's headers plus X-Correlation-Id while an operation with an id is under way (./correlation.ts). */
function withCorrelationHeader(input: string | URL | Request, given: ConstructorParameters<typeof Headers>[0] | undefined): Headers | undefined {
  const id = currentCorrelationId();
  if (id === undefined) return undefined;
  const headers = new Headers(given ?? (input instanceof Request ? input.headers : undefined));
  headers.set(CORRELATION_HEADER, id);
  return headers;
}

/** The connection broke before an answer (e.g. the server closed an idle keep-alive connection). */
function isBrokenConnection(error: unknown): boolean {
  return errorCodes(error).some((c) => BROKEN_CONNECTION_CODES.has(c));
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function guardedLookup(hostname: string, options: object, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    const forbidden = list.find((a) => isForbiddenAddress(a.address));
    if (forbidden) {
      const error: NodeJS.ErrnoException = new Error(`${hostname} resolves to forbidden address ${forbidden.address}`);
      error.code = 'ERR_FEDBROKER_SSRF';
      return callback(error, []);
    }
    if ((options as { all?: boolean }).all) return callback(null, list);
    const first = list[0];
    return first ? callback(null, first.address, first.family) : callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
  });
}

const TLS_CODES = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_NOT_YET_VALID']);

function translateError(cause: unknown, url: URL): BrokerError {
  const where = `${url.origin}${url.pathname}`;
  const codes = errorCodes(cause);
  const details = { url: where };
  if (codes.includes('ERR_FEDBROKER_SSRF')) return new BrokerError('ERR_HTTP_SSRF_BLOCKED', `outbound call to ${url.origin} refused: it resolves to a forbidden address`, { cause, details });
  if (codes.some((c) => TLS_CODES.has(c))) return new BrokerError('ERR_HTTP_TLS', `TLS verification failed for ${url.origin} (${codes.find((c) => TLS_CODES.has(c))}); check the caFile in the spec`, { cause, details });
  if (codes.some((c) => c === 'TimeoutError' || c === 'UND_ERR_CONNECT_TIMEOUT' || c === 'UND_ERR_HEADERS_TIMEOUT' || c === 'UND_ERR_BODY_TIMEOUT')) {
    return new BrokerError('ERR_HTTP_TIMEOUT', `${where} did not answer in time`, { cause, details });
  }
  return new BrokerError('ERR_HTTP_UNREACHABLE', `cannot reach ${where} (${codes.join(', ') || 'network error'})`, { cause, details });
}

function errorCodes(error: unknown): string[] {
  const out: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (typeof code === 'string') out.push(code);
    if (name === 'TimeoutError') out.push('TimeoutError');
  }
  return out;
}
