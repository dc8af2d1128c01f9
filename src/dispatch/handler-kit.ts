// Small pieces handlers share: finding an item and its assignment, the cards to redraw after a change.
import { cardKey } from '../chat/card-key.ts';
import { excerpt, parseItemRef } from '../chat/parse-command.ts';
import type { Directory, Person, Role } from '../directory/directory.ts';
import { didYouMean, personLabel, suggestPeople, suggestUnits, unitLabel, unitWrittenAs } from '../directory/suggest.ts';
import { dateInTz, formatDate } from '../domain/dates.ts';
import { STATE_LABELS } from '../domain/rules.ts';
import { refText } from '../domain/item-number.ts';
import { isOverdue, noticeNumber, type Assignment, type ItemHeader, type Proposal } from '../domain/types.ts';
import type { Runtime } from '../infra/runtime.ts';
import type { Delivery } from '../delivery/delivery.ts';
import { Refusal } from '../domain/refusal.ts';

/** This year in DUCHA_TZ, on the domain's clock: the year of a number typed without one, and of the next 督字 number. */
export function currentYear(rt: Pick<Runtime, 'clock' | 'config'>): number {
  return Number(dateInTz(rt.clock.now(), rt.config.tz).slice(0, 4));
}

/**
 * What a person typed to name an item (`12`, `2026-12`, `督字〔2026〕12号`, `草稿7`) → the item's internal id; a number
 * without a year is of this year. Refuses, naming the number as typed, when there is no such item.
 */
export async function itemIdFrom(rt: Pick<Runtime, 'clock' | 'config' | 'store'>, ref: string | undefined): Promise<string> {
  const year = currentYear(rt);
  const parsed = ref ? parseItemRef(ref, year) : undefined;
  if (!parsed) throw new Refusal('bad_syntax', `请写明督查事项编号，例如 12 或 ${year}-12${ref ? `（「${ref}」不是编号）` : ''}`);
  const id = await rt.store.findItem(parsed);
  if (!id) throw new Refusal('not_found', `没有${refText(parsed)}这个督查事项`);
  return id;
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

/**
 * Resolves `unit=` (an id or a full name, in any width or case) to a unit id, or refuses naming what was not found
 * and the units it comes close to.
 */
export function unitIdFrom(dir: Directory, s: string): string {
  const u = dir.unit(s.trim()) ?? unitWrittenAs(dir, s);
  if (u) return u.id;
  const close = suggestUnits(dir, s).map(unitLabel);
  throw new Refusal('bad_syntax', `「${excerpt(s.trim())}」不是通讯录中的单位${didYouMean(close) || '，请写单位编号或全称'}`);
}

/**
 * Resolves a person named by id or name (`负责人=`), or refuses naming what was not found and who of `among` (the
 * people the command could mean) comes close to it. `what`: the argument, as the user knows it (负责人).
 */
export function personFrom(dir: Directory, s: string, what: string, among: readonly Person[] = dir.allPeople()): Person {
  const t = s.trim();
  const p = dir.person(t) ?? dir.allPeople().find((x) => x.name === t);
  if (p) return p;
  const close = suggestPeople(among, t).map(personLabel);
  throw new Refusal('bad_syntax', `${what}「${excerpt(t)}」不是通讯录中的人员${didYouMean(close) || '，请写姓名或编号'}`);
}

/**
 * Every card of an assignment whose content depends on its state: redrawn after any change to it. (The preview
 * card shows only the item and who receives it, so a change to one unit leaves it as it is.)
 */
export function refreshAssignmentCards(item: Pick<ItemHeader, 'id'>, a: Assignment): Delivery[] {
  const out: Delivery[] = [{ kind: 'refresh', cardKey: cardKey({ kind: 'notice', item: item.id, unit: a.unit }) }];
  for (const r of a.reports.slice(-2)) {
    out.push({ kind: 'refresh', cardKey: cardKey({ kind: 'sign', item: item.id, unit: a.unit, n: r.version }) });
    out.push({ kind: 'refresh', cardKey: cardKey({ kind: 'review', item: item.id, unit: a.unit, n: r.version }) });
  }
  return out;
}

/**
 * The unit of an item this person acts for: one of the roles given (in that order of preference), else any of
 * their units; undefined when the item is not assigned to any unit of theirs.
 */
export function unitOfPersonIn(item: Pick<ItemHeader, 'units'>, person: string, dir: Directory, prefer?: Role['role']): string | undefined {
  const roles = dir.rolesOf(person).flatMap((r) => (r.role === 'office' ? [] : [r]));
  const preferred = prefer && roles.find((r) => r.role === prefer && item.units.includes(r.unit));
  return preferred ? preferred.unit : roles.find((r) => item.units.includes(r.unit))?.unit;
}

export function sendText(person: string, text: string, urgent = false): Delivery {
  return { kind: 'send', person, message: { kind: 'text', text }, urgent };
}

/** The urge notice (催办) to an assignment's responsible leader, with the notice card again while it is unreceived. */
export function urgeDeliveries(item: Pick<ItemHeader, 'id' | 'year' | 'seq' | 'draft' | 'title'>, a: Assignment, dir: Directory, now: number): Delivery[] {
  const late = isOverdue(a, now) ? '已逾期，' : '';
  const out: Delivery[] = [
    sendText(
      a.responsible,
      `【催办】${dir.issuer}：${noticeNumber(item)}「${item.title}」${late}办结时限 ${formatDate(a.due)}，` +
        `当前状态「${STATE_LABELS[a.state]}」。请${dir.personName(a.responsible)}同志亲自过问，抓紧办理并按时报送。`,
      true,
    ),
  ];
  if (a.state === 'issued') out.push({ kind: 'send', person: a.responsible, cardKey: cardKey({ kind: 'notice', item: item.id, unit: a.unit }) });
  return out;
}

/** The proposal a card names (a second summons or visit waiting for the clerk), while it still waits. */
export function proposalIn(a: Assignment, id: number | undefined): Proposal {
  const p = (a.proposals ?? []).find((x) => x.id === id);
  if (!p) throw new Refusal('not_found', '找不到这次待确认的约谈或坐地督查');
  if (p.status !== 'pending') throw new Refusal('wrong_state', p.status === 'replaced' ? '已经替换过了' : '已经选择保留原来的');
  return p;
}
