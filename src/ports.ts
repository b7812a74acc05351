// Ports: the small interfaces through which use cases (src/services) reach the outside world.
// Adapters in src/adapters implement them (`satisfies`); fakes in src/adapters/fakes do too, and one
// conformance suite per port (test/contract) runs against both.
import type { AuditQuery, AuditRecord, NewAuditRecord } from './core/audit/record.ts';
import type { AccessRequest, KubernetesIdentity, RbacSnapshot } from './core/explain/kubernetes.ts';
import type { JsonValue } from './core/json.ts';
import type { LogoutIssuer } from './core/logout/token-rules.ts';
import type { LogoutEventRecord, TargetDelivery } from './core/logout/report.ts';
import type { FanoutTarget, RealmUser, UserLookup } from './core/logout/subject.ts';
import type { RealmSession } from './core/logout/stale.ts';
import type { Change } from './core/plan/diff.ts';
import type { SubjectProfile } from './core/subject.ts';
import type { DesiredObject, ObservedObject } from './core/plan/model.ts';
import type { HomeMetadata } from './core/render/keycloak/metadata.ts';
import type { KeystoneCapabilities } from './core/render/keystone/model.ts';
import type { CloudSpec } from './core/federation/schema.ts';
import type { KeycloakIdentity, KeystoneIdentity, KubernetesIdentity as BrokerKubernetesIdentity } from './core/credentials.ts';
import type { HomeUser } from './core/sync/model.ts';
import type { AuthorizationTtlFacts, TokenLifetime } from './core/sync/revocation-facts.ts';

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
  apply(change: Change, writeOnly: Readonly<Record<string, JsonValue>>): Promise<ApplyResult>;
}

/**
 * What one applied change leaves behind: nothing when it is done, or a confirmation still under way (an
 * apiserver reloading its authentication config), which apply awaits before any later change of the
 * same part or one that needs it, and before it reports; meanwhile other parts go on.
 */
export type ApplyResult = void | { readonly confirmed: Promise<void> };

/** Keycloak admin API of one cloud (one admin client per cloud); every call names its realm (= scope). */
export interface KeycloakAdminPort extends ManagedSystemPort {
  realmExists(realm: string): Promise<boolean>;
  clientExists(realm: string, clientId: string): Promise<boolean>;
  /** The secret of a confidential client (never logged). */
  clientSecret(realm: string, clientId: string): Promise<string>;
  /** Who the broker acts as, and its roles (from its admin token). */
  ownIdentity(): Promise<KeycloakIdentity>;
  /** How long an access token for `clientId` lives: the client's own lifespan and the realm's (status). */
  tokenLifetime(realm: string, clientId: string): Promise<TokenLifetime>;
}

/**
 * Rotating a confidential client's secret in one cloud's Keycloak (`fedbroker rotate-secrets`). Every
 * call names its realm; secrets are returned to the caller, never logged.
 */
export interface KeycloakSecretRotationPort {
  /** Whether this Keycloak has the secret-rotation client-policy executor (feature client-secret-rotation). */
  secretRotationAvailable(): Promise<boolean>;
  /** Writes the broker's client profile and policy (core/rotation) into the realm; false when they were there already. */
  ensureRotationPolicy(realm: string, graceSeconds: number): Promise<boolean>;
  /** The client's state: whether the broker made it, and whether a previous secret is still accepted. */
  observeClient(realm: string, clientId: string, federation: string): Promise<{ managed: boolean; previousSecretHeld: boolean }>;
  /** Regenerates the secret (the current one becomes the previous, still accepted); answers the new one. */
  regenerateSecret(realm: string, clientId: string): Promise<string>;
  /** The client's current secret. */
  currentSecret(realm: string, clientId: string): Promise<string>;
  /** Writes `secret` as the client secret of the realm's identity provider `alias` (broker-made only). */
  writeIdentityProviderSecret(realm: string, alias: string, federation: string, secret: string): Promise<void>;
  /** Stops accepting the previous secret (no-op when there is none). */
  endGrace(realm: string, clientId: string): Promise<void>;
}

/**
 * One Kubernetes cluster of one cloud (scope = cluster name): RBAC objects by server-side apply with
 * the field manager `scs-federation-broker`, namespaces (created, never deleted) and, when the
 * broker writes it, the apiserver's AuthenticationConfiguration file.
 */
export interface KubernetesAdminPort extends ManagedSystemPort {
  readonly cluster: string;
  /** Every ClusterRole, Role, ClusterRoleBinding and RoleBinding as stored (for explain). */
  readRbac(): Promise<RbacSnapshot>;
  /** The apiserver's own answer (SubjectAccessReview) for an identity and a resource request. */
  accessReview(identity: KubernetesIdentity, request: AccessRequest): Promise<{ allowed: boolean; reason?: string }>;
  /** Who the broker acts as, and its rules, as the apiserver says (SelfSubjectReview, SelfSubjectRulesReview). */
  ownIdentity(): Promise<BrokerKubernetesIdentity>;
}

