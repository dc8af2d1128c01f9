// The BullMQ queues: inbound commands taken from webhooks, outbound deliveries, scheduled work and files to render.
import { Queue, type ConnectionOptions, type DefaultJobOptions, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';

export const INBOUND = 'inbound';
export const DELIVER = 'deliver';
/** Scheduled work: a reminder slot, a receipt chase (queued by the ticker, src/schedule/ticker.ts). */
export const SCHEDULE = 'schedule';
/** Files made on request (/台账 导出, /归档): drawn on a worker, then sent as a delivery. */
export const RENDER = 'render';

/** Kept long enough that a retried operation re-adding the same job id is a no-op. */
const KEEP = { age: 3 * 24 * 3600, count: 50_000 };

const DELIVER_ATTEMPTS = 8;
const INBOUND_ATTEMPTS = 5;
const SCHEDULE_ATTEMPTS = 5;
const RENDER_ATTEMPTS = 3;

const defaults: DefaultJobOptions = {
  attempts: DELIVER_ATTEMPTS,
  removeOnComplete: KEEP,
  removeOnFail: { age: 14 * 24 * 3600 },
};

export interface Queues {
  inbound: Queue;
  deliver: Queue;
  schedule: Queue;
  render: Queue;
  close(): Promise<void>;
}

/**
 * `retryDelayMs` is the first retry's delay; each next one doubles, with jitter. `waitReplicaMs` (REDIS_WAIT_MS): a
 * command taken in from a webhook is acknowledged (200) only once one replica has it too, or that long has passed.
 */
export function createQueues(connection: ConnectionOptions, prefix: string, retryDelayMs = 1000, waitReplicaMs = 0): Queues {
  const opts: DefaultJobOptions = { ...defaults, backoff: { type: 'exponential', delay: retryDelayMs, jitter: 0.5 } };
  const inbound = new Queue(INBOUND, { connection, prefix, defaultJobOptions: { ...opts, attempts: INBOUND_ATTEMPTS } });
  if (waitReplicaMs > 0 && connection instanceof Redis) {
    // On the connection the job was added on (a queue uses a connection it is given as is): WAIT counts its writes.
    const add = inbound.add.bind(inbound);
    inbound.add = (async (...args: Parameters<Queue['add']>) => {
      const job = await add(...args);
      await connection.wait(1, waitReplicaMs);
      return job;
    }) as Queue['add'];
  }
  const deliver = new Queue(DELIVER, { connection, prefix, defaultJobOptions: opts });
  const schedule = new Queue(SCHEDULE, { connection, prefix, defaultJobOptions: { ...opts, attempts: SCHEDULE_ATTEMPTS } });
  const render = new Queue(RENDER, { connection, prefix, defaultJobOptions: { ...opts, attempts: RENDER_ATTEMPTS } });
  return {
    inbound,
    deliver,
    schedule,
    render,
    async close() {
      await Promise.all([inbound.close(), deliver.close(), schedule.close(), render.close()]);
    },
  };
}

/**
 * How workers survive crashes. A worker holds a lock on each job it runs and renews it every 2.5 s; a process
 * that dies (kill -9, power cut) stops renewing, its lock lapses after 5 s, and a stall check (every 2 s, by any
 * worker) puts the job back to wait: in-flight work is picked up again 5–9 s after a crash, not after BullMQ's
 * default of up to a minute. A job may be interrupted by crashes as often as it may fail (its attempts) before
 * it is given up, where BullMQ's default gives up after one.
 */
export function crashTolerance(
  queue: typeof INBOUND | typeof DELIVER | typeof SCHEDULE | typeof RENDER,
): Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'> {
  return {
    lockDuration: 5000,
    stalledInterval: 2000,
    maxStalledCount:
      queue === DELIVER ? DELIVER_ATTEMPTS : queue === SCHEDULE ? SCHEDULE_ATTEMPTS : queue === RENDER ? RENDER_ATTEMPTS : INBOUND_ATTEMPTS,
  };
}
