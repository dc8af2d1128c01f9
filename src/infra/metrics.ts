// What the service counts for Prometheus (/metrics): requests, presses, deliveries, scheduled messages, and, read when
// scraped, the queues, the outbox and whether Redis answers. Each app has a registry of its own (one per process in
// production; tests run several apps in one process), served together with the process's own metrics.
import { collectDefaultMetrics, Counter, Gauge, Histogram, register as processRegistry, Registry } from 'prom-client';

/** How a press was answered: applied, refused (a toast saying why), busy (Redis away or too slow), or a fault. */
export type PressOutcome = 'done' | 'refused' | 'busy' | 'failed';

/**
 * What became of one attempt at a delivery job: handed to the platform, nothing left to send (the card is gone),
 * to be tried again, held back by a rate limit, or given up for good.
 */
export type DeliveryOutcome = 'sent' | 'skipped' | 'retried' | 'rate_limited' | 'failed';

/** What the gauges read when scraped; each read is bounded, and left out of the answer when it fails. */
export interface MetricSources {
  queues: Record<string, { getJobCounts(): Promise<Record<string, number>> }>;
  outboxEntries(): Promise<number>;
  /** False while Redis is known to be away (src/redis/health.ts). */
  redisAvailable(): boolean;
}

/** A gauge read from Redis takes at most this long: a scrape during an outage still answers. */
const READ_MS = 1000;

let processMetrics = false;

export class Metrics {
  private readonly registry = new Registry();
  /** This app's metrics and the process's, as one registry (both are fixed once built). */
  private readonly served: Registry;
  private sources: MetricSources | undefined;

  private readonly requests = new Counter({
    name: 'ducha_http_requests_total',
    help: 'HTTP requests answered, by platform, route template, method and status',
    labelNames: ['platform', 'route', 'method', 'status'],
    registers: [this.registry],
  });
  private readonly requestTime = new Histogram({
    name: 'ducha_http_request_duration_seconds',
    help: 'Time from a request arriving to its answer, by platform, route template and method',
    labelNames: ['platform', 'route', 'method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly presses = new Counter({
    name: 'ducha_presses_total',
    help: 'Card button presses answered, by platform and outcome (done, refused, busy, failed)',
    labelNames: ['platform', 'outcome'],
    registers: [this.registry],
  });
  private readonly pressTime = new Histogram({
    name: 'ducha_press_answer_duration_seconds',
    help: 'Time from a press reaching ducha to its answer (bounded by 1.8 s), by platform',
    labelNames: ['platform'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3],
    registers: [this.registry],
  });
  private readonly deliveries = new Counter({
    name: 'ducha_deliveries_total',
    help: 'Delivery job attempts, by platform and outcome (sent, skipped, retried, rate_limited, failed for good)',
    labelNames: ['platform', 'outcome'],
    registers: [this.registry],
  });
  private readonly scheduled = new Counter({
    name: 'ducha_scheduled_messages_total',
    help: 'Scheduled messages queued, by tag (到期提醒, 逾期提醒, 签收提醒, 逾期升级, 督查日报)',
    labelNames: ['tag'],
    registers: [this.registry],
  });
  private readonly lateness = new Histogram({
    name: 'ducha_scheduled_lateness_seconds',
    help: 'Domain time from when a scheduled message fell due to its queuing, by tag',
    labelNames: ['tag'],
    buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600, 4 * 3600, 24 * 3600],
    registers: [this.registry],
  });

  constructor() {
    // Once per process: they are the process's, and each collector keeps running once started.
    if (!processMetrics) {
      collectDefaultMetrics();
      processMetrics = true;
    }
    const sources = () => this.sources;
    new Gauge({
      name: 'ducha_queue_jobs',
      help: 'Jobs in each queue by state, read from Redis when scraped (the same in every process: use max, not sum)',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const s = sources();
        if (!s?.redisAvailable()) return;
        const counts = await Promise.all(Object.entries(s.queues).map(async ([name, q]) => [name, await bounded(q.getJobCounts())] as const));
        for (const [queue, byState] of counts) for (const [state, n] of Object.entries(byState ?? {})) this.set({ queue, state }, n);
      },
    });
    new Gauge({
      name: 'ducha_outbox_entries',
      help: 'Operations whose messages wait in the outbox to be queued (normally 0; each is relayed within seconds)',
      registers: [this.registry],
      async collect() {
        this.reset();
        const s = sources();
        const n = s?.redisAvailable() ? await bounded(s.outboxEntries()) : undefined;
        if (n !== undefined) this.set(n);
      },
    });
    new Gauge({
      name: 'ducha_redis_up',
      help: '1 while Redis takes requests, 0 while it is known to be away',
      registers: [this.registry],
      collect() {
        this.set(sources()?.redisAvailable() === false ? 0 : 1);
      },
    });
    this.served = Registry.merge([processRegistry, this.registry]);
  }

  /** Where the gauges read from, once the service has them. */
  watch(sources: MetricSources): void {
    this.sources = sources;
  }

  request(platform: string, route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ platform, route, method, status: String(status) });
    this.requestTime.observe({ platform, route, method }, seconds);
  }

  press(platform: string, outcome: PressOutcome, seconds: number): void {
    this.presses.inc({ platform, outcome });
    this.pressTime.observe({ platform }, seconds);
  }

  delivery(platform: string, outcome: DeliveryOutcome): void {
    this.deliveries.inc({ platform, outcome });
  }

  /** `count` messages of one tag queued `lateMs` (domain time) after they fell due. */
  scheduledQueued(tag: string, count: number, lateMs: number): void {
    if (count <= 0) return;
    this.scheduled.inc({ tag }, count);
    const seconds = Math.max(0, lateMs) / 1000;
    for (let i = 0; i < count; i++) this.lateness.observe({ tag }, seconds);
  }

  /** The Prometheus text exposition of everything. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.served.contentType, text: await this.served.metrics() };
  }
}

/** The value, or undefined when it failed or did not come within READ_MS. */
async function bounded<T>(read: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), READ_MS);
  });
  try {
    return await Promise.race([read.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
