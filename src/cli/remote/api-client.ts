// A small client of the broker's admin API (/api/v1, docs/api.md) for the CLI's --server mode. Every
// call goes through the broker's one outbound HTTP module (timeout, no redirects, the CA bundle, only
// the server's origin). Problem responses become the BrokerError the server raised: its code, its
// detail and its errorId; an answer that is not the API's is ERR_API_RESPONSE.
import type { HttpOut } from '../../adapters/http-out.ts';
import { BrokerError, ERROR_CODES, isBrokerError, type ErrorCode } from '../../core/errors.ts';

export class BrokerApiClient {
  readonly #base: URL;
  readonly #token: string;
  readonly #http: HttpOut;

  constructor(base: URL, token: string, http: HttpOut) {
    this.#base = base;
    this.#token = token;
    this.#http = http;
  }

  /** The server as shown to people (origin and path, never credentials). */
  get server(): string {
    return `${this.#base.origin}${this.#base.pathname.replace(/\/$/, '')}`;
  }

  async get<T>(path: string, query: Readonly<Record<string, string | undefined>> = {}): Promise<T> {
    const url = this.#url(path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    return this.#call<T>(url, { method: 'GET' });
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.#call<T>(this.#url(path), { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  }

  async close(): Promise<void> {
    await this.#http.close();
  }

  #url(path: string): URL {
    return new URL(`${this.#base.pathname.replace(/\/$/, '')}/api/v1${path}`, this.#base.origin);
  }

  async #call<T>(url: URL, init: { method: string; body?: string; headers?: Record<string, string> }): Promise<T> {
    let response: Response;
    try {
      response = await this.#http.fetch(url, { ...init, headers: { ...init.headers, accept: 'application/json', authorization: `Bearer ${this.#token}` } });
    } catch (error) {
      if (isBrokerError(error, 'ERR_HTTP_TLS')) {
        throw new BrokerError('ERR_HTTP_TLS', `TLS verification of the broker ${this.server} failed; pass its CA bundle with --ca-file (or $FEDBROKER_SERVER_CA)`, { cause: error, details: error.details });
      }
      throw error;
    }
    const where = `${url.origin}${url.pathname}`;
    const text = await response.text();
    const body = parseJson(text);
    if (response.ok) {
      if (body === undefined) throw new BrokerError('ERR_API_RESPONSE', `${where} answered ${response.status} without a JSON body; is ${this.server} a fedbroker?`, { details: { url: where, status: response.status } });
      return body as T;
    }
    throw problemError(response, body, where);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The error a refusal stands for: the problem's own code and detail, else one by the HTTP status. */
export function problemError(response: Response, body: unknown, where: string): BrokerError {
  const problem = isProblem(response, body) ? body : undefined;
  const details = { url: where, status: response.status, ...(problem && { errorId: problem.errorId }), ...(problem?.problems && { problems: problem.problems }) };
  if (problem && Object.hasOwn(ERROR_CODES, problem.code)) return new BrokerError(problem.code as ErrorCode, problem.detail, { details });
  if (response.status === 401) return new BrokerError('ERR_UNAUTHENTICATED', `the broker refused the token (401${problem ? `, ${problem.code}` : ''})`, { details });
  if (response.status === 403) return new BrokerError('ERR_FORBIDDEN_CLOUD', `the broker refused the request (403${problem ? `, ${problem.code}` : ''})`, { details });
  return new BrokerError('ERR_API_RESPONSE', `${where} answered ${response.status}${problem ? ` with the unknown code ${problem.code}: ${problem.detail}` : ', not with a problem of the admin API'}`, { details });
}

interface ProblemBody { code: string; detail: string; errorId: string; problems?: unknown[] }

function isProblem(response: Response, body: unknown): body is ProblemBody {
  const type = response.headers.get('content-type') ?? '';
  const b = body as Partial<ProblemBody> | undefined;
  return type.startsWith('application/problem+json') && typeof b?.code === 'string' && typeof b.detail === 'string' && typeof b.errorId === 'string';
}