/** The AuthenticationConfiguration file one apiserver reads (on its host); atomic writes, reload confirmation. */
export interface KubernetesAuthenticationConfigPort {
  /** The file's content, undefined when it does not exist. */
  read(): Promise<string | undefined>;
  /** Replaces the file atomically; false when it already had this content. */
  write(content: string): Promise<boolean>;
  /** Waits until the apiserver reports `content` as its active configuration; returns the milliseconds waited. */
  waitForReload(content: string, timeoutMs?: number): Promise<number>;
}

/**
 * Keystone admin API of one cloud (scope = KEYSTONE_SCOPE, "global": identity objects are not regional).
 * Objects are addressed by name (domains, "<domain>/<name>" for projects and groups); see
 * src/core/render/keystone for kinds and ownership markers.
 */
export interface KeystoneAdminPort extends ManagedSystemPort {
  /** What this Keystone does that changes the rendering (probed once per adapter; also for `status`). */
  capabilities(): Promise<KeystoneCapabilities>;
  /** The shadow users Keystone made for logins through `identityProvider` (deprovisioning, explain). */
  federatedUsers(identityProvider: string): Promise<FederatedKeystoneUser[]>;
  /** Who the broker acts as, and the roles of its token. */
  ownIdentity(): Promise<KeystoneIdentity>;
  /**
   * Whether a group membership removed by role sync ends a federated user's roles at once: the
   * identity provider's `authorization_ttl`, and the expiring memberships of up to `sampleUsers` of its
   * federated users (Keystone shows them only while a TTL above 0 keeps them alive).
   */
  authorizationTtl(identityProvider: string, sampleUsers: number): Promise<AuthorizationTtlFacts>;
}


export interface FederatedKeystoneUser {
  readonly id: string;
  readonly name: string;
  /** Name of the domain the shadow user lives in. */
  readonly domain: string;
}

/** A home realm's users as policy sees them: username, full group paths (for explain and role sync). */
export interface HomeDirectoryPort {
  readonly cloud: string;
  /** The home user with their groups; undefined when the realm has no such user. */
  subject(username: string): Promise<SubjectProfile | undefined>;
  /**
   * Every local user of the home realm (guests with `home_cloud` are left out), with enabled flag and
   * their memberships among `groupPaths` (full paths), read page by page. Throws when any page cannot
   * be read: a partial list must never look like users gone.
   */
  users(groupPaths: readonly string[]): Promise<HomeUser[]>;
  /**
   * The local users among `ids` (the event path's targeted sync), like `users` but only these; an id
   * the realm does not have (deleted) or that is a guest is absent from the answer. Throws when the
   * realm cannot be read: an unreadable user must never look like a user gone.
   */
  usersByIds(groupPaths: readonly string[], ids: readonly string[]): Promise<HomeUser[]>;
}

// Role sync's ports (partner realms, partner Keystones, home admin events, leases): ./ports/sync.ts.
export type * from './ports/sync.ts';

/** Reads what a home cloud publishes about its identity provider: OIDC discovery or SAML descriptor. */
export interface HomeMetadataPort {
  read(cloud: CloudSpec): Promise<HomeMetadata>;
}

export interface Clock {
  now(): Date;
}

// ---- Single logout (docs/design.md §6) ----

/** Header and claims of a JWS. */
export interface DecodedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Logout-token signatures, checked against the realm's published keys (JWKS, cached, refetched on an unknown kid). */
export interface LogoutTokenVerifier {
  /** Unverified header and claims (to choose the realm); ERR_LOGOUT_MALFORMED when it is no compact JWS. */
  decode(token: string): DecodedJwt;
  /**
   * Verified header and claims; ERR_LOGOUT_SIGNATURE when the signature does not verify with the realm's
   * keys; ERR_LOGOUT_EXPIRED / ERR_LOGOUT_NOT_YET_VALID / ERR_LOGOUT_CLAIM_INVALID when a signed token's
   * exp, nbf or iat fails the library's own checks at `time.now` with `time.clockToleranceSeconds` of skew.
   */
  verify(token: string, issuer: LogoutIssuer, time: LogoutVerifyTime): Promise<DecodedJwt>;
  /** Fetches the realm's keys ahead of the first token (serve calls it at start). */
  warmUp?(issuer: LogoutIssuer): Promise<void>;
}

/** The broker's clock for a verification: the library must not read the system time on its own. */
export interface LogoutVerifyTime {
  readonly now: Date;
  readonly clockToleranceSeconds: number;
}

/** A LOGOUT event of a realm (Keycloak admin API), reduced to what the catch-all needs. */
export interface RealmLogoutEvent {
  readonly id: string;
  /** ms since epoch, Keycloak's clock. */
  readonly time: number;
  readonly userId: string;
  readonly sessionId?: string;
}

