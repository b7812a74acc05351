// Prometheus metrics of the broker (prom-client), fed from the audit trail so use cases stay unaware.
// Every label value comes from a fixed set (spec clouds, error codes, sources, systems) or is
// `unknown`: a caller-chosen value (a path segment) must never create a series, or the registry grows
// without bound.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ERROR_CODES } from '../core/errors.ts';

/** The label value for anything outside the fixed set. */
export const UNKNOWN_LABEL = 'unknown';

const SOURCES: ReadonlySet<string> = new Set(['backchannel', 'keycloak-event', 'admin']);
const SYSTEMS: ReadonlySet<string> = new Set(['keycloak', 'keystone']);
const SYNC_OPS: ReadonlySet<string> = new Set(['createUser', 'createFederatedUser', 'deleteFederatedUser', 'addMembership', 'removeMembership', 'enableUser', 'disableUser', 'deleteUser', 'linkUser',
  'revokeTokens', 'deleteApplicationCredentials', 'endSessions']);
const SYNC_RESULTS: ReadonlySet<string> = new Set(['applied', 'failed', 'braked']);
const SYNC_OUTCOMES: ReadonlySet<string> = new Set(['applied', 'partial', 'braked', 'stopped', 'error']);
/** Failures that say a system could not be reached (as opposed to refusing or failing a request). */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ERR_HTTP_TIMEOUT', 'ERR_HTTP_UNREACHABLE', 'ERR_HTTP_TLS']);
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 120];

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
  readonly fanoutSeconds = new Histogram({ name: 'fedbroker_logout_fanout_seconds', help: 'From logout received to last target confirmed', buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly targetSeconds = new Histogram({ name: 'fedbroker_logout_target_seconds', help: 'From logout received to one target confirmed, by target system', labelNames: ['system'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly syncRuns = new Counter({ name: 'fedbroker_sync_runs_total', help: 'Full role-sync runs by outcome (applied, partial, braked, stopped, error)', labelNames: ['outcome'], registers: [this.registry] });
  readonly syncRunWrites = new Counter({ name: 'fedbroker_sync_run_writes_total', help: 'Writes made by full role-sync runs', registers: [this.registry] });
  readonly syncDrift = new Gauge({ name: 'fedbroker_sync_drift_changes', help: 'Changes the last full role-sync run found, by partner cloud and system (0: no drift)', labelNames: ['cloud', 'system'], registers: [this.registry] });
  readonly applyChanges = new Counter({ name: 'fedbroker_apply_changes_total', help: 'Changes of applied plans by outcome (applied, failed, notAttempted)', labelNames: ['outcome'], registers: [this.registry] });
  readonly reachable = new Gauge({ name: 'fedbroker_cloud_reachable', help: '1 when the last call to this system of this cloud (a sync read, a logout delivery) reached it, 0 when it could not', labelNames: ['cloud', 'system'], registers: [this.registry] });
  readonly apiRequests = new Counter({ name: 'fedbroker_api_requests_total', help: 'Requests to /api/v1 by route (its template, or unmatched) and status code', labelNames: ['route', 'status'], registers: [this.registry] });
  readonly #clouds: ReadonlySet<string>;

  /** `clouds`: the spec's cloud aliases, the only values of `cloud` labels besides `unknown`. */
  constructor(clouds: readonly string[] = []) {
    this.#clouds = new Set(clouds);
    collectDefaultMetrics({ register: this.registry, prefix: 'fedbroker_' });
  }

  /** Feeds the metrics from one audit entry. */
  observe(entry: { action: string; [k: string]: unknown }): void {
    const [targetSystem, targetCloud] = typeof entry['target'] === 'string' ? entry['target'].split('/') : [];
    const target = boundedLabel(targetSystem, SYSTEMS);
    const source = boundedLabel(entry['source'], SOURCES);
    switch (entry.action) {
      case 'logout.started': this.logoutEvents.inc({ source, kind: 'started' }); break;
      case 'logout.coalesced': this.logoutEvents.inc({ source, kind: 'coalesced' }); break;
      case 'logout.delivered':
        this.deliveries.inc({ system: target, result: 'delivered' });
        if (typeof entry['latencyMs'] === 'number') this.targetSeconds.observe({ system: target }, entry['latencyMs'] / 1000);
        this.#reached(targetCloud, target, true);
        break;
      case 'logout.skipped-stale': this.deliveries.inc({ system: target, result: 'skipped-stale' }); this.#reached(targetCloud, target, true); break;
      case 'logout.retrying':
      case 'logout.failed':
        this.deliveries.inc({ system: target, result: entry.action === 'logout.failed' ? 'failed' : 'retrying' });
        if (UNREACHABLE_CODES.has(String((entry['error'] as { code?: unknown } | undefined)?.code))) this.#reached(targetCloud, target, false);
        break;
      case 'sync.event': this.syncEvents.inc(); break;
      case 'sync.change': this.syncChanges.inc({ system: boundedLabel(entry['system'], SYSTEMS), op: boundedLabel(entry['op'], SYNC_OPS), result: boundedLabel(entry['result'], SYNC_RESULTS) }); break;
      case 'sync.run': this.#syncRun(entry); break;
      case 'api.apply':
        for (const outcome of ['applied', 'failed', 'notAttempted'] as const) {
          if (typeof entry[outcome] === 'number') this.applyChanges.inc({ outcome }, entry[outcome]);
        }
        break;
      case 'logout.completed': if (typeof entry['latencyMs'] === 'number') this.fanoutSeconds.observe(entry['latencyMs'] / 1000); break;
      default: break;
    }
  }

  /** Counts one request to /api/v1 once it is answered. */
  apiRequest(route: string, status: number): void {
    this.apiRequests.inc({ route, status: String(status) });
  }

  #syncRun(entry: Readonly<Record<string, unknown>>): void {
    this.syncRuns.inc({ outcome: boundedLabel(entry['outcome'], SYNC_OUTCOMES) });
    if (typeof entry['writes'] === 'number') this.syncRunWrites.inc(entry['writes']);
    const drift = Array.isArray(entry['drift']) ? entry['drift'] as { cloud?: unknown; system?: unknown; changes?: unknown }[] : [];
    for (const d of drift) {
      if (typeof d.changes !== 'number') continue;
      const system = boundedLabel(d.system, SYSTEMS);
      this.syncDrift.set({ cloud: boundedLabel(d.cloud, this.#clouds), system }, d.changes);
      this.#reached(d.cloud, system, true);
    }
    const failures = Array.isArray(entry['failures']) ? entry['failures'] as { cloud?: unknown; system?: unknown; part?: unknown; code?: unknown }[] : [];
    for (const f of failures) {
      if ((f.part === 'home' || f.part === 'partner') && UNREACHABLE_CODES.has(String(f.code))) this.#reached(f.cloud, f.part === 'home' ? 'keycloak' : f.system, false);
    }
  }

  #reached(cloud: unknown, system: unknown, reached: boolean): void {
    const label = { cloud: boundedLabel(cloud, this.#clouds), system: boundedLabel(system, SYSTEMS) };
    if (label.cloud === UNKNOWN_LABEL || label.system === UNKNOWN_LABEL) return;
    this.reachable.set(label, reached ? 1 : 0);
  }
}
