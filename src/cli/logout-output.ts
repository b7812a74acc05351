// How logout and logout status show their results, locally and against a running broker (./remote).
import type { DeliveryReport } from '../core/logout/report.ts';
import { EXIT, printJson, type OutputFormat } from './output.ts';

/** The started logout (its event id), with the outcome when --wait saw one; exit 1 unless delivered. */
export function printLogoutStarted(started: { eventId: string; coalesced: boolean }, report: Pick<DeliveryReport, 'outcome'> | undefined, format: OutputFormat): number {
  if (format === 'json') printJson({ eventId: started.eventId, coalesced: started.coalesced, ...(report && { outcome: report.outcome }) });
  else console.log(started.eventId);
  return report && report.outcome !== 'delivered' ? EXIT.FAILED : EXIT.OK;
}

/** A delivery report; exit 1 when it failed. */
export function printLogoutReport(report: DeliveryReport, format: OutputFormat): number {
  if (format === 'json') printJson(report);
  else printReport(report);
  return report.outcome === 'failed' ? EXIT.FAILED : EXIT.OK;
}

function printReport(r: DeliveryReport): void {
  console.log(`logout ${r.id}: ${r.outcome}${r.latencyMs !== undefined ? ` in ${r.latencyMs} ms` : ''}`);
  console.log(`  subject ${r.subject.homeCloud}:${r.subject.homeUsername ?? r.subject.homeSub} (source ${r.source} at ${r.cloud}, ${new Date(r.receivedAt).toISOString()})`);
  if (r.onlyCloud !== undefined) console.log(`  in cloud ${r.onlyCloud} only (every other cloud keeps her sessions)`);
  if (r.coalesced?.length) console.log(`  joined signals: ${r.coalesced.join(', ')}`);
  for (const d of r.deliveries) {
    console.log(`  ${`${d.system}/${d.cloud}`.padEnd(20)} ${d.status.padEnd(10)} attempts=${d.attempts}${d.latencyMs !== undefined ? ` ${d.latencyMs} ms` : ''}${d.detail ? `  ${d.detail}` : ''}${d.lastError && d.status !== 'delivered' ? `  [${d.lastError.code}] ${d.lastError.message}` : ''}`);
  }
}
