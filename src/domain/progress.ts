// Progress reports of long items (进度/every=): how often a unit reports its progress, the periods that follow from
// it (calendar weeks, months, quarters, half-years, or every N working days, counted from issue), the day each
// period is reminded of (its last working day), and which periods a unit answered with a signed report. Pure: no
// Redis, no clock of its own.
import type { WorkCalendar } from './calendar.ts';
import { addDays, dateInTz, dayOfWeek, endOfDay, formatDate, startOfDay, zonedToEpoch } from './dates.ts';
import { Refusal } from './refusal.ts';

/** How often progress is reported: 周, 月, 季, 半年, or `N工作日` (1 ≤ N ≤ MAX_WORKDAYS). */
export type ProgressEvery = '周' | '月' | '季' | '半年' | `${number}工作日`;

export const MAX_WORKDAYS = 250;

export const PROGRESS_CHOICES = '周、月、季、半年，或 N工作日（如 10工作日）';

const SPELLINGS: Record<string, ProgressEvery> = {
  周: '周',
  每周: '周',
  week: '周',
  weekly: '周',
  月: '月',
  每月: '月',
  month: '月',
  monthly: '月',
  季: '季',
  季度: '季',
  每季: '季',
  每季度: '季',
  quarter: '季',
  quarterly: '季',
  半年: '半年',
  每半年: '半年',
  half: '半年',
  'half-year': '半年',
  halfyear: '半年',
};

/** `月`, `每月`, `monthly` → `月`; `10工作日`, `10个工作日`, `10wd` → `10工作日`; anything else → undefined. */
export function parseProgressEvery(s: string): ProgressEvery | undefined {
  const t = s.trim().toLowerCase();
  const named = SPELLINGS[t];
  if (named) return named;
  const m = /^每?\s*(\d{1,3})\s*(?:个)?\s*(?:工作日|wd|workdays?)$/u.exec(t);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= 1 && n <= MAX_WORKDAYS ? `${n}工作日` : undefined;
}

/** 每周, 每月, 每季度, 每半年, 每 10 个工作日. */
export function everyText(every: ProgressEvery): string {
  switch (every) {
    case '周':
      return '每周';
    case '月':
      return '每月';
    case '季':
      return '每季度';
    case '半年':
      return '每半年';
    default:
      return `每 ${workdaysOf(every)} 个工作日`;
  }
}

function workdaysOf(every: ProgressEvery): number {
  return Number(every.slice(0, -'工作日'.length));
}

/** What of a unit's record the periods read (kept structural: types.ts names ProgressEvery, this file none of its types). */
export interface UnitRecord {
  due: string;
  state: string;
  completedAt?: number;
  reports: readonly { signature?: { at: number } }[];
}

/** What of an item's header the periods read. */
export interface ProgressItem {
  progress?: ProgressEvery;
  issuedAt?: number;
}

export interface ProgressPeriod {
  /** 1 for the first period counted after issue. */
  n: number;
  /** Its first and last day (YYYY-MM-DD): a report signed on any of them answers it. */
  start: string;
  end: string;
  /** The day its reminder goes (its last working day), and the instant of that day's reminder slot. */
  remindOn: string;
  remindAt: number;
  /** How people name it: 10月, 第四季度, 10月12日至10月16日. */
  label: string;
}

export interface PeriodContext {
  tz: string;
  /** The reminder slot, minutes after local midnight (DUCHA_REMIND_AT). */
  remindAt: number;
  calendar: WorkCalendar;
}

/** Periods generated at most: every working day for eight years. */
const MAX_PERIODS = 2000;

const QUARTERS = ['一', '二', '三', '四'];

