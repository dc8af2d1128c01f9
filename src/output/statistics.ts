// The office's figures for a period (/统计, its chart and spreadsheet, /通报, the ledger export's second sheet): for the
// assignments whose deadline in force falls in the period, per unit and per responsible leader, how many, how they were
// completed (按期 / 延期后按期 / 逾期办结 / 逾期未办结, from the one function in on-time.ts), the on-time rate, the
// median working hours to 签收 and to 签署, and the urges, summons and visits. Read from the store's indexes only, and
// of each record only what the figures need (stat-view.ts, decoded in Redis: no report text is sent or parsed).
import type { Directory } from '../directory/directory.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import { dateInTz } from '../domain/dates.ts';
import { deadlineAt, deliveredAt, extensionCount, isDecided, isOnTime, timeliness, type Timeliness } from '../domain/on-time.ts';
import { statHeader, statView, type StatAssignment, type StatHeader } from '../domain/stat-view.ts';
import { assignmentRef, isIssued, parseAssignmentRef, type ItemHeader } from '../domain/types.ts';
import { workHoursBetween, type WorkHoursOptions } from '../domain/work-hours.ts';
import type { Config } from '../infra/config.ts';
import type { Clock } from '../infra/clock.ts';
import type { Store } from '../store/store.ts';
import type { Period } from './period.ts';

/** What the statistics need of the runtime. */
export interface StatsRuntime {
  store: Store;
  clock: Clock;
  calendar: WorkCalendar;
  config: Pick<Config, 'tz' | 'workHours'>;
}

/** The figures of one group of assignments (a unit, a leader, the whole office). */
export interface Figures {
  /** Assignments due in the period (one unit's part of one item). */
  items: number;
  completed: number;
  on_time: number;
  extended_on_time: number;
  late: number;
  overdue: number;
  /** Not completed and not yet due (在办): in no rate. */
  open: number;
  /** (按期 + 延期后按期) / (completed + 逾期未办结); undefined when nothing is decided yet. */
  rate: number | undefined;
  /** Median working hours from issue to 签收, over the assignments received; undefined when none were. */
  receiptHours: number | undefined;
  /** Median working hours from a report's submission to its 签署, over the reports signed; undefined when none were. */
  signHours: number | undefined;
  urges: number;
  /** Summons arranged (a replaced one not counted), and of them those whose outcome is recorded (heard). */
  summons: number;
  summonsHeard: number;
  /** On-site visits (a replaced record not counted). */
  visits: number;
  /** Deadlines moved by approved extensions. */
  extensions: number;
}

export interface Row extends Figures {
  /** A unit's id or a person's id. */
  id: string;
  name: string;
}

/** One assignment counted, with what the bulletin says about it. */
export interface Entry {
  item: StatHeader;
  a: StatAssignment;
  t: Timeliness;
  /** Working days past the deadline in force: overdue until now, or delivered late by; 0 otherwise. */
  daysLate: number;
}

export interface Statistics {
  period: Period;
  /** When the figures were taken (domain ms): a past period's open assignments are judged at this moment. */
  at: number;
  /** The units the figures are restricted to (a unit's own statistics, or 单位=); absent: the whole office. */
  units?: readonly string[];
  total: Figures;
  /** Distinct items among the assignments counted. */
  itemCount: number;
  /** Per unit, the highest on-time rate first (units with nothing decided last). */
  byUnit: Row[];
  /** Per responsible leader, in the same order. */
  byLeader: Row[];
  entries: Entry[];
}

/** The median of some numbers, undefined for none. */
export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** What one assignment adds to each group it is counted in (worked out once for the three). */
interface Counted {
  summons: number;
  heard: number;
  visits: number;
  extensions: number;
  receipt: number | undefined;
  sign: number[];
}

class Tally {
  readonly f: Omit<Figures, 'rate' | 'receiptHours' | 'signHours'> = {
    items: 0, completed: 0, on_time: 0, extended_on_time: 0, late: 0, overdue: 0, open: 0,
    urges: 0, summons: 0, summonsHeard: 0, visits: 0, extensions: 0,
  };
  readonly receipt: number[] = [];
  readonly sign: number[] = [];
  /** What the rate is taken over, and what it counts (isDecided, isOnTime of on-time.ts). */
  private decided = 0;
  private onTime = 0;

  add(e: Entry, c: Counted): void {
    const f = this.f;
    f.items++;
    f[e.t]++;
    if (isDecided(e.t)) this.decided++;
    if (isOnTime(e.t)) this.onTime++;
    if (e.a.state === 'completed') f.completed++;
    f.urges += e.a.urges;
    f.summons += c.summons;
    f.summonsHeard += c.heard;
    f.visits += c.visits;
    f.extensions += c.extensions;
    if (c.receipt !== undefined) this.receipt.push(c.receipt);
    for (const h of c.sign) this.sign.push(h);
  }

