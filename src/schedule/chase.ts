// The receipt chase: a notice not received DUCHA_CHASE_AFTER working hours after issue gets 【签收提醒】 to its leader;
// after the same time again a second one with 加急, and the office is told who has not signed. Each once, as `system`.
import { officeSide } from '../domain/office-side.ts';
import { noticeNumber } from '../domain/types.ts';
import { formatDateTime } from '../domain/dates.ts';
import { addWorkHours } from '../domain/work-hours.ts';
import { cardKey } from '../chat/card-key.ts';
import { enqueueDeliveries } from '../delivery/delivery.ts';
import { isRefusal, Refusal } from '../domain/refusal.ts';
import { sendText } from '../dispatch/handler-kit.ts';
import type { Runtime } from '../infra/runtime.ts';
import { mutateAssignment } from '../store/apply-op.ts';
import { followLeader, SYSTEM } from './follow-leader.ts';
import { LATE_AFTER_MS } from './slots.ts';
import { chaseKey } from './views.ts';

/** The last chase: the second one, with 加急. */
export const LAST_CHASE = 2;

/**
 * Chases one unit's notice if it is still unreceived: the stage due now (a stage whose successor is due too is
 * passed over: after downtime only the latest goes). Returns the stage sent, or 0.
 */
export async function chaseOne(rt: Runtime, itemId: string, unit: string): Promise<number> {
  const [header, rec] = await Promise.all([rt.store.getHeader(itemId), rt.store.getAssignment(itemId, unit)]);
  if (!header || !rec || header.doc.status !== 'open' || rec.doc.state !== 'issued') return 0;
  const leader = await followLeader(rt, header.doc, rec.doc);
  if (!leader) return 0;
  const { config, calendar } = rt;
  const hours = { calendar, tz: config.tz, workHours: config.workHours };
  let sent = 0;
  let lateMs = 0;
  const done = rec.doc.chases ?? 0;
  try {
    await mutateAssignment(rt, { id: `chase:${itemId}/${unit}:${done + 1}`, actor: SYSTEM }, itemId, unit, (item, a, now) => {
      if (item.status !== 'open' || a.state !== 'issued' || a.chaseAt === undefined || a.chaseAt > now) {
        throw new Refusal('wrong_state', 'no chase due');
      }
      let stage = (a.chases ?? 0) + 1;
      let due = a.chaseAt;
      // Down through the second chase's time as well: only the second goes.
      while (stage < LAST_CHASE && addWorkHours(due, config.chaseAfter, hours) <= now) {
        due = addWorkHours(due, config.chaseAfter, hours);
        stage++;
      }
      lateMs = now - due;
      const late = lateMs > LATE_AFTER_MS;
      a.chases = stage;
      if (stage < LAST_CHASE) a.chaseAt = addWorkHours(due, config.chaseAfter, hours);
      else delete a.chaseAt;
      sent = stage;
      return {
        audits: [{ action: 'chase', unit: a.unit, from: a.state, to: a.state, detail: { stage, urgent: stage >= LAST_CHASE } }],
        deliveries: [
          {
            kind: 'send',
            person: a.responsible,
            cardKey: chaseKey(item.id, a.unit, stage, late),
            urgent: stage >= LAST_CHASE,
            readOf: cardKey({ kind: 'notice', item: item.id, unit: a.unit }),
          },
        ],
      };
    });
  } catch (e) {
    if (!isRefusal(e)) throw e;
    return 0;
  }
  rt.metrics.scheduledQueued('签收提醒', 1, lateMs);
  return sent;
}

/** Runs the chases of one item that fell due together, then tells the office who has not signed after the last one. */
export async function chaseItem(rt: Runtime, itemId: string, units: string[], dueAt: number): Promise<void> {
  for (const unit of units) await chaseOne(rt, itemId, unit);
  // Those of these units now chased for the last time and still unreceived: chased by this job (or by its earlier
  // attempt, if a crash interrupted it: the office is told once all the same).
  const header = await rt.store.getHeader(itemId);
  if (!header || header.doc.status !== 'open') return;
  const item = header.doc;
  const dir = rt.directory();
  const as = (await rt.store.getAssignments(itemId, units)).filter((a) => a.doc.state === 'issued' && (a.doc.chases ?? 0) >= LAST_CHASE);
  if (as.length === 0) return;
  const who = as.map((a) => `${dir.unitName(a.doc.unit)} ${dir.personName(a.doc.responsible)}`);
  const shown = who.slice(0, 20).join('、') + (who.length > 20 ? ` 等 ${who.length} 人` : '');
  const text =
    `【签收提醒】${noticeNumber(item)}「${item.title}」于 ${formatDateTime(item.issuedAt ?? 0, rt.config.tz)} 发出，` +
    `以下负责领导超过 ${config2(rt.config.chaseAfter * LAST_CHASE)} 个工作小时仍未签收，已加急提醒：${shown}。`;
  // Named by the chase it follows: a retried job tells the office once.
  await enqueueDeliveries(rt.queues.deliver, `chase-office:${itemId}:${dueAt}`, officeSide(item, dir).map((p) => sendText(p, text)));
}

function config2(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
