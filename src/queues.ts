// The BullMQ queues: inbound commands taken from webhooks, and outbound deliveries.
import { Queue, type ConnectionOptions, type DefaultJobOptions } from 'bullmq';

export const INBOUND = 'inbound';
export const DELIVER = 'deliver';

/** Kept long enough that a retried operation re-adding the same job id is a no-op. */
const KEEP = { age: 3 * 24 * 3600, count: 50_000 };

const defaults: DefaultJobOptions = {
  attempts: 8,
  removeOnComplete: KEEP,
  removeOnFail: { age: 14 * 24 * 3600 },
};

export interface Queues {
  inbound: Queue;
  deliver: Queue;
  close(): Promise<void>;
}

/** `retryDelayMs` is the first retry's delay; each next one doubles, with jitter. */
export function createQueues(connection: ConnectionOptions, prefix: string, retryDelayMs = 1000): Queues {
  const opts: DefaultJobOptions = { ...defaults, backoff: { type: 'exponential', delay: retryDelayMs, jitter: 0.5 } };
  const inbound = new Queue(INBOUND, { connection, prefix, defaultJobOptions: { ...opts, attempts: 5 } });
  const deliver = new Queue(DELIVER, { connection, prefix, defaultJobOptions: opts });
  return {
    inbound,
    deliver,
    async close() {
      await Promise.all([inbound.close(), deliver.close()]);
    },
  };
}
