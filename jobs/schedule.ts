// The schedule worker: runs a reminder slot, a batch of receipt chases or a draft's expiry queued by the ticker (src/schedule/ticker.ts),
// and, after the directory changes, moves open assignments to the leaders it names (src/schedule/follow-directory.ts).
import { Worker, type Job } from 'bullmq';
import type { Runtime } from '../src/infra/runtime.ts';
import { crashTolerance, SCHEDULE } from '../src/redis/queues.ts';
import { chaseItem } from '../src/schedule/chase.ts';
import { runSlot } from '../src/schedule/slot.ts';
import { followDirectory } from '../src/schedule/follow-directory.ts';
import { expireDraft } from '../src/schedule/expire-drafts.ts';
import { closeReview } from '../src/schedule/close-reviews.ts';
import type { ChaseJob, ExpireJob, ReviewJob, SlotJob } from '../src/schedule/ticker.ts';

export async function processScheduled(rt: Runtime, job: Job): Promise<unknown> {
  if (job.name === 'slot') {
    const { date, at, late } = job.data as SlotJob;
    return runSlot(rt, { date, at }, late);
  }
  if (job.name === 'chase') {
    const { item, units, at } = job.data as ChaseJob;
    await chaseItem(rt, item, units, at);
    return { chased: units.length };
  }
  if (job.name === 'expire-draft') {
    const { item } = job.data as ExpireJob;
    return { expired: await expireDraft(rt, item) };
  }
  if (job.name === 'close-review') {
    const { item } = job.data as ReviewJob;
    return { closed: await closeReview(rt, item) };
  }
  if (job.name === 'follow-directory') return followDirectory(rt);
  throw new Error(`unknown scheduled job ${job.name}`);
}

export function startScheduleWorker(rt: Runtime, concurrency = 2): Worker {
  const worker = new Worker(SCHEDULE, (job: Job) => processScheduled(rt, job), {
    connection: rt.workerConnection(),
    prefix: rt.config.prefix,
    concurrency,
    ...crashTolerance(SCHEDULE),
  });
  worker.on('failed', (job, err) => rt.log.error({ job: job?.id, kind: job?.name, err: err.message }, '定时任务失败'));
  return worker;
}
