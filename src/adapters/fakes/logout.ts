// In-memory fakes of the logout ports, with the semantics the contract suites check on the real
// adapters: a Keycloak realm's users, links, sessions and LOGOUT events; Keystone shadow users;
// the Redis store; an in-process delivery queue with the core's backoff. `down` makes a fake
// refuse every call (outage tests).
import { BrokerError } from '../../core/errors.ts';
import type { LogoutEventRecord, TargetDelivery } from '../../core/logout/report.ts';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy, type RealmUser, type UserLookup } from '../../core/logout/subject.ts';
import { HOME_SUBJECT_ATTRIBUTE } from '../../core/render/keycloak/names.ts';
import type { RealmSession } from '../../core/logout/stale.ts';
import type { DeliveryAttempt, DeliveryJob, DeliveryQueue, EventCheckpoint, KeycloakSessionsPort, KeystoneRevocationPort, LogoutStore, RealmLogoutEvent } from '../../ports.ts';

function unreachable(system: string, cloud: string): BrokerError {
  return new BrokerError('ERR_HTTP_UNREACHABLE', `${system} of cloud ${cloud} is down (fake)`, { details: { cloud } });
}

export class FakeKeycloakSessions implements KeycloakSessionsPort {
  readonly cloud: string;
  down = false;
  readonly users = new Map<string, RealmUser & { realm: string }>();
  readonly sessionsByUser = new Map<string, RealmSession[]>();
  readonly events: (RealmLogoutEvent & { realm: string })[] = [];
  readonly loggedOut: string[] = [];
  /** Sessions ended one by one (endSession), in order. */
  readonly endedSessions: string[] = [];
  /** `<realm>/<identity provider>` whose logout hand-over is off now (every provider starts with it on). */
  readonly handoverOff = new Set<string>();
  /** Every end (a user's logout or one session), with the providers whose hand-over was off at that moment. */
  readonly ends: { readonly ended: string; readonly handoverOff: readonly string[] }[] = [];
  /** Every hand-over change, in order. */
  readonly handoverChanges: { readonly realm: string; readonly identityProvider: string; readonly enabled: boolean }[] = [];

  constructor(cloud: string) {
    this.cloud = cloud;
  }

  /** A user with sessions; a session given by id alone started at time 0 (before any logout). */
  addUser(realm: string, user: RealmUser, sessions: readonly (string | RealmSession)[] = []): void {
    this.users.set(user.id, { ...user, realm });
    this.sessionsByUser.set(user.id, sessions.map((s) => (typeof s === 'string' ? { id: s, startedAt: 0 } : s)));
  }

  async userById(realm: string, id: string): Promise<RealmUser | undefined> {
    this.#check();
    const user = this.users.get(id);
    return user && user.realm === realm ? strip(user) : undefined;
  }

  async findUsers(realm: string, lookup: UserLookup): Promise<RealmUser[]> {
    this.#check();
    const inRealm = [...this.users.values()].filter((u) => u.realm === realm);
    if (lookup.by === 'id') return inRealm.filter((u) => u.id === lookup.id).map(strip);
    if (lookup.by === 'username') return inRealm.filter((u) => u.username === lookup.username).map(strip);
    return inRealm.filter((u) => u.attributes?.[HOME_SUBJECT_ATTRIBUTE]?.[0] === lookup.homeSub
      || u.federatedIdentities?.some((f) => f.identityProvider === lookup.identityProvider && f.userId === lookup.homeSub)).map(strip);
  }

  async sessions(realm: string, userId: string): Promise<RealmSession[]> {
    this.#check();
    return this.users.get(userId)?.realm === realm ? [...(this.sessionsByUser.get(userId) ?? [])] : [];
  }

  async endSession(realm: string, sessionId: string): Promise<void> {
    this.#check();
    for (const [userId, sessions] of this.sessionsByUser) {
      if (this.users.get(userId)?.realm !== realm) continue;
      const left = sessions.filter((s) => s.id !== sessionId);
      if (left.length !== sessions.length) { this.sessionsByUser.set(userId, left); this.endedSessions.push(sessionId); this.ends.push({ ended: sessionId, handoverOff: [...this.handoverOff] }); }
    }
  }

