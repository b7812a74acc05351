// Rotating the secret of a broker-made home client fed-<P> in home realm H without a failed login:
// Keycloak's secret-rotation client-policy executor keeps the previous secret valid ("rotated") for a
// grace period, so the order is: policy in H, regenerate, the new secret into P's identity provider
// <H>, end the grace. Pure: which edges, which policy, which steps from what was observed.
import { BrokerError } from '../errors.ts';
import type { FederationSpec } from '../federation/schema.ts';
import { trustEdges, type TrustEdge } from '../federation/trust.ts';
import { MANAGED_BY_KEY, MANAGED_BY_VALUE } from '../managed.ts';
import { homeClientId } from '../render/keycloak/names.ts';

/** Name of the broker's client profile and client policy in a home realm. */
export const SECRET_ROTATION_POLICY = 'fedbroker-secret-rotation';
/** How long Keycloak accepts the previous secret after a regeneration, unless the broker ends it earlier. */
export const DEFAULT_GRACE_SECONDS = 3600;
/** The current secret's lifetime as the executor records it; far beyond any rotation interval. */
export const SECRET_EXPIRATION_SECONDS = 365 * 24 * 3600;

export interface RotationEdge extends TrustEdge {
  readonly homeRealm: string;
  readonly partnerRealm: string;
  /** The home client (fed-<P>). */
  readonly clientId: string;
  /** The partner realm's identity provider for the home (its alias is the home's). */
  readonly identityProvider: string;
}

/** The OIDC edges (a SAML home client has no secret), narrowed by --home/--partner; an unknown cloud is a usage error. */
export function selectRotationEdges(spec: FederationSpec, only: { home?: string; partner?: string }): RotationEdge[] {
  const clouds = new Map(spec.clouds.map((c) => [c.alias, c]));
  for (const alias of [only.home, only.partner]) {
    if (alias !== undefined && !clouds.has(alias)) {
      throw new BrokerError('ERR_USAGE', `cloud "${alias}" is not in the spec`, { details: { cloud: alias } });
    }
  }
  return trustEdges(spec)
    .filter((e) => (only.home === undefined || e.home === only.home) && (only.partner === undefined || e.partner === only.partner))
    .flatMap((e) => {
      const home = clouds.get(e.home);
      const partner = clouds.get(e.partner);
      if (!home || !partner || home.homeProtocol === 'saml') return [];
      return [{ ...e, homeRealm: home.keycloak.realm, partnerRealm: partner.keycloak.realm, clientId: homeClientId(e.partner), identityProvider: e.home }];
    });
}

export interface ClientPolicyProfile {
  readonly name: string;
  readonly description: string;
  readonly executors: readonly { readonly executor: string; readonly configuration: Readonly<Record<string, string>> }[];
}

export interface ClientPolicy {
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly conditions: readonly { readonly condition: string; readonly configuration: Readonly<Record<string, unknown>> }[];
  readonly profiles: readonly string[];
}

/** The broker's profile and policy: secret rotation with a grace period for the clients carrying its managed-by marker. */
export function desiredRotationPolicy(graceSeconds: number): { profile: ClientPolicyProfile; policy: ClientPolicy } {
  const description = `Managed by ${MANAGED_BY_VALUE}: keeps the previous secret of its clients valid during a rotation.`;
  return {
    profile: { name: SECRET_ROTATION_POLICY, description, executors: [{ executor: 'secret-rotation', configuration: {
      'expiration-period': String(SECRET_EXPIRATION_SECONDS),
      'rotated-expiration-period': String(graceSeconds),
      'remaining-rotation-period': String(Math.min(graceSeconds, SECRET_EXPIRATION_SECONDS)),
    } }] },
    policy: { name: SECRET_ROTATION_POLICY, description, enabled: true, profiles: [SECRET_ROTATION_POLICY], conditions: [{
      condition: 'client-attributes',
      configuration: { is_negative_logic: false, attributes: JSON.stringify([{ key: MANAGED_BY_KEY, value: MANAGED_BY_VALUE }]) },
    }] },
  };
}

/** `observed` with the entry named like `desired` replaced (or added); undefined when it is there already as desired. */
export function withOwnedEntry<T extends { readonly name: string }>(observed: readonly T[], desired: T, same: (a: T, b: T) => boolean): T[] | undefined {
  const current = observed.find((e) => e.name === desired.name);
  if (current && same(current, desired)) return undefined;
  return current ? observed.map((e) => (e.name === desired.name ? desired : e)) : [...observed, desired];
}

export type RotationStep = 'regenerate-secret' | 'write-partner-secret' | 'end-grace';

/**
 * The steps left for one edge. A previous secret still held means an earlier run regenerated and
 * stopped before ending the grace: the partner may still use that secret, so the broker does NOT
 * regenerate again (that would drop it); it writes the current secret and ends the grace.
 */
export function rotationSteps(observed: { readonly previousSecretHeld: boolean }): RotationStep[] {
  return observed.previousSecretHeld ? ['write-partner-secret', 'end-grace'] : ['regenerate-secret', 'write-partner-secret', 'end-grace'];
}
