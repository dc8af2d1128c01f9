// Looks at the domain clock a few times a second and queues the scheduled work that has fallen due: the day's
// reminder slot, receipt chases, drafts to expire, and instructed items whose leader's review is over. The schedule itself is in Redis (the last slot taken, the chase
// set, the drafts by expiry), so a restart, a second worker or a moved clock changes nothing; each piece of work is
// queued under a fixed job id.
import type { Runtime } from '../infra/runtime.ts';
import { LATE_AFTER_MS, latestSlot } from './slots.ts';
import { startPeriodic } from '../infra/periodic.ts';

export const TICK_MS = 250;
/** Chases, and drafts to expire, queued per look at most (the rest on the next look). */
const CHASES_PER_TICK = 1000;
const DRAFTS_PER_TICK = 1000;
const REVIEWS_PER_TICK = 1000;

export interface SlotJob {
  date: string;
  at: number;
  late: boolean;
}

export interface ChaseJob {
  item: string;
  units: string[];
  at: number;
}

export interface ExpireJob {
  item: string;
}

/** An item whose 批办领导's review is over with no answer (src/schedule/close-reviews.ts). */
export interface ReviewJob {
  item: string;
}

/** One look at the clock. Every worker process ticks; what one queues, the others find queued. */
export async function tick(rt: Runtime): Promise<void> {
  const { config, store } = rt;
  const now = rt.clock.now();
  const slot = latestSlot(now, { tz: config.tz, remindAt: config.remindAt, remindBefore: config.remindBefore }, rt.calendar);
  if (await store.isSlotDue(slot.date)) {
    const job: SlotJob = { date: slot.date, at: slot.at, late: now - slot.at > LATE_AFTER_MS };
    // Queued before the mark moves: a crash between the two queues it again, under the same job id.
    await rt.queues.schedule.add('slot', job, { jobId: `slot-${slot.date}` });
    await store.markSlotTaken(slot.date);
  }
  const drafts = await store.dueDrafts(now, DRAFTS_PER_TICK);
  if (drafts.length) {
    await rt.queues.schedule.addBulk(
      drafts.map((item) => ({ name: 'expire-draft', data: { item } satisfies ExpireJob, opts: { jobId: `expire-${item}` } })),
    );
  }
  const reviews = await store.dueReviews(now, REVIEWS_PER_TICK);
  if (reviews.length) {
    await rt.queues.schedule.addBulk(
      reviews.map((item) => ({ name: 'close-review', data: { item } satisfies ReviewJob, opts: { jobId: `review-${item}` } })),
    );
  }
  const due = await store.dueChases(now, CHASES_PER_TICK);
  if (due.length === 0) return;
  // Units of one item issued together fall due together: one job per item and time.
  const groups = new Map<string, ChaseJob>();
  for (const { ref, at } of due) {
    const slash = ref.indexOf('/');
    const item = ref.slice(0, slash);
    const key = `${item}@${at}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { item, units: [], at }));
    g.units.push(ref.slice(slash + 1));
  }
  await rt.queues.schedule.addBulk([...groups.values()].map((g) => ({ name: 'chase', data: g, opts: { jobId: `chase-${g.item}-${g.at}` } })));
}

/** Ticks until stopped; a failed look is logged (once until it works again) and the next one tries again. */
export function startTicker(rt: Runtime, everyMs = TICK_MS): { stop(): Promise<void> } {
  return startPeriodic(() => tick(rt), { everyMs, log: rt.log, failed: '定时调度出错，正在重试', recovered: '定时调度已恢复' });
}
