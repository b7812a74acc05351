// What the broker owns in every realm, Keystone and cluster of the test bed, read through the real
// adapters' observe (the same reads a plan makes), as comparable text per system: server-generated
// values (ids, uids, versions, creation times) are left out and lists are put in a fixed order, so
// the state after an interrupted and finished apply can be compared with the state after a clean one.
import { composeOnboarding } from '../../src/cli/compose.ts';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import type { ObservedObject } from '../../src/core/plan/model.ts';
import type { UnreachablePart } from '../../src/services/onboarding.ts';
import { exampleSpec } from './example-federation.ts';
import { SPEC_DIR } from '../integration/kubernetes-testbed.ts';

// Values the servers set themselves (ids, times; Keycloak with secret rotation stamps each secret with its expiry).
const GENERATED = /^(id|internalId|containerId|parentId|subGroupCount|client\.secret\.(creation|expiration)\.time|uid|resourceVersion|creationTimestamp|managedFields|generation|links|domain_id|parent_id)$/;

/** Per system name: its owned objects (managed, or at an address the spec wants), canonical JSON. */
export async function brokerOwnedState(spec: FederationSpec = exampleSpec(), baseDir = SPEC_DIR): Promise<Record<string, string>> {
  const deps = await composeOnboarding(spec, baseDir);
  const closers = new Set<{ close(): Promise<void> }>();
  try {
    const state: Record<string, string> = {};
    for (const system of deps.systems) {
      const name = system.description.name;
      const unreachable: UnreachablePart[] = [];
      const { desired } = await system.render({ spec, unreachable });
      if (unreachable.length > 0) throw new Error(`cannot read ${name} of ${unreachable.map((u) => u.cloud).join(', ')} for the owned state`);
      const observed = (await Promise.all(system.description.scopes(spec).map(({ cloud, scope }) => {
        const port = system.adapter(cloud, scope);
        if ('close' in port && typeof port.close === 'function') closers.add(port as { close(): Promise<void> });
        return port.observe(scope, spec.metadata.name, desired.filter((d) => d.cloud === cloud && d.scope === scope));
      }))).flat();
      state[name] = canonical(observed);
    }
    return state;
  } finally {
    for (const c of closers) await c.close();
  }
}

function canonical(observed: readonly ObservedObject[]): string {
  const order = (v: unknown) => (v && typeof v === 'object' && 'name' in v ? String((v as { name: unknown }).name) : JSON.stringify(v));
  const strip = (v: unknown): unknown => (Array.isArray(v) ? v.map(strip).sort((a, b) => order(a).localeCompare(order(b)))
    : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => !GENERATED.test(k)).map(([k, x]) => [k, strip(x)])) : v);
  return JSON.stringify(observed.map((o) => ({ cloud: o.cloud, scope: o.scope, kind: o.kind, name: o.name, managed: o.managed, fields: strip(o.fields) }))
    .sort((a, b) => `${a.cloud}/${a.scope}/${a.kind}/${a.name}`.localeCompare(`${b.cloud}/${b.scope}/${b.kind}/${b.name}`)), null, 1);
}
