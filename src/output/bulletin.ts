// The draft of a period's 督查通报, in the plain Chinese offices write them in: the overall figures (issued, due,
// completed, the on-time rate), 表扬 for the units that completed everything on time, 通报批评 naming each unit's late
// and overdue items with their working days, the summons heard and visits made, and what falls due next. Plain text
// the office edits and sends on; every figure is the statistics' (statistics.ts).
import type { Directory } from '../directory/directory.ts';
import { dateInTz, formatDate } from '../domain/dates.ts';
import { noticeNumber } from '../domain/item-number.ts';
import type { StatHeader } from '../domain/stat-view.ts';
import { isKey, type ItemHeader } from '../domain/types.ts';
import type { Period } from './period.ts';
import { formatRate, type Entry, type Statistics } from './statistics.ts';

/** Items listed under 下一阶段 at most (the rest are counted). */
const NEXT_MAX = 30;
/** A unit's late and overdue items named under 通报批评 at most (the rest counted: a draft to edit, not a ledger). */
const FAULTS_MAX = 10;

export interface BulletinInput {
  stats: Statistics;
  /** Items issued in the period (issuedIn). */
  issued: readonly ItemHeader[];
  /** The statistics of the period after (what falls due next). */
  next: Statistics;
  nextPeriod: Period;
  tz: string;
}

/** 9月20日: a date within the bulletin's year reads without it. */
function shortDate(date: string, year: string): string {
  const full = formatDate(date);
  return date.startsWith(year) ? full.replace(/^\d+年/, '') : full;
}

const CN_NUMBERS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

function itemName(item: StatHeader): string {
  return `${noticeNumber(item)}“${item.title}”`;
}

/** One unit's late and overdue items, as the 通报批评 line names them. */
function faults(entries: readonly Entry[], year: string): string {
  return entries
    .map((e) =>
      e.t === 'overdue'
        ? `${itemName(e.item)}（期限${shortDate(e.a.due, year)}，逾期未办结，已逾期${e.daysLate}个工作日）`
        : `${itemName(e.item)}（逾期${e.daysLate}个工作日办结）`,
    )
    .join('；');
}