  figures(): Figures {
    return {
      ...this.f,
      rate: this.decided ? this.onTime / this.decided : undefined,
      receiptHours: median(this.receipt),
      signHours: median(this.sign),
    };
  }
}

/** Highest rate first; nothing decided last; then the most items, then the name. */
function byRate(a: Row, b: Row): number {
  const ra = a.rate ?? -1;
  const rb = b.rate ?? -1;
  return rb - ra || b.items - a.items || a.name.localeCompare(b.name, 'zh-CN');
}

/** Working days from a deadline day to a later day (0 when not later); `memo` keeps the answers of one computation. */
function workdaysAfter(cal: WorkCalendar, due: string, day: string, memo: Map<string, number>): number {
  if (day <= due) return 0;
  const key = `${due}|${day}`;
  let n = memo.get(key);
  if (n === undefined) memo.set(key, (n = cal.countWorkdays(due, day)));
  return n;
}

/** How the statistics read the records: the compact views decoded in Redis, or (fullReader) whole records. */
export interface StatReader {
  assignments(refs: readonly string[]): Promise<Map<string, StatAssignment>>;
  headers(ids: readonly string[]): Promise<Map<string, StatHeader>>;
}

/** The reader the service uses: only the fields the figures need, decoded in Redis (store.statAssignments). */
export function compactReader(store: Store): StatReader {
  return { assignments: (refs) => store.statAssignments(refs), headers: (ids) => store.statHeaders(ids) };
}

/** Whole records read and parsed, then viewed as the figures see them: the reference the compact reader is held to. */
export function fullReader(store: Store): StatReader {
  return {
    async assignments(refs) {
      const out = new Map<string, StatAssignment>();
      for (const [ref, a] of await store.getAssignmentsByRef(refs)) out.set(ref, statView(a));
      return out;
    },
    async headers(ids) {
      return new Map((await store.getHeaders(ids)).map((h) => [h.id, statHeader(h)]));
    },
  };
}

/** What the counting needs besides the records. */
export interface TallyContext {
  now: number;
  tz: string;
  calendar: WorkCalendar;
  workHours: Config['workHours'];
  dir: Directory;
}

/** The figures of some assignments, without their period. */
export type Tallied = Pick<Statistics, 'total' | 'itemCount' | 'byUnit' | 'byLeader' | 'entries'>;

/**
 * Counts assignments one at a time, each with its item's header: those of issued, not withdrawn items, each judged by
 * timeliness() at `now`. What /统计 and /通报 count for a period, and the ledger export for its rows as they stream by.
 */
export class StatsCounter {
  private readonly wh: WorkHoursOptions;
  private readonly today: string;
  private readonly memo = new Map<string, number>();
  private readonly total = new Tally();
  private readonly units = new Map<string, Tally>();
  private readonly leaders = new Map<string, { tally: Tally; name: string }>();
  private readonly entries: Entry[] = [];

  constructor(private readonly ctx: TallyContext) {
    this.wh = { calendar: ctx.calendar, tz: ctx.tz, workHours: ctx.workHours };
    this.today = dateInTz(ctx.now, ctx.tz);
  }

  add(item: StatHeader, a: StatAssignment): void {
    const { now, tz, calendar, dir } = this.ctx;
    if (!isIssued(item) || item.status === 'withdrawn') return;
    const t = timeliness(a, now, tz);
    let daysLate = 0;
    if (t === 'overdue') daysLate = workdaysAfter(calendar, a.due, this.today, this.memo);
    else if (t === 'late') {
      const done = deliveredAt(a)!;
      daysLate = workdaysAfter(calendar, deadlineAt(a, done, tz).due, dateInTz(done, tz), this.memo);
    }
    const e: Entry = { item, a, t, daysLate };
    this.entries.push(e);
    const c: Counted = { summons: 0, heard: 0, visits: 0, extensions: extensionCount(a), receipt: undefined, sign: [] };
    for (const x of a.summons) {
      if (x.replaced) continue;
      c.summons++;
      if (x.heard) c.heard++;
    }
    for (const v of a.visits) if (!v.replaced) c.visits++;
    if (a.receivedAt !== undefined && item.issuedAt !== undefined) c.receipt = workHoursBetween(item.issuedAt, a.receivedAt, this.wh);
    for (const r of a.reports) if (r.signature) c.sign.push(workHoursBetween(r.at, r.signature.at, this.wh));
    this.total.add(e, c);
    let u = this.units.get(a.unit);
    if (!u) this.units.set(a.unit, (u = new Tally()));
    u.add(e, c);
    let l = this.leaders.get(a.responsible);
    if (!l) this.leaders.set(a.responsible, (l = { tally: new Tally(), name: dir.person(a.responsible)?.name ?? a.responsibleName ?? dir.personName(a.responsible) }));
    l.tally.add(e, c);
  }

