// The /统计 card: the office's figures in fields, then one short line per unit and per responsible leader (the highest
// on-time rate first), short enough for a Feishu or WeCom card and the console.
import type { Card } from '../chat/message.ts';
import { formatHours, formatRate, type Figures, type Row, type Statistics } from './statistics.ts';

/** Lines per list on the card; the spreadsheet (导出) has them all. */
export const CARD_MAX_ROWS = 15;

/** 按期2、延期后按期1、逾期未办结1: the outcomes that happened, in the order the office reads them. */
export function outcomeLine(f: Figures): string {
  const parts: [string, number][] = [
    ['按期', f.on_time],
    ['延期后按期', f.extended_on_time],
    ['逾期办结', f.late],
    ['逾期未办结', f.overdue],
    ['在办', f.open],
  ];
  return parts.filter(([, n]) => n > 0).map(([l, n]) => `${l}${n}`).join('、') || '无';
}

function rowLine(r: Row, i: number): string {
  const acts = [['催办', r.urges], ['约谈', r.summons], ['坐地督查', r.visits]].filter(([, n]) => Number(n) > 0).map(([l, n]) => `${l}${n}`);
  const times = [r.receiptHours !== undefined ? `签收${formatHours(r.receiptHours)}` : '', r.signHours !== undefined ? `签署${formatHours(r.signHours)}` : ''].filter(Boolean);
  return [
    `${i + 1}. **${r.name}** ${r.items}项：${outcomeLine(r)}；按期率 ${formatRate(r.rate)}`,
    times.length ? `；${times.join('、')}` : '',
    acts.length ? `；${acts.join('、')}` : '',
  ].join('');
}

function rows(title: string, list: readonly Row[]): string[] {
  if (list.length === 0) return [];
  const shown = list.slice(0, CARD_MAX_ROWS).map(rowLine);
  if (list.length > CARD_MAX_ROWS) shown.push(`……另有 ${list.length - CARD_MAX_ROWS} 个，见导出表格`);
  return [`**${title}**（按期办结率从高到低）`, ...shown];
}

export function statsCard(stats: Statistics, unitNames: (id: string) => string, opts: { chart: boolean; exported: boolean }): Card {
  const t = stats.total;
  const scope = stats.units?.length ? `｜${stats.units.map(unitNames).join('、')}` : '';
  const card: Card = {
    title: `督查统计｜${stats.period.label}${scope}`,
    color: t.overdue > 0 ? 'orange' : 'blue',
    fields: [],
    buttons: [],
  };
  if (t.items === 0) {
    card.body = `${stats.period.label}没有到期的督查事项。`;
    return card;
  }
  card.fields = [
    { label: '到期事项', value: `${stats.itemCount}项（${t.items}个单位次）` },
    { label: '办结情况', value: `已办结${t.completed}：${outcomeLine(t)}` },
    { label: '按期办结率', value: formatRate(t.rate) },
    { label: '用时中位数（工作时间）', value: `签收 ${formatHours(t.receiptHours)}，签署 ${formatHours(t.signHours)}` },
    { label: '催办 / 约谈 / 坐地督查', value: `${t.urges} / ${t.summons} / ${t.visits}` },
  ];
  const lines = [...rows('按单位', stats.byUnit), '', ...rows('按负责领导', stats.byLeader)];
  lines.push('', '按期办结率 =（按期 + 延期后按期）÷（已办结 + 逾期未办结）。');
  if (opts.chart) lines.push('各单位按期办结率图表随后发出。');
  if (opts.exported) lines.push('Excel 表格随后发出。');
  else lines.push('加“导出”可取得 Excel 表格。');
  card.body = lines.join('\n');
  return card;
}