/** Sessions and users of one cloud's Keycloak, as logout needs them. Every call names its realm. */
export interface KeycloakSessionsPort {
  readonly cloud: string;
  /** The user with federated-identity links, undefined when absent. */
  userById(realm: string, id: string): Promise<RealmUser | undefined>;
  /** Users a lookup finds (callers verify each with userMatches). */
  findUsers(realm: string, lookup: UserLookup): Promise<RealmUser[]>;
  /** The user's sessions with their start (empty for an unknown user). */
  sessions(realm: string, userId: string): Promise<RealmSession[]>;
  /** Ends every session of the user (Keycloak notifies the clients of those sessions). */
  logoutUser(realm: string, userId: string): Promise<void>;
  /** Ends one session (Keycloak notifies its clients); a session that is gone already is no error. */
  endSession(realm: string, sessionId: string): Promise<void>;
  /**
   * Turns the logout hand-over of an identity provider of the realm on or off (Keycloak: the provider's
   * back-channel logout, with which ending a brokered session also ends the session at the provider).
   */
  setLogoutHandover(realm: string, identityProvider: string, enabled: boolean): Promise<void>;
  /** LOGOUT events from `sinceMs` (inclusive), oldest first, one page. */
  logoutEvents(realm: string, sinceMs: number, first: number, max: number): Promise<RealmLogoutEvent[]>;
  /** Optional: get the admin token before the first call needs it. */
  warmUp?(): Promise<void>;
}

/** Revocation of a subject's live Keystone tokens in one cloud. */
export interface KeystoneRevocationPort {
  readonly cloud: string;
  /** Revokes every token of the federated (shadow) users with this unique id; returns how many users were revoked. */
  revokeFederatedUser(uniqueId: string): Promise<number>;
  /** Gets the admin credentials ready ahead of the first revocation (serve calls it at start). */
  warmUp?(): Promise<void>;
}

export interface EventCheckpoint {
  /** Time of the newest processed event (ms, Keycloak's clock). */
  readonly time: number;
  /** Ids of the processed events that have exactly that time (the next page starts at `time`, inclusive). */
  readonly ids: readonly string[];
}

/** Durable logout state (Redis): replay guard, session claims, events, deliveries, checkpoints. */
export interface LogoutStore {
  /** true when the key was new (and is now held for ttl); false for a replay. */
  claimOnce(key: string, ttlSeconds: number): Promise<boolean>;
  release(key: string): Promise<void>;
  /** Binds a session to a logout event; answers the event id that holds it already, or undefined when `eventId` got it. */
  claimSession(sessionKey: string, eventId: string, ttlSeconds: number): Promise<string | undefined>;
  /** Saves a new event; false when an event with that id exists (nothing changed). */
  createEvent(event: LogoutEventRecord): Promise<boolean>;
  addCoalesced(eventId: string, ref: string): Promise<void>;
  event(id: string): Promise<LogoutEventRecord | undefined>;
  saveDelivery(eventId: string, delivery: TargetDelivery): Promise<void>;
  deliveries(eventId: string): Promise<TargetDelivery[]>;
  checkpoint(cloud: string): Promise<EventCheckpoint | undefined>;
  saveCheckpoint(cloud: string, checkpoint: EventCheckpoint): Promise<void>;
  /** Throws when the store is unreachable (readiness). */
  ping(): Promise<void>;
}

/** One delivery: one target of one logout event; `key` is its idempotency key. */
export interface DeliveryJob {
  readonly key: string;
  readonly eventId: string;
  readonly target: FanoutTarget;
}

export interface DeliveryAttempt {
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** true when no retry follows a failure of this attempt. */
  readonly final: boolean;
}

/** Durable, at-least-once delivery with retries and backoff; a job key enqueued twice runs once. */
export interface DeliveryQueue {
  enqueue(jobs: readonly DeliveryJob[]): Promise<void>;
  /** Runs `handler` for every job; a throw schedules a retry (backoff) until the attempts are used up. */
  process(handler: (job: DeliveryJob, attempt: DeliveryAttempt) => Promise<void>): void;
  /**
   * Stops taking jobs and waits up to `graceMs` for the running ones; true when they all finished.
   * A job still running when it returns false is handed back: it runs again (elsewhere or later).
   */
  drain(graceMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Audit trail (JSON lines): one entry per logout and per delivery; never secrets. */
export interface AuditLog {
  record(entry: { readonly action: string; readonly correlationId: string; readonly [field: string]: unknown }): void;
}

/** The durable audit trail (docs/audit.md): records kept for the retention period, queried by time, cloud, correlation id. */
export interface AuditStore {
  append(record: NewAuditRecord): Promise<void>;
  /** Matching records, the oldest first, at most `query.limit`. */
  query(query: AuditQuery): Promise<AuditRecord[]>;
  /** Records within the retention in store order, at most `count`, after the record with id `after` (export). */
  page(after: string | undefined, count: number): Promise<AuditRecord[]>;
  /** Records of an export, their times kept, in one step: all stored or none. */
  importAll(records: readonly NewAuditRecord[]): Promise<void>;
}

/** Runs work under a correlation id that every outbound call it makes carries (X-Correlation-Id). */
export interface CorrelationScope {
  run<T>(id: string, work: () => Promise<T>): Promise<T>;
}

export interface IdSource {
  newId(): string;
}