export function bulletinText({ stats, issued, next, nextPeriod, tz }: BulletinInput, dir: Directory): string {
  const { period, total } = stats;
  const year = period.from.slice(0, 4);
  const unitName = (id: string) => dir.unitName(id);
  const out: string[] = [];
  const scope = stats.units?.length ? `（${stats.units.map(unitName).join('、')}）` : '';
  out.push(`督查通报${scope}`, `（${period.label}）`, '', `${dir.issuer}　${formatDate(dateInTz(stats.at, tz))}`, '');

  let section = 0;
  const heading = (t: string) => out.push(`${CN_NUMBERS[section++]}、${t}`);

  heading('总体情况');
  const keyCount = issued.filter(isKey).length;
  const decided = total.completed + total.overdue;
  const lines: string[] = [];
  lines.push(`${period.label}，${dir.issuer}共交办督查事项${issued.length}项${keyCount ? `（其中重点事项${keyCount}项）` : ''}。`);
  if (total.items === 0) lines.push('本期没有到期的督查事项。');
  else {
    lines.push(
      `本期到期督查事项${stats.itemCount}项，涉及承办单位${total.items}个单位次，已办结${total.completed}个单位次，其中按期办结${total.on_time}个、延期后按期办结${total.extended_on_time}个、逾期办结${total.late}个；逾期未办结${total.overdue}个${total.open ? `，尚在期限内办理${total.open}个` : ''}。`,
    );
    lines.push(decided ? `按期办结率为${formatRate(total.rate)}（按期和延期后按期办结的单位次占已办结和逾期未办结单位次之比）。` : '本期到期事项均在办理中，尚无按期办结率。');
  }
  out.push(lines.join(''), '');

  heading('表扬');
  const praised = stats.byUnit.filter((r) => r.items > 0 && r.completed === r.items && r.on_time + r.extended_on_time === r.items);
  out.push(
    praised.length
      ? `表扬：${praised.map((r) => r.name).join('、')}本期到期的督查事项全部按期办结${praised.some((r) => r.extended_on_time) ? '（含经批准延期后按期办结）' : ''}，予以通报表扬。`
      : '表扬：本期没有到期事项全部按期办结的单位。',
    '',
  );

  heading('通报批评');
  // Each unit's late and overdue entries, in the entries' order (one pass: a city's month has tens of thousands).
  const faultsOf = new Map<string, Entry[]>();
  for (const e of stats.entries) {
    if (e.t !== 'overdue' && e.t !== 'late') continue;
    const list = faultsOf.get(e.a.unit);
    if (list) list.push(e);
    else faultsOf.set(e.a.unit, [e]);
  }
  const faulty = stats.byUnit
    .map((r) => ({ r, es: faultsOf.get(r.id) ?? [] }))
    .filter((x) => x.es.length > 0)
    .sort((x, y) => y.r.overdue - x.r.overdue || y.es.length - x.es.length);
  if (faulty.length === 0) out.push('通报批评：本期没有逾期办结或逾期未办结的事项。');
  else {
    out.push('通报批评：以下单位有事项未按期办结，予以通报批评，请抓紧整改，逾期未办结的尽快办结并报送办结报告。');
    faulty.forEach(({ r, es }, i) =>
      out.push(`${i + 1}. ${r.name}：${faults(es.slice(0, FAULTS_MAX), year)}${es.length > FAULTS_MAX ? `；另有${es.length - FAULTS_MAX}项，见 /台账` : ''}。`),
    );
  }
  out.push('');

  heading('约谈和坐地督查');
  const heard = stats.entries.flatMap((e) =>
    e.a.summons.filter((s) => !s.replaced && s.heard).map((s) => `${unitName(e.a.unit)}（${noticeNumber(e.item)}，${shortDate(dateInTz(s.at, tz), year)}）`),
  );
  const visits = stats.entries.flatMap((e) =>
    e.a.visits.filter((v) => !v.replaced).map((v) => `${unitName(e.a.unit)}（${noticeNumber(e.item)}，${shortDate(v.on, year)}）`),
  );
  const pending = total.summons - total.summonsHeard;
  out.push(
    [
      total.summons
        ? `对本期到期事项约谈一把手${total.summons}次，已听取汇报${total.summonsHeard}次${heard.length ? `：${heard.join('、')}` : ''}${pending ? `；另有${pending}次约谈尚未听取汇报` : ''}。`
        : '本期到期事项未约谈一把手。',
      visits.length ? `开展坐地督查${visits.length}次：${visits.join('、')}。` : '未开展坐地督查。',
      total.urges ? `发出催办${total.urges}次。` : '',
    ].join(''),
    '',
  );

  heading('下一阶段工作');
  const due = new Map<string, { item: StatHeader; units: string[]; last: string }>();
  for (const e of next.entries) {
    if (e.a.state === 'completed') continue;
    const d = due.get(e.item.id) ?? { item: e.item, units: [], last: e.a.due };
    d.units.push(unitName(e.a.unit));
    if (e.a.due > d.last) d.last = e.a.due;
    due.set(e.item.id, d);
  }
  const list = [...due.values()];
  if (list.length === 0) out.push(`${nextPeriod.label}没有到期的督查事项。`);
  else {
    out.push(`${nextPeriod.label}将有${list.length}项督查事项到期：`);
    list.slice(0, NEXT_MAX).forEach((d, i) => out.push(`${i + 1}. ${itemName(d.item)}，${d.units.join('、')}，${shortDate(d.last, nextPeriod.from.slice(0, 4))}到期；`));
    if (list.length > NEXT_MAX) out.push(`另有${list.length - NEXT_MAX}项，见 /台账。`);
    out.push('请各承办单位对照期限抓紧办理，按期报送办结报告；确需延期的，在期限前提出延期申请。');
  }
  out.push('', dir.issuer);
  return out.join('\n');
}
