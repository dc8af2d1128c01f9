// What every handler and worker is given: config, clock, store, files, directory, queues, Redis's health, metrics, signer,
// logger.
import type { Redis } from 'ioredis';
import type { ActionSigner } from '../chat/action-token.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Directory } from '../directory/directory.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { Queues } from '../redis/queues.ts';
import type { RedisHealth } from '../redis/health.ts';
import type { Store } from '../store/store.ts';
import type { FileStore } from '../files/file-store.ts';

/**
 * No Redis connection here: records, indexes and the schedule are asked of the store by name; the platforms get
 * theirs for their own state from app.ts; a queue worker gets one of its own below.
 */
export interface Runtime {
  config: Config;
  log: Logger;
  store: Store;
  /** Report attachments on disk (DUCHA_FILES_DIR), content-addressed. */
  files: FileStore;
  clock: Clock;
  calendar: WorkCalendar;
  /** The current directory snapshot (it may be reloaded between two calls). */
  directory(): Directory;
  signer: ActionSigner;
  queues: Queues;
  /** Whether Redis can take a request now; bounds what a webhook waits for it. */
  health: RedisHealth;
  /** What /metrics counts (requests, presses, deliveries, scheduled messages). */
  metrics: Metrics;
  /** A connection of its own for a queue worker (BullMQ blocks on it), followed by the outage log. */
  workerConnection(): Redis;
}
