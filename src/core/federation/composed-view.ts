// The part of a newer spec (API mode: a later revision) that a long-running process can act on with
// the clients it composed at start: clouds it has clients for, connected as they were at start. Policy,
// trust edges between those clouds, naming and cloud entries otherwise come from the newer spec; a
// cloud added since, or one whose connection changed, waits for the next start (listed in `pending`).
import { canonicalJson } from '../canonical-json.ts';
import { connectionOf } from '../authz/spec-changes.ts';
import type { FederationSpec } from './schema.ts';

export interface ComposedView {
  readonly spec: FederationSpec;
  /** Clouds of the newer spec left out (added since start) or kept as at start (connection changed). */
  readonly pending: readonly string[];
}

export function composedView(latest: FederationSpec, started: FederationSpec): ComposedView {
  const before = new Map(started.clouds.map((c) => [c.alias, c]));
  const pending: string[] = [];
  const clouds = latest.clouds.flatMap((c) => {
    const was = before.get(c.alias);
    if (!was) { pending.push(c.alias); return []; }
    if (canonicalJson(connectionOf(was)) !== canonicalJson(connectionOf(c))) { pending.push(c.alias); return [was]; }
    return [c];
  });
  if (pending.length === 0 && clouds.length === latest.clouds.length) return { spec: latest, pending };
  const known = new Set(clouds.map((c) => c.alias));
  const trust = latest.trust.mode === 'edges'
    ? { mode: 'edges' as const, edges: latest.trust.edges.filter((e) => known.has(e.home) && known.has(e.partner)) }
    : latest.trust;
  const policy = latest.policy.map((r) => ({ ...r, grant: r.grant.filter((g) => g.clouds === undefined || g.clouds.some((x) => known.has(x))) }));
  return { spec: { ...latest, clouds, trust, policy } as FederationSpec, pending };
}
