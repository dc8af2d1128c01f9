// Who may use which command, over which items: the handlers check this table, and /帮助 is written from it.
import type { Directory } from '../directory/directory.ts';
import { isParty, ITEM_RULES, LEADER_RULES, PARTY_LABELS, rolesOfParty, RULES, type Party } from './rules.ts';
import { Refusal } from './refusal.ts';
import type { Assignment, ItemHeader } from './types.ts';

export type Command =
  | 'new'
  | 'cancel'
  | 'amend'
  | 'withdraw'
  | 'handover'
  | 'list'
  | 'show'
  | 'attachment'
  | 'report'
  | 'urge'
  | 'summon'
  | 'outcome'
  | 'onsite'
  | 'extend'
  | 'return'
  | 'verify'
  | 'archive'
  | 'instruct'
  | 'stats'
  | 'bulletin'
  | 'help';

export type Access = readonly Party[] | 'everyone';

/**
 * For each command, the parties who may use it. The office reaches every item and unit; a head, deputy or contact
 * the items of their own unit; the responsible leader the assignments they lead. A command that acts on one
 * assignment takes its parties from that action's rule, so the help cannot promise what the rule refuses.
 */
export const ACCESS: Readonly<Record<Command, Access>> = {
  new: ['office'],
  cancel: ITEM_RULES.cancel.who,
  amend: ITEM_RULES.amend.who,
  withdraw: ITEM_RULES.withdraw.who,
  handover: ITEM_RULES.handover.who,
  // A 批办领导 reaches the items they instructed, and only those.
  list: ['office', 'head', 'deputy', 'contact', 'leader'],
  show: ['office', 'head', 'deputy', 'contact', 'responsible', 'leader'],
  // An item's attachments are part of what /查看 shows: whoever may see the item may have them.
  attachment: ['office', 'head', 'deputy', 'contact', 'responsible', 'leader'],
  report: RULES.submit.who,
  urge: RULES.urge.who,
  summon: RULES.summon.who,
  outcome: RULES.record_summons.who,
  onsite: RULES.onsite.who,
  extend: RULES.request_extension.who,
  // The reason for a "no": the office's 退回 (and 不同意 an extension), the responsible leader's 退回修改.
  return: [...new Set([...RULES.return.who, ...RULES.decide_extension.who, ...RULES.send_back.who])],
  verify: ['office'],
  // An item's archive record (/归档): the office's, each unit's own part of it, and its 批办领导's.
  archive: ['office', 'head', 'deputy', 'contact', 'leader'],
  instruct: LEADER_RULES.instruct.who,
  // The office's figures for a period: a unit's own people see their unit's only.
  stats: ['office', 'head', 'deputy', 'contact'],
  bulletin: ['office'],
  help: 'everyone',
};


/** Whether the command reaches the item for the person: as ACCESS says, or as the leader who instructed it. */
export function reachesItem(
  command: Command,
  person: string,
  item: { instructedBy?: string; assignments: readonly Pick<Assignment, 'unit' | 'responsible'>[] },
  dir: Directory,
): boolean {
  return reaches(command, person, item.assignments, dir, item);
}

/** Whether the person holds, in some unit (or in the office), a role that may use the command. */
export function holdsRole(command: Command, person: string, dir: Directory): boolean {
  const access = ACCESS[command];
  if (access === 'everyone') return true;
  const roles = dir.rolesOf(person).map((r) => r.role);
  return access.some((p) => (p === 'leader' ? dir.isLeader(person) : rolesOfParty(p).some((r) => roles.includes(r))));
}

/** Refuses, before anything is read, someone who holds none of the command's roles anywhere. */
export function requireAccess(command: Command, person: string, dir: Directory, doing: string): void {
  const access = ACCESS[command];
  if (access === 'everyone' || holdsRole(command, person, dir)) return;
  throw new Refusal('not_allowed', `只有${access.map((p) => PARTY_LABELS[p]).join('或')}才能${doing}`);
}

/** What the command reaches of the units: all of them (the office), or those where the person holds a role it lists. */
export function unitsReached(command: Command, person: string, dir: Directory): { all: boolean; units: string[] } {
  const access = ACCESS[command];
  if (access === 'everyone') return { all: true, units: [] };
  // The responsible leader reaches assignments, not units: only the roles held in a unit count here.
  const roles = access.flatMap((p) => (p === 'office' || p === 'responsible' ? [] : rolesOfParty(p)));
  const units = dir.rolesOf(person).flatMap((r) => (r.role !== 'office' && roles.includes(r.role) ? [r.unit] : []));
  return { all: access.includes('office') && dir.isOffice(person), units: [...new Set(units)] };
}

/**
 * Whether the command reaches an item of these assignments for the person. `item`: the item itself, whose 批办领导
 * it reaches (without it, no leader is reached).
 */
export function reaches(
  command: Command,
  person: string,
  assignments: readonly Pick<Assignment, 'unit' | 'responsible'>[],
  dir: Directory,
  item?: Pick<ItemHeader, 'instructedBy'>,
): boolean {
  const access = ACCESS[command];
  if (access === 'everyone') return true;
  return access.some((p) =>
    p === 'office' ? dir.isOffice(person) : p === 'leader' ? item?.instructedBy === person : assignments.some((a) => isParty(p, person, a, dir)),
  );
}

const WHO_LABELS: Record<Party, string> = { ...PARTY_LABELS, office: '督查室' };

/** Who may use a command, as /帮助 says it: `督查室`, `承办单位的联络员`, `督查室不限单位；承办单位的…限本单位`. */
export function whoLine(access: Access): string {
  if (access === 'everyone') return '所有人';
  const inUnit = access.filter((p) => p !== 'office' && p !== 'leader');
  const units = inUnit.length ? `承办单位的${inUnit.map((p) => WHO_LABELS[p]).join('、')}` : '';
  const leader = access.includes('leader') ? LEADER_WHO : '';
  const line = !access.includes('office') ? units : units ? `${WHO_LABELS.office}不限单位；${units}限本单位` : WHO_LABELS.office;
  return [line, leader].filter(Boolean).join('；');
}

/** How /帮助 names the 批办领导: they reach only the items they instructed. */
export const LEADER_WHO = `${PARTY_LABELS.leader}限其批办的事项`;

/** Said under a command whose who line names the responsible leader. */
export const RESPONSIBLE_NOTE = '负责领导：重点事项为一把手，一般事项为督查单所送的班子成员。';
