// The cards of a joint item (牵头=): a 配合 unit's signed report as the lead unit receives it (a card listing what each
// 配合 unit said and who signed it), and the line the lead unit's own report cards carry: which 配合 units have reported
// to it, and which not. Drawn from the current records, like every card.
import type { Directory } from '../directory/directory.ts';
import { dateInTz, formatDateTime } from '../domain/dates.ts';
import { numberArg } from '../domain/item-number.ts';
import { hasLeadRule, reportToLead, supportLine, supportStatus, supportUnits } from '../domain/joint.ts';
import { STATE_LABELS } from '../domain/rules.ts';
import { noticeNumber, type Assignment, type ItemHeader, type Report } from '../domain/types.ts';
import type { CardKey } from './card-key.ts';
import type { Card } from './message.ts';

/** What a joint card is drawn from: the item and every unit's record (the same as cards.ts's CardContext). */
export interface JointContext {
  item: ItemHeader;
  assignments: readonly Assignment[];
  dir: Directory;
  tz: string;
  now: number;
}

/** Whether the card a key names lists every unit of its item: the joint card, and the lead unit's report cards. */
export function showsEveryUnit(k: CardKey, item: Pick<ItemHeader, 'leadRule' | 'lead' | 'units'>): boolean {
  if (!hasLeadRule(item)) return false;
  return k.kind === 'joint' || ((k.kind === 'sign' || k.kind === 'review') && k.unit === item.lead);
}

/** The first line of a report, shortened: enough to know what a 配合 unit said. */
function firstLines(text: string, max = 60): string {
  const head = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, 2)
    .join(' ');
  return [...head].length > max ? `${[...head].slice(0, max - 1).join('')}…` : head;
}

/** `办结报告第 2 稿，陈刚 2026年10月20日 10:00 签署` */
function signedText(r: Report, ctx: JointContext): string {
  const by = r.signature ? `，${ctx.dir.personName(r.signature.by)} ${formatDateTime(r.signature.at, ctx.tz)} 签署` : '';
  return `${r.final ? '办结' : '进展'}报告第 ${r.version} 稿${by}`;
}

/** One line per 配合 unit: what it reported to the lead unit and who signed it, or that it has not yet. */
function supportLines(ctx: JointContext): string[] {
  const byUnit = new Map(ctx.assignments.map((a) => [a.unit, a]));
  return supportUnits(ctx.item).map((u) => {
    const a = byUnit.get(u);
    const name = ctx.dir.unitName(u);
    const r = a && reportToLead(a);
    if (!a || !r) return `${name}：尚未报送${a ? `（${STATE_LABELS[a.state]}）` : ''}`;
    return `${name}：${signedText(r, ctx)}\n「${firstLines(r.text)}」`;
  });
}

/** A 配合 unit's signed report, to the lead unit's contacts and responsible leader. No buttons: the lead unit answers with its own report. */
export function jointCard(key: CardKey, ctx: JointContext): Card {
  const { item, dir } = ctx;
  const a = ctx.assignments.find((x) => x.unit === key.unit);
  const r = a?.reports.find((x) => x.version === key.n);
  if (!a || !r) throw new Error(`no report v${String(key.n)} of ${String(key.unit)} on ${item.id}`);
  const lead = dir.unitName(item.lead);
  const no = numberArg(item, Number(dateInTz(ctx.now, ctx.tz).slice(0, 4)));
  const card: Card = {
    title: `配合单位报告：${noticeNumber(item)}`,
    subtitle: item.title,
    color: 'blue',
    fields: [
      { label: '牵头单位', value: lead },
      { label: '本次报送', value: `${dir.unitName(a.unit)}${signedText(r, ctx)}` },
      { label: '配合单位', value: supportLine(supportStatus(item, ctx.assignments), dir) },
    ],
    body: `**各配合单位报送情况**\n${supportLines(ctx).join('\n')}`,
    buttons: [],
  };
  card.note =
    item.status === 'completed'
      ? `本事项已于 ${formatDateTime(item.completedAt ?? ctx.now, ctx.tz)} 办结，各配合单位一并办结`
      : `配合单位的报告报${lead}汇总，不单独报督查室。请${lead}汇总后报送办结报告（/报送 ${no} 办结 <报告>），经负责领导签署报督查室；受理后本事项及各配合单位一并办结。全文可发送 /查看 ${no}。`;
  return card;
}

/**
 * The lead unit's report cards (签署, 受理) on a joint item: which 配合 units have reported to it and which not, as the
 * leader signed it (kept on the report) or, before signing, as it stands now. Nothing on any other card.
 */
export function supportFields(r: Pick<Report, 'supporting'>, a: Pick<Assignment, 'unit'>, ctx: JointContext): Card['fields'] {
  if (!hasLeadRule(ctx.item) || a.unit !== ctx.item.lead) return [];
  return [{ label: '配合单位', value: supportLine(r.supporting ?? supportStatus(ctx.item, ctx.assignments), ctx.dir) }];
}
