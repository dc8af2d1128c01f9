// 【办结报告】: the card a 批办领导 gets once every unit of an item they instructed has completed: each unit's signed final
// report (its first lines; /查看 has the whole text), and 阅 (the result stands) or 再批示 (a new instruction, typed in
// the card's text box, or with /批示 where the card takes no text).
import type { Directory } from '../directory/directory.ts';
import { formatDateTime } from '../domain/dates.ts';
import { numberArg } from '../domain/item-number.ts';
import { REASON_MAX } from '../domain/reasons.ts';
import { sourceLine } from '../domain/sources.ts';
import { noticeNumber, type Assignment, type ItemHeader } from '../domain/types.ts';
import type { ButtonInput, Card } from './message.ts';

/** The tag the card's title starts with (a scheduled-message tag people and filters know). */
export const CLOSING_TAG = '【办结报告】';

/** The text box of 再批示. */
export const INSTRUCTION_INPUT: ButtonInput = {
  name: 'reason',
  label: '批示内容',
  placeholder: '请写明新的批示要求，督查室将据此拟出续办事项',
  required: true,
  maxLength: REASON_MAX,
};

/** How much of each unit's report the card shows. */
const EXCERPT_CHARS = 120;
const UNITS_SHOWN = 10;

function firstLines(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const head = lines.slice(0, 3).join('\n');
  const chars = [...head];
  return chars.length > EXCERPT_CHARS || lines.length > 3 ? `${chars.slice(0, EXCERPT_CHARS).join('')}…` : head;
}

/** Each unit's accepted final report, as the card lists it: unit, who signed and when, its first lines. */
function reportsBlock(item: ItemHeader, as: readonly Assignment[], dir: Directory, tz: string): string {
  const lines: string[] = [];
  for (const a of as.slice(0, UNITS_SHOWN)) {
    const r = [...a.reports].reverse().find((x) => x.final && x.status === 'accepted');
    const signed = r?.signature ? `${dir.personName(r.signature.by)} ${formatDateTime(r.signature.at, tz)} 签署` : '';
    lines.push(`**${dir.unitName(a.unit)}**${signed ? `（${signed}）` : ''}`, r ? firstLines(r.text) : '（无办结报告）');
  }
  if (as.length > UNITS_SHOWN) lines.push(`……等 ${as.length} 个单位`);
  return lines.join('\n');
}

export interface ClosingButtons {
  read: (label: string) => Card['buttons'][number];
  instruct: (label: string, input: ButtonInput) => Card['buttons'][number];
}

/** The card as the leader sees it now; `buttons` makes the two buttons for the viewer (signed for them only). */
export function closingCard(item: ItemHeader, as: readonly Assignment[], dir: Directory, tz: string, year: number, viewer: string, buttons: ClosingButtons): Card {
  const no = noticeNumber(item);
  const source = sourceLine(item, (p) => dir.personName(p));
  const card: Card = {
    title: `${CLOSING_TAG}${no}`,
    subtitle: item.title,
    color: item.status === 'review' ? 'orange' : 'green',
    fields: [
      { label: '事项', value: item.title },
      ...(source ? [{ label: '来源', value: source }] : []),
      { label: '承办单位', value: `${as.length} 个，均已办结` },
    ],
    body: `**各单位办结报告**\n${reportsBlock(item, as, dir, tz)}\n（全文请发送 /查看 ${numberArg(item, year)}）`,
    buttons: [],
  };
  const review = item.review;
  if (item.status === 'review' && viewer === item.instructedBy) {
    card.buttons.push(buttons.read('阅'), buttons.instruct('再批示', INSTRUCTION_INPUT));
    card.note = `请审阅：阅即办结；如有新的要求请再批示（另起续办事项）。${item.reviewDueAt ? `${formatDateTime(item.reviewDueAt, tz)} 前未有新的批示，视为办结。` : ''}`;
  } else if (review?.how === 'read') {
    card.note = `已由${dir.personName(review.by)}于 ${formatDateTime(review.at, tz)} 阅，事项办结`;
  } else if (review?.how === 'instructed') {
    const last = (item.instructions ?? []).find((x) => x.at === review.at) ?? item.instructions?.at(-1);
    card.note = `已由${dir.personName(review.by)}于 ${formatDateTime(review.at, tz)} 再批示，事项办结，督查室另起续办事项${last ? `。批示：${last.text}` : ''}`;
  } else if (review?.how === 'silence') {
    card.note = `审阅期内未有新的批示，已于 ${formatDateTime(review.at, tz)} 视为办结`;
  } else if (item.status === 'review') {
    card.note = `等待批办领导${item.instructedBy ? dir.personName(item.instructedBy) : ''}审阅`;
  }
  return card;
}
