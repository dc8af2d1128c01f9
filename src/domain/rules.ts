// The rules of 督查 in one table: for each action, who may take it, from which states, and to which state.
// Handlers and the table-driven test both read this file; check it against docs/domain.md line by line.
import type { Directory, Role } from '../directory/directory.ts';
import { Refusal } from './refusal.ts';
import { isIssued, type Assignment, type AssignmentState, type ItemHeader } from './types.ts';

/** Whose action it is, relative to one assignment. */
export type Party =
  | 'office' // a clerk of the supervision office
  | 'responsible' // the leader the notice went to: the head (key item) or the named deputy (ordinary)
  | 'head' // the unit's 一把手, whatever the item
  | 'deputy' // any 班子成员 of the unit
  | 'contact'; // a 联络员 of the unit

export type AssignmentAction =
  | 'receive'
  | 'submit'
  | 'sign'
  | 'send_back'
  | 'accept'
  | 'return'
  | 'urge'
  | 'summon'
  | 'confirm_summons'
  | 'record_summons'
  | 'onsite'
  | 'request_extension'
  | 'decide_extension';

export interface Rule {
  /** The Chinese name users see. */
  label: string;
  who: Party[];
  from: AssignmentState[];
  /** The state after; `same` leaves it; a function decides from the record (accept: final or progress). */
  to: AssignmentState | 'same' | ((a: Assignment) => AssignmentState);
  /** A refusal more precise than "wrong state" for particular states. */
  refuse?: Partial<Record<AssignmentState, { code: 'unsigned' | 'wrong_state'; message: string }>>;
}

const OPEN: AssignmentState[] = ['issued', 'received', 'awaiting_signature', 'signed', 'returned'];

export const RULES: Record<AssignmentAction, Rule> = {
  receive: { label: '签收', who: ['responsible'], from: ['issued'], to: 'received' },
  submit: {
    label: '报送报告',
    who: ['contact'],
    // A new version while one waits for signature or review replaces it and needs a new signature.
    from: ['received', 'returned', 'awaiting_signature', 'signed'],
    to: 'awaiting_signature',
    refuse: { issued: { code: 'wrong_state', message: '督查单尚未签收，须由负责领导先签收，才能报送报告' } },
  },
  sign: { label: '签署', who: ['responsible'], from: ['awaiting_signature'], to: 'signed' },
  send_back: { label: '退回修改', who: ['responsible'], from: ['awaiting_signature'], to: 'returned' },
  accept: {
    label: '受理',
    who: ['office'],
    from: ['signed'],
    // A progress report accepted goes back to work; a final report accepted completes the assignment.
    to: (a) => (a.reports[a.reports.length - 1]?.final ? 'completed' : 'received'),
    refuse: {
      awaiting_signature: { code: 'unsigned', message: '不予受理：该报告尚未经负责领导本人签署' },
      received: { code: 'unsigned', message: '不予受理：该单位没有已签署的报告' },
      returned: { code: 'unsigned', message: '不予受理：该单位没有已签署的报告' },
      issued: { code: 'unsigned', message: '不予受理：该单位没有已签署的报告' },
    },
  },
  return: { label: '退回', who: ['office'], from: ['signed'], to: 'returned' },
  urge: { label: '催办', who: ['office'], from: OPEN, to: 'same' },
  summon: { label: '约谈（听取汇报）', who: ['office'], from: OPEN, to: 'same' },
  confirm_summons: { label: '确认出席', who: ['head'], from: [...OPEN, 'completed'], to: 'same' },
  // The office records what the head reported in person; a summons may be heard after the unit completes.
  record_summons: { label: '记录约谈结果', who: ['office'], from: [...OPEN, 'completed'], to: 'same' },
  onsite: { label: '坐地督查', who: ['office'], from: OPEN, to: 'same' },
  request_extension: { label: '申请延期', who: ['head', 'responsible', 'contact'], from: OPEN, to: 'same' },
  decide_extension: { label: '审批延期', who: ['office'], from: OPEN, to: 'same' },
};

export const STATE_LABELS: Record<AssignmentState, string> = {
  issued: '已下发待签收',
  received: '已签收办理中',
  awaiting_signature: '报告待签署',
  signed: '已签署待受理',
  returned: '已退回修改',
  completed: '已办结',
};

export const PARTY_LABELS: Record<Party, string> = {
  office: '督查室工作人员',
  responsible: '负责领导',
  head: '一把手',
  deputy: '班子成员',
  contact: '联络员',
};

/** Whether the person is the party for this assignment (the office: for every assignment). */
export function isParty(party: Party, person: string, a: Pick<Assignment, 'unit' | 'responsible'>, dir: Directory): boolean {
  switch (party) {
    case 'office':
      return dir.isOffice(person);
    case 'responsible':
      return a.responsible === person;
    case 'head':
      return dir.unit(a.unit)?.head === person;
    case 'deputy':
      return dir.unit(a.unit)?.deputies.includes(person) ?? false;
    case 'contact':
      return dir.unit(a.unit)?.contacts.includes(person) ?? false;
  }
}

/** The directory roles that can make a person this party: the responsible leader is a head or a deputy. */
export function rolesOfParty(party: Party): Role['role'][] {
  return party === 'responsible' ? ['head', 'deputy'] : [party];
}

/** True when the person holds the party's role in another unit: then the refusal says "wrong unit". */
function isPartyElsewhere(party: Party, person: string, a: Assignment, dir: Directory): boolean {
  const roles = rolesOfParty(party);
  return dir.rolesOf(person).some((r) => r.role !== 'office' && r.unit !== a.unit && roles.includes(r.role));
}

/**
 * Checks one action by one person on one assignment; throws a Refusal naming why not.
 * Returns the state the assignment moves to.
 */
export function check(
  action: AssignmentAction,
  person: string,
  item: Pick<ItemHeader, 'id' | 'status'>,
  a: Assignment,
  dir: Directory,
): AssignmentState {
  const rule = RULES[action];
  if (!isIssued(item)) {
    throw new Refusal('wrong_state', `督查事项 ${item.id} 尚未发出或已取消，不能${rule.label}`);
  }
  if (!rule.who.some((p) => isParty(p, person, a, dir))) {
    const unitName = dir.unitName(a.unit);
    const allowed = rule.who.map((p) => PARTY_LABELS[p]).join('或');
    if (rule.who.some((p) => isPartyElsewhere(p, person, a, dir))) {
      throw new Refusal('wrong_unit', `只有${unitName}的${allowed}才能${rule.label}，您不是`);
    }
    throw new Refusal('not_allowed', `只有${rule.who.includes('office') ? '' : unitName + '的'}${allowed}才能${rule.label}`);
  }
  if (!rule.from.includes(a.state)) {
    const special = rule.refuse?.[a.state];
    if (special) throw new Refusal(special.code, special.message);
    throw new Refusal('wrong_state', `${dir.unitName(a.unit)}当前状态为「${STATE_LABELS[a.state]}」，不能${rule.label}`);
  }
  if (rule.to === 'same') return a.state;
  return typeof rule.to === 'function' ? rule.to(a) : rule.to;
}

// The item is completed when all its assignments are: the item's record counts its open assignments, and the
// step that completes the last one completes the item too (commit-op in src/store/scripts.ts).
