// How the broker marks what it owns. Everything the broker creates carries these markers, and the
// broker only ever updates or deletes objects that carry them.
export const MANAGED_BY_KEY = 'fedbroker.scs.community/managed-by';
export const MANAGED_BY_VALUE = 'scs-federation-broker';
/** The federation (spec metadata.name) an object belongs to, so two federations never touch each other's objects. */
export const FEDERATION_KEY = 'fedbroker.scs.community/federation';

export function managedMarkers(federation: string): Record<string, string> {
  return { [MANAGED_BY_KEY]: MANAGED_BY_VALUE, [FEDERATION_KEY]: federation };
}

export function isManaged(markers: Readonly<Record<string, unknown>> | undefined, federation: string): boolean {
  const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
  return first(markers?.[MANAGED_BY_KEY]) === MANAGED_BY_VALUE && first(markers?.[FEDERATION_KEY]) === federation;
}
