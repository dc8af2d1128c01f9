// When scheduled messages are due: the daily reminder slot on working days, which deadlines a slot reminds of,
// who must act next on an assignment, and how far overdue it is. Pure: no Redis, no clock of its own.
import type { WorkCalendar } from '../domain/calendar.ts';
import { addDays, dateInTz, zonedToEpoch } from '../domain/dates.ts';
import type { Directory } from '../directory/directory.ts';
import type { Assignment } from '../domain/types.ts';

export interface SlotSettings {
  tz: string;
  /** Minutes after local midnight. */
  remindAt: number;
  /** Working days before the deadline to remind on, descending (3,1). */
  remindBefore: readonly number[];
}

export interface Slot {
  /** The working day, YYYY-MM-DD in the service's time zone. */
  date: string;
  /** The slot's instant (epoch ms, domain time). */
  at: number;
}

/** A slot taken this long after its time was missed (the service was down): its messages say （补发）. */
export const LATE_AFTER_MS = 5 * 60_000;

export function slotOn(date: string, s: SlotSettings): Slot {
  return { date, at: zonedToEpoch(date, Math.floor(s.remindAt / 60), s.remindAt % 60, s.tz) };
}

/** The latest slot at or before `now`: today's once its time has come on a working day, else an earlier working day's. */
export function latestSlot(now: number, s: SlotSettings, cal: WorkCalendar): Slot {
  let date = dateInTz(now, s.tz);
  for (let i = 0; i < 400; i++) {
    if (cal.isWorkday(date)) {
      const slot = slotOn(date, s);
      if (slot.at <= now) return slot;
    }
    date = addDays(date, -1);
  }
  throw new Error('no working day in the last 400 days');
}

export type DueWhen = { kind: 'before'; days: number } | { kind: 'today' } | { kind: 'overdue'; days: number };

/**
 * Whether the slot of `today` reminds of a deadline `due`: N working days before it (N one of remindBefore), on the
 * day, or any working day after it (`days` = working days overdue). Undefined: not this slot.
 */
export function reminderDue(today: string, due: string, s: Pick<SlotSettings, 'remindBefore'>, cal: WorkCalendar): DueWhen | undefined {
  if (due === today) return { kind: 'today' };
  if (due < today) return { kind: 'overdue', days: cal.countWorkdays(due, today) };
  const left = cal.countWorkdays(today, due);
  return s.remindBefore.includes(left) ? { kind: 'before', days: left } : undefined;
}

/** The latest deadline a slot on `today` can remind of: the end of its furthest "N working days before" day. */
export function horizonDate(today: string, s: Pick<SlotSettings, 'remindBefore'>, cal: WorkCalendar): string {
  const furthest = Math.max(0, ...s.remindBefore);
  // A deadline on a rest day after the Nth working day is still N working days away: go to the next working day.
  const nth = cal.addWorkdays(today, furthest + 1).date;
  return addDays(nth, -1);
}

/** What an open assignment waits for, and from whom: nothing while the office holds a signed report. */
export type Awaited = 'receive' | 'sign' | 'report';

export function awaitedOf(a: Pick<Assignment, 'state'>): Awaited | undefined {
  switch (a.state) {
    case 'issued':
      return 'receive';
    case 'awaiting_signature':
      return 'sign';
    case 'received':
    case 'returned':
      return 'report';
    default:
      return undefined;
  }
}

export const AWAITED_LABELS: Record<Awaited, string> = {
  receive: '请签收督查单',
  sign: '请签署报告',
  report: '请报送办理情况',
};

/** Who must act next on an assignment: the leader for 签收 and 签署, the unit's contacts for a report. */
export function recipientsOf(awaited: Awaited, leader: string, unit: string, dir: Directory): string[] {
  if (awaited !== 'report') return [leader];
  const contacts = dir.unit(unit)?.contacts ?? [];
  return contacts.length > 0 ? [...contacts] : [leader];
}
