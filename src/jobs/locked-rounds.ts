// The schedule the event pollers share: every interval, a round over some keys (clouds, home realms)
// at once; each key's work runs under a short Redis lock, so one broker replica handles a key at a
// time. A failing key is reported and tried again next round, the others go on. Rounds never overlap:
// the next is scheduled when the last has ended; stop() waits for the round under way.

export interface PollerHandle { stop(): Promise<void> }

export interface LockStore {
  claimOnce(key: string, ttlSeconds: number): Promise<boolean>;
  release(key: string): Promise<void>;
}

export interface LockedRounds {
  readonly keys: readonly string[];
  readonly intervalMs: number;
  readonly store: LockStore;
  readonly lockOf: (key: string) => string;
  /** How long a lock outlives a replica that died holding it. */
  readonly lockTtlSeconds: number;
  readonly work: (key: string) => Promise<void>;
  readonly onError: (key: string, error: unknown) => void;
}

export function startLockedRounds(rounds: LockedRounds): PollerHandle {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const round = async () => {
    await Promise.all(rounds.keys.map(async (key) => {
      const lock = rounds.lockOf(key);
      try {
        if (!(await rounds.store.claimOnce(lock, rounds.lockTtlSeconds))) return;
        try {
          await rounds.work(key);
        } finally {
          await rounds.store.release(lock);
        }
      } catch (error) {
        rounds.onError(key, error);
      }
    }));
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => { running = round().finally(schedule); }, rounds.intervalMs);
  };
  running = round().finally(schedule);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
