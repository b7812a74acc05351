// The objects a plan is made of, for every system: desired (rendered from the spec) and observed
// (read from the system). A scope is what the system nests objects in: a realm, a domain, a cluster.
import type { JsonValue } from '../json.ts';

export interface ObjectAddress {
  /** The managed system the object belongs to (src/core/systems): keycloak, keystone, kubernetes, ... */
  readonly system: string;
  readonly cloud: string;
  readonly scope: string;
  readonly kind: string;
  /** Unique per (system, cloud, scope, kind). */
  readonly name: string;
}

export interface DesiredObject extends ObjectAddress {
  /** The fields the broker controls; observed fields outside these are left alone. */
  readonly fields: Readonly<Record<string, JsonValue>>;
  /**
   * Written on create/update, never compared (e.g. secrets a system does not return). A value the
   * renderer cannot know is a reference the system's own hook resolves when applying.
   */
  readonly writeOnly?: Readonly<Record<string, JsonValue>>;
  /** Settings the broker adjusts but never owns: updated, never deleted (e.g. realm event settings). */
  readonly shared?: boolean;
  /**
   * Other parts of the federation whose addresses its fields carry (a client's redirect URI into a
   * partner realm, an issuer): apply does not write it while such a part failed or cannot be read.
   */
  readonly pointsAt?: readonly { readonly system: string; readonly cloud: string }[];
}

export interface ObservedObject extends ObjectAddress {
  readonly fields: Readonly<Record<string, JsonValue>>;
  /** Carries the broker's managed-by marker for this federation. */
  readonly managed: boolean;
  /** The system's own id, when it has one (needed to update or delete). */
  readonly id?: string;
}

export function addressKey(a: ObjectAddress): string {
  return `${a.system}/${a.cloud}/${a.scope}/${a.kind}/${a.name}`;
}
