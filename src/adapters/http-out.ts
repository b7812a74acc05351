// The one way the broker calls other servers. Every outbound request gets: a timeout, no redirect
// following, the configured CA bundle with TLS verification on, and an SSRF guard (only origins the
// spec names; never link-local/metadata addresses, whatever a name resolves to).
// Libraries that take a fetch function (openid-client, jose, the Keycloak admin client) get `fetch`.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { BrokerError } from '../core/errors.ts';

export interface HttpOutOptions {
  /** Origins (scheme://host:port) the broker may call; anything else is refused. */
  readonly allowedOrigins: readonly string[];
  /** Extra trusted CA certificates (PEM). The system CAs stay trusted. */
  readonly caPem?: readonly string[];
  readonly timeoutMs?: number;
}

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const DEFAULT_TIMEOUT_MS = 10_000;

export class HttpOut {
  readonly #allowed: Set<string>;
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  constructor(options: HttpOutOptions) {
    this.#allowed = new Set(options.allowedOrigins.map((o) => new URL(o).origin));
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const ca = options.caPem && options.caPem.length > 0 ? [...rootCertificates, ...options.caPem] : undefined;
    this.#agent = new Agent({
      connect: { ...(ca && { ca }), rejectUnauthorized: true, lookup: guardedLookup },
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
    });
  }

  /** A fetch with every guard applied; redirects become ERR_HTTP_REDIRECT. */
  readonly fetch: FetchLike = async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    if (!this.#allowed.has(url.origin)) {
      throw new BrokerError('ERR_HTTP_SSRF_BLOCKED', `outbound call to ${url.origin} is not allowed: it is not a server named in the spec`, { details: { origin: url.origin } });
    }
    const signal = init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(this.#timeoutMs)]) : AbortSignal.timeout(this.#timeoutMs);
    let response: Response;
    try {
      const request = input instanceof Request ? input : url.toString();
      // undici's own fetch shares its types with the global one at runtime; the casts bridge the typings.
      response = await (undiciFetch as unknown as FetchLike)(request, { ...init, redirect: 'manual', signal, dispatcher: this.#agent } as unknown as RequestInit);
    } catch (cause) {
      throw translateError(cause, url);
    }
    if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
      throw new BrokerError('ERR_HTTP_REDIRECT', `${url.origin}${url.pathname} answered with a redirect (${response.status}); redirects are not followed`, {
        details: { url: `${url.origin}${url.pathname}`, status: response.status },
      });
    }
    return response;
  };

  async close(): Promise<void> {
    await this.#agent.close();
  }
}


/** Addresses never called, whatever name resolves to them: link-local (cloud metadata), unspecified, multicast. */
export function isForbiddenAddress(address: string): boolean {
  if (isIP(address) === 4) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    return a === 0 || (a === 169 && b === 254) || a >= 224;
  }
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:')) return isForbiddenAddress(lower.slice(7));
  return lower === '::' || /^fe[89ab]/.test(lower) || lower.startsWith('ff') || lower === 'fd00:ec2::254';
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