  result(): Tallied {
    const { dir } = this.ctx;
    // Unit ids are compared as they are spelled (an order of its own, and quick: 40,000 entries are sorted).
    const entries = [...this.entries].sort((x, y) => x.a.dueAt - y.a.dueAt || (x.item.seq ?? 0) - (y.item.seq ?? 0) || (x.a.unit < y.a.unit ? -1 : x.a.unit > y.a.unit ? 1 : 0));
    const byUnit = [...this.units].map(([id, t]) => ({ id, name: dir.unitName(id), ...t.figures() })).sort(byRate);
    const byLeader = [...this.leaders].map(([id, { tally, name }]) => ({ id, name, ...tally.figures() })).sort(byRate);
    return { total: this.total.figures(), itemCount: new Set(entries.map((e) => e.item.id)).size, byUnit, byLeader, entries };
  }
}

/** The figures of some assignments, each with its item's header (StatsCounter over them). */
export function tallyStatistics(ctx: TallyContext, records: Iterable<{ item: StatHeader; a: StatAssignment }>): Tallied {
  const c = new StatsCounter(ctx);
  for (const { item, a } of records) c.add(item, a);
  return c.result();
}

/**
 * The statistics of a period at the domain clock's now: every assignment of an issued (not withdrawn) item whose
 * deadline in force falls in the period, from the responsible leaders' deadline index; only `units` when given.
 * `read`: how the records are read (the compact reader unless a test or the benchmark asks for the full one).
 */
export async function computeStatistics(
  rt: StatsRuntime,
  dir: Directory,
  period: Period,
  units?: readonly string[],
  read: StatReader = compactReader(rt.store),
): Promise<Statistics> {
  const now = rt.clock.now();
  // Every leader an assignment may name: the directory's people, and those earlier directories named.
  const people = new Set(dir.allPeople().map((p) => p.id));
  for (const [id] of await rt.store.personNames()) people.add(id);
  const only = units && units.length ? new Set(units) : undefined;
  const named = (await rt.store.dueOfPeople([...people], period.fromMs, period.toMs))
    .map((ref) => ({ ref, ...parseAssignmentRef(ref) }))
    .filter((r) => !only || only.has(r.unit));
  const refs = named.map((r) => r.ref);
  const [found, headers] = await Promise.all([read.assignments(refs), read.headers([...new Set(named.map((r) => r.item))])]);
  const counter = new StatsCounter({ now, tz: rt.config.tz, calendar: rt.calendar, workHours: rt.config.workHours, dir });
  for (const r of named) {
    const a = found.get(r.ref);
    const item = headers.get(r.item);
    if (a && item) counter.add(item, a);
  }
  return { period, at: now, ...(only ? { units: [...only] } : {}), ...counter.result() };
}

/**
 * Items issued in the period (withdrawn ones left out), read from the ledger newest first: numbers are given in the
 * order items are issued, so the reading stops at the first one issued before the period.
 */
export async function issuedIn(store: Store, period: Period, units?: readonly string[]): Promise<ItemHeader[]> {
  const PAGE = 200;
  const out: ItemHeader[] = [];
  const only = units && units.length ? new Set(units) : undefined;
  for (let from = 0; ; from += PAGE) {
    const ids = await store.ledgerPage(from, PAGE);
    if (ids.length === 0) return out;
    const headers = await store.getHeaders(ids);
    for (const h of headers) {
      const at = h.issuedAt ?? h.createdAt;
      if (at < period.fromMs) return out;
      if (at > period.toMs || h.status === 'withdrawn') continue;
      if (only && !h.units.some((u) => only.has(u))) continue;
      out.push(h);
    }
  }
}

/** A rate as the office writes it: 66.7%; — when nothing is decided. */
export function formatRate(rate: number | undefined): string {
  return rate === undefined ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1).replace(/\.0$/, '')}%`;
}

/** Working hours as shown: 2.5小时; — when there is none. */
export function formatHours(h: number | undefined): string {
  return h === undefined ? '—' : `${(Math.round(h * 10) / 10).toFixed(1).replace(/\.0$/, '')}小时`;
}

/** An assignment's ref, for tests and exports. */
export function entryRef(e: Entry): string {
  return assignmentRef(e.item.id, e.a.unit);
}
