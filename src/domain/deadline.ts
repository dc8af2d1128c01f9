// What office staff type as dates, times and deadlines ('2026-10-09', '10月9日 下午3点', '5工作日'), read into dates.
import type { WorkCalendar } from './calendar.ts';
import { addDays, dateInTz, endOfDay, existingDay, formatDate, isValidDate, splitDate, toDate, zonedToEpoch } from './dates.ts';

const MAX_COUNT = 365;
/** An absolute deadline further ahead than this many years is almost surely a typo in the year. */
const MAX_YEARS_AHEAD = 5;

// ---- parsing what people type ----

/** Full-width digits, letters and punctuation to ASCII; runs of spaces to one. */
function normalize(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ');
}

type DateParse =
  | { ok: true; date: string; yearGiven: boolean }
  | { ok: false; reason: 'format' | 'nonexistent' | 'no-reference' };

const RELATIVE_DAYS: Record<string, number> = { 今天: 0, 今日: 0, 明天: 1, 明日: 1, 后天: 2 };

function parseDateDetailed(text: string, refDate?: string): DateParse {
  const s = normalize(text);
  const check = (y: number, m: number, d: number, yearGiven: boolean): DateParse =>
    existingDay(y, m, d) ? { ok: true, date: toDate(y, m, d), yearGiven } : { ok: false, reason: 'nonexistent' };

  let m = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(s) ?? /^(\d{4}) ?年 ?()(\d{1,2}) ?月 ?(\d{1,2}) ?[日号]?$/.exec(s);
  if (m) return check(Number(m[1]), Number(m[3]), Number(m[4]), true);

  // Without a year ('10月9日', '10-09', '10/9'); '.' is left out so a stray '2.5' is not read as a date.
  m = /^(\d{1,2})([-/])(\d{1,2})$/.exec(s) ?? /^(\d{1,2}) ?()月 ?(\d{1,2}) ?[日号]?$/.exec(s);
  if (m) {
    const ref = refDate === undefined ? undefined : splitDate(refDate);
    if (!ref) return { ok: false, reason: 'no-reference' };
    return check(ref[0], Number(m[1]), Number(m[3]), false);
  }

  const rel = RELATIVE_DAYS[s];
  if (rel !== undefined) {
    if (refDate === undefined || !isValidDate(refDate)) return { ok: false, reason: 'no-reference' };
    return { ok: true, date: addDays(refDate, rel), yearGiven: false };
  }
  return { ok: false, reason: 'format' };
}

/**
 * A date as typed ('2026-10-09', '2026-10-9', '2026/10/9', '2026.10.9', '2026年10月9日', and with
 * `refDate` also '10月9日', '10-09', '10/9', '今天', '明天', '后天' in refDate's year) → 'YYYY-MM-DD';
 * undefined when it is not a date or the day does not exist.
 */
export function parseDate(text: string, refDate?: string): string | undefined {
  const r = parseDateDetailed(text, refDate);
  return r.ok ? r.date : undefined;
}

/**
 * A date and time as typed ('2026-10-09 14:30', '2026-10-09T14:30', '10月9日14:30', '10月9日 下午3点半',
 * '2026年10月9日15时') → epoch ms of that local time in tz; undefined if either part is missing or wrong.
 */
export function parseDateTime(text: string, refDate: string, tz: string): number | undefined {
  const s = normalize(text);
  const m = /^(.*?)[ T]*(上午|早上|凌晨|中午|下午|晚上)? ?(\d{1,2})(?::(\d{2})|[点时](?:(\d{1,2})分?|(半))?)$/.exec(s);
  if (!m || m[1] === undefined || m[3] === undefined) return undefined;
  const date = parseDate(m[1], refDate);
  if (!date) return undefined;
  let h = Number(m[3]);
  const mi = m[6] ? 30 : Number(m[4] ?? m[5] ?? 0);
  const part = m[2];
  if ((part === '下午' || part === '晚上') && h < 12) h += 12;
  else if (part === '中午' && h >= 1 && h <= 3) h += 12;
  else if (part === '凌晨' && h === 12) h = 0;
  if (h > 23 || mi > 59) return undefined;
  return zonedToEpoch(date, h, mi, tz);
}

