// The cards of scheduled messages: a person's reminder list of a slot (【到期提醒】/【逾期提醒】), the receipt chase
// (【签收提醒】), the office's escalation card (【逾期升级】) and daily digest (【督查日报】). Drawn from current records.
import { CARD_MAX_BUTTONS } from '../platforms/routing.ts';
import type { Directory } from '../directory/directory.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import { dateInTz, formatDate, formatDateTime } from '../domain/dates.ts';
import { STATE_LABELS } from '../domain/rules.ts';
import { shortNumber } from '../domain/item-number.ts';
import { latestReport, noticeNumber, type Assignment, type ItemHeader } from '../domain/types.ts';
import { AWAITED_LABELS, awaitedOf, type Awaited } from '../schedule/slots.ts';
import type { ActionSigner } from './action-token.ts';
import { cardKey } from './card-key.ts';
import { reportLines } from './command-lines.ts';
import { signConfirm } from './cards.ts';
import type { Button, Card } from './message.ts';

export interface ScheduledContext {
  dir: Directory;
  tz: string;
  now: number;
  signer: ActionSigner;
  calendar: WorkCalendar;
}

/** Lines a reminder lists at most; the rest are counted, with where to see them. */
export const LINES_SHOWN = 20;
/** Buttons on one card at most: as many as every platform shows. */
export const BUTTONS_SHOWN = CARD_MAX_BUTTONS;

export type ReminderTag = '到期提醒' | '逾期提醒';

/** One person's reminder of one slot, as kept in Redis: which assignments, and how the slot saw them. */
export interface ReminderList {
  slot: string;
  tag: ReminderTag;
  late: boolean;
  /** `by`: a 配合 unit of a joint item (牵头=) that has not reported to its lead unit: the day it must by. */
  lines: { ref: string; awaited: Awaited; by?: string }[];
}

export interface Listed {
  item: ItemHeader;
  a: Assignment;
  /** What the slot asked of the person. */
  awaited: Awaited;
  /** A 配合 unit's day to report to its lead unit, when the slot reminded by it. */
  by?: string;
}

/** 还有 N 个工作日 / 今天到期 / 已逾期 N 个工作日, from the domain's today. */
export function dueRemark(due: string, now: number, tz: string, cal: WorkCalendar): string {
  const today = dateInTz(now, tz);
  if (due === today) return '今天到期';
  if (due > today) {
    const n = cal.countWorkdays(today, due);
    return n === 0 ? '还有 0 个工作日（期限在休息日）' : `还有 ${n} 个工作日`;
  }
  const n = cal.countWorkdays(due, today);
  return n === 0 ? '已逾期' : `已逾期 ${n} 个工作日`;
}

/** The button that does what a line awaits of the viewer, if it is still awaited and theirs to do. */
function actionButton(l: Listed, viewer: string, view: string, ctx: ScheduledContext, labelled: boolean): Button | undefined {
  const now = awaitedOf(l.a);
  if (now !== l.awaited || l.a.responsible !== viewer || l.item.status !== 'open') return undefined;
  const suffix = labelled ? ` ${shortNumber(l.item)}` : '';
  if (now === 'receive') {
    const k = cardKey({ kind: 'notice', item: l.item.id, unit: l.a.unit });
    return { text: `签收${suffix}`, style: 'primary', token: ctx.signer.sign({ a: 'receive', k, f: viewer, v: view }) };
  }
  if (now === 'sign') {
    const r = latestReport(l.a);
    if (!r || r.status !== 'pending') return undefined;
    const k = cardKey({ kind: 'sign', item: l.item.id, unit: l.a.unit, n: r.version });
    return { text: `签署${suffix}`, style: 'primary', token: ctx.signer.sign({ a: 'sign', k, f: viewer, v: view }), confirm: signConfirm(r) };
  }
  return undefined;
}

function line(l: Listed, i: number, ctx: ScheduledContext): string {
  const { item, a } = l;
  // Plain text: the body holds titles users typed, and the platforms escape it as such (no markup past its first line).
  const head = `${i + 1}. ${noticeNumber(item)}「${item.title}」`;
  const unit = ctx.dir.unitName(a.unit);
  const due = `办结时限 ${formatDate(a.due)}（${dueRemark(a.due, ctx.now, ctx.tz, ctx.calendar)}）`;
  if (item.status === 'withdrawn') return `${head}\n${unit} · 已撤回，不再办理`;
  if (item.status !== 'open' || awaitedOf(a) !== l.awaited) {
    return `${head}\n${unit} · 已处理，当前状态：${STATE_LABELS[a.state]}`;
  }
  let what: string = AWAITED_LABELS[l.awaited];
  if (l.awaited === 'sign') {
    const r = latestReport(a);
    const first = (r?.text ?? '').split('\n')[0]!.slice(0, 40);
    what += `（第 ${r?.version ?? '?'} 稿：${first}${(r?.text.length ?? 0) > first.length ? '…' : ''}）`;
  }
  if (l.awaited === 'report') what += `：发送 ${reportLines(item, Number(dateInTz(ctx.now, ctx.tz).slice(0, 4)))}`;
  if (l.by !== undefined) {
    // A 配合 unit reports to its lead unit, by an earlier day than the deadline.
    const lead = ctx.dir.unitName(item.lead);
    if (l.awaited === 'report') what = what.replace('请报送办理情况', `请向牵头单位${lead}报送办理情况`);
    return `${head}\n${unit}（配合） · ${what}\n向牵头单位${lead}报送时限 ${formatDate(l.by)}（${dueRemark(l.by, ctx.now, ctx.tz, ctx.calendar)}），${due}`;
  }
  return `${head}\n${unit} · ${what}\n${due}`;
}

