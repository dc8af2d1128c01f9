// Working hours (DUCHA_WORK_HOURS) on working days: the receipt chase counts its delay in them, not in clock hours.
import type { WorkCalendar } from './calendar.ts';
import { addDays, dateInTz, zonedToEpoch } from './dates.ts';

/** Minutes after local midnight: 09:00-18:00 is { start: 540, end: 1080 }. */
export interface WorkHours {
  start: number;
  end: number;
}

/** 'HH:MM' (or 'H:MM') → minutes after midnight; undefined when it is not a time of day. */
export function parseTimeOfDay(text: string): number | undefined {
  const m = /^(\d{1,2})[:：](\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  return h < 24 && mi < 60 ? h * 60 + mi : undefined;
}

/** 'HH:MM-HH:MM' → working hours; undefined when malformed or the end is not after the start. */
export function parseWorkHours(text: string): WorkHours | undefined {
  const parts = text.trim().split(/\s*[-－—~～至]\s*/);
  if (parts.length !== 2) return undefined;
  const start = parseTimeOfDay(parts[0]!);
  const end = parseTimeOfDay(parts[1]!);
  return start !== undefined && end !== undefined && start < end ? { start, end } : undefined;
}

export interface WorkHoursOptions {
  calendar: WorkCalendar;
  tz: string;
  workHours: WorkHours;
}

/**
 * The instant `hours` working hours after `startMs`: only time inside the working hours of working days counts; a
 * start outside them begins at the next working period.
 */
export function addWorkHours(startMs: number, hours: number, { calendar, tz, workHours }: WorkHoursOptions): number {
  let left = Math.round(hours * 3_600_000);
  let date = dateInTz(startMs, tz);
  let from = startMs;
  for (let i = 0; i < 3660; i++) {
    if (calendar.isWorkday(date)) {
      const open = zonedToEpoch(date, Math.floor(workHours.start / 60), workHours.start % 60, tz);
      const close = zonedToEpoch(date, Math.floor(workHours.end / 60), workHours.end % 60, tz);
      const begin = Math.max(from, open);
      if (begin < close) {
        if (begin + left <= close) return begin + left;
        left -= close - begin;
      } else if (left === 0) return from;
    }
    date = addDays(date, 1);
    from = -Infinity;
  }
  throw new RangeError('addWorkHours: no working time in ten years');
}

/**
 * How many working hours lie between two instants (the inverse of addWorkHours): only time inside the working hours of
 * working days counts. 0 when `toMs` is not after `fromMs`.
 */
export function workHoursBetween(fromMs: number, toMs: number, { calendar, tz, workHours }: WorkHoursOptions): number {
  if (!(toMs > fromMs)) return 0;
  let total = 0;
  const last = dateInTz(toMs, tz);
  for (let date = dateInTz(fromMs, tz); date <= last; date = addDays(date, 1)) {
    if (!calendar.isWorkday(date)) continue;
    const [open, close] = dayBounds(date, tz, workHours);
    const begin = Math.max(fromMs, open);
    const end = Math.min(toMs, close);
    if (end > begin) total += end - begin;
  }
  return total / 3_600_000;
}

/** A day's opening and closing instants, kept (statistics ask the same few days thousands of times). */
const bounds = new Map<string, [number, number]>();
function dayBounds(date: string, tz: string, wh: WorkHours): [number, number] {
  const key = `${tz}|${wh.start}|${wh.end}|${date}`;
  let b = bounds.get(key);
  if (!b) {
    if (bounds.size >= 20_000) bounds.clear();
    b = [zonedToEpoch(date, Math.floor(wh.start / 60), wh.start % 60, tz), zonedToEpoch(date, Math.floor(wh.end / 60), wh.end % 60, tz)];
    bounds.set(key, b);
  }
  return b;
}
