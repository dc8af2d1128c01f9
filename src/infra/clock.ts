// The domain's "now" (deadlines, reminders, what cards say), injectable so tests and DUCHA_CLOCK can move it. Transport
// checks (webhook timestamps, token expiry, retry back-off) read real time on purpose: a moved clock must not make a
// platform's request look stale or a token look fresh.

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(t: number | string | Date): void {
    this.t = new Date(t).getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * DUCHA_CLOCK: the domain's time starts at `start` and runs at real speed from the moment this is made. Only the
 * domain reads it (deadlines, slots, what cards say); transport checks (webhook freshness, token expiry, retry
 * back-off) keep the real clock.
 */
export function startedClock(start: number, realNow: () => number = Date.now): Clock {
  const offset = start - realNow();
  return { now: () => realNow() + offset };
}