/** A person's reminder of a slot: every item awaiting them, with the buttons that apply. */
export function reminderCard(list: ReminderList, listed: Listed[], viewer: string, view: string, ctx: ScheduledContext): Card {
  const shown = listed.slice(0, LINES_SHOWN);
  const parts = shown.map((l, i) => line(l, i, ctx));
  if (listed.length > shown.length) parts.push(`另有 ${listed.length - shown.length} 项未列出，发送 /台账 查看全部。`);
  const actionable = listed.filter((l) => actionButton(l, viewer, view, ctx, false));
  const labelled = actionable.length > 1;
  const buttons = actionable.slice(0, BUTTONS_SHOWN).map((l) => actionButton(l, viewer, view, ctx, labelled)!);
  const card: Card = {
    title: `【${list.tag}】${list.late ? '（补发）' : ''}您有 ${listed.length} 项督查事项待办`,
    subtitle: `${ctx.dir.issuer} · ${formatDate(list.slot)}`,
    color: list.tag === '逾期提醒' ? 'red' : 'orange',
    fields: [],
    body: parts.join('\n\n'),
    buttons,
  };
  if (actionable.length > buttons.length) {
    card.note = `另有 ${actionable.length - buttons.length} 项请在原督查单或报告卡片上操作。`;
  } else if (actionable.length === 0 && listed.every((l) => awaitedOf(l.a) !== l.awaited)) {
    card.note = '以上事项均已处理。';
  }
  return card;
}

/** The receipt chase: a notice not received after DUCHA_CHASE_AFTER working hours (stage 2 goes with 加急). */
export function chaseCard(
  item: ItemHeader,
  a: Assignment,
  stage: number,
  late: boolean,
  viewer: string,
  view: string,
  ctx: ScheduledContext,
  readStatus?: 'read' | 'unread',
): Card {
  const waiting = a.state === 'issued' && item.status === 'open';
  const card: Card = {
    title: `【签收提醒】${late ? '（补发）' : ''}${stage >= 2 ? '再次提醒：' : ''}督查单待您签收`,
    subtitle: `${ctx.dir.issuer} ${noticeNumber(item)}`,
    color: stage >= 2 ? 'red' : 'orange',
    fields: [
      { label: '事项', value: item.title },
      { label: '承办单位', value: ctx.dir.unitName(a.unit) },
      { label: '发出时间', value: item.issuedAt === undefined ? '' : formatDateTime(item.issuedAt, ctx.tz) },
      { label: '办结时限', value: `${formatDate(a.due)}（${dueRemark(a.due, ctx.now, ctx.tz, ctx.calendar)}）` },
    ],
    body: waiting ? `督查单发出后您尚未签收。请${ctx.dir.personName(viewer)}同志本人点击「签收」。` : undefined,
    buttons: [],
  };
  if (readStatus) card.fields.push({ label: '阅读情况', value: readStatus === 'read' ? '已读未签收' : '未读' });
  if (waiting && a.responsible === viewer) {
    const k = cardKey({ kind: 'notice', item: item.id, unit: a.unit });
    card.buttons.push({ text: '签收', style: 'primary', token: ctx.signer.sign({ a: 'receive', k, f: viewer, v: view }) });
  } else if (item.status === 'withdrawn') {
    card.note = '该事项已撤回，不再办理';
  } else if (a.receivedAt !== undefined) {
    card.note = `已由${ctx.dir.personName(a.responsible)}于 ${formatDateTime(a.receivedAt, ctx.tz)} 签收`;
  } else {
    card.note = `当前状态：${STATE_LABELS[a.state]}`;
  }
  return card;
}

/** The office's escalation card: step 1 says the automatic 催办 went; steps 2 and 3 propose the next measure. */
export function escalationCard(item: ItemHeader, a: Assignment, step: number, overdueDays: number, suggested: string, late: boolean, ctx: ScheduledContext): Card {
  const dir = ctx.dir;
  const unit = dir.unitName(a.unit);
  const leader = dir.personName(a.responsible);
  const measures = ['', '已自动向负责领导催办', '建议约谈（听取汇报）', '建议坐地督查'];
  const body =
    step === 1
      ? `${unit}逾期 ${overdueDays} 个工作日，系统已向${leader}发出催办。`
      : step === 2
        ? `${unit}逾期 ${overdueDays} 个工作日，建议约请${leader}同志当面汇报。确认后复制下面的命令发给我（时间、地点可改）：\n\n${suggested}`
        : `${unit}逾期 ${overdueDays} 个工作日，建议派员赴该单位坐地督查。督查后复制下面的命令发给我记录（日期改为实际督查的那天，记录写发现的问题）：\n\n${suggested}`;
  return {
    title: `【逾期升级】第 ${step} 步：${measures[step]}${late ? '（补发）' : ''}`,
    subtitle: `${dir.issuer} ${noticeNumber(item)}`,
    color: 'red',
    fields: [
      { label: '事项', value: item.title },
      { label: '承办单位', value: unit },
      { label: '负责领导', value: leader },
      { label: '办结时限', value: `${formatDate(a.due)}（已逾期 ${overdueDays} 个工作日）` },
      { label: '当前状态', value: STATE_LABELS[a.state] },
    ],
    body,
    buttons: [],
  };
}
