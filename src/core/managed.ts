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

/**
 * The markers as text, for objects that keep no attributes (authentication flows carry them at the end of
 * their description): "fedbroker.scs.community/managed-by=scs-federation-broker fedbroker.scs.community/federation=<name>".
 */
export function managedMarkersText(federation: string): string {
  return Object.entries(managedMarkers(federation)).map(([key, value]) => `${key}=${value}`).join(' ');
}

/** The markers that `managedMarkersText` wrote into a text, for `isManaged` (other text around them is ignored). */
export function markersFromText(text: unknown): Record<string, string> {
  if (typeof text !== 'string') return {};
  const markers: Record<string, string> = {};
  for (const word of text.split(/\s+/)) {
    const cut = word.indexOf('=');
    const key = word.slice(0, cut);
    if (cut > 0 && (key === MANAGED_BY_KEY || key === FEDERATION_KEY)) markers[key] = word.slice(cut + 1);
  }
  return markers;
}
