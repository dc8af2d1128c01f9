// The card a unit's contacts get when their leader has pressed 签收: the item, the deadline, that the leader has it,
// and the exact /报送 lines to send, so that the one who writes the report knows what the unit must do.
import type { Directory } from '../directory/directory.ts';
import { formatDate, formatDateTime } from '../domain/dates.ts';
import { everyText } from '../domain/progress.ts';
import { isKey, noticeNumber, type Assignment, type ItemHeader } from '../domain/types.ts';
import { reportLine } from './command-lines.ts';
import { reportsToLead } from '../domain/joint.ts';
import type { Card } from './message.ts';

/** `year`: this year, for the /报送 lines (see command-lines.ts). */
export function contactBriefCard(item: ItemHeader, a: Assignment, dir: Directory, tz: string, year: number): Card {
  const leader = dir.personName(a.responsible);
  const role = item.units.length > 1 ? (a.lead ? '（牵头）' : '（配合）') : '';
  const card: Card = {
    title: `请报送办理情况：${noticeNumber(item)}`,
    subtitle: dir.issuer,
    color: isKey(item) ? 'red' : 'blue',
    fields: [
      { label: '事项', value: item.title },
      { label: '承办单位', value: `${dir.unitName(a.unit)}${role}` },
      { label: '办结时限', value: formatDate(a.due) },
      { label: '负责领导', value: `${leader}已于 ${a.receivedAt === undefined ? '' : formatDateTime(a.receivedAt, tz)} 签收` },
      { label: '报送进展', value: reportLine(item, false, year) },
      { label: '报送办结', value: reportLine(item, true, year) },
    ],
    buttons: [],
    note: `请在办结时限前用上面的命令报送（编号后面的文字就是报告全文）。报告须经${leader}本人签署后，方报督查室受理。`,
  };
  // A 配合 unit of a joint item (牵头=) reports to the lead unit, ahead of the deadline.
  if (reportsToLead(item, a.unit)) {
    const lead = dir.unitName(item.lead);
    card.note = `请在办结时限前提前报送（编号后面的文字就是报告全文），以便牵头单位汇总。报告须经${leader}本人签署后，报牵头单位${lead}汇总，不单独报督查室。`;
  }
  if (item.req) card.body = `**督查要求**\n${item.req}`;
  // 进度=: the contact is the one who reports each period.
  if (item.progress) card.fields.splice(3, 0, { label: '进度报送', value: `${everyText(item.progress)}一次，每期最后一个工作日前报送` });
  return card;
}
