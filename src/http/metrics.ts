// Prometheus metrics of the broker (prom-client), fed from the audit trail so use cases stay unaware.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class BrokerMetrics {
  readonly registry = new Registry();
  readonly logoutTokens = new Counter({ name: 'fedbroker_logout_tokens_total', help: 'Back-channel logout tokens by result (accepted or the ERR_* code)', labelNames: ['cloud', 'result'], registers: [this.registry] });
  readonly logoutEvents = new Counter({ name: 'fedbroker_logout_events_total', help: 'Logout events started or coalesced, by source', labelNames: ['source', 'kind'], registers: [this.registry] });
  readonly deliveries = new Counter({ name: 'fedbroker_logout_deliveries_total', help: 'Delivery attempts by target system and result', labelNames: ['system', 'result'], registers: [this.registry] });
  readonly fanoutSeconds = new Histogram({ name: 'fedbroker_logout_fanout_seconds', help: 'From logout received to last target confirmed', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 120], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'fedbroker_' });
  }

  /** Feeds the counters from one audit entry. */
  observe(entry: { action: string; [k: string]: unknown }): void {
    const target = typeof entry['target'] === 'string' ? entry['target'].split('/')[0] ?? '' : '';
    switch (entry.action) {
      case 'logout.started': this.logoutEvents.inc({ source: String(entry['source']), kind: 'started' }); break;
      case 'logout.coalesced': this.logoutEvents.inc({ source: String(entry['source']), kind: 'coalesced' }); break;
      case 'logout.delivered': this.deliveries.inc({ system: target, result: 'delivered' }); break;
      case 'logout.retrying': this.deliveries.inc({ system: target, result: 'retrying' }); break;
      case 'logout.failed': this.deliveries.inc({ system: target, result: 'failed' }); break;
      case 'logout.completed': if (typeof entry['latencyMs'] === 'number') this.fanoutSeconds.observe(entry['latencyMs'] / 1000); break;
      default: break;
    }
  }
}
