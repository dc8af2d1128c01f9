// An open assignment follows the directory: when its unit's head (key item) or deputy (ordinary) has changed, the
// new leader is recorded (audited, the directory change as cause), gets what waits for them, and the office is told.
// When nobody may take it over (an ordinary item's unit has no deputy left), the leader on record stays and the
// office is told once.
import { cardKey } from '../chat/card-key.ts';
import type { Delivery } from '../delivery/delivery.ts';
import { dateInTz } from '../domain/dates.ts';
import { latestReport, noticeNumber, type Actor, type Assignment, type ItemHeader } from '../domain/types.ts';
import { isRefusal } from '../domain/refusal.ts';
import { sendText } from '../dispatch/handler-kit.ts';
import type { Runtime } from '../infra/runtime.ts';
import { mutateAssignment } from '../store/apply-op.ts';
import { responsibleLeader } from '../domain/responsible-leader.ts';
import { officeSide } from '../domain/office-side.ts';

export const SYSTEM: Actor = { person: 'system', platform: 'system' };

/**
 * The leader who answers for the assignment now; when the directory names someone else than its record, the record
 * is changed first (once: the operation is named by the change). A signature already given stays valid.
 */
export async function followLeader(rt: Runtime, item: ItemHeader, a: Assignment): Promise<string | undefined> {
  const dir = rt.directory();
  const leader = responsibleLeader(item.category, a.unit, a.responsible, dir);
  if (!leader) {
    await tellNobodyTakesOver(rt, item, a);
    return a.responsible;
  }
  if (!dir.person(leader)) return a.responsible;
  if (leader === a.responsible) return leader;
  const from = a.responsible;
  const fromName = await leaderName(rt, item.id, a);
  const toName = dir.personName(leader);
  try {
    // Named by the change and the day: the same change seen by two workers is made once, and a change back and
    // forth on a later day is made again.
    const day = dateInTz(rt.clock.now(), rt.config.tz);
    await mutateAssignment(rt, { id: `reassign:${item.id}/${a.unit}:${from}:${leader}:${day}`, actor: SYSTEM }, item.id, a.unit, (it, rec) => {
      if (rec.responsible !== from || rec.state === 'completed') return { audits: [], deliveries: [] };
      rec.responsible = leader;
      rec.responsibleName = toName;
      const unit = dir.unitName(rec.unit);
      const deliveries: Delivery[] = [];
      if (rec.state === 'issued') deliveries.push({ kind: 'send', person: leader, cardKey: cardKey({ kind: 'notice', item: it.id, unit: rec.unit }) });
      const r = latestReport(rec);
      if (rec.state === 'awaiting_signature' && r) {
        deliveries.push({ kind: 'send', person: leader, cardKey: cardKey({ kind: 'sign', item: it.id, unit: rec.unit, n: r.version }) });
      }
      // A contact's extension request waiting for the leader waits for the new one.
      const ask = rec.extensions.find((e) => e.status === 'pending_leader');
      if (ask) deliveries.push({ kind: 'send', person: leader, cardKey: cardKey({ kind: 'extension_ask', item: it.id, unit: rec.unit, n: ask.id }) });
      const text =
        `【人员变动】${noticeNumber(it)}「${it.title}」${unit}的负责领导已按通讯录由${fromName}改为${toName}，` +
        `此后的通知、签署和提醒均发给${toName}。已有的签署仍然有效。`;
      deliveries.push(...officeSide(it, dir).map((p) => sendText(p, text)));
      return {
        audits: [{ action: 'reassign', unit: rec.unit, from, to: leader, detail: { cause: 'directory', fromName, toName } }],
        deliveries,
      };
    });
    a.responsible = leader;
  } catch (e) {
    if (!isRefusal(e)) throw e;
    return from;
  }
  return leader;
}

/**
 * The leader on record no longer holds the role and the unit has nobody who may take it over: the head does not stand
 * in for the team. The office is told once for this leader (the operation is named by them), so it can have the
 * directory completed; the assignment then follows it as usual.
 */
async function tellNobodyTakesOver(rt: Runtime, item: ItemHeader, a: Assignment): Promise<void> {
  const dir = rt.directory();
  const from = a.responsible;
  const fromName = await leaderName(rt, item.id, a);
  const role = item.category === undefined ? '班子成员' : '一把手';
  try {
    await mutateAssignment(rt, { id: `no-successor:${item.id}/${a.unit}:${from}`, actor: SYSTEM }, item.id, a.unit, (it, rec) => {
      if (rec.responsible !== from || rec.state === 'completed') return { audits: [], deliveries: [] };
      const unit = dir.unitName(rec.unit);
      const text =
        `【人员变动】${noticeNumber(it)}「${it.title}」${unit}的负责领导${fromName}已不是该单位的${role}，通讯录中也没有可以接替的${role}，` +
        `此事项仍由${fromName}负责，通知和提醒可能无法送达。请联系系统管理员补充通讯录，补充后自动改由新的${role}负责。`;
      return { audits: [], deliveries: officeSide(it, dir).map((p) => sendText(p, text)) };
    });
  } catch (e) {
    if (!isRefusal(e)) throw e;
  }
}

/**
 * The name of the assignment's leader: the directory's while it lists them (or as an earlier directory named them);
 * for someone no directory this service has seen listed, the name kept with the record when they were made its leader, or, for a record of an earlier version,
 * the one its audit trail gave them when they were assigned or took over; their id only when nothing recorded one.
 */
async function leaderName(rt: Runtime, itemId: string, a: Assignment): Promise<string> {
  const known = rt.directory().personName(a.responsible);
  if (known !== a.responsible) return known;
  if (a.responsibleName) return a.responsibleName;
  const trail = await rt.store.audit(itemId);
  for (const e of trail.reverse()) {
    if (e.unit !== a.unit || !e.detail || (e.action !== 'assign' && e.action !== 'reassign')) continue;
    const d = JSON.parse(e.detail) as { responsible?: unknown; name?: unknown; toName?: unknown };
    const name = e.action === 'assign' ? d.responsible === a.responsible && d.name : e.to === a.responsible && d.toName;
    if (typeof name === 'string') return name;
  }
  return a.responsible;
}
