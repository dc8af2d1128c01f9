// Pure date helpers: calendar dates as YYYY-MM-DD strings, local times in a time zone, and Chinese display of both.
const DAY_MS = 86_400_000;

// ---- calendar dates as 'YYYY-MM-DD' strings ----

export function splitDate(date: string): [number, number, number] | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

export function existingDay(y: number, m: number, d: number): boolean {
  return y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

export function toDate(y: number, m: number, d: number): string {
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

function mustSplit(date: string): [number, number, number] {
  const p = splitDate(date);
  if (!p || !existingDay(...p)) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  return p;
}

/** True for a 'YYYY-MM-DD' string naming a day that exists (no 2026-02-30). */
export function isValidDate(date: string): boolean {
  const p = splitDate(date);
  return p !== undefined && existingDay(...p);
}

export function addDays(date: string, n: number): string {
  const [y, m, d] = mustSplit(date);
  const t = new Date(Date.UTC(y, m - 1, d) + n * DAY_MS);
  return toDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: string): number {
  const [y, m, d] = mustSplit(date);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

// ---- time zones ----

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

interface WallClock {
  y: number;
  m: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

/** Recent answers of wallClock: Intl's formatToParts is slow, and cards show the same few instants again and again. */
const wallClocks = new Map<string, WallClock>();
const WALL_CLOCKS_KEPT = 5000;

function wallClock(ms: number, tz: string): WallClock {
  const key = `${tz} ${Math.floor(ms / 1000)}`;
  const known = wallClocks.get(key);
  if (known) return known;
  const out: Record<string, number> = {};
  for (const p of formatterFor(tz).formatToParts(ms)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  const w = Object.freeze({ y: out.year ?? 0, m: out.month ?? 0, d: out.day ?? 0, h: out.hour ?? 0, mi: out.minute ?? 0, s: out.second ?? 0 });
  if (wallClocks.size >= WALL_CLOCKS_KEPT) wallClocks.clear();
  wallClocks.set(key, w);
  return w;
}

/** Local time minus UTC, in ms, at the instant `ms`. */
function offsetAt(ms: number, tz: string): number {
  const w = wallClock(ms, tz);
  const wholeSecond = ms - (((ms % 1000) + 1000) % 1000);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - wholeSecond;
}

/**
 * The wall-clock time in tz at the instant `ms`, as if it were UTC: what a spreadsheet's date cell (which has no time
 * zone) must hold for the office to read its own local time.
 */
export function wallClockAsUtc(ms: number, tz: string): number {
  return ms + offsetAt(ms, tz);
}

/**
 * The instant a wall-clock time happens in tz. When clocks go back and the time happens twice,
 * the earlier; when clocks jump forward over it, the same distance after the jump (so a day whose
 * midnight is skipped starts at the jump).
 */
export function zonedToEpoch(date: string, h: number, mi: number, tz: string): number {
  const [y, m, d] = mustSplit(date);
  const asUtc = Date.UTC(y, m - 1, d, h, mi);
  // Any offset in force near that time is in force a day before, at it, or a day after.
  const offsets = new Set([offsetAt(asUtc - DAY_MS, tz), offsetAt(asUtc, tz), offsetAt(asUtc + DAY_MS, tz)]);
  const candidates = [...offsets].map((o) => asUtc - o);
  const exact = candidates.filter((t) => offsetAt(t, tz) === asUtc - t);
  return exact.length > 0 ? Math.min(...exact) : Math.max(...candidates);
}

export function isValidTimeZone(tz: string): boolean {
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

/** The local date ('YYYY-MM-DD') in tz at the instant `ms`. */
export function dateInTz(ms: number, tz: string): string {
  const w = wallClock(ms, tz);
  return toDate(w.y, w.m, w.d);
}

/** Epoch ms of the first instant of that local date in tz. */
export function startOfDay(date: string, tz: string): number {
  return zonedToEpoch(date, 0, 0, tz);
}

/** Epoch ms of the last millisecond (23:59:59.999) of that local date in tz. */
export function endOfDay(date: string, tz: string): number {
  return startOfDay(addDays(date, 1), tz) - 1;
}

// ---- Chinese display ----

/** '2026-10-09' → '2026年10月9日'. */
export function formatDate(date: string): string {
  const [y, m, d] = mustSplit(date);
  return `${y}年${m}月${d}日`;
}

/** → '2026年10月9日 14:30' (24-hour clock, local time in tz). */
export function formatDateTime(ms: number, tz: string): string {
  const w = wallClock(ms, tz);
  return `${formatDate(toDate(w.y, w.m, w.d))} ${pad(w.h)}:${pad(w.mi)}`;
}
