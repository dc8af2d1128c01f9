// The card of 【进度报送提醒】: one per person per reminder slot, listing each item whose progress period ends that
// day and has no signed report yet: what the contact sends, the report the leader has to sign, and (when the period
// before went unanswered) that the responsible leader was told, who also gets the card.
import type { Directory } from '../directory/directory.ts';
import { formatDate } from '../domain/dates.ts';
import { noticeNumber } from '../domain/item-number.ts';
import { everyText, type ProgressPeriod } from '../domain/progress.ts';
import type { ItemHeader } from '../domain/types.ts';
import { reportLine } from './command-lines.ts';
import type { Card } from './message.ts';

/** Lines a progress reminder lists at most; the rest are counted. */
const SHOWN = 20;

/**
 * What a line asks of its reader: `report` the contact sends this period's progress; `sign` the leader signs the
 * report waiting for them; `told` the leader is told the unit has not reported (the period before went unanswered,
 * or the unit has no contact to report).
 */
export type ProgressAsk = 'report' | 'sign' | 'told';

export interface ProgressLine {
  item: Pick<ItemHeader, 'title' | 'year' | 'seq' | 'draft' | 'progress'>;
  unit: string;
  ask: ProgressAsk;
  period: ProgressPeriod;
  /** The period before, when it went unanswered. */
  missed?: ProgressPeriod;
  /** The unit's responsible leader (named when the period before went unanswered). */
  leader: string;
}

function lineText(l: ProgressLine, i: number, dir: Directory, year: number): string {
  const head = `${i + 1}. ${noticeNumber(l.item)}「${l.item.title}」`;
  const unit = dir.unitName(l.unit);
  const leader = dir.personName(l.leader);
  const every = l.item.progress ? `（${everyText(l.item.progress)}报送）` : '';
  let what: string;
  if (l.ask === 'report') what = `${unit} · 请今天报送${l.period.label}进展${every}：发送 ${reportLine(l.item, false, year)}`;
  else if (l.ask === 'sign') what = `${unit} · ${l.period.label}进展报告待您签署，签署后即为本期已报送`;
  else what = `${unit} · ${l.period.label}进展尚未报送，请督促联络员今天报送并签署`;
  const missed = l.missed ? `\n上期（${l.missed.label}）进展未报送${l.ask === 'told' ? '' : `，已告知负责领导${leader}`}。` : '';
  return `${head}\n${what}${missed}`;
}

/** A person's 【进度报送提醒】 of a slot. */
export function progressCard(slot: string, late: boolean, lines: readonly ProgressLine[], dir: Directory, year: number): Card {
  const shown = lines.slice(0, SHOWN).map((l, i) => lineText(l, i, dir, year));
  if (lines.length > SHOWN) shown.push(`另有 ${lines.length - SHOWN} 项未列出，发送 /台账 查看全部。`);
  return {
    title: `【进度报送提醒】${late ? '（补发）' : ''}${lines.length} 项督查事项本期进展待报送`,
    subtitle: `${dir.issuer} · ${formatDate(slot)}`,
    color: lines.some((l) => l.missed) ? 'red' : 'orange',
    fields: [],
    body: shown.join('\n\n'),
    buttons: [],
    note: '今天是本期最后一个工作日。进展报告经负责领导签署即为本期已报送；逾期未报送的，计入督查日报。',
  };
}
