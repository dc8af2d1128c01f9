// Runs one operation on one item exactly once: read the records it needs, decide (pure), then commit with
// compare-and-set on just those records; a lost race decides again on fresh state, and a replayed operation
// gets the stored outcome back. What the decision sends is committed with it (the outbox) and then queued.
import { setTimeout as delay } from 'node:timers/promises';
import { isIssued, noticeNumber, type Actor, type Assignment, type ItemHeader } from '../domain/types.ts';
import type { Delivery } from '../delivery/delivery.ts';
import { relayOutbox, relayPending } from '../delivery/outbox.ts';
import { Refusal } from '../domain/refusal.ts';
import { faultPoint } from '../infra/fault-point.ts';
import type { Runtime } from '../infra/runtime.ts';
import { indexChanges, itemScore, type IndexOp } from './index-changes.ts';
import type { Keys } from './keys.ts';
import type { AuditEntry, CommitPlan } from './store.ts';
import { reviewDueAt, reviewStartDeliveries } from './review-start.ts';

/** An audit line as a decision writes it; who, when and which item are filled in here. */
export interface AuditDraft {
  action: string;
  unit?: string;
  from?: string;
  to?: string;
  detail?: Record<string, unknown>;
}

export interface Decision {
  audits: AuditDraft[];
  deliveries: Delivery[];
  /** A short line for the person who acted (a card toast, or a chat reply). */
  toast?: string;
  /**
   * 发出: the commit step gives the item the next 督字 number of this year (never the decision: a number taken and
   * not committed would leave a gap). The first audit entry records it.
   */
  numberYear?: number;
}

export interface Outcome {
  itemId: string;
  /**
   * The records as this run left them (the header, and the units it read): what a press answers with, without
   * reading them again. Absent for a replay.
   */
  view?: { item: ItemHeader; assignments: readonly Assignment[] };
  toast?: string;
  /** True when this operation had already been applied and this is its stored outcome. */
  replayed?: boolean;
}

/** What is kept of an applied operation, to answer its replays. */
interface StoredOutcome {
  itemId: string;
  toast?: string;
}

export interface Op {
  /** Unique per operation: an inbound event id, prefixed by its source. */
  id: string;
  actor: Actor;
}

/** Which of an item's units an operation reads (and may change): a unit id, or a choice made on the header. */
type UnitsOf = string | undefined | ((item: ItemHeader) => readonly string[]);

interface Plan {
  units: UnitsOf;
  /** The decision changes the item's header (issue, cancel): its version is checked instead of its status. */
  header?: boolean;
  decide(item: ItemHeader, as: Assignment[], now: number): Decision;
}

const MAX_TRIES = 50;

/** Changes one unit's assignment: `unit` is given, or chosen on the header (the unit of the person acting). */
export function mutateAssignment(
  rt: Runtime,
  op: Op,
  itemId: string,
  unit: string | undefined | ((item: ItemHeader) => string),
  decide: (item: ItemHeader, a: Assignment, now: number) => Decision,
): Promise<Outcome> {
  return runOp(rt, op, itemId, {
    units: typeof unit === 'function' ? (item) => [unit(item)] : unit,
    decide: (item, [a], now) => decide(item, a!, now),
  });
}

/** Changes several units' assignments at once (催办 to every unit not done), chosen on the header. */
export function mutateAssignments(
  rt: Runtime,
  op: Op,
  itemId: string,
  units: (item: ItemHeader) => readonly string[],
  decide: (item: ItemHeader, as: Assignment[], now: number) => Decision,
): Promise<Outcome> {
  return runOp(rt, op, itemId, { units, decide });
}

/** Changes the item itself (发出, 取消); every assignment is read (not changed) to decide what to send. */
export function mutateItem(
  rt: Runtime,
  op: Op,
  itemId: string,
  decide: (item: ItemHeader, as: readonly Assignment[], now: number) => Decision,
): Promise<Outcome> {
  return runOp(rt, op, itemId, { units: (item) => item.units, header: true, decide });
}

