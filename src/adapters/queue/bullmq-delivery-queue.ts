// Durable at-least-once delivery (DeliveryQueue) with BullMQ on Redis: one job per (event, target),
// its idempotency key as the job id (a second enqueue of the same key is a no-op while the job is
// kept), retries with the core's capped exponential backoff, and stalled-job recovery when a broker
// dies mid-delivery (the lock lapses, another worker or the restarted broker picks the job up).
// BullMQ talks to Redis through ioredis, its default driver: its node-redis adapter (bullmq 6.7)
// leaves a connection open after close(), whose error on a Redis restart is thrown uncaught.
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from '../../core/logout/subject.ts';
import type { DeliveryAttempt, DeliveryJob, DeliveryQueue } from '../../ports.ts';
import { redisTarget } from '../redis/connection.ts';

export interface BullDeliveryQueueOptions {
  readonly name?: string;
  readonly concurrency?: number;
  readonly backoff?: BackoffPolicy;
  /** How long a worker holds a job before others may consider it stalled (ms). */
  readonly lockMs?: number;
  /** Called for failures the queue itself hits (connection loss); never with secrets. */
  readonly onError?: (error: Error) => void;
  /** Called when this worker's stalled-job check hands back a job whose broker stopped holding it. */
  readonly onStalled?: (jobId: string) => void;
}

/** Kept for this long after completion so a late duplicate enqueue stays a no-op (seconds). */
const KEEP_COMPLETED_SECONDS = 24 * 3600;

export class BullDeliveryQueue implements DeliveryQueue {
  readonly #queue: Queue;
  readonly #connection: ConnectionOptions;
  readonly #o: Required<Omit<BullDeliveryQueueOptions, 'onError' | 'onStalled'>> & Pick<BullDeliveryQueueOptions, 'onError' | 'onStalled'>;
  #worker: Worker | undefined;
  constructor(redisUrl: string, options: BullDeliveryQueueOptions = {}) {
    this.#connection = {
      ...redisTarget(redisUrl).options, maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(50 * 2 ** times, 1000),
    };
    this.#o = { name: 'fedbroker-logout', concurrency: 16, backoff: DEFAULT_BACKOFF, lockMs: 5000, ...options };
    this.#queue = new Queue(this.#o.name, { connection: this.#connection });
    this.#queue.on('error', (e) => this.#o.onError?.(e));
  }

  async enqueue(jobs: readonly DeliveryJob[]): Promise<void> {
    await this.#queue.addBulk(jobs.map((job) => ({
      name: 'deliver', data: job,
      opts: {
        jobId: job.key, attempts: this.#o.backoff.maxAttempts, backoff: { type: 'custom' },
        removeOnComplete: { age: KEEP_COMPLETED_SECONDS }, removeOnFail: { age: 7 * 24 * 3600 },
      },
    })));
  }

  process(handler: (job: DeliveryJob, attempt: DeliveryAttempt) => Promise<void>): void {
    if (this.#worker) throw new Error('the delivery queue is already being processed');
    const backoff = this.#o.backoff;
    this.#worker = new Worker(this.#o.name, async (job: Job<DeliveryJob>) => {
      const attempt = job.attemptsMade + 1;
      await handler(job.data, { attempt, final: attempt >= (job.opts.attempts ?? 1) });
    }, {
      connection: this.#connection,
      concurrency: this.#o.concurrency,
      lockDuration: this.#o.lockMs,
      stalledInterval: this.#o.lockMs,
      maxStalledCount: 1000,
      settings: { backoffStrategy: (attemptsMade: number) => backoffDelayMs(attemptsMade, backoff) },
    });
    this.#worker.on('error', (e) => this.#o.onError?.(e));
    this.#worker.on('stalled', (jobId) => this.#o.onStalled?.(jobId));
  }

  /** Jobs not yet finished (waiting, delayed, active): for readiness and metrics. */
  async backlog(): Promise<number> {
    const counts = await this.#queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  /**
   * Stops fetching jobs and waits up to `graceMs` for the running ones, then closes the worker. When
   * they did not finish in time the worker is closed at once: it stops renewing their locks, which lapse
   * after lockMs, and the stalled-job check of any worker (another broker's, or this one's restarted)
   * puts them back to be delivered again (each delivery is idempotent).
   */
  async drain(graceMs: number): Promise<boolean> {
    const worker = this.#worker;
    if (!worker) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), graceMs); timer.unref(); });
    const finished = await Promise.race([worker.pause().then(() => true), timedOut]);
    clearTimeout(timer);
    await worker.close(!finished);
    return finished;
  }

  async close(): Promise<void> {
    await this.#worker?.close();
    await this.#queue.close();
  }
}
