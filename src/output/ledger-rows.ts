// The ledger as rows, one per assignment (an item's unit), with every column of the exported spreadsheet (/台账 导出)
// worked out from the records: on time from on-time.ts, working days from the calendar. Pure: no store, no file.
import { jointState } from '../domain/joint.ts';
import type { Directory } from '../directory/directory.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import { CATEGORIES } from '../domain/categories.ts';
import { dateInTz, formatDateTime } from '../domain/dates.ts';
import { deadlineAt, deliveredAt, extensionCount, originalDeadline, timeliness, TIMELINESS_LABELS, type Timeliness } from '../domain/on-time.ts';
import { STATE_LABELS } from '../domain/rules.ts';
import { latestReport, noticeNumber, ownerOf, type Assignment, type ItemHeader, type ItemSource } from '../domain/types.ts';

export const SOURCE_LABELS: Record<ItemSource, string> = {
  document: '文件',
  instruction: '批示',
  meeting: '会议',
  assigned: '交办',
  petition: '信访',
};

/** A date with no time (a deadline), or an instant (epoch ms). */
export type When = { date: string } | { at: number };

export interface LedgerRow {
  number: string;
  title: string;
  source: string;
  instructedBy: string;
  category: string;
  unit: string;
  /** The unit's id, for the per-unit sheet. */
  unitId: string;
  lead: string;
  responsible: string;
  owner: string;
  state: string;
  issued?: When;
  originalDue: When;
  due: When;
  extensions: number;
  received?: When;
  latestReport: string;
  signed: string;
  accepted?: When;
  /** Absent for a withdrawn item: it is counted in no rate. */
  timeliness?: Timeliness;
  timelinessLabel: string;
  overdueDays?: number;
  urges: number;
  summons: number;
  visits: number;
  /** How the row is marked: red when overdue, amber when due within the reminder window. */
  mark?: 'overdue' | 'soon';
}

export interface RowContext {
  dir: Directory;
  calendar: WorkCalendar;
  tz: string;
  now: number;
  /** Due within this many working days (and not overdue) is marked amber: the first reminder's distance. */
  soonDays: number;
  /** Working days between two dates, as counted so far (a ledger's rows share few deadlines): filled as rows are made. */
  counted?: Map<string, number | undefined>;
}

/** Working days in (from, to], from the calendar, once per pair; undefined when the calendar cannot count them. */
function countWorkdays(ctx: RowContext, from: string, to: string): number | undefined {
  const key = `${from}|${to}`;
  const memo = (ctx.counted ??= new Map());
  if (memo.has(key)) return memo.get(key);
  let n: number | undefined;
  try {
    n = ctx.calendar.countWorkdays(from, to);
  } catch {
    n = undefined;
  }
  memo.set(key, n);
  return n;
}

/** Working days from a deadline to a later date (0 when not later); undefined when the calendar cannot count them. */
function workdaysAfter(ctx: RowContext, due: string, day: string): number | undefined {
  return day <= due ? 0 : countWorkdays(ctx, due, day);
}

export function ledgerRow(item: ItemHeader, a: Assignment, ctx: RowContext): LedgerRow {
  const { dir, tz, now } = ctx;
  const withdrawn = item.status === 'withdrawn';
  const t = withdrawn ? undefined : timeliness(a, now, tz);
  const today = dateInTz(now, tz);
  let overdueDays: number | undefined;
  if (t === 'overdue') overdueDays = workdaysAfter(ctx, a.due, today);
  else if (t === 'late') {
    const done = deliveredAt(a)!;
    overdueDays = workdaysAfter(ctx, deadlineAt(a, done, tz).due, dateInTz(done, tz));
  }
  const last = latestReport(a);
  const signedReport = [...a.reports].reverse().find((r) => r.signature);
  const acceptedReport = [...a.reports].reverse().find((r) => r.status === 'accepted');
  const reportStatus: Record<string, string> = {
    pending: '待签署',
    signed: '已签署待受理',
    sent_back: '已退回修改',
    superseded: '已被新稿取代',
    accepted: '已受理',
    returned: '已退回',
  };
  let mark: LedgerRow['mark'];
  if (t === 'overdue') mark = 'overdue';
  else if (t === 'open' && a.state !== 'completed') {
    const left = countWorkdays(ctx, today, a.due);
    if (left !== undefined && left <= ctx.soonDays) mark = 'soon';
  }
  const responsible = a.responsibleName ?? dir.personName(a.responsible);
  return {
    number: noticeNumber(item),
    title: item.title,
    source: item.source ? SOURCE_LABELS[item.source] : '',
    instructedBy: item.instructedBy ? dir.personName(item.instructedBy) : '',
    category: item.category ? `重点·${CATEGORIES[item.category].short}` : '一般',
    unit: dir.unitName(a.unit),
    unitId: a.unit,
    lead: item.units.length > 1 ? (a.lead ? '牵头' : '配合') : '',
    responsible,
    owner: dir.personName(ownerOf(item)),
    state: withdrawn ? '已撤回' : (jointState(item, a) ?? STATE_LABELS[a.state]),
    issued: item.issuedAt === undefined ? undefined : { at: item.issuedAt },
    originalDue: { date: originalDeadline(a, tz).due },
    due: { date: a.due },
    extensions: extensionCount(a),
    received: a.receivedAt === undefined ? undefined : { at: a.receivedAt },
    latestReport: last ? `第${last.version}稿${last.final ? '（办结）' : '（进展）'}${reportStatus[last.status] ?? ''} ${formatDateTime(last.at, tz)}` : '',
    signed: signedReport?.signature ? `${dir.personName(signedReport.signature.by)} ${formatDateTime(signedReport.signature.at, tz)}` : '',
    accepted: acceptedReport?.reviewedAt === undefined ? undefined : { at: acceptedReport.reviewedAt },
    timeliness: t,
    timelinessLabel: t ? TIMELINESS_LABELS[t] : '不计（已撤回）',
    overdueDays,
    urges: a.urges.length,
    summons: a.summons.filter((s) => s.replacedBy === undefined).length,
    visits: a.visits.filter((v) => v.replacedBy === undefined).length,
    mark,
  };
}