async function runOp(rt: Runtime, op: Op, itemId: string, plan: Plan): Promise<Outcome> {
  // A unit named up front is read with the header, in one round trip.
  const known = typeof plan.units === 'string' ? [plan.units] : [];
  for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
    const read = await rt.store.readForOp<StoredOutcome>(op.id, itemId, known);
    if (read.outcome) return replayed(rt, op, read.outcome);
    if (!read.header) throw new Refusal('not_found', '没有这个督查事项');
    const seen = read.header;
    // The header's unit list is shared and frozen: a decision changes the header's own fields only.
    const item = { ...seen.doc };
    const now = rt.clock.now();
    let units: readonly string[];
    let decision: Decision;
    let records = read.assignments;
    let as: Assignment[];
    try {
      units = typeof plan.units === 'function' ? plan.units(item) : known;
      const missing = units.find((u) => !item.units.includes(u));
      if (missing !== undefined || units.length === 0) {
        const unitName = missing === undefined ? '该单位' : rt.directory().unitName(missing);
        throw new Refusal('not_found', `${noticeNumber(item)}没有交办给${unitName}`);
      }
      if (typeof plan.units === 'function') {
        records = new Map((await rt.store.getAssignments(itemId, units)).map((r) => [r.doc.unit, r]));
      }
      as = units.map((u) => {
        const r = records.get(u);
        if (!r) throw new Error(`item ${itemId} has no record for unit ${u}`);
        return structuredClone(r.doc);
      });
      decision = plan.decide(item, as, now);
    } catch (e) {
      // The same operation may have committed between our outcome check and our read (a webhook
      // delivered twice at once): then the refusal is of our own effect, and the outcome is the answer.
      const applied = await rt.store.getOutcome<StoredOutcome>(op.id);
      if (applied) return replayed(rt, op, applied);
      throw e;
    }
    const wasIndexed = isIssued(seen.doc);
    const isIndexed = isIssued(item);
    // Where the item's status or number moves, every unit's entries move with it (issued, withdrawn).
    const itemMoved = seen.doc.status !== item.status || decision.numberYear !== undefined;
    const index: IndexOp[] = headerIndexChanges(rt.store.k, seen.doc, item, now);
    const assignments: { unit: string; expected: number; doc?: Assignment }[] = [];
    let completed = 0;
    units.forEach((u, i) => {
      const before = records.get(u)!;
      const after = as[i]!;
      const changed = JSON.stringify(after) !== JSON.stringify(before.doc);
      assignments.push(changed ? { unit: u, expected: before.version, doc: after } : { unit: u, expected: before.version });
      if (changed || itemMoved) {
        index.push(
          ...indexChanges(rt.store.k, wasIndexed ? { item: seen.doc, a: before.doc } : undefined, isIndexed ? { item, a: after } : undefined),
        );
      }
      if (before.doc.state !== 'completed' && after.state === 'completed') completed++;
    });
    const res = await commitDecision(rt, op, { item, assignments: as }, now, decision, {
      // The header's status is checked too: the step that completes an item's last unit changes it, not its version.
      ...(plan.header ? { header: { expected: seen.version, doc: item } } : {}),
      seenStatus: seen.doc.status,
      assignments,
      index,
      completed,
      numberYear: decision.numberYear,
    });
    if (res) return res;
    await delay(Math.random() * 5 * (attempt + 1));
  }
  throw new Error(`operation ${op.id} on ${itemId}: too many concurrent changes`);
}

/**
 * The item's own entries: the ledger holds it from 发出 (by number), and the drafts, cancelled drafts and withdrawn
 * items are listed by status (drafts by when they expire, which the draft sweep reads); and the progress schedule.
 */
function headerIndexChanges(k: Keys, before: ItemHeader, after: ItemHeader, now: number): IndexOp[] {
  if (before.status === after.status) return [];
  const ops: IndexOp[] = [];
  if (before.status === 'draft') ops.push(['z', k.itemsInStatus('draft'), after.id]);
  if (before.status === 'draft' && isIssued(after)) ops.push(['Z', k.ledger, itemScore(after), after.id]);
  if (after.status === 'cancelled' || after.status === 'withdrawn') ops.push(['Z', k.itemsInStatus(after.status), String(now), after.id]);
  // An item with progress periods joins their schedule when issued (the next slot works out its first period), and
  // leaves it when withdrawn; a completed one is dropped by the slot that finds it so.
  if (after.progress && before.status === 'draft' && after.status === 'open') ops.push(['Z', k.progress, String(now), after.id]);
  if (after.progress && after.status === 'withdrawn') ops.push(['z', k.progress, after.id]);
  // A 批办领导's own ledger lists what they instructed, from 发出; their review, once ended, is off the schedule.
  if (before.status === 'draft' && isIssued(after) && after.instructedBy) ops.push(['Z', k.byLeader(after.instructedBy), itemScore(after), after.id]);
  if (before.status === 'review') ops.push(['z', k.reviews, after.id]);
  return ops;
}

