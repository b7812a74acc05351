// The correlation id of the operation under way (a logout event's id, a sync run's, an API request's),
// carried through async calls, so that every outbound request made for it sends the id along in the
// X-Correlation-Id header (./http-out.ts) and Keycloak's and Keystone's access logs can be joined with
// the broker's audit trail. Only ids of a safe shape are sent.
import { AsyncLocalStorage } from 'node:async_hooks';
import { CORRELATION_ID_PATTERN } from '../core/audit/record.ts';
import type { CorrelationScope } from '../ports.ts';

export const CORRELATION_HEADER = 'X-Correlation-Id';

const current = new AsyncLocalStorage<string>();

/** Runs `work` with `id` as the correlation id of every outbound call it makes. */
export function withCorrelation<T>(id: string, work: () => Promise<T>): Promise<T> {
  return CORRELATION_ID_PATTERN.test(id) ? current.run(id, work) : work();
}

export function currentCorrelationId(): string | undefined {
  return current.getStore();
}

/** The CorrelationScope port over this module (what the composition roots hand to jobs and routes). */
export const asyncCorrelationScope = { run: withCorrelation } satisfies CorrelationScope;
