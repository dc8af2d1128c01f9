// The keys of scheduled cards and how each is drawn again from the store: a slot's reminder list is kept in Redis,
// a receipt chase is drawn from its one assignment. A button pressed on such a card redraws it by its key.
import { reminderCard, chaseCard, type Listed, type ReminderList, type ScheduledContext } from '../chat/reminder-cards.ts';
import type { Card } from '../chat/message.ts';
import { parseAssignmentRef } from '../domain/types.ts';
import type { Runtime } from '../infra/runtime.ts';

/** How long a reminder list is kept: as long as its card can be pressed (Feishu: 14 days). */
export const LIST_TTL_SECONDS = 14 * 24 * 3600;

export function remindKey(slot: string, person: string): string {
  return `remind:${slot}:${person}`;
}

export function chaseKey(itemId: string, unit: string, stage: number, late: boolean): string {
  return `chase:${itemId}:${unit}:${stage}${late ? ':late' : ''}`;
}

export function isScheduledKey(key: string): boolean {
  return key.startsWith('remind:') || key.startsWith('chase:');
}

export function scheduledContext(rt: Runtime): ScheduledContext {
  return { dir: rt.directory(), tz: rt.config.tz, now: rt.clock.now(), signer: rt.signer, calendar: rt.calendar };
}

export async function saveReminderList(rt: Runtime, person: string, list: ReminderList): Promise<void> {
  await rt.store.saveReminderList(list.slot, person, list, LIST_TTL_SECONDS);
}

/** Draws a scheduled card by key for its person; undefined when its list has expired or its item is gone. */
export async function renderScheduled(rt: Runtime, key: string, viewer: string, readStatus?: 'read' | 'unread'): Promise<Card | undefined> {
  const ctx = scheduledContext(rt);
  if (key.startsWith('remind:')) {
    const rest = key.slice('remind:'.length);
    const i = rest.indexOf(':');
    const slot = rest.slice(0, i);
    const person = rest.slice(i + 1);
    if (person !== viewer) return undefined;
    const list = await rt.store.reminderList<ReminderList>(slot, person);
    if (!list) return undefined;
    const [as, headers] = await Promise.all([
      rt.store.getAssignmentsByRef(list.lines.map((l) => l.ref)),
      rt.store.getHeaders([...new Set(list.lines.map((l) => parseAssignmentRef(l.ref).item))]),
    ]);
    const byId = new Map(headers.map((h) => [h.id, h]));
    const listed: Listed[] = list.lines.flatMap((l) => {
      const a = as.get(l.ref);
      const item = byId.get(parseAssignmentRef(l.ref).item);
      return a && item ? [{ item, a, awaited: l.awaited, ...(l.by === undefined ? {} : { by: l.by }) }] : [];
    });
    return reminderCard(list, listed, viewer, key, ctx);
  }
  if (key.startsWith('chase:')) {
    const [, itemId, unit, stage, late] = key.split(':');
    if (!itemId || !unit || !stage) return undefined;
    const [header, a] = await Promise.all([rt.store.getHeader(itemId), rt.store.getAssignment(itemId, unit)]);
    if (!header || !a) return undefined;
    return chaseCard(header.doc, a.doc, Number(stage), late === 'late', viewer, key, ctx, readStatus);
  }
  return undefined;
}
