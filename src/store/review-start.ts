// What happens when the last unit of an item with a 批办领导 completes: instead of 办结, the item waits for the leader's
// review (待批办领导审阅) until DUCHA_REVIEW_DAYS working days have passed; the leader gets 【办结报告】 and the office is
// told. The commit step decides whether this step completes the last unit; this says what follows if it does.
import { cardKey } from '../chat/card-key.ts';
import type { Delivery } from '../delivery/delivery.ts';
import { endOfDay, dateInTz, formatDateTime } from '../domain/dates.ts';
import { officeSide } from '../domain/office-side.ts';
import { noticeNumber, type ItemHeader } from '../domain/types.ts';
import type { Runtime } from '../infra/runtime.ts';

/** When a review begun at `now` ends by itself: the end of the DUCHA_REVIEW_DAYS-th working day after today. */
export function reviewDueAt(rt: Pick<Runtime, 'config' | 'calendar'>, now: number): number {
  const today = dateInTz(now, rt.config.tz);
  return endOfDay(rt.calendar.addWorkdays(today, rt.config.reviewDays).date, rt.config.tz);
}

/** The leader's 【办结报告】 card, and the line the office is told. */
export function reviewStartDeliveries(rt: Runtime, item: ItemHeader, dueAt: number): Delivery[] {
  const dir = rt.directory();
  const leader = item.instructedBy!;
  const text =
    `${noticeNumber(item)}「${item.title}」各单位均已办结，办结报告已送批办领导${dir.personName(leader)}审阅；` +
    `${formatDateTime(dueAt, rt.config.tz)} 前未有新的批示即视为办结。`;
  return [
    { kind: 'send', person: leader, cardKey: cardKey({ kind: 'closing', item: item.id }) },
    ...officeSide(item, dir).map((p): Delivery => ({ kind: 'send', person: p, message: { kind: 'text', text } })),
  ];
}
