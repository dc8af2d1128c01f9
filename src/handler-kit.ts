// Small pieces handlers share: finding an item and its assignment, the cards to redraw after a change.
import { cardKey } from './chat/card-key.ts';
import { parseItemRef } from './chat/parse-command.ts';
import type { Directory } from './directory/directory.ts';
import { dateInTz } from './domain/deadline.ts';
import { assignmentOf, type Assignment, type Item } from './domain/types.ts';
import type { Delivery } from './delivery/delivery.ts';
import { Refusal } from './errors.ts';

/** `12`, `2026-12` or `督字〔2026〕12号` → the item id; the year defaults to this year in DUCHA_TZ. */
export function itemIdFrom(ref: string | undefined, now: number, tz: string): string {
  const year = Number(dateInTz(now, tz).slice(0, 4));
  const parsed = ref ? parseItemRef(ref, year) : undefined;
  if (!parsed) throw new Refusal('bad_syntax', `请写明督查事项编号，例如 12 或 ${year}-12${ref ? `（「${ref}」不是编号）` : ''}`);
  return `${parsed.year}-${parsed.seq}`;
}

export function mustAssignment(item: Item, unit: string | undefined, dir: Directory): Assignment {
  const a = unit ? assignmentOf(item, unit) : undefined;
  if (!a) throw new Refusal('not_found', `督查事项 ${item.id} 没有交办给${unit ? (dir.unitName(unit)) : '该单位'}`);
  return a;
}

/** Refuses anyone but a clerk of the supervision office, naming what they tried to do. */
export function requireOffice(dir: Directory, person: string, doing: string): void {
  if (!dir.isOffice(person)) throw new Refusal('not_allowed', `只有督查室工作人员才能${doing}`);
}

/** The one unit a command names with `unit=` (summons, on-site visits, outcomes take exactly one). */
export function oneUnit(dir: Directory, units: string[] | undefined, what: string): string {
  if (units?.length !== 1) throw new Refusal('bad_syntax', `${what}一次只能写一个单位`);
  return unitIdFrom(dir, units[0]!);
}

/** Resolves `unit=` (an id or a full name) to a unit id, or refuses naming what was not found. */
export function unitIdFrom(dir: Directory, s: string): string {
  const u = dir.unit(s.trim());
  if (!u) throw new Refusal('bad_syntax', `通讯录中没有单位「${s}」（可写单位简称编号或全称）`);
  return u.id;
}

/** Every card of an assignment whose content depends on its state: redrawn after any change to it. */
export function refreshAssignmentCards(item: Item, a: Assignment): Delivery[] {
  const out: Delivery[] = [
    { kind: 'refresh', cardKey: cardKey({ kind: 'notice', item: item.id, unit: a.unit }) },
    { kind: 'refresh', cardKey: cardKey({ kind: 'preview', item: item.id }) },
  ];
  for (const r of a.reports.slice(-2)) {
    out.push({ kind: 'refresh', cardKey: cardKey({ kind: 'sign', item: item.id, unit: a.unit, n: r.version }) });
    out.push({ kind: 'refresh', cardKey: cardKey({ kind: 'review', item: item.id, unit: a.unit, n: r.version }) });
  }
  return out;
}

/** The unit of an item for which this person acts as one of the given roles. */
export function unitOfPersonIn(item: Item, person: string, dir: Directory): Assignment | undefined {
  const mine = new Set(dir.unitsOf(person));
  return item.assignments.find((a) => mine.has(a.unit) || a.responsible === person);
}

export function sendText(person: string, text: string, urgent = false): Delivery {
  return { kind: 'send', person, message: { kind: 'text', text }, urgent };
}
