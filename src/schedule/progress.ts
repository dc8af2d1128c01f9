// Progress reports of long items at the reminder slot: the items of the progress schedule that fall due are read;
// where the slot's day is the last working day of a period, each open unit with no report signed in that period
// is reminded (【进度报送提醒】, one card per person per slot), with its responsible leader told when the period
// before went unanswered; then each item moves to its next period's slot. Idempotent: each card is named by the slot
// and its person, and an item moves only from where this run saw it, so a slot run again, a second worker or a
// moved clock sends nothing twice. Also what the digest counts as 进展报送逾期.
import { progressCard, type ProgressAsk, type ProgressLine } from '../chat/progress-card.ts';
import { deliveryJobId, type Delivery } from '../delivery/delivery.ts';
import { answered, countsFor, endedPeriods, periodRemindedOn, unitProgress, type PeriodContext, type ProgressPeriod } from '../domain/progress.ts';
import { latestReport, type Assignment, type ItemHeader } from '../domain/types.ts';
import type { Runtime } from '../infra/runtime.ts';
import type { Slot } from './slots.ts';

const CHUNK = 500;

export function periodContext(rt: Runtime): PeriodContext {
  return { tz: rt.config.tz, remindAt: rt.config.remindAt, calendar: rt.calendar };
}

/** Who is asked what about one unit in the period ending today; empty when the unit owes nothing now. */
export function progressAsks(
  a: Assignment,
  period: ProgressPeriod,
  previous: ProgressPeriod | undefined,
  contacts: readonly string[],
  now: number,
  tz: string,
): { person: string; ask: ProgressAsk; missed?: ProgressPeriod }[] {
  if (a.state === 'completed' || !countsFor(a, period, tz) || answered(a, period, tz, now)) return [];
  const missed = previous && countsFor(a, previous, tz) && !answered(a, previous, tz) ? previous : undefined;
  const m = missed ? { missed } : {};
  const leader = { person: a.responsible, ask: 'told' as const, ...m };
  switch (a.state) {
    case 'signed':
      // A final report with the office: the unit's part is done unless it is returned.
      if (latestReport(a)?.final) return [];
    // falls through: a progress report with the office is last period's news; this period wants its own.
    case 'received':
    case 'returned':
      // The contacts report; the leader hears of it when the period before went unanswered, or when nobody could report.
      if (contacts.length === 0) return [leader];
      return [...contacts.map((person) => ({ person, ask: 'report' as const, ...m })), ...(missed ? [leader] : [])];
    case 'awaiting_signature':
      return [{ person: a.responsible, ask: 'sign', ...m }];
    default:
      // Not yet received: the receipt chase follows it.
      return [];
  }
}

/** Runs the progress part of a slot; returns how many people were reminded. */
export async function runProgress(rt: Runtime, slot: Slot, late: boolean): Promise<number> {
  const ctx = periodContext(rt);
  const dir = rt.directory();
  const due = await rt.store.progressDueBy(slot.at);
  const lists = new Map<string, ProgressLine[]>();
  const moves: { item: string; seen: number; next?: number }[] = [];
  for (let i = 0; i < due.length; i += CHUNK) {
    const chunk = due.slice(i, i + CHUNK);
    const headers = new Map((await rt.store.getHeaders(chunk.map((d) => d.item))).map((h) => [h.id, h]));
    for (const { item: id, at: seen } of chunk) {
      const h = headers.get(id);
      if (!h || h.status !== 'open' || !h.progress) {
        moves.push({ item: id, seen });
        continue;
      }
      const { period, previous, next } = periodRemindedOn(h, slot.date, ctx);
      moves.push({ item: id, seen, ...(next ? { next: next.remindAt } : {}) });
      if (!period) continue;
      for (const v of await rt.store.getAssignments(id, h.units)) {
        const a = v.doc;
        const contacts = dir.unit(a.unit)?.contacts ?? [];
        for (const ask of progressAsks(a, period, previous, contacts, slot.at, ctx.tz)) {
          let list = lists.get(ask.person);
          if (!list) lists.set(ask.person, (list = []));
          list.push({ item: h, unit: a.unit, ask: ask.ask, period, leader: a.responsible, ...(ask.missed ? { missed: ask.missed } : {}) });
        }
      }
    }
  }
  const year = Number(slot.date.slice(0, 4));
  const people = [...lists.keys()];
  for (let i = 0; i < people.length; i += CHUNK) {
    // One card per person, named by the slot and the person: a slot run again queues nothing twice.
    await rt.queues.deliver.addBulk(
      people.slice(i, i + CHUNK).map((person) => {
        const opId = `progress:${slot.date}:${person}`;
        const card = progressCard(slot.date, late, lists.get(person)!, dir, year);
        const data: Delivery & { opId: string } = { kind: 'send', person, message: { kind: 'card', card }, opId };
        return { name: 'send', data, opts: { jobId: deliveryJobId(opId, 0) } };
      }),
    );
  }
  // Moved once the cards are queued: a crash before this runs the slot again to the same cards.
  await rt.store.moveProgress(moves);
  if (people.length) rt.metrics.scheduledQueued('进度报送提醒', people.length, rt.clock.now() - slot.at);
  return people.length;
}

/** An open unit whose last ended progress period went unanswered (进展报送逾期), for the digest. */
export interface ProgressOverdue {
  item: ItemHeader;
  a: Assignment;
  missed: ProgressPeriod[];
}

/** Every open unit behind on its progress reports as of `now`: its last ended period went unanswered. */
export async function progressOverdue(rt: Runtime, now: number): Promise<ProgressOverdue[]> {
  const ctx = periodContext(rt);
  const ids = await rt.store.progressItems();
  const out: ProgressOverdue[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    for (const h of await rt.store.getHeaders(ids.slice(i, i + CHUNK))) {
      if (h.status !== 'open') continue;
      const ended = endedPeriods(h, now, ctx);
      if (!ended?.length) continue;
      for (const { doc: a } of await rt.store.getAssignments(h.id, h.units)) {
        if (a.state === 'completed') continue;
        const p = unitProgress(h, a, now, ctx, ended);
        if (p?.lastEnded && p.missed.at(-1) === p.lastEnded) out.push({ item: h, a, missed: p.missed });
      }
    }
  }
  return out;
}
