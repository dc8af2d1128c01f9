// One reminder slot (a working day at DUCHA_REMIND_AT): one reminder per person listing every assignment awaiting
// them, the escalation steps now due, the progress reminders of periods ending today (progress.ts), and the office's
// daily digest. Safe to run again: each message is named by
// the slot and its person, each escalation step by its assignment.
import type { ReminderList, ReminderTag } from '../chat/reminder-cards.ts';
import { deliveryJobId, type Delivery } from '../delivery/delivery.ts';
import { endOfDay } from '../domain/dates.ts';
import { isKey, parseAssignmentRef, type Assignment, type ItemHeader } from '../domain/types.ts';
import { faultPoint } from '../infra/fault-point.ts';
import type { Runtime } from '../infra/runtime.ts';
import { sendDigest } from './digest.ts';
import { dueSteps, escalate } from './escalate.ts';
import { followLeader } from './follow-leader.ts';
import { runProgress } from './progress.ts';
import { awaitedOf, horizonDate, recipientsOf, reminderDue, type Slot } from './slots.ts';
import { remindKey, saveReminderList } from './views.ts';
import { supportBy, supportRefsAfter, tellLeads, tellsLead, type Missing } from './support-lead.ts';

/** Assignments read per round trip. */
const CHUNK = 2000;

export interface SlotReport {
  reminders: number;
  people: number;
  escalations: number;
  digest: boolean;
  /** People sent 【进度报送提醒】. */
  progress?: number;
}

interface PersonList {
  overdue: boolean;
  lines: ReminderList['lines'];
}

export async function runSlot(rt: Runtime, slot: Slot, late: boolean): Promise<SlotReport> {
  const started = Date.now();
  const { config, calendar } = rt;
  const settings = { remindBefore: config.remindBefore };
  const horizon = endOfDay(horizonDate(slot.date, settings, calendar), config.tz);
  // A joint item's 配合 units are reminded by an earlier day (support-lead.ts): their deadlines are read further ahead.
  const refs = [...(await rt.store.refsDueBy(horizon)), ...(await supportRefsAfter(rt, slot.date, horizon))];
  const lists = new Map<string, PersonList>();
  const missing: Missing = new Map();
  const steps: { item: string; unit: string; due: string; step: number; days: number }[] = [];
  let reminders = 0;
  for (let i = 0; i < refs.length; i += CHUNK) {
    const chunk = refs.slice(i, i + CHUNK);
    const as = await rt.store.getAssignmentsByRef(chunk);
    const headers = new Map((await rt.store.getHeaders([...new Set(chunk.map((r) => parseAssignmentRef(r).item))])).map((h) => [h.id, h]));
    for (const ref of chunk) {
      const a = as.get(ref);
      const item = headers.get(parseAssignmentRef(ref).item);
      if (!a || !item || item.status !== 'open' || a.state === 'completed') continue;
      const when = reminderDue(slot.date, a.due, settings, calendar);
      // A 配合 unit that has not reported to its lead unit is reminded by the day it must (DUCHA_SUPPORT_LEAD).
      const by = supportBy(rt, item, a);
      const remind = by === undefined ? when : reminderDue(slot.date, by, settings, calendar);
      if (by !== undefined && tellsLead(rt, slot.date, by, a.due)) {
        const m = missing.get(item.id) ?? { item, units: [] };
        m.units.push({ a, by });
        missing.set(item.id, m);
      }
      if (!when && !remind) continue;
      const awaited = awaitedOf(a);
      if (awaited && remind) {
        const leader = await leaderOf(rt, item, a);
        for (const person of recipientsOf(awaited, leader, a.unit, rt.directory())) {
          let list = lists.get(person);
          if (!list) lists.set(person, (list = { overdue: false, lines: [] }));
          list.lines.push(by === undefined ? { ref, awaited } : { ref, awaited, by });
          list.overdue ||= when?.kind === 'overdue';
          reminders++;
        }
      }
      // Not while the office holds a signed report (its turn, not the unit's); a step due meanwhile follows a 退回.
      if (when?.kind === 'overdue' && isKey(item) && a.state !== 'signed') {
        for (const step of dueSteps(item, a, config.escalate, when.days)) steps.push({ item: item.id, unit: a.unit, due: a.due, step, days: when.days });
      }
    }
  }
  await sendLists(rt, slot, late, lists);
  await tellLeads(rt, slot, late, missing);
  const queuedMs = Date.now() - started;
  faultPoint(rt, 'mid-slot');
  let escalations = 0;
  for (const s of steps) if (await escalate(rt, s.item, s.unit, s.due, s.step, s.days, late)) escalations++;
  // Each step is a card to the item's owner (officeSide).
  rt.metrics.scheduledQueued('逾期升级', escalations, rt.clock.now() - slot.at);
  const progress = await runProgress(rt, slot, late);
  const digests = await sendDigest(rt, slot, late);
  const digest = digests > 0;
  if (digest) rt.metrics.scheduledQueued('督查日报', digests, rt.clock.now() - slot.at);
  rt.log.info({ slot: slot.date, late, reminders, people: lists.size, escalations, progress, digest, queuedMs, ms: Date.now() - started }, '本轮提醒已完成');
  return { reminders, people: lists.size, escalations, digest, progress };
}

/** The leader the directory names now (recorded first if it changed), so a new head gets the later reminders. */
async function leaderOf(rt: Runtime, item: ItemHeader, a: Assignment): Promise<string> {
  return (await followLeader(rt, item, a)) ?? a.responsible;
}

/** Keeps each person's list (their card is drawn from it, now and when pressed) and queues one card per person. */
async function sendLists(rt: Runtime, slot: Slot, late: boolean, lists: Map<string, PersonList>): Promise<void> {
  const people = [...lists.keys()];
  for (let i = 0; i < people.length; i += CHUNK) {
    const batch = people.slice(i, i + CHUNK);
    await Promise.all(
      batch.map((person) => {
        const l = lists.get(person)!;
        const tag: ReminderTag = l.overdue ? '逾期提醒' : '到期提醒';
        const list: ReminderList = { slot: slot.date, tag, late, lines: l.lines };
        return saveReminderList(rt, person, list);
      }),
    );
    // One job per person, named by the slot and the person: a slot run again queues nothing twice.
    await rt.queues.deliver.addBulk(
      batch.map((person) => {
        const opId = `slot:${slot.date}:${person}`;
        const data: Delivery & { opId: string } = { kind: 'send', person, cardKey: remindKey(slot.date, person), opId };
        return { name: 'send', data, opts: { jobId: deliveryJobId(opId, 0) } };
      }),
    );
    const overdue = batch.filter((person) => lists.get(person)!.overdue).length;
    rt.metrics.scheduledQueued('逾期提醒', overdue, rt.clock.now() - slot.at);
    rt.metrics.scheduledQueued('到期提醒', batch.length - overdue, rt.clock.now() - slot.at);
  }
}