export type DueResult = { ok: true; date: string; dueAt: number; note?: string } | { ok: false; error: string };

const DUE_FORMS = '可写：具体日期（如 2026-10-09、10月9日）、N工作日（如 5工作日）、N天（如 10天 或 10d），N 为 1 到 365 的整数';

/** '五' → 5, '十二' → 12, '两百' → 200; undefined if not a Chinese numeral. */
function chineseNumber(s: string): number | undefined {
  const digits: Record<string, number> = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
  let total = 0;
  let current: number | undefined;
  for (const ch of s) {
    const digit = digits[ch];
    if (digit !== undefined) current = digit;
    else if (ch === '十' || ch === '百') {
      total += (current ?? 1) * (ch === '十' ? 10 : 100);
      current = undefined;
    } else return undefined;
  }
  return total + (current ?? 0);
}

/**
 * A deadline as the office types it: a date (today or later), `N工作日` / `N个工作日` / `Nwd`
 * (working days after today), `Nd` / `N天` (calendar days after today). The deadline is the end
 * of that day in tz.
 */
export function parseDue(input: string, now: number, tz: string, cal: WorkCalendar): DueResult {
  const s = normalize(input).replace(/ /g, '');
  if (s === '') return { ok: false, error: `缺少期限。${DUE_FORMS}` };
  const today = dateInTz(now, tz);
  const done = (date: string, notes: string[]): DueResult => {
    const note = notes.join('；');
    return { ok: true, date, dueAt: endOfDay(date, tz), ...(note ? { note } : {}) };
  };
  const restDayNote = (date: string): string[] => {
    const year = Number(date.slice(0, 4));
    // A year the calendar does not know: say so, as a count into it does.
    if (!cal.knowsYear(year)) return [`${year}年节假日安排尚未载入，按周末计算`];
    if (cal.isWorkday(date)) return [];
    const holiday = cal.holidayName(date);
    return [`${formatDate(date)}是休息日${holiday && holiday !== '节假日' ? `（${holiday}）` : ''}`];
  };

  const count = /^([+-]?[\d.,]+|[零一二两三四五六七八九十百]+)个?(工作日|wd|天|d|自然日|日历日)(?:以?内)?$/i.exec(s);
  if (count && count[1] !== undefined && count[2] !== undefined) {
    const numText = count[1];
    const n = /^\d+$/.test(numText) ? Number(numText) : chineseNumber(numText);
    if (n === undefined || !Number.isInteger(n)) {
      return { ok: false, error: `期限“${input.trim()}”中的天数应为正整数。${DUE_FORMS}` };
    }
    if (n < 1 || n > MAX_COUNT) {
      return { ok: false, error: `期限“${input.trim()}”中的天数应在 1 到 ${MAX_COUNT} 之间（收到 ${n}）` };
    }
    const unit = count[2].toLowerCase();
    if (unit === '工作日' || unit === 'wd') {
      const r = cal.addWorkdays(today, n);
      const notes = r.unknownYears.length > 0 ? [`${r.unknownYears.join('、')}年节假日安排尚未载入，按周末计算`] : [];
      return done(r.date, notes);
    }
    const date = addDays(today, n);
    return done(date, restDayNote(date));
  }

  const parsed = parseDateDetailed(s, today);
  if (parsed.ok) {
    const { date } = parsed;
    if (date < today) {
      const hint = parsed.yearGiven ? '' : `；如指明年，请写上年份，如 ${Number(date.slice(0, 4)) + 1}${date.slice(4)}`;
      return { ok: false, error: `期限不能早于今天（今天是${formatDate(today)}，填写的是${formatDate(date)}）${hint}` };
    }
    if (Number(date.slice(0, 4)) > Number(today.slice(0, 4)) + MAX_YEARS_AHEAD) {
      return { ok: false, error: `期限${formatDate(date)}太远，请检查年份` };
    }
    return done(date, restDayNote(date));
  }
  if (parsed.reason === 'nonexistent') return { ok: false, error: `日期不存在：“${input.trim()}”` };
  if (/^\d+$/.test(s)) return { ok: false, error: `期限“${input.trim()}”缺少单位：写 ${s}工作日 或 ${s}天` };
  return { ok: false, error: `看不懂期限“${input.trim()}”。${DUE_FORMS}` };
}