  async logoutUser(realm: string, userId: string): Promise<void> {
    this.#check();
    if (this.users.get(userId)?.realm !== realm) return;
    this.sessionsByUser.set(userId, []);
    this.loggedOut.push(userId);
    this.ends.push({ ended: userId, handoverOff: [...this.handoverOff] });
  }

  async setLogoutHandover(realm: string, identityProvider: string, enabled: boolean): Promise<void> {
    this.#check();
    this.handoverChanges.push({ realm, identityProvider, enabled });
    if (enabled) this.handoverOff.delete(`${realm}/${identityProvider}`);
    else this.handoverOff.add(`${realm}/${identityProvider}`);
  }

  async logoutEvents(realm: string, sinceMs: number, first: number, max: number): Promise<RealmLogoutEvent[]> {
    this.#check();
    return this.events.filter((e) => e.realm === realm && e.time >= sinceMs).sort((a, b) => a.time - b.time)
      .slice(first, first + max).map(({ realm: _realm, ...e }) => e);
  }

  #check(): void {
    if (this.down) throw unreachable('Keycloak', this.cloud);
  }
}

function strip(user: RealmUser & { realm: string }): RealmUser {
  const { realm: _realm, ...rest } = user;
  return rest;
}

export class FakeKeystoneRevocation implements KeystoneRevocationPort {
  readonly cloud: string;
  down = false;
  /** Shadow users by unique id (they stay: a revocation disables and re-enables them). */
  readonly shadowUsers = new Set<string>();
  /** Unique ids revoked, in order (once per revocation). */
  readonly revoked: string[] = [];
  /** Per user: how many revocations so far; a token is valid while its generation is current. */
  readonly #generation = new Map<string, number>();

  constructor(cloud: string) {
    this.cloud = cloud;
  }

