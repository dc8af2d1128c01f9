// Opening Redis connections (by REDIS_URL or through Sentinel), and fixes to every one of them. An ioredis client
// told to disconnect while it waits to reconnect (after an outage) never says it has ended, since the socket whose
// closing would say so is already gone; BullMQ's Worker.close() waits for that and would hang forever. A client through
// Sentinel that ended by itself in a failover is opened again. Copies made with duplicate() (BullMQ makes each
// worker's blocking connection that way) get the fixes too. And closing a connection does not wait for a Redis that
// is gone.
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../infra/config.ts';

/** What the fix needs of ioredis' internals (private in its types). */
interface Internals {
  setStatus(status: string): void;
  flushQueue(error: Error): void;
}

export function endsWhenDisconnected<R extends Redis>(client: R): R {
  /** Set once this code closes the connection: it then stays closed. */
  let closing = false;
  const disconnect = client.disconnect.bind(client);
  client.disconnect = (reconnect = false) => {
    if (!reconnect) closing = true;
    const waiting = !reconnect && client.status === 'reconnecting';
    disconnect(reconnect);
    if (waiting) {
      // What ioredis does when a closed connection is not to be reopened: it ends, and what was queued fails.
      const self = client as unknown as Internals;
      self.setStatus('end');
      self.flushQueue(new Error('Connection is closed.'));
    }
  };
  const quit = client.quit.bind(client);
  client.quit = ((...args: Parameters<R['quit']>) => {
    closing = true;
    return quit(...args);
  }) as R['quit'];
  if (client.options.sentinels) {
    // Through Sentinel, ioredis gives a connection up for good (it ends) when a failover is announced while it is
    // reconnecting: its failover detector cuts the connect in progress, and a failed connect ends the client. Such a
    // connection is opened again, until it is back; commands meanwhile fail at once (Redis is away).
    client.on('end', () => {
      const reopen = () => {
        if (closing || client.status !== 'end') return;
        client.connect().catch(() => undefined);
      };
      if (!closing) setTimeout(reopen, REOPEN_MS).unref();
    });
  }
  const duplicate = client.duplicate.bind(client);
  client.duplicate = ((...args: Parameters<R['duplicate']>) => endsWhenDisconnected(duplicate(...args))) as R['duplicate'];
  return client;
}

/** How long a connection through Sentinel that ended by itself waits before it is opened again. */
const REOPEN_MS = 200;

/** Says goodbye to Redis when it is there (QUIT, after what is queued); when it is not, just lets go. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}

/** Where Redis is: REDIS_URL, or the sentinels that know the master (see config.ts). */
export type RedisTarget = Pick<Config, 'redisUrl' | 'sentinels'>;

/**
 * Redis wanted by the shape of an error READONLY: this connection reached a replica (the old master, rejoined as one
 * after a failover). ioredis then reconnects, asking the sentinels for the master, and sends the command again; a
 * command refused so did nothing, so sending it again is safe.
 */
function readOnlyReplica(err: Error): 2 | false {
  return /^READONLY/.test(err.message) ? 2 : false;
}

/**
 * A connection to Redis as the config says, with `extra` options on top. Through Sentinel: every connection asks the
 * sentinels for the master, and with `failoverDetector` listens to them for `+switch-master`, so that it leaves the
 * old master as soon as a replica is promoted (without it, a connection whose master is demoted but still up writes
 * to it for seconds, and those writes are wiped when it resyncs as a replica). Copies made with duplicate() (the
 * queues', the workers', BullMQ's blocking ones) take the same options.
 */
export function openRedis(target: RedisTarget, extra: RedisOptions = {}): Redis {
  if (!target.sentinels) return new Redis(target.redisUrl, extra);
  const u = new URL(target.redisUrl);
  const db = Number(u.pathname.slice(1));
  return new Redis({
    sentinels: target.sentinels.hosts,
    name: target.sentinels.name,
    role: 'master',
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    failoverDetector: true,
    reconnectOnError: readOnlyReplica,
    ...extra,
  });
}

/** Where the config says Redis is, for messages (the password hidden). */
export function describeTarget(target: RedisTarget): string {
  if (target.sentinels) {
    return `REDIS_SENTINELS=${target.sentinels.hosts.map((h) => (h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`)).join(',')}，REDIS_SENTINEL_NAME=${target.sentinels.name}`;
  }
  try {
    const u = new URL(target.redisUrl);
    if (u.password) u.password = '***';
    return `REDIS_URL=${u.toString()}`;
  } catch {
    return `REDIS_URL=${target.redisUrl}`;
  }
}