/** Creates a new draft and its assignments under a fresh draft reference (草稿N; the same if the op is retried). */
export async function createItem(
  rt: Runtime,
  op: Op,
  build: (draft: number, now: number) => { item: ItemHeader; assignments: Assignment[] } & Decision,
): Promise<Outcome> {
  const done = await rt.store.getOutcome<StoredOutcome>(op.id);
  if (done) return replayed(rt, op, done);
  const draft = await rt.store.nextDraftNo(op.id);
  const now = rt.clock.now();
  const { item, assignments, ...decision } = build(draft, now);
  if (item.expiresAt === undefined) throw new Error(`draft ${item.id} has no expiry`);
  // Not indexed while a draft: a draft is nobody's work yet (issuing indexes it). Listed among the drafts by when it expires.
  const res = await commitDecision(rt, op, { item, assignments }, now, decision, {
    header: { expected: 0, doc: item, open: assignments.length },
    assignments: assignments.map((a) => ({ unit: a.unit, expected: 0, doc: a })),
    index: [
      ['Z', rt.store.k.items, String(now), item.id],
      ['Z', rt.store.k.itemsInStatus('draft'), String(item.expiresAt), item.id],
    ],
    completed: 0,
  });
  if (res) return res;
  throw new Error(`item ${item.id} already exists`);
}

/** Commits a decision with the records it changes; undefined when what it read has changed (decide again). */
async function commitDecision(
  rt: Runtime,
  op: Op,
  view: NonNullable<Outcome['view']>,
  now: number,
  decision: Decision,
  records: Pick<CommitPlan<StoredOutcome>, 'header' | 'seenStatus' | 'assignments' | 'index' | 'completed' | 'numberYear'>,
): Promise<Outcome | undefined> {
  const itemId = view.item.id;
  const stored: StoredOutcome = { itemId, toast: decision.toast };
  // An item with a 批办领导 whose last unit this step may complete goes to the leader's review instead (see COMMIT_OP).
  let review: CommitPlan<StoredOutcome>['review'];
  if (records.completed > 0 && view.item.instructedBy && view.item.status === 'open') {
    const dueAt = reviewDueAt(rt, now);
    review = {
      dueAt,
      entry: toEntry(op, itemId, now, { action: 'await_review', from: 'open', to: 'review', detail: { leader: view.item.instructedBy, due: dueAt } }),
      deliveries: reviewStartDeliveries(rt, view.item, dueAt),
    };
  }

  faultPoint(rt, 'before-commit');
  const res = await rt.store.commit({
    ...records,
    opId: op.id,
    itemId,
    audits: decision.audits.map((a) => toEntry(op, itemId, now, a)),
    completion: toEntry(op, itemId, now, { action: 'complete_item', from: 'open', to: 'completed' }),
    ...(review ? { review } : {}),
    deliveries: decision.deliveries,
    outcome: stored,
    now,
    wallNow: Date.now(),
  });
  if (res.kind === 'ok') {
    if (res.completedItem) view.item = { ...view.item, status: 'completed', completedAt: now };
    if (res.reviewItem && review) view.item = { ...view.item, status: 'review', reviewFrom: now, reviewDueAt: review.dueAt };
    if (res.seq !== undefined && records.numberYear !== undefined) view.item = { ...view.item, year: records.numberYear, seq: res.seq };
    return committed(rt, op, stored, res.reviewItem && review ? [...decision.deliveries, ...review.deliveries] : decision.deliveries, view);
  }
  if (res.kind === 'dup') return replayed(rt, op, res.outcome);
  return undefined;
}

async function committed(
  rt: Runtime,
  op: Op,
  stored: StoredOutcome,
  deliveries: Delivery[],
  view: NonNullable<Outcome['view']>,
): Promise<Outcome> {
  faultPoint(rt, 'after-commit');
  // Done is done: if queuing fails now (Redis gone a moment), the change stands and the outbox sweep queues it.
  await relayOutbox(rt, op.id, deliveries).catch((err: unknown) =>
    rt.log.warn({ err, op: op.id }, '操作已提交，消息暂未入队，将由发件箱补发'),
  );
  return { ...stored, view };
}

/** An operation applied before: nothing changes, but what it decided to send is queued if a crash left it behind. */
async function replayed(rt: Runtime, op: Op, stored: StoredOutcome): Promise<Outcome> {
  await relayPending(rt, op.id);
  return { ...stored, replayed: true };
}

function toEntry(op: Op, itemId: string, now: number, a: AuditDraft): AuditEntry {
  return {
    at: now,
    actor: op.actor.person,
    platform: op.actor.platform,
    platformId: op.actor.platformId,
    action: a.action,
    item: itemId,
    unit: a.unit,
    from: a.from,
    to: a.to,
    detail: a.detail ? JSON.stringify(a.detail) : undefined,
  };
}
