// Where the broker's Redis is, from one URL, for every client of it (logout store, delivery queue,
// sync leases and journal):
//   redis://[user:password@]host[:port][/db]                       one Redis (rediss:// with TLS)
//   redis+sentinel://[user:password@]host:port,host:port/<master>[/db]
//                                                                   Redis Sentinel (rediss+sentinel:// with TLS)
// With Sentinel, the clients ask the sentinels for the current primary and follow a failover; the
// user and password are the primary's (the same for the sentinels, when they require one).
import type { RedisOptions } from 'ioredis';
import { BrokerError } from '../../core/errors.ts';

export interface RedisTarget {
  /** ioredis connection options (host/port, or sentinels and the master's name; credentials; TLS). */
  readonly options: RedisOptions;
  /** For messages and logs: where, never the password. */
  readonly display: string;
}

const FORMS = 'redis://[user:password@]host[:port][/db], rediss://…, or redis+sentinel://[user:password@]host:port[,host:port…]/<master name>[/db]';

export function redisTarget(url: string): RedisTarget {
  const m = /^(rediss?)(\+sentinel)?:\/\/(?:([^@/]*)@)?([^/?#]+)(?:\/([^?#]*))?$/.exec(url.trim());
  if (!m) throw invalid(url, `not a Redis URL; use ${FORMS}`);
  const [, scheme, sentinel, userinfo, hostList, pathPart] = m;
  const tls = scheme === 'rediss';
  const credentials = userinfoOf(userinfo, url);
  const hosts = hostList!.split(',').map((h) => hostPort(h, sentinel ? 26379 : 6379, url));
  const segments = (pathPart ?? '').split('/').filter((s) => s !== '');
  if (!sentinel) {
    if (hosts.length !== 1) throw invalid(url, 'several hosts need Sentinel: redis+sentinel://host:port,host:port/<master name>');
    if (segments.length > 1) throw invalid(url, 'the path is the database number only, e.g. redis://host:6379/0');
    const db = dbOf(segments[0], url);
    return {
      options: { host: hosts[0]!.host, port: hosts[0]!.port, ...credentials, ...(db !== undefined && { db }), ...(tls && { tls: {} }) },
      display: `${hosts[0]!.host}:${hosts[0]!.port}`,
    };
  }
  const [name, dbSegment, ...rest] = segments;
  if (!name || rest.length > 0) throw invalid(url, 'Sentinel needs the master\'s name as the path, e.g. redis+sentinel://s1:26379,s2:26379/fedbroker');
  const db = dbOf(dbSegment, url);
  return {
    options: {
      sentinels: hosts, name: decodeURIComponent(name), ...credentials, ...(db !== undefined && { db }),
      ...(credentials.password !== undefined && { sentinelPassword: credentials.password }),
      ...(credentials.username !== undefined && { sentinelUsername: credentials.username }),
      ...(tls && { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true }),
    },
    display: `master ${decodeURIComponent(name)} via sentinels ${hosts.map((h) => `${h.host}:${h.port}`).join(',')}`,
  };
}

function userinfoOf(userinfo: string | undefined, url: string): { username?: string; password?: string } {
  if (userinfo === undefined || userinfo === '') return {};
  const colon = userinfo.indexOf(':');
  const [user, password] = colon < 0 ? [userinfo, undefined] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)];
  try {
    return { ...(user !== '' && { username: decodeURIComponent(user) }), ...(password !== undefined && { password: decodeURIComponent(password) }) };
  } catch {
    throw invalid(url, 'the user or password is not correctly percent-encoded');
  }
}

function hostPort(value: string, defaultPort: number, url: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(value);
  const port = m?.[2] === undefined ? defaultPort : Number(m[2]);
  if (!m || port < 1 || port > 65535) throw invalid(url, `"${value}" is not host or host:port`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

function dbOf(segment: string | undefined, url: string): number | undefined {
  if (segment === undefined || segment === '') return undefined;
  if (!/^\d{1,2}$/.test(segment)) throw invalid(url, `the database "${segment}" is not a number (0–15 by default)`);
  return Number(segment);
}

/** The URL with its password replaced, for messages. */
export function redactedRedisUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

function invalid(url: string, why: string): BrokerError {
  return new BrokerError('ERR_CONFIG_INVALID', `Redis URL ${redactedRedisUrl(url)}: ${why}`, { details: { field: 'redis URL (--redis or FEDBROKER_REDIS_URL)' } });
}
