// Prometheus metrics of the broker (prom-client), fed from the audit trail so use cases stay unaware.
// Every label value comes from a fixed set (spec clouds, error codes, sources, systems) or is
// `unknown`: a caller-chosen value (a path segment) must never create a series, or the registry grows
// without bound.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ERROR_CODES } from '../core/errors.ts';

/** The label value for anything outside the fixed set. */
export const UNKNOWN_LABEL = 'unknown';

const SOURCES: ReadonlySet<string> = new Set(['backchannel', 'keycloak-event', 'admin']);
const SYSTEMS: ReadonlySet<string> = new Set(['keycloak', 'keystone']);
const SYNC_OPS: ReadonlySet<string> = new Set(['createUser', 'createFederatedUser', 'deleteFederatedUser', 'addMembership', 'removeMembership', 'enableUser', 'disableUser', 'deleteUser',
  'revokeTokens', 'deleteApplicationCredentials', 'endSessions']);
const SYNC_RESULTS: ReadonlySet<string> = new Set(['applied', 'failed', 'braked']);

/** `value` when it is one of `allowed`, else `unknown`. */
export function boundedLabel(value: unknown, allowed: ReadonlySet<string>): string {
  return typeof value === 'string' && allowed.has(value) ? value : UNKNOWN_LABEL;
}

/** The result label of a logout token: `accepted` or a known ERR_* code (anything else is ERR_INTERNAL). */
export function resultLabel(code: unknown): string {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code) ? code : 'ERR_INTERNAL';
}

export class BrokerMetrics {
  readonly registry = new Registry();
  readonly logoutTokens = new Counter({ name: 'fedbroker_logout_tokens_total', help: 'Back-channel logout tokens by result (accepted or the ERR_* code)', labelNames: ['cloud', 'result'], registers: [this.registry] });
  readonly logoutEvents = new Counter({ name: 'fedbroker_logout_events_total', help: 'Logout events started or coalesced, by source', labelNames: ['source', 'kind'], registers: [this.registry] });
  readonly deliveries = new Counter({ name: 'fedbroker_logout_deliveries_total', help: 'Delivery attempts by target system and result', labelNames: ['system', 'result'], registers: [this.registry] });
  readonly rateLimited = new Counter({ name: 'fedbroker_http_rate_limited_total', help: 'Requests refused with 429 before being read, by route, cloud (a spec cloud or unknown) and the limit hit (source or cloud)', labelNames: ['route', 'cloud', 'limit'], registers: [this.registry] });
  readonly syncEvents = new Counter({ name: 'fedbroker_sync_events_total', help: 'Home admin events that named a home user (role sync\'s event path)', registers: [this.registry] });
  readonly syncChanges = new Counter({ name: 'fedbroker_sync_changes_total', help: 'Changes of the event path by system, op and result (applied, failed, braked)', labelNames: ['system', 'op', 'result'], registers: [this.registry] });
  readonly fanoutSeconds = new Histogram({ name: 'fedbroker_logout_fanout_seconds', help: 'From logout received to last target confirmed', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 120], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'fedbroker_' });
  }

  /** Feeds the counters from one audit entry. */
  observe(entry: { action: string; [k: string]: unknown }): void {
    const target = boundedLabel(typeof entry['target'] === 'string' ? entry['target'].split('/')[0] : undefined, SYSTEMS);
    const source = boundedLabel(entry['source'], SOURCES);
    switch (entry.action) {
      case 'logout.started': this.logoutEvents.inc({ source, kind: 'started' }); break;
      case 'logout.coalesced': this.logoutEvents.inc({ source, kind: 'coalesced' }); break;
      case 'logout.delivered': this.deliveries.inc({ system: target, result: 'delivered' }); break;
      case 'logout.skipped-stale': this.deliveries.inc({ system: target, result: 'skipped-stale' }); break;
      case 'logout.retrying': this.deliveries.inc({ system: target, result: 'retrying' }); break;
      case 'logout.failed': this.deliveries.inc({ system: target, result: 'failed' }); break;
      case 'sync.event': this.syncEvents.inc(); break;
      case 'sync.change': this.syncChanges.inc({ system: boundedLabel(entry['system'], SYSTEMS), op: boundedLabel(entry['op'], SYNC_OPS), result: boundedLabel(entry['result'], SYNC_RESULTS) }); break;
      case 'logout.completed': if (typeof entry['latencyMs'] === 'number') this.fanoutSeconds.observe(entry['latencyMs'] / 1000); break;
      default: break;
    }
  }
}
