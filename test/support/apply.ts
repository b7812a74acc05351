// Applies one change through a system port and waits for its confirmation (a cluster's reload of its
// authentication config), as a whole apply does before it reports.
import type { JsonValue } from '../../src/core/json.ts';
import type { Change } from '../../src/core/plan/diff.ts';
import type { ManagedSystemPort } from '../../src/ports.ts';

export async function applyConfirmed(port: ManagedSystemPort, change: Change, writeOnly: Readonly<Record<string, JsonValue>> = {}): Promise<void> {
  const result = await port.apply(change, writeOnly);
  if (result) await result.confirmed;
}