/** The calendar period (week from Monday, month, quarter, half-year) holding `date`. */
function calendarPeriod(every: '周' | '月' | '季' | '半年', date: string): { start: string; end: string; label: string } {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const first = (mm: number) => `${y}-${String(mm).padStart(2, '0')}-01`;
  const lastOf = (mm: number) => (mm === 12 ? `${y}-12-31` : addDays(first(mm + 1), -1));
  switch (every) {
    case '周': {
      const start = addDays(date, -((dayOfWeek(date) + 6) % 7));
      const end = addDays(start, 6);
      return { start, end, label: `${shortDay(start)}至${shortDay(end)}当周` };
    }
    case '月':
      return { start: first(m), end: lastOf(m), label: `${y}年${m}月` };
    case '季': {
      const q = Math.floor((m - 1) / 3);
      return { start: first(q * 3 + 1), end: lastOf(q * 3 + 3), label: `${y}年第${QUARTERS[q]}季度` };
    }
    case '半年':
      return m <= 6 ? { start: first(1), end: lastOf(6), label: `${y}年上半年` } : { start: first(7), end: lastOf(12), label: `${y}年下半年` };
  }
}

/** 10月12日. */
function shortDay(date: string): string {
  return `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;
}

/** Calendar days from `a` to `b`. */
function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

function lastWorkday(start: string, end: string, cal: WorkCalendar): string | undefined {
  for (let d = end; d >= start; d = addDays(d, -1)) if (cal.isWorkday(d)) return d;
  return undefined;
}

/**
 * The progress periods of an item issued at `issuedAt`, in order. Calendar periods are counted from the one holding
 * the day of issue, when the item was issued in its first half (else its first report is the next period's); a
 * period reminded on the day of issue or before, or that has no working day, is not counted either: its days join
 * the next period.
 * Every N working days: the k-th period ends on the (k·N)-th working day after the day of issue.
 */
export function* progressPeriods(every: ProgressEvery, issuedAt: number, ctx: PeriodContext): Generator<ProgressPeriod> {
  const issueDay = dateInTz(issuedAt, ctx.tz);
  const slotOf = (d: string) => zonedToEpoch(d, Math.floor(ctx.remindAt / 60), ctx.remindAt % 60, ctx.tz);
  let n = 0;
  let carried: string | undefined = issueDay;
  if (every === '周' || every === '月' || every === '季' || every === '半年') {
    let day = issueDay;
    for (let i = 0; i < MAX_PERIODS; i++) {
      const p = calendarPeriod(every, day);
      day = addDays(p.end, 1);
      const remindOn = lastWorkday(p.start, p.end, ctx.calendar);
      if (remindOn === undefined || remindOn <= issueDay || slotOf(remindOn) <= issuedAt) continue;
      // Issued in the second half of its period: the first report is the next period's.
      if (i === 0 && daysBetween(p.start, issueDay) * 2 >= daysBetween(p.start, p.end) + 1) continue;
      const start = carried ?? p.start;
      carried = undefined;
      yield { n: ++n, start, end: p.end, remindOn, remindAt: slotOf(remindOn), label: p.label };
    }
    return;
  }
  const step = workdaysOf(every);
  let end = issueDay;
  for (let i = 0; i < MAX_PERIODS; i++) {
    const start: string = carried ?? addDays(end, 1);
    carried = undefined;
    end = ctx.calendar.addWorkdays(end, step).date;
    yield { n: ++n, start, end, remindOn: end, remindAt: slotOf(end), label: `${shortDay(start)}至${shortDay(end)}` };
  }
}

/** Whether a report was signed within the period (up to `until`, ms, when given). */
export function answered(a: Pick<UnitRecord, 'reports'>, p: ProgressPeriod, tz: string, until?: number): boolean {
  const from = startOfDay(p.start, tz);
  const to = Math.min(endOfDay(p.end, tz), until ?? Infinity);
  return a.reports.some((r) => r.signature !== undefined && r.signature.at >= from && r.signature.at <= to);
}

/**
 * Whether a period is the unit's to report: reminded before the unit's deadline day (from the deadline on, the
 * deadline's own reminders take over), and the unit not completed by the period's end.
 */
export function countsFor(a: Omit<UnitRecord, 'reports'>, p: ProgressPeriod, tz: string): boolean {
  if (p.remindOn >= a.due) return false;
  const doneAt = a.state === 'completed' ? (a.completedAt ?? 0) : undefined;
  return doneAt === undefined || doneAt > endOfDay(p.end, tz);
}

export interface UnitProgress {
  /** Periods of the unit that ended by `now` with no report signed in them (进展报送逾期), oldest first. */
  missed: ProgressPeriod[];
  /** The last period of the unit that ended by `now`, if any. */
  lastEnded?: ProgressPeriod;
}

/** The item's periods that ended by `now` (the same for each of its units); undefined without progress periods. */
export function endedPeriods(item: ProgressItem, now: number, ctx: PeriodContext): ProgressPeriod[] | undefined {
  if (!item.progress || item.issuedAt === undefined) return undefined;
  const out: ProgressPeriod[] = [];
  for (const p of progressPeriods(item.progress, item.issuedAt, ctx)) {
    if (endOfDay(p.end, ctx.tz) >= now) break;
    out.push(p);
  }
  return out;
}

/**
 * What a unit owes of its item's progress reports, as of `now`. Undefined: the item has no progress periods.
 * `ended`: the item's endedPeriods, when already worked out for another of its units.
 */
export function unitProgress(
  item: ProgressItem,
  a: UnitRecord,
  now: number,
  ctx: PeriodContext,
  ended?: readonly ProgressPeriod[],
): UnitProgress | undefined {
  const periods = ended ?? endedPeriods(item, now, ctx);
  if (!periods) return undefined;
  const out: UnitProgress = { missed: [] };
  for (const p of periods) {
    if (p.remindOn >= a.due) break;
    if (!countsFor(a, p, ctx.tz)) continue;
    out.lastEnded = p;
    if (!answered(a, p, ctx.tz)) out.missed.push(p);
  }
  return out;
}

/** The period reminded on `date`, if any. */
export function periodRemindedOn(item: ProgressItem, date: string, ctx: PeriodContext): { period?: ProgressPeriod; previous?: ProgressPeriod; next?: ProgressPeriod } {
  if (!item.progress || item.issuedAt === undefined) return {};
  let previous: ProgressPeriod | undefined;
  let period: ProgressPeriod | undefined;
  for (const p of progressPeriods(item.progress, item.issuedAt, ctx)) {
    if (p.remindOn > date) return { ...(period ? { period } : {}), ...(previous ? { previous } : {}), next: p };
    if (p.remindOn === date) period = p;
    else previous = p;
  }
  return { ...(period ? { period } : {}), ...(previous ? { previous } : {}) };
}

/** The first period reminded before `due`, for a draft issued at `at`: none means 进度= would never remind. */
export function firstPeriodBefore(every: ProgressEvery, at: number, due: string, ctx: PeriodContext): ProgressPeriod | undefined {
  const first = progressPeriods(every, at, ctx).next();
  return !first.done && first.value.remindOn < due ? first.value : undefined;
}

/**
 * The 进度= of a /新建 (already checked for its form by the command table), checked against the deadline: an item whose
 * deadline comes before the first period's reminder would never be reminded, which is refused with what to do.
 */
export function checkProgressEvery(value: string | undefined, now: number, due: string, ctx: PeriodContext): ProgressEvery | undefined {
  if (value === undefined) return undefined;
  const every = parseProgressEvery(value);
  if (!every) throw new Refusal('bad_syntax', `进度「${value}」不对，可选：${PROGRESS_CHOICES}`);
  const first = firstPeriodBefore(every, now, due, ctx);
  if (!first) {
    throw new Refusal(
      'bad_syntax',
      `办结时限 ${formatDate(due)} 在第一期进展报送（${everyText(every)}）之前，无需 进度=：去掉 进度=，或改用更短的周期（如 进度=周 或 进度=5工作日）`,
    );
  }
  return every;
}
