// A joint item's 配合 units (牵头=) report to the lead unit by DUCHA_SUPPORT_LEAD working days before their deadline:
// one that has not gets its reminders by that earlier date, and the lead unit is told who has not, on that date and
// on the deadline. Both are decided by the reminder slot (slot.ts) from the deadlines it reads, so the schedule stays
// the deadline index in Redis and the domain clock.
import { sendText } from '../dispatch/handler-kit.ts';
import { leadRecipients } from '../dispatch/joint-kit.ts';
import { enqueueDeliveries } from '../delivery/delivery.ts';
import { endOfDay, formatDate } from '../domain/dates.ts';
import { hasReported, reportsToLead, supportDate } from '../domain/joint.ts';
import { STATE_LABELS } from '../domain/rules.ts';
import { noticeNumber, parseAssignmentRef, type Assignment, type ItemHeader } from '../domain/types.ts';
import type { Runtime } from '../infra/runtime.ts';
import { horizonDate, reminderDue, type DueWhen, type Slot } from './slots.ts';

/** The tag of the message that tells the lead unit which 配合 units have not reported to it. */
export const SUPPORT_TAG = '配合单位未报送';

/** The day by which this unit reports to its lead unit, while it has not: undefined for every other assignment. */
export function supportBy(rt: Pick<Runtime, 'config' | 'calendar'>, item: ItemHeader, a: Assignment): string | undefined {
  if (!reportsToLead(item, a.unit) || hasReported(a)) return undefined;
  return supportDate(a.due, rt.config.supportLead, rt.calendar);
}

/**
 * The 配合 units of joint items due after the slot's own horizon (`after`, epoch ms) but within reach of their earlier
 * day: DUCHA_SUPPORT_LEAD more working days. Only the items' headers are read to pick them: other units there wait.
 */
export async function supportRefsAfter(rt: Runtime, today: string, after: number): Promise<string[]> {
  const { config, calendar } = rt;
  if (config.supportLead === 0) return [];
  const ahead = { remindBefore: [Math.max(0, ...config.remindBefore) + config.supportLead] };
  const far = endOfDay(horizonDate(today, ahead, calendar), config.tz);
  const refs = (await rt.store.dueBetween(after + 1, far)).map((t) => t.ref);
  if (refs.length === 0) return [];
  const headers = new Map((await rt.store.getHeaders([...new Set(refs.map((r) => parseAssignmentRef(r).item))])).map((h) => [h.id, h]));
  return refs.filter((ref) => {
    const { item, unit } = parseAssignmentRef(ref);
    const h = headers.get(item);
    return h !== undefined && reportsToLead(h, unit);
  });
}

/** The slots a day falls on: the day itself when it is a working day, else the first working day after it. */
function slotOf(when: DueWhen | undefined, day: string, rt: Pick<Runtime, 'calendar'>): boolean {
  if (!when) return false;
  return when.kind === 'today' || (when.kind === 'overdue' && when.days === 1 && !rt.calendar.isWorkday(day));
}

/** Whether the slot of `today` tells the lead unit about this 配合 unit: on its report-by day and on its deadline. */
export function tellsLead(rt: Pick<Runtime, 'config' | 'calendar'>, today: string, by: string, due: string): boolean {
  const s = { remindBefore: rt.config.remindBefore };
  return slotOf(reminderDue(today, by, s, rt.calendar), by, rt) || slotOf(reminderDue(today, due, s, rt.calendar), due, rt);
}

/** The 配合 units not yet reported, by item, as a slot collects them. */
export type Missing = Map<string, { item: ItemHeader; units: { a: Assignment; by: string }[] }>;

/** Tells each lead unit (contacts and responsible leader) which of its 配合 units have not reported. Returns messages queued. */
export async function tellLeads(rt: Runtime, slot: Slot, late: boolean, missing: Missing): Promise<number> {
  let sent = 0;
  const dir = rt.directory();
  for (const { item, units } of missing.values()) {
    const lead = (await rt.store.getAssignment(item.id, item.lead))?.doc;
    if (!lead || lead.state === 'completed') continue;
    const leadName = dir.unitName(item.lead);
    const lines = units.map(({ a, by }) => `${dir.unitName(a.unit)}：应于 ${formatDate(by)} 前报送，${STATE_LABELS[a.state]}`);
    const text =
      `【${SUPPORT_TAG}】${late ? '（补发）' : ''}${noticeNumber(item)}「${item.title}」\n` +
      `以下配合单位尚未向牵头单位${leadName}报送：\n${lines.join('\n')}\n` +
      `${leadName}办结时限 ${formatDate(lead.due)}。请督促其报送，汇总后报送办结报告。`;
    const people = leadRecipients(lead, dir);
    // Named by the slot and the item: a slot run again queues nothing twice.
    await enqueueDeliveries(rt.queues.deliver, `support-lead:${slot.date}:${item.id}`, people.map((p) => sendText(p, text)));
    sent += people.length;
  }
  rt.metrics.scheduledQueued(SUPPORT_TAG, sent, rt.clock.now() - slot.at);
  return sent;
}
