// The sync leases one run holds (docs/sync.md "The lease"): one per partner cloud, taken before that
// cloud is observed, renewed in the background while the run goes on, checked before every write
// (Keycloak and Keystone cannot check a fencing token, so a process that lost its lease must stop
// writing itself), released at the end. A cloud whose renewal failed or whose lease Redis no longer
// shows is lost for the rest of the run: check throws ERR_SYNC_LEASE_LOST, and keeps throwing.
import { BrokerError } from '../core/errors.ts';
import { renewEveryMs, syncLeaseName, trustedUntil } from '../core/sync/lease.ts';
import type { Clock, IdSource, LeaseStore, SyncEffectJournal } from '../ports.ts';

export interface SyncLeaseDeps {
  readonly store: LeaseStore;
  readonly clock: Clock;
  /** The source of each lease's random token. */
  readonly ids: IdSource;
  readonly ttlMs: number;
  /** The removal effects runs have undertaken per cloud, kept beside the leases (docs/sync.md, "Removal effects"). */
  readonly journal: SyncEffectJournal;
}

interface Held { readonly token: string; confirmedSentAt: number; lost?: string }

export class SyncLeases {
  readonly #deps: SyncLeaseDeps;
  readonly #held = new Map<string, Held>();
  #timer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> = Promise.resolve();

  constructor(deps: SyncLeaseDeps) {
    this.#deps = deps;
  }

  /** Tries to take `cloud`'s lease: true when taken, false when another process holds it; throws when the store is unreachable. */
  async acquire(cloud: string): Promise<boolean> {
    const token = this.#deps.ids.newId();
    const sentAt = this.#now();
    if (!(await this.#deps.store.acquire(syncLeaseName(cloud), token, this.#deps.ttlMs))) return false;
    this.#held.set(cloud, { token, confirmedSentAt: sentAt });
    this.#timer ??= setInterval(() => { this.#renewing = this.#renewAll(); }, renewEveryMs(this.#deps.ttlMs));
    this.#timer.unref();
    return true;
  }

  /** Throws ERR_SYNC_LEASE_LOST unless this run still holds `cloud`'s lease (local deadline, then Redis). */
  async check(cloud: string): Promise<void> {
    const held = this.#held.get(cloud);
    if (!held) throw lost(cloud, 'the run does not hold it');
    if (held.lost) throw lost(cloud, held.lost);
    if (this.#now() > trustedUntil(held.confirmedSentAt, this.#deps.ttlMs)) this.#lose(held, 'not renewed in time');
    else {
      let holds: boolean;
      try {
        holds = await this.#deps.store.holds(syncLeaseName(cloud), held.token);
      } catch (cause) {
        this.#lose(held, 'Redis cannot confirm it');
        throw lost(cloud, held.lost as string, cause);
      }
      if (!holds) this.#lose(held, 'Redis shows another holder or none');
    }
    if (held.lost) throw lost(cloud, held.lost);
  }

  /** Stops renewing and gives every lease still held back (best effort: an unreachable Redis lets them expire). */
  async releaseAll(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#renewing;
    await Promise.all([...this.#held].map(async ([cloud, held]) => {
      if (!held.lost) await this.#deps.store.release(syncLeaseName(cloud), held.token).catch(() => false);
    }));
    this.#held.clear();
  }

  async #renewAll(): Promise<void> {
    await Promise.all([...this.#held].filter(([, h]) => !h.lost).map(async ([cloud, held]) => {
      const sentAt = this.#now();
      try {
        if (await this.#deps.store.renew(syncLeaseName(cloud), held.token, this.#deps.ttlMs)) held.confirmedSentAt = sentAt;
        else this.#lose(held, 'renewal refused: it expired or another process took it');
      } catch {
        // Redis unreachable: not confirmed; the local deadline ends the lease unless a later renewal succeeds.
      }
    }));
  }

  #lose(held: Held, why: string): void {
    held.lost ??= why;
  }

  #now(): number {
    return this.#deps.clock.now().getTime();
  }
}

function lost(cloud: string, why: string, cause?: unknown): BrokerError {
  return new BrokerError('ERR_SYNC_LEASE_LOST', `the sync lease of cloud ${cloud} is lost (${why}); its writes stopped`, { details: { cloud }, ...(cause !== undefined && { cause }) });
}

export function busy(cloud: string): BrokerError {
  return new BrokerError('ERR_SYNC_BUSY', `another broker process is syncing cloud ${cloud} (it holds the sync lease); left to it`, { details: { cloud } });
}
