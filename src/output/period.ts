// The periods the office reports on (期间=本周|本月|上月|本季|本年|YYYY-MM|YYYY): their first and last day in DUCHA_TZ,
// read from the domain clock, how they are named in Chinese, and the period after each (what falls due next).
import { addDays, dateInTz, dayOfWeek, endOfDay, startOfDay, toDate } from '../domain/dates.ts';

export type PeriodKind = 'week' | 'month' | 'quarter' | 'year';

export interface Period {
  kind: PeriodKind;
  /** First and last day, YYYY-MM-DD, both included. */
  from: string;
  to: string;
  /** The first and the last instant of those days in tz (epoch ms). */
  fromMs: number;
  toMs: number;
  /** How the bulletin and the card name it: 2026年9月, 2026年第三季度, 2026年, 2026年9月28日至10月4日. */
  label: string;
}

/** What the command accepts, for usage texts and error messages. */
export const PERIOD_CHOICES = '本周、本月、上月、本季、本年、YYYY-MM（如 2026-09）或 YYYY（如 2026）';

const QUARTERS = ['一', '二', '三', '四'];

function make(kind: PeriodKind, from: string, to: string, tz: string): Period {
  const [y, m] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  const label =
    kind === 'year'
      ? `${y}年`
      : kind === 'quarter'
        ? `${y}年第${QUARTERS[Math.floor((m - 1) / 3)]}季度`
        : kind === 'month'
          ? `${y}年${m}月`
          : `${y}年${m}月${Number(from.slice(8))}日至${to.slice(0, 4) === from.slice(0, 4) ? '' : `${Number(to.slice(0, 4))}年`}${Number(to.slice(5, 7))}月${Number(to.slice(8))}日`;
  return { kind, from, to, fromMs: startOfDay(from, tz), toMs: endOfDay(to, tz), label };
}

function monthOf(y: number, m: number, tz: string): Period {
  const first = toDate(y, m, 1);
  const next = m === 12 ? toDate(y + 1, 1, 1) : toDate(y, m + 1, 1);
  return make('month', first, addDays(next, -1), tz);
}

function quarterOf(y: number, q: number, tz: string): Period {
  const first = toDate(y, q * 3 + 1, 1);
  const next = q === 3 ? toDate(y + 1, 1, 1) : toDate(y, q * 3 + 4, 1);
  return make('quarter', first, addDays(next, -1), tz);
}

function weekOf(date: string, tz: string): Period {
  // Monday to Sunday (dayOfWeek: 0 is Sunday).
  const monday = addDays(date, -((dayOfWeek(date) + 6) % 7));
  return make('week', monday, addDays(monday, 6), tz);
}

/**
 * The period a user named (absent: 本月), at `now` in tz; undefined when the text names none. `YYYY-MM` and `YYYY`
 * are calendar months and years; 本周 runs Monday to Sunday.
 */
export function parsePeriod(text: string | undefined, now: number, tz: string): Period | undefined {
  const t = (text ?? '本月').normalize('NFKC').trim().toLowerCase();
  const today = dateInTz(now, tz);
  const y = Number(today.slice(0, 4));
  const m = Number(today.slice(5, 7));
  switch (t) {
    case '本周':
    case 'week':
    case 'this-week':
      return weekOf(today, tz);
    case '本月':
    case 'month':
    case 'this-month':
      return monthOf(y, m, tz);
    case '上月':
    case 'last-month':
      return m === 1 ? monthOf(y - 1, 12, tz) : monthOf(y, m - 1, tz);
    case '本季':
    case '本季度':
    case 'quarter':
    case 'this-quarter':
      return quarterOf(y, Math.floor((m - 1) / 3), tz);
    case '本年':
    case '本年度':
    case 'year':
    case 'this-year':
      return make('year', toDate(y, 1, 1), toDate(y, 12, 31), tz);
  }
  const ym = /^(\d{4})[-/.年](\d{1,2})月?$/.exec(t);
  if (ym) {
    const [yy, mm] = [Number(ym[1]), Number(ym[2])];
    return mm >= 1 && mm <= 12 && yy >= 2000 && yy <= 2100 ? monthOf(yy, mm, tz) : undefined;
  }
  const yo = /^(\d{4})年?$/.exec(t);
  if (yo) {
    const yy = Number(yo[1]);
    return yy >= 2000 && yy <= 2100 ? make('year', toDate(yy, 1, 1), toDate(yy, 12, 31), tz) : undefined;
  }
  return undefined;
}

/** The period after this one, of the same kind (the bulletin's 下一阶段). */
export function nextPeriod(p: Period, tz: string): Period {
  const after = addDays(p.to, 1);
  const y = Number(after.slice(0, 4));
  const m = Number(after.slice(5, 7));
  if (p.kind === 'week') return weekOf(after, tz);
  if (p.kind === 'month') return monthOf(y, m, tz);
  if (p.kind === 'quarter') return quarterOf(y, Math.floor((m - 1) / 3), tz);
  return make('year', toDate(y, 1, 1), toDate(y, 12, 31), tz);
}