  /** A token of the shadow user (created on first login): valid until the next revocation. */
  issueToken(uniqueId: string): { valid(): boolean } {
    this.shadowUsers.add(uniqueId);
    const generation = this.#generation.get(uniqueId) ?? 0;
    return { valid: () => (this.#generation.get(uniqueId) ?? 0) === generation };
  }

  async revokeFederatedUser(uniqueId: string): Promise<number> {
    if (this.down) throw unreachable('Keystone', this.cloud);
    if (!this.shadowUsers.has(uniqueId)) return 0;
    this.#generation.set(uniqueId, (this.#generation.get(uniqueId) ?? 0) + 1);
    this.revoked.push(uniqueId);
    return 1;
  }
}

export class MemoryLogoutStore implements LogoutStore {
  readonly #once = new Set<string>();
  readonly #claims = new Map<string, string>();
  readonly #events = new Map<string, LogoutEventRecord>();
  readonly #joined = new Map<string, string[]>();
  readonly #deliveries = new Map<string, Map<string, TargetDelivery>>();
  readonly #checkpoints = new Map<string, EventCheckpoint>();
  down = false;

  async claimOnce(key: string): Promise<boolean> {
    this.#check();
    if (this.#once.has(key)) return false;
    this.#once.add(key);
    return true;
  }

  async release(key: string): Promise<void> { this.#check(); this.#once.delete(key); }

  async claimSession(sessionKey: string, eventId: string): Promise<string | undefined> {
    this.#check();
    const holder = this.#claims.get(sessionKey);
    if (holder !== undefined) return holder;
    this.#claims.set(sessionKey, eventId);
    return undefined;
  }

  async createEvent(event: LogoutEventRecord): Promise<boolean> {
    this.#check();
    if (this.#events.has(event.id)) return false;
    this.#events.set(event.id, structuredClone(event));
    return true;
  }

  async addCoalesced(eventId: string, ref: string): Promise<void> {
    this.#check();
    this.#joined.set(eventId, [...(this.#joined.get(eventId) ?? []), ref]);
  }

  async event(id: string): Promise<LogoutEventRecord | undefined> {
    this.#check();
    const event = this.#events.get(id);
    const joined = this.#joined.get(id);
    return event && (joined ? { ...event, coalesced: [...new Set(joined)] } : event);
  }

  async saveDelivery(eventId: string, delivery: TargetDelivery): Promise<void> {
    this.#check();
    const map = this.#deliveries.get(eventId) ?? new Map<string, TargetDelivery>();
    map.set(`${delivery.system}-${delivery.cloud}`, delivery);
    this.#deliveries.set(eventId, map);
  }

  async deliveries(eventId: string): Promise<TargetDelivery[]> { this.#check(); return [...(this.#deliveries.get(eventId)?.values() ?? [])]; }
  async checkpoint(cloud: string): Promise<EventCheckpoint | undefined> { this.#check(); return this.#checkpoints.get(cloud); }
  async saveCheckpoint(cloud: string, checkpoint: EventCheckpoint): Promise<void> { this.#check(); this.#checkpoints.set(cloud, checkpoint); }
  async ping(): Promise<void> { this.#check(); }

  #check(): void {
    if (this.down) throw new BrokerError('ERR_QUEUE_UNAVAILABLE', 'Redis is not reachable (fake)');
  }
}

/** In-process queue: each key once, retries on throw after the core's backoff delays (scaled by `timeScale`). */
export class MemoryDeliveryQueue implements DeliveryQueue {
  readonly #seen = new Set<string>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #handler: ((job: DeliveryJob, attempt: DeliveryAttempt) => Promise<void>) | undefined;
  readonly #backlog: DeliveryJob[] = [];
  #running = 0;
  readonly #idle: (() => void)[] = [];
  #draining = false;
  /** Handler calls under way (not retries waiting for their timer). */
  #inFlight = 0;
  readonly #inFlightIdle: (() => void)[] = [];

  constructor(readonly backoff: BackoffPolicy = DEFAULT_BACKOFF, readonly timeScale = 1) {}

  /** Jobs accepted (first enqueue of a key). */
  enqueued = 0;

  async enqueue(jobs: readonly DeliveryJob[]): Promise<void> {
    for (const job of jobs) {
      if (this.#seen.has(job.key)) continue;
      this.#seen.add(job.key);
      this.enqueued += 1;
      if (this.#handler) this.#run(job, 1); else this.#backlog.push(job);
    }
  }

  process(handler: (job: DeliveryJob, attempt: DeliveryAttempt) => Promise<void>): void {
    this.#handler = handler;
    for (const job of this.#backlog.splice(0)) this.#run(job, 1);
  }

  /** Resolves when no job is running or waiting for a retry. */
  idle(): Promise<void> {
    return this.#running === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops starting jobs (new ones and retries wait in the backlog) and waits up to graceMs for the running ones. */
  async drain(graceMs: number): Promise<boolean> {
    this.#draining = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), graceMs); });
    const finished = await Promise.race([this.#inFlightDone(), timedOut]);
    clearTimeout(timer);
    return finished;
  }

  /** Jobs waiting to run: not yet processed, or stopped by a drain. */
  get backlog(): readonly DeliveryJob[] {
    return this.#backlog;
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #inFlightDone(): Promise<boolean> {
    return this.#inFlight === 0 ? Promise.resolve(true) : new Promise((resolve) => this.#inFlightIdle.push(() => resolve(true)));
  }

  #run(job: DeliveryJob, attempt: number): void {
    if (this.#draining) {
      this.#backlog.push(job);
      if (this.#running === 0) for (const resolve of this.#idle.splice(0)) resolve();
      return;
    }
    this.#running += 1;
    const final = attempt >= this.backoff.maxAttempts;
    this.#call(job, { attempt, final }).then(() => this.#done(), () => {
      if (final) return this.#done();
      const timer = setTimeout(() => { this.#timers.delete(timer); this.#running -= 1; this.#run(job, attempt + 1); }, backoffDelayMs(attempt, this.backoff) * this.timeScale);
      this.#timers.add(timer);
    });
  }

  #call(job: DeliveryJob, attempt: DeliveryAttempt): Promise<void> {
    const handler = this.#handler;
    if (!handler) return Promise.reject(new Error('not processing'));
    this.#inFlight += 1;
    const settled = () => { this.#inFlight -= 1; if (this.#inFlight === 0) for (const resolve of this.#inFlightIdle.splice(0)) resolve(); };
    return handler(job, attempt).finally(settled);
  }

  #done(): void {
    this.#running -= 1;
    if (this.#running === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }
}
