// Who gets the 【督查日报】 and what comes first in each one: the office's heads (office_heads:) and every owner (督查员) of
// an open item get it; each reader's own items come first (【本人负责】: what needs them today), then the whole
// office's sections. A clerk who owns no open item and is not a head gets none.
import type { Card } from '../chat/message.ts';
import { endOfDay } from '../domain/dates.ts';
import { numberOrder, shortNumber } from '../domain/item-number.ts';
import { officeSide } from '../domain/office-side.ts';
import { parseAssignmentRef, type AssignmentState, type ItemHeader } from '../domain/types.ts';
import type { Runtime } from '../infra/runtime.ts';
import type { Slot } from './slots.ts';

const OPEN_STATES: AssignmentState[] = ['issued', 'received', 'awaiting_signature', 'signed', 'returned'];
/** Lines of one's own items at most. */
const SHOWN = 15;
const DAY_MS = 86_400_000;
const CHUNK = 2000;
/** Units named on a line at most; more are counted. */
const NAMED = 3;
const TITLE_SHOWN = 20;

/** What one open item needs today, by unit. */
interface Needs {
  overdue: string[];
  soon: string[];
  unreceived: string[];
  signed: string[];
}

/**
 * Each recipient of the digest, with what comes first in theirs (the section of their own items; empty for a head
 * who owns no open item). Heads first, in the file's order, then owners.
 */
export async function digestReaders(rt: Runtime, slot: Slot): Promise<Map<string, string>> {
  const { store, config, calendar } = rt;
  const dir = rt.directory();
  const byState = await Promise.all(OPEN_STATES.map((s) => store.refsInState(s)));
  const ids = [...new Set(byState.flat().map((r) => parseAssignmentRef(r).item))];
  const headers = new Map<string, ItemHeader>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    for (const h of await store.getHeaders(ids.slice(i, i + CHUNK))) if (h.status === 'open') headers.set(h.id, h);
  }
  // Who owns what (an owner who has left the office: whoever takes their items over).
  const owned = new Map<string, ItemHeader[]>();
  for (const h of headers.values()) {
    const owner = officeSide(h, dir)[0]!;
    const mine = owned.get(owner);
    if (mine) mine.push(h);
    else owned.set(owner, [h]);
  }

  const soonEnd = endOfDay(calendar.addWorkdays(slot.date, 3).date, config.tz);
  const [overdue, soon] = await Promise.all([store.refsDueBy(slot.at - 1), store.dueBetween(slot.at, soonEnd)]);
  const needs = new Map<string, Needs>();
  const need = (ref: string, what: keyof Needs) => {
    const { item, unit } = parseAssignmentRef(ref);
    if (!headers.has(item)) return;
    let n = needs.get(item);
    if (!n) needs.set(item, (n = { overdue: [], soon: [], unreceived: [], signed: [] }));
    n[what].push(unit);
  };
  for (const ref of overdue) need(ref, 'overdue');
  for (const { ref } of soon) need(ref, 'soon');
  for (const ref of byState[0]!) {
    const at = headers.get(parseAssignmentRef(ref).item)?.issuedAt;
    if (at !== undefined && slot.at - at > DAY_MS) need(ref, 'unreceived');
  }
  for (const ref of byState[3]!) need(ref, 'signed');

  const readers = new Map<string, string>();
  for (const head of dir.officeHeads) readers.set(head, '');
  for (const [owner, items] of owned) readers.set(owner, ownSection(items, needs, rt));
  return readers;
}

/** The reader's own open items: how many, and each that needs them today, by number. */
function ownSection(items: ItemHeader[], needs: ReadonlyMap<string, Needs>, rt: Runtime): string {
  const dir = rt.directory();
  const units = (us: string[]) => (us.length <= NAMED ? us.map((u) => dir.unitName(u)).join('、') : `${us.length} 个单位`);
  const lines = items
    .filter((h) => needs.has(h.id))
    .sort((a, b) => numberOrder(a) - numberOrder(b))
    .map((h) => {
      const n = needs.get(h.id)!;
      const parts = [
        n.overdue.length ? `逾期：${units(n.overdue)}` : '',
        n.soon.length ? `临期：${units(n.soon)}` : '',
        n.unreceived.length ? `超过一天未签收：${units(n.unreceived)}` : '',
        n.signed.length ? `待受理：${units(n.signed)}` : '',
      ].filter(Boolean);
      const title = h.title.length > TITLE_SHOWN ? `${h.title.slice(0, TITLE_SHOWN)}…` : h.title;
      return `· ${shortNumber(h)}「${title}」${parts.join('；')}`;
    });
  const head = `【本人负责】在办 ${items.length} 项`;
  if (lines.length === 0) return `${head}，今日没有逾期、临期、未签收或待受理的`;
  const more = lines.length > SHOWN ? `\n……共 ${lines.length} 项需关注，发送 /台账 查看全部` : '';
  return `${head}，需关注 ${lines.length} 项\n${lines.slice(0, SHOWN).join('\n')}${more}`;
}

/** The digest as one reader gets it: their own items first, then the office's. */
export function digestFor(card: Card, own: string): Card {
  return own ? { ...card, body: card.body ? `${own}\n\n${card.body}` : own } : card;
}

