// How the broker marks what it owns. Everything the broker creates carries these markers, and the
// broker only ever updates or deletes objects that carry them. See docs/upgrades.md.
//
// Marker versions: this release writes MARKER_VERSION_KEY = MARKER_VERSION next to the two markers;
// the previous release wrote none (version 1). Ownership is the managed-by and federation markers
// alone, so objects of either release are owned, and the marker version is never compared by a plan
// (withoutMarkerVersion): an object that differs only in it is unchanged, and is not rewritten for it.
import type { JsonValue } from './json.ts';

export const MANAGED_BY_KEY = 'fedbroker.scs.community/managed-by';
export const MANAGED_BY_VALUE = 'scs-federation-broker';
/** The federation (spec metadata.name) an object belongs to, so two federations never touch each other's objects. */
export const FEDERATION_KEY = 'fedbroker.scs.community/federation';
/** The version of the markers an object carries; absent on objects of the previous release (version 1). */
export const MARKER_VERSION_KEY = 'fedbroker.scs.community/marker-version';
/** The same key where a system turns "-" into "_" (Keystone's extra attributes, src/core/render/keystone/names.ts). */
export const MARKER_VERSION_ATTRIBUTE = 'fedbroker_marker_version';
/** The marker version this release writes. */
export const MARKER_VERSION = '2';
/** The marker version of an object that carries the markers without a version (the previous release). */
export const UNVERSIONED_MARKER_VERSION = '1';

export function managedMarkers(federation: string): Record<string, string> {
  return { [MANAGED_BY_KEY]: MANAGED_BY_VALUE, [FEDERATION_KEY]: federation, [MARKER_VERSION_KEY]: MARKER_VERSION };
}

/** Ours, whatever the marker version (an object of the previous release has none). */
export function isManaged(markers: Readonly<Record<string, unknown>> | undefined, federation: string): boolean {
  return first(markers?.[MANAGED_BY_KEY]) === MANAGED_BY_VALUE && first(markers?.[FEDERATION_KEY]) === federation;
}

/** The marker version of an object's markers (by key or attribute): UNVERSIONED_MARKER_VERSION when it has none. */
export function markerVersionOf(markers: Readonly<Record<string, unknown>> | undefined): string {
  const version = first(markers?.[MARKER_VERSION_KEY] ?? markers?.[MARKER_VERSION_ATTRIBUTE]);
  return typeof version === 'string' && version !== '' ? version : UNVERSIONED_MARKER_VERSION;
}

/**
 * The markers as text, for objects that keep no attributes (authentication flows carry them at the end of
 * their description): "fedbroker.scs.community/managed-by=scs-federation-broker fedbroker.scs.community/federation=<name>
 * fedbroker.scs.community/marker-version=2".
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
    if (cut > 0 && (key === MANAGED_BY_KEY || key === FEDERATION_KEY || key === MARKER_VERSION_KEY)) markers[key] = word.slice(cut + 1);
  }
  return markers;
}

const VERSION_IN_TEXT = / ?fedbroker\.scs\.community\/marker-version=[0-9]+/g;

/**
 * `value` without its marker version, in every form the renderers write it: an attribute or label
 * (either spelling of the key), a word of a text (descriptions). What a plan compares, so the marker
 * version alone is never drift.
 */
export function withoutMarkerVersion(value: JsonValue): JsonValue {
  if (typeof value === 'string') return value.includes(MARKER_VERSION_KEY) ? value.replace(VERSION_IN_TEXT, '') : value;
  if (Array.isArray(value)) return value.map(withoutMarkerVersion);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value)
    .filter(([k]) => k !== MARKER_VERSION_KEY && k !== MARKER_VERSION_ATTRIBUTE)
    .map(([k, v]) => [k, withoutMarkerVersion(v)]));
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}
