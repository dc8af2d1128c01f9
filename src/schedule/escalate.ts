// The escalation of an overdue key item (domain rule 7: 催办 → 听取汇报 → 坐地督查), one step at a time, each once per
// assignment: step 1 urges the head as /催办 does; steps 2 and 3 propose 约谈 and 坐地督查 to the office, ready to copy.
import { escalationCard } from '../chat/reminder-cards.ts';
import type { Delivery } from '../delivery/delivery.ts';
import { dateInTz } from '../domain/dates.ts';
import { numberArg } from '../domain/item-number.ts';
import type { Assignment, ItemHeader } from '../domain/types.ts';
import { isRefusal, Refusal } from '../domain/refusal.ts';
import { officeSide } from '../domain/office-side.ts';
import { urgeDeliveries } from '../dispatch/handler-kit.ts';
import type { Runtime } from '../infra/runtime.ts';
import { mutateAssignment } from '../store/apply-op.ts';
import { SYSTEM } from './follow-leader.ts';
import { scheduledContext } from './views.ts';

/** The steps (1–3) due `overdueDays` working days after the deadline and not taken yet, in order. */
export function dueSteps(item: Pick<ItemHeader, 'escalate'>, a: Pick<Assignment, 'escalated'>, ladder: readonly number[], overdueDays: number): number[] {
  const steps = item.escalate ?? ladder;
  const taken = new Set(a.escalated ?? []);
  return [1, 2, 3].filter((k) => overdueDays >= steps[k - 1]! && !taken.has(k));
}

/**
 * The command the office can send for step 2 or 3: a summons a working day ahead; the record of a visit (which
 * `/坐地督查` takes only once it has been made) dated today, to be changed to the day of the visit.
 */
function suggestion(rt: Runtime, item: ItemHeader, a: Assignment, step: number, today: string): string {
  const no = numberArg(item, Number(today.slice(0, 4)));
  if (step === 3) return `/坐地督查 ${no} 单位=${a.unit} 日期=${today} 记录="发现的问题"`;
  const next = rt.calendar.addWorkdays(today, 1).date;
  const when = `${Number(next.slice(5, 7))}月${Number(next.slice(8, 10))}日`;
  return `/约谈 ${no} 单位=${a.unit} 时间="${when} 15:00" 地点=督查室`;
}

/**
 * Takes one step on one assignment, overdue against the deadline `due`; false when it is not due now (completed,
 * withdrawn, its deadline moved, or the office holds a signed report). A step is taken once per deadline: after the
 * office corrects the deadline (/修改), the ladder starts again from the new one.
 */
export async function escalate(
  rt: Runtime,
  itemId: string,
  unit: string,
  due: string,
  step: number,
  overdueDays: number,
  late: boolean,
): Promise<boolean> {
  const dir = rt.directory();
  try {
    await mutateAssignment(rt, { id: `escalate:${itemId}/${unit}:${due}:${step}`, actor: SYSTEM }, itemId, unit, (item, a, now) => {
      if (item.status !== 'open' || a.state === 'completed') throw new Refusal('wrong_state', 'already completed or withdrawn');
      // The office holds the unit's signed report: the next move is the office's, not the unit's.
      if (a.state === 'signed') throw new Refusal('wrong_state', 'waiting for the office');
      if (a.dueAt >= now || a.due !== due) throw new Refusal('wrong_state', 'deadline moved');
      if ((a.escalated ?? []).includes(step)) throw new Refusal('wrong_state', 'already taken');
      a.escalated = [...(a.escalated ?? []), step].sort();
      const deliveries: Delivery[] = [];
      if (step === 1) {
        a.urges.push(now);
        deliveries.push(...urgeDeliveries(item, a, dir, now));
      }
      const today = dateInTz(now, rt.config.tz);
      const card = escalationCard(item, a, step, overdueDays, step === 1 ? '' : suggestion(rt, item, a, step, today), late, scheduledContext(rt));
      deliveries.push(...officeSide(item, dir).map((p) => ({ kind: 'send' as const, person: p, message: { kind: 'card' as const, card } })));
      return {
        audits: [
          { action: 'escalate', unit: a.unit, from: a.state, to: a.state, detail: { step, overdueDays } },
          ...(step === 1 ? [{ action: 'urge', unit: a.unit, from: a.state, to: a.state, detail: { count: a.urges.length, auto: true } }] : []),
        ],
        deliveries,
      };
    });
    return true;
  } catch (e) {
    if (isRefusal(e)) return false;
    throw e;
  }
}

