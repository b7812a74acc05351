// Response bodies with a size limit enforced while they stream: the bytes are counted as they
// arrive, and once they pass the limit the stream is cancelled (undici then drops the connection)
// and the read fails with ERR_HTTP_BODY_TOO_LARGE. Nothing past the limit is ever buffered, so a
// server that answers with an endless or huge body costs the broker at most the limit in memory.
// HttpOut applies it to every response (src/adapters/http-out.ts); libraries that read a body
// themselves and swallow read errors (jose's JWKS fetch) get `bufferedFetch`.
import { BrokerError } from '../core/errors.ts';

/** What any outbound answer may carry unless the call asks for more: metadata, keys and tokens are kilobytes. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Statuses whose responses never carry a body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** The fetch options of HttpOut: the standard ones plus the body limit of this one call. */
export interface OutboundInit extends RequestInit {
  /** Refuse an answer body larger than this many bytes (default: the HttpOut's limit). */
  readonly maxBodyBytes?: number;
}

export type FetchLike = (input: string | URL | Request, init?: OutboundInit) => Promise<Response>;

export function bodyTooLarge(where: string, maxBytes: number): BrokerError {
  return new BrokerError('ERR_HTTP_BODY_TOO_LARGE', `${where} answered with a body larger than ${formatBytes(maxBytes)}; the read was stopped there`, {
    details: { url: where, limitBytes: maxBytes },
  });
}

/**
 * `response` with its body limited to `maxBytes`: a declared Content-Length above the limit fails at
 * once; otherwise the body stream errors as soon as more than `maxBytes` have arrived.
 */
export async function limitBody(response: Response, maxBytes: number, where: string): Promise<Response> {
  const source = response.body;
  if (source === null || NULL_BODY_STATUSES.has(response.status)) return response;
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await source.cancel().catch(() => undefined);
    throw bodyTooLarge(where, maxBytes);
  }
  const reader = source.getReader();
  let received = 0;
  const limited = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) { controller.close(); return; }
      received += value.byteLength;
      if (received > maxBytes) {
        await reader.cancel().catch(() => undefined);
        controller.error(bodyTooLarge(where, maxBytes));
        return;
      }
      controller.enqueue(value);
    },
    cancel(reason) { return reader.cancel(reason); },
  }, { highWaterMark: 0 });
  const copy = new Response(limited, { status: response.status, statusText: response.statusText, headers: response.headers });
  Object.defineProperty(copy, 'url', { value: response.url });
  return copy;
}

/** The body as text, at most `maxBytes` of it (whatever fetch produced the response). */
export async function readBodyText(response: Response, maxBytes: number, where: string): Promise<string> {
  return (await limitBody(response, maxBytes, where)).text();
}

/**
 * A fetch that reads the whole (limited) body before it resolves, for libraries that turn a failed
 * body read into their own error (jose: "failed to parse the JSON Web Key Set"): the size refusal
 * then reaches the caller as the fetch's own ERR_HTTP_BODY_TOO_LARGE. For text answers (JSON documents).
 */
export function bufferedFetch(fetch: FetchLike, maxBytes = DEFAULT_MAX_BODY_BYTES): FetchLike {
  return async (input, init) => {
    const response = await fetch(input, { ...init, maxBodyBytes: maxBytes });
    const where = urlOf(input);
    const body = NULL_BODY_STATUSES.has(response.status) ? null : await readBodyText(response, maxBytes, where);
    const copy = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    Object.defineProperty(copy, 'url', { value: response.url });
    return copy;
  };
}

function urlOf(input: string | URL | Request): string {
  const url = new URL(input instanceof Request ? input.url : input.toString());
  return `${url.origin}${url.pathname}`;
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
}
