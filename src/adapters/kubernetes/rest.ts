// A small typed REST client for the Kubernetes API over the broker's one outbound HTTP module
// (docs/decisions/0005-kubernetes-client.md). Answers become BrokerErrors naming cloud, cluster and
// object; 404 is returned to callers that ask for it (absent objects are normal while observing).
import type { V1Status } from '@kubernetes/client-node';
import { BrokerError } from '../../core/errors.ts';
import { FIELD_MANAGER } from '../../core/render/kubernetes/names.ts';
import { readBodyText } from '../http-body.ts';
import type { FetchLike } from '../http-out.ts';

/** Largest answer read: a list page holds at most 500 objects (`limit`). */
export const KUBERNETES_MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface KubeCall {
  readonly method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  /** What the call is about, for error details, e.g. `RoleBinding p1/fedbroker-...`. */
  readonly object?: string;
  /** Statuses returned to the caller instead of thrown (e.g. [404]). */
  readonly allow?: readonly number[];
}

export interface KubeAnswer { readonly status: number; readonly body: unknown; readonly text: string }

/** A URL path with every interpolated value encoded as one segment. */
export function kubePath(strings: TemplateStringsArray, ...values: readonly string[]): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i] as string) : ''), '');
}

export class KubeRest {
  readonly cloud: string;
  readonly cluster: string;
  readonly #baseUrl: string;
  readonly #token: string;
  readonly #fetch: FetchLike;

  constructor(options: { cloud: string; cluster: string; baseUrl: string; token: string; fetch: FetchLike }) {
    this.cloud = options.cloud;
    this.cluster = options.cluster;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#fetch = options.fetch;
  }

  async call(path: string, call: KubeCall = {}): Promise<KubeAnswer> {
    const method = call.method ?? 'GET';
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}`, accept: call.accept ?? 'application/json' };
    if (call.body !== undefined) headers['content-type'] = call.contentType ?? 'application/json';
    const response = await this.#fetch(`${this.#baseUrl}${path}`, { method, headers, maxBodyBytes: KUBERNETES_MAX_BODY_BYTES, ...(call.body !== undefined && { body: JSON.stringify(call.body) }) });
    const text = await readBodyText(response, KUBERNETES_MAX_BODY_BYTES, `${this.#baseUrl}${path.split('?')[0] ?? ''}`);
    const body = parseJson(text);
    if (response.ok || call.allow?.includes(response.status)) return { status: response.status, body, text };
    throw this.#error(method, path, call, response.status, body);
  }

  async get<T>(path: string, object?: string): Promise<T> {
    return (await this.call(path, { ...(object && { object }) })).body as T;
  }

  /** GET that answers undefined for 404. */
  async find<T>(path: string, object?: string): Promise<T | undefined> {
    const answer = await this.call(path, { allow: [404], ...(object && { object }) });
    return answer.status === 404 ? undefined : answer.body as T;
  }

  /** Every item of a list endpoint, following `continue` tokens. */
  async list<T>(path: string, query: Record<string, string> = {}, object?: string): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined;
    do {
      const params = new URLSearchParams({ ...query, limit: '500', ...(next && { continue: next }) });
      const page = await this.get<{ items?: T[]; metadata?: { continue?: string } }>(`${path}?${params}`, object);
      out.push(...(page.items ?? []));
      next = page.metadata?.continue || undefined;
    } while (next);
    return out;
  }

  /** POST (create); 409 when the object exists becomes ERR_CONFLICT. */
  async create(collectionPath: string, body: unknown, object: string): Promise<unknown> {
    return (await this.call(`${collectionPath}?fieldManager=${FIELD_MANAGER}`, { method: 'POST', body, object })).body;
  }

  /** Server-side apply with the broker's field manager; `force` takes over fields other managers own. */
  async apply(path: string, body: unknown, object: string, force = true): Promise<unknown> {
    const query = `fieldManager=${FIELD_MANAGER}${force ? '&force=true' : ''}`;
    // JSON is YAML: the apply content type takes either.
    return (await this.call(`${path}?${query}`, { method: 'PATCH', body, contentType: 'application/apply-patch+yaml', object })).body;
  }

  /** DELETE, idempotent (404 is fine); `uid` makes it delete only the object that was observed. */
  async remove(path: string, object: string, uid?: string): Promise<void> {
    const body = uid ? { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid } } : undefined;
    await this.call(path, { method: 'DELETE', allow: [404], object, ...(body && { body }) });
  }

  #error(method: string, path: string, call: KubeCall, status: number, body: unknown): BrokerError {
    const s = (typeof body === 'object' && body !== null ? body : {}) as V1Status;
    const reason = [s.reason, s.message].filter((v) => typeof v === 'string' && v !== '').join(': ').slice(0, 300);
    const what = `${call.object ?? path} in cluster ${this.cluster} of cloud ${this.cloud}`;
    const details = { cloud: this.cloud, cluster: this.cluster, ...(call.object && { object: call.object }), method, path: path.split('?')[0], status, ...(reason && { kubernetesReason: reason }) };
    if (status === 401 || status === 403) {
      return new BrokerError('ERR_KUBERNETES_AUTH', `the Kubernetes API refused ${method} for ${what} (${status}${reason ? `: ${reason}` : ''}): check the cluster token in the spec and its rights`, { details });
    }
    if (status === 409) return new BrokerError('ERR_CONFLICT', `Kubernetes reports a conflict for ${what}${reason ? `: ${reason}` : ''}`, { details });
    if (status === 404) return new BrokerError('ERR_NOT_FOUND', `Kubernetes does not know ${what}${reason ? ` (${reason})` : ''}`, { details });
    return new BrokerError('ERR_KUBERNETES_API', `the Kubernetes API answered ${status} to ${method} for ${what}${reason ? `: ${reason}` : ''}`, { details });
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try { return JSON.parse(text); } catch { return text; }
}
