// How sync shows a run, locally and against a running broker (./remote): the same text and JSON.
import { formatSyncJson, type SyncRunJson } from '../core/sync/format.ts';
import { EXIT, printJson, type OutputFormat } from './output.ts';

/** A run's report (or its JSON); exit 6 braked, 1 a change failed, 5 partial, 0 done. */
export function printSyncRun(run: SyncRunJson, format: OutputFormat): number {
  if (format === 'json') printJson(run);
  else process.stdout.write(formatSyncJson(run));
  if (run.stoppedByBrake) return EXIT.BRAKE;
  if (run.failures.some((f) => f.part === 'apply')) return EXIT.FAILED;
  return run.failures.length > 0 ? EXIT.PARTIAL : EXIT.OK;
}
