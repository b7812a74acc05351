// Trust edges of the federation: an edge home → partner lets users of `home` log into `partner`.
import type { FederationSpec } from './schema.ts';

export interface TrustEdge {
  readonly home: string;
  readonly partner: string;
}

export function trustEdges(spec: Pick<FederationSpec, 'clouds' | 'trust'>): TrustEdge[] {
  if (spec.trust.mode === 'edges') return spec.trust.edges.map((e) => ({ home: e.home, partner: e.partner }));
  const aliases = spec.clouds.map((c) => c.alias);
  return aliases.flatMap((home) => aliases.filter((p) => p !== home).map((partner) => ({ home, partner })));
}

/** Home clouds whose users may log into `partner`, in spec order. */
export function homesOf(spec: Pick<FederationSpec, 'clouds' | 'trust'>, partner: string): string[] {
  const homes = new Set(trustEdges(spec).filter((e) => e.partner === partner).map((e) => e.home));
  return spec.clouds.map((c) => c.alias).filter((alias) => homes.has(alias));
}

export function isTrusted(spec: Pick<FederationSpec, 'clouds' | 'trust'>, home: string, partner: string): boolean {
  return trustEdges(spec).some((e) => e.home === home && e.partner === partner);
}
