// Who may use which command, over which items: the handlers check this table, and /帮助 is written from it.
import type { Directory } from '../directory/directory.ts';
import { isParty, ITEM_RULES, PARTY_LABELS, rolesOfParty, RULES, type Party } from './rules.ts';
import { Refusal } from './refusal.ts';
import type { Assignment } from './types.ts';

export type Command =
  | 'new'
  | 'cancel'
  | 'amend'
  | 'withdraw'
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
  list: ['office', 'head', 'deputy', 'contact'],
  show: ['office', 'head', 'deputy', 'contact', 'responsible'],
  // An item's attachments are part of what /查看 shows: whoever may see the item may have them.
  attachment: ['office', 'head', 'deputy', 'contact', 'responsible'],
  report: RULES.submit.who,
  urge: RULES.urge.who,
  summon: RULES.summon.who,
  outcome: RULES.record_summons.who,
  onsite: RULES.onsite.who,
  extend: RULES.request_extension.who,
  // The reason for a "no": the office's 退回 (and 不同意 an extension), the responsible leader's 退回修改.
  return: [...new Set([...RULES.return.who, ...RULES.decide_extension.who, ...RULES.send_back.who])],
  verify: ['office'],
  // The office's figures for a period: a unit's own people see their unit's only.
  stats: ['office', 'head', 'deputy', 'contact'],
  bulletin: ['office'],
  help: 'everyone',
};

/** Whether the person holds, in some unit (or in the office), a role that may use the command. */
export function holdsRole(command: Command, person: string, dir: Directory): boolean {
  const access = ACCESS[command];
  if (access === 'everyone') return true;
  const roles = dir.rolesOf(person).map((r) => r.role);
  return access.some((p) => rolesOfParty(p).some((r) => roles.includes(r)));
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

/** Whether the command reaches an item of these assignments for the person. */
export function reaches(command: Command, person: string, assignments: readonly Pick<Assignment, 'unit' | 'responsible'>[], dir: Directory): boolean {
  const access = ACCESS[command];
  if (access === 'everyone') return true;
  return access.some((p) => (p === 'office' ? dir.isOffice(person) : assignments.some((a) => isParty(p, person, a, dir))));
}

const WHO_LABELS: Record<Party, string> = { ...PARTY_LABELS, office: '督查室' };

/** Who may use a command, as /帮助 says it: `督查室`, `承办单位的联络员`, `督查室不限单位；承办单位的…限本单位`. */
export function whoLine(access: Access): string {
  if (access === 'everyone') return '所有人';
  const inUnit = access.filter((p) => p !== 'office');
  const units = inUnit.length ? `承办单位的${inUnit.map((p) => WHO_LABELS[p]).join('、')}` : '';
  if (!access.includes('office')) return units;
  return units ? `${WHO_LABELS.office}不限单位；${units}限本单位` : WHO_LABELS.office;
}

/** Said under a command whose who line names the responsible leader. */
export const RESPONSIBLE_NOTE = '负责领导：重点事项为一把手，一般事项为督查单所送的班子成员。';
