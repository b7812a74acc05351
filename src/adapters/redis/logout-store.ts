// Durable logout state in Redis (LogoutStore). Every key lives under one prefix and expires:
//   <p>:once:<key>          replay guard (SET NX EX)
//   <p>:claim:<key>         session/subject → event id (SET NX EX)
//   <p>:event:<id>          the event record (JSON), <p>:event:<id>:joined  coalesced signals (list)
//   <p>:deliveries:<id>     target → delivery (hash of JSON)
//   <p>:checkpoint:<cloud>  catch-all checkpoint (JSON, no expiry)
import { Redis } from 'ioredis';
import { BrokerError } from '../../core/errors.ts';
import { redisTarget } from './connection.ts';
import type { LogoutEventRecord, TargetDelivery } from '../../core/logout/report.ts';
import type { EventCheckpoint, LogoutStore } from '../../ports.ts';

/** The broker's one Redis client library is ioredis (BullMQ needs it too). */
export type RedisClient = Redis;

/** Reports are kept this long (seconds). */
const RETENTION_SECONDS = 7 * 24 * 3600;

export class RedisLogoutStore implements LogoutStore {
  readonly #redis: RedisClient;
  readonly #p: string;

  constructor(redis: RedisClient, prefix = 'fedbroker:logout') {
    this.#redis = redis;
    this.#p = prefix;
  }

  async claimOnce(key: string, ttlSeconds: number): Promise<boolean> {
    return (await this.#do(() => this.#redis.set(`${this.#p}:once:${key}`, '1', 'EX', ttlSeconds, 'NX'))) === 'OK';
  }

  async release(key: string): Promise<void> {
    await this.#do(() => this.#redis.del(`${this.#p}:once:${key}`));
  }

  async claimSession(sessionKey: string, eventId: string, ttlSeconds: number): Promise<string | undefined> {
    const key = `${this.#p}:claim:${sessionKey}`;
    const set = await this.#do(() => this.#redis.set(key, eventId, 'EX', ttlSeconds, 'NX'));
    if (set === 'OK') return undefined;
    return (await this.#do(() => this.#redis.get(key))) ?? undefined;
  }

  async createEvent(event: LogoutEventRecord): Promise<boolean> {
    const set = await this.#do(() => this.#redis.set(`${this.#p}:event:${event.id}`, JSON.stringify(event), 'EX', RETENTION_SECONDS, 'NX'));
    return set === 'OK';
  }

  async addCoalesced(eventId: string, ref: string): Promise<void> {
    const key = `${this.#p}:event:${eventId}:joined`;
    await this.#do(() => atomically(this.#redis.multi().rpush(key, ref).expire(key, RETENTION_SECONDS)));
  }

  async event(id: string): Promise<LogoutEventRecord | undefined> {
    const [json, joined] = await this.#do(() => Promise.all([
      this.#redis.get(`${this.#p}:event:${id}`), this.#redis.lrange(`${this.#p}:event:${id}:joined`, 0, 999)]));
    if (!json) return undefined;
    const event = JSON.parse(json) as LogoutEventRecord;
    return joined.length > 0 ? { ...event, coalesced: [...new Set(joined)] } : event;
  }

  async saveDelivery(eventId: string, delivery: TargetDelivery): Promise<void> {
    const key = `${this.#p}:deliveries:${eventId}`;
    await this.#do(() => atomically(this.#redis.multi().hset(key, `${delivery.system}-${delivery.cloud}`, JSON.stringify(delivery)).expire(key, RETENTION_SECONDS)));
  }

  async deliveries(eventId: string): Promise<TargetDelivery[]> {
    const all = await this.#do(() => this.#redis.hgetall(`${this.#p}:deliveries:${eventId}`));
    return Object.values(all).map((v) => JSON.parse(v) as TargetDelivery);
  }

  async checkpoint(cloud: string): Promise<EventCheckpoint | undefined> {
    const json = await this.#do(() => this.#redis.get(`${this.#p}:checkpoint:${cloud}`));
    return json ? JSON.parse(json) as EventCheckpoint : undefined;
  }

  async saveCheckpoint(cloud: string, checkpoint: EventCheckpoint): Promise<void> {
    await this.#do(() => this.#redis.set(`${this.#p}:checkpoint:${cloud}`, JSON.stringify(checkpoint)));
  }

  async ping(): Promise<void> {
    await this.#do(() => this.#redis.ping());
  }

  async #do<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (cause) {
      throw new BrokerError('ERR_QUEUE_UNAVAILABLE', 'Redis is not reachable', { cause });
    }
  }
}

/** Runs a MULTI block; ioredis reports a failed command inside it as a result, not a rejection. */
async function atomically(multi: ReturnType<Redis['multi']>): Promise<void> {
  const results = await multi.exec();
  if (results === null) throw new Error('transaction aborted');
  const failed = results.find(([error]) => error !== null);
  if (failed) throw failed[0];
}

/**
 * An ioredis client that reconnects with a short capped backoff and fails commands fast while Redis
 * is down (no offline queue, no resending of commands cut off by a disconnect).
 */
export async function connectRedis(url: string): Promise<RedisClient> {
  const target = redisTarget(url);
  const client = new Redis({
    ...target.options, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false,
    connectTimeout: 2000, retryStrategy: (times) => Math.min(50 * 2 ** times, 1000),
  });
  client.on('error', () => { /* reconnects on its own; commands fail with ERR_QUEUE_UNAVAILABLE meanwhile */ });
  // The first connection must succeed in time (the retry strategy would otherwise keep trying).
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([client.connect(), new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('connect timeout')), 5000); })]);
  } catch (cause) {
    client.disconnect();
    throw new BrokerError('ERR_QUEUE_UNAVAILABLE', `Redis at ${target.display} cannot be reached`, { cause });
  } finally {
    clearTimeout(timer);
  }
  return client;
}

/** Closes a client from connectRedis: waits for pending replies, then disconnects (at once when Redis is down). */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status !== 'ready') { client.disconnect(); return; }
  await client.quit().catch(() => client.disconnect());
}
