// One fix to every Redis connection of the service. An ioredis client told to disconnect while it waits to reconnect
// (after an outage) never says it has ended, since the socket whose closing would say so is already gone; BullMQ's
// Worker.close() waits for that and would hang forever. Copies made with duplicate() (BullMQ makes each worker's
// blocking connection that way) get the fix too. And closing a connection does not wait for a Redis that is gone.
import type { Redis } from 'ioredis';

/** What the fix needs of ioredis' internals (private in its types). */
interface Internals {
  setStatus(status: string): void;
  flushQueue(error: Error): void;
}

export function endsWhenDisconnected<R extends Redis>(client: R): R {
  const disconnect = client.disconnect.bind(client);
  client.disconnect = (reconnect = false) => {
    const waiting = !reconnect && client.status === 'reconnecting';
    disconnect(reconnect);
    if (waiting) {
      // What ioredis does when a closed connection is not to be reopened: it ends, and what was queued fails.
      const self = client as unknown as Internals;
      self.setStatus('end');
      self.flushQueue(new Error('Connection is closed.'));
    }
  };
  const duplicate = client.duplicate.bind(client);
  client.duplicate = ((...args: Parameters<R['duplicate']>) => endsWhenDisconnected(duplicate(...args))) as R['duplicate'];
  return client;
}

/** Says goodbye to Redis when it is there (QUIT, after what is queued); when it is not, just lets go. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}
