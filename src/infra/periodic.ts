// A look taken at a steady pace (the scheduler's ticker, the outbox relay): never two at once, a failure logged once
// until a look succeeds again (an outage is one line, not one a second), and a stop that waits for the look under
// way only briefly: what is due lives in Redis, so a look cut short is simply taken again by the next process.
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from './logger.ts';

export interface PeriodicOptions {
  everyMs: number;
  log: Logger;
  /** Logged (warn) when a look fails after succeeding. */
  failed: string;
  /** Logged (info) when a look succeeds after failing. */
  recovered: string;
  /** How long stop() waits for a look under way. */
  stopWaitMs?: number;
}

export function startPeriodic(look: () => Promise<void>, opts: PeriodicOptions): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let failing = false;
  let stopped = false;
  const run = () => {
    if (running || stopped) return;
    running = look()
      .then(() => {
        if (failing) opts.log.info(opts.recovered);
        failing = false;
      })
      .catch((err: unknown) => {
        if (!failing) opts.log.warn({ err }, opts.failed);
        failing = true;
      })
      .finally(() => (running = undefined));
  };
  // At once, then at the pace: a process that starts and stops at once has still looked.
  run();
  const timer = setInterval(run, opts.everyMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (running) await Promise.race([running, delay(opts.stopWaitMs ?? 1000)]);
    },
  };
}
