// Ports: the small interfaces through which use cases (src/services) reach the outside world.
// Adapters in src/adapters implement them (`satisfies`); fakes in src/adapters/fakes do too, and one
// conformance suite per port (test/contract) runs against both.
import type { JsonValue } from './core/json.ts';
import type { Change } from './core/plan/diff.ts';
import type { DesiredObject, ObservedObject } from './core/plan/model.ts';
import type { HomeMetadata } from './core/render/keycloak/metadata.ts';
import type { CloudSpec } from './core/spec/schema.ts';

/**
 * What plan/apply needs from any configured system (a realm, a Keystone, a cluster).
 * `observe` returns the scope's objects of this federation (managed markers), plus any object,
 * managed or not, at the address of a desired one (so the plan reports a conflict instead of
 * overwriting). `apply` runs one create/update/delete; `writeOnly` holds resolved write-only
 * fields by dotted path. Both are idempotent.
 */
export interface ManagedSystemPort {
  readonly cloud: string;
  observe(scope: string, federation: string, desired: readonly DesiredObject[]): Promise<ObservedObject[]>;
  apply(change: Change, writeOnly: Readonly<Record<string, JsonValue>>): Promise<void>;
}

/** Keycloak admin API of one cloud (one admin client per cloud); every call names its realm (= scope). */
export interface KeycloakAdminPort extends ManagedSystemPort {
  realmExists(realm: string): Promise<boolean>;
  clientExists(realm: string, clientId: string): Promise<boolean>;
  /** The secret of a confidential client (never logged). */
  clientSecret(realm: string, clientId: string): Promise<string>;
}

/** Reads what a home cloud publishes about its identity provider: OIDC discovery or SAML descriptor. */
export interface HomeMetadataPort {
  read(cloud: CloudSpec): Promise<HomeMetadata>;
}

export interface Clock {
  now(): Date;
}
