// Rebuilds the schedule from the records: the deadlines of open assignments (what reminder slots read), the
// receipt chases still to run, the drafts by when they expire (what the draft sweep reads), the open items with
// progress periods (each looked at again by the next reminder slot, which works out its next period), and the
// instructed items waiting for their leader's review, by when it ends. Every change keeps both in the same step as the records, so this is for an operator
// who restored Redis from a backup or repaired records by hand (`npm run schedule:rebuild`, with the service
// stopped: a change made during the rebuild could be missed); it is also how the
// benchmark times a full build. New keys are filled aside and swapped in at once: readers never see half of it.
// It writes outside the store's own steps, so it is given the store's connection by its caller (the CLI, a test).
import type { Redis } from 'ioredis';
import { DRAFT_KEPT_MS } from '../domain/drafts.ts';
import { assignmentRef, isIssued, type Assignment } from '../domain/types.ts';
import type { Store } from './store.ts';

const CHUNK = 1000;

export interface RebuildReport {
  items: number;
  open: number;
  chases: number;
  drafts: number;
  /** Open items with progress periods (进度=). */
  progress: number;
  reviews: number;
  ms: number;
}

export async function rebuildSchedule(redis: Redis, store: Store): Promise<RebuildReport> {
  const started = Date.now();
  const { k } = store;
  const tmpDue = k.rebuilding(k.byDue);
  const tmpChase = k.rebuilding(k.chase);
  const draftKey = k.itemsInStatus('draft');
  const tmpDrafts = k.rebuilding(draftKey);
  const tmpProgress = k.rebuilding(k.progress);
  // Instructed items in their leader's review, by when it ends by itself.
  const tmpReviews = k.rebuilding(k.reviews);
  await redis.del(tmpDue, tmpChase, tmpDrafts, tmpProgress, tmpReviews);
  const ids = await redis.zrange(k.items, '0', '-1');
  let open = 0;
  let chases = 0;
  let drafts = 0;
  let progress = 0;
  let reviews = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const all = await store.getHeaders(ids.slice(i, i + CHUNK));
    const draftWrite = redis.pipeline();
    for (const h of all.filter((x) => x.status === 'draft')) {
      draftWrite.zadd(tmpDrafts, h.expiresAt ?? h.createdAt + DRAFT_KEPT_MS, h.id);
      drafts++;
    }
    for (const h of all.filter((x) => x.status === 'review' && x.reviewDueAt !== undefined)) {
      draftWrite.zadd(tmpReviews, h.reviewDueAt!, h.id);
      reviews++;
    }
    await draftWrite.exec();
    const headers = all.filter((h) => isIssued(h) && h.status === 'open');
    const pipe = redis.pipeline();
    for (const h of headers) for (const u of h.units) pipe.hget(k.assignment(h.id, u), 'doc');
    const docs = (await pipe.exec()) ?? [];
    const write = redis.pipeline();
    for (const h of headers.filter((x) => x.progress)) {
      // From its issue: the next slot works out which period is next and sends nothing a slot already sent.
      write.zadd(tmpProgress, h.issuedAt ?? 0, h.id);
      progress++;
    }
    let n = 0;
    for (const h of headers) {
      for (const u of h.units) {
        const [err, raw] = docs[n++] ?? [];
        if (err || typeof raw !== 'string') continue;
        const a = JSON.parse(raw) as Assignment;
        if (a.state === 'completed') continue;
        const ref = assignmentRef(h.id, u);
        write.zadd(tmpDue, a.dueAt, ref);
        open++;
        if (a.state === 'issued' && a.chaseAt !== undefined) {
          write.zadd(tmpChase, a.chaseAt, ref);
          chases++;
        }
      }
    }
    await write.exec();
  }
  // Swapped in together; an empty index is simply removed.
  const swap = redis.multi();
  if (open > 0) swap.rename(tmpDue, k.byDue);
  else swap.del(k.byDue);
  if (chases > 0) swap.rename(tmpChase, k.chase);
  else swap.del(k.chase);
  if (drafts > 0) swap.rename(tmpDrafts, draftKey);
  else swap.del(draftKey);
  if (progress > 0) swap.rename(tmpProgress, k.progress);
  else swap.del(k.progress);
  if (reviews > 0) swap.rename(tmpReviews, k.reviews);
  else swap.del(k.reviews);
  await swap.exec();
  return { items: ids.length, open, chases, drafts, progress, reviews, ms: Date.now() - started };
}
