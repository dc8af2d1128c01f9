// The rules of 督查 in one table: for each action, who may take it, from which states, and to which state.
// Handlers and the table-driven test both read this file; check it against docs/domain.md line by line.
import type { Directory, Role } from '../directory/directory.ts';
import { Refusal } from './refusal.ts';
import { noticeNumber } from './item-number.ts';
import { hasLeadRule } from './joint.ts';
import { type Assignment, type AssignmentState, type Extension, type ExtensionStatus, type ItemHeader, type ItemStatus } from './types.ts';

/** Whose action it is, relative to one assignment. */
export type Party =
  | 'office' // a clerk of the supervision office
  | 'responsible' // the leader the notice went to: the head (key item) or the named deputy (ordinary)
  | 'head' // the unit's 一把手, whatever the item
  | 'deputy' // any 班子成员 of the unit
  | 'contact' // a 联络员 of the unit
  | 'leader'; // the item's 批办领导 (the directory's leaders:), for the items they instructed

export type AssignmentAction =
  | 'receive'
  | 'submit'
  | 'attach'
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
  | 'agree_extension'
  | 'decide_extension'
  | 'complete_with_lead';

export interface Rule {
  /** The Chinese name users see. */
  label: string;
  who: Party[];
  from: AssignmentState[];
  /** The state after; `same` leaves it; a function decides from the record (accept: final or progress). */
  to: AssignmentState | 'same' | ((a: Assignment) => AssignmentState);
  /** A refusal more precise than "wrong state" for particular states. */
  refuse?: Partial<Record<AssignmentState, { code: 'unsigned' | 'wrong_state'; message: string }>>;
  /**
   * On a joint item (牵头=, see joint.ts): the only units the action may take (`lead`: the lead unit's assignment;
   * `support`: a 配合 unit's), and what anyone trying it on another is told. Absent: any unit, as on every other item.
   */
  joint?: { only: 'lead' | 'support'; refuse: (unit: string, lead: string) => string; alone?: string };
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
  // A file sent in reply to the report's card is added to the report while it waits for signature: the signature
  // then covers it too.
  attach: { label: '补充附件', who: ['contact'], from: ['awaiting_signature'], to: 'same' },
  sign: { label: '签署', who: ['responsible'], from: ['awaiting_signature'], to: 'signed' },
  send_back: { label: '退回修改', who: ['responsible'], from: ['awaiting_signature'], to: 'returned' },
  accept: {
    label: '受理',
    who: ['office'],
    from: ['signed'],
    // A progress report accepted goes back to work; a final report accepted completes the assignment.
    to: (a) => (a.reports[a.reports.length - 1]?.final ? 'completed' : 'received'),
    // A 配合 unit's report goes to the lead unit, whose final report answers for every unit: never the office's to take.
    joint: { only: 'lead', refuse: (unit, lead) => `不予受理：${unit}是配合单位，其报告报牵头单位${lead}汇总，由${lead}的办结报告一并报督查室` },
    refuse: {
      awaiting_signature: { code: 'unsigned', message: '不予受理：该报告尚未经负责领导本人签署' },
      received: { code: 'unsigned', message: '不予受理：该单位没有已签署的报告' },
      returned: { code: 'unsigned', message: '不予受理：该单位没有已签署的报告' },
      issued: { code: 'unsigned', message: '不予受理：该单位没有已签署的报告' },
    },
  },
  return: {
    label: '退回',
    who: ['office'],
    from: ['signed'],
    to: 'returned',
    joint: { only: 'lead', refuse: (unit, lead) => `${unit}是配合单位，其报告报牵头单位${lead}汇总，督查室不单独退回；请审核${lead}的报告` },
  },
  urge: { label: '催办', who: ['office'], from: OPEN, to: 'same' },
  summon: { label: '约谈（听取汇报）', who: ['office'], from: OPEN, to: 'same' },
  confirm_summons: { label: '确认出席', who: ['head'], from: [...OPEN, 'completed'], to: 'same' },
  // The office records what the head reported in person; a summons may be heard after the unit completes.
  record_summons: { label: '记录约谈结果', who: ['office'], from: [...OPEN, 'completed'], to: 'same' },
  onsite: { label: '坐地督查', who: ['office'], from: OPEN, to: 'same' },
  request_extension: { label: '申请延期', who: ['head', 'responsible', 'contact'], from: OPEN, to: 'same' },
  // A contact's request goes to the unit's responsible leader first (同意申请 / 不同意): see EXTENSION_RULES.
  agree_extension: { label: '审核延期申请', who: ['responsible'], from: OPEN, to: 'same' },
  decide_extension: { label: '审批延期', who: ['office'], from: OPEN, to: 'same' },
  // The office's 受理 of the lead unit's final report of a joint item completes each 配合 unit with it, reported or not.
  complete_with_lead: {
    label: '随牵头单位办结',
    who: ['office'],
    from: OPEN,
    to: 'completed',
    joint: {
      only: 'support',
      refuse: (unit) => `${unit}是牵头单位，须受理其办结报告`,
      alone: '该事项没有指定牵头单位（牵头=），各单位的报告各自报督查室受理',
    },
  },
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
  leader: '批办领导',
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
    case 'leader':
      // A leader acts on the items they instructed, never on a unit's assignment (see LEADER_RULES).
      return false;
  }
}

/** The directory roles that can make a person this party: the responsible leader is a head or a deputy. */
export function rolesOfParty(party: Party): Role['role'][] {
  if (party === 'leader') return [];
  return party === 'responsible' ? ['head', 'deputy'] : [party];
}

/** True when the person holds the party's role in another unit: then the refusal says "wrong unit". */
function isPartyElsewhere(party: Party, person: string, a: Assignment, dir: Directory): boolean {
  const roles = rolesOfParty(party);
  return dir.rolesOf(person).some((r) => r.role !== 'office' && r.unit !== a.unit && roles.includes(r.role));
}

/** What an item's number and status say to someone refused an action on it: `草稿7尚未发出`, `督字〔2026〕3号已撤回`. */
type ItemFacts = Pick<ItemHeader, 'status' | 'year' | 'seq' | 'draft' | 'expired'> & Partial<Pick<ItemHeader, 'leadRule' | 'lead' | 'units'>>;

/** Why nothing more can be done on an item that is not open, as a sentence's start; undefined when it is open. */
function notOpen(item: ItemFacts): string | undefined {
  const no = noticeNumber(item);
  switch (item.status) {
    case 'open':
      return undefined;
    case 'draft':
      return `${no}尚未发出`;
    case 'cancelled':
      return item.expired ? `${no}已过期作废（7 天内未发出）` : `${no}已取消`;
    case 'withdrawn':
      return `${no}已撤回`;
    case 'review':
      return `${no}各单位已办结，待批办领导审阅`;
    case 'completed':
      return `${no}已办结`;
  }
}

/**
 * Checks one action by one person on one assignment; throws a Refusal naming why not.
 * Returns the state the assignment moves to.
 */
export function check(action: AssignmentAction, person: string, item: ItemFacts, a: Assignment, dir: Directory): AssignmentState {
  const rule = RULES[action];
  // A completed item's assignments are all completed (so are those of an item in the leader's review): their own
  // states answer below.
  if (item.status !== 'completed' && item.status !== 'open' && item.status !== 'review') throw new Refusal('wrong_state', `${notOpen(item)!}，不能${rule.label}`);
  if (!rule.who.some((p) => isParty(p, person, a, dir))) {
    const unitName = dir.unitName(a.unit);
    const allowed = rule.who.map((p) => PARTY_LABELS[p]).join('或');
    if (rule.who.some((p) => isPartyElsewhere(p, person, a, dir))) {
      throw new Refusal('wrong_unit', `只有${unitName}的${allowed}才能${rule.label}，您不是`);
    }
    throw new Refusal('not_allowed', `只有${rule.who.includes('office') ? '' : unitName + '的'}${allowed}才能${rule.label}`);
  }
  const joint = jointRefusal(action, item, a.unit, dir);
  if (joint) throw new Refusal('not_allowed', joint);
  if (!rule.from.includes(a.state)) {
    const special = rule.refuse?.[a.state];
    if (special) throw new Refusal(special.code, special.message);
    throw new Refusal('wrong_state', `${dir.unitName(a.unit)}当前状态为「${STATE_LABELS[a.state]}」，不能${rule.label}`);
  }
  if (rule.to === 'same') return a.state;
  return typeof rule.to === 'function' ? rule.to(a) : rule.to;
}

/**
 * What the lead rule of a joint item says against the action on this unit (RULES' `joint`), or undefined when it
 * allows it (or the item has no lead rule: then an action with `only: 'support'` has no unit to act on).
 */
export function jointRefusal(action: AssignmentAction, item: Partial<Pick<ItemHeader, 'leadRule' | 'lead' | 'units'>>, unit: string, dir: Pick<Directory, 'unitName'>): string | undefined {
  const joint = RULES[action].joint;
  if (!joint) return undefined;
  if (!hasLeadRule(item)) return joint.only === 'lead' ? undefined : joint.alone;
  const lead = item.lead!;
  if ((joint.only === 'lead') === (unit === lead)) return undefined;
  return joint.refuse(dir.unitName(unit), dir.unitName(lead));
}

// The item is completed when all its assignments are: the item's record counts its open assignments, and the
// step that completes the last one completes the item too (commit-op in src/store/scripts.ts).

// ---------------------------------------------------------------------------------------------
// The item itself: 发出 a draft, 取消 it, and once issued, correct it (修改) or withdraw it (撤回). The office's alone.
// ---------------------------------------------------------------------------------------------

export type ItemAction = 'issue' | 'cancel' | 'amend' | 'withdraw' | 'handover';

export interface ItemRule {
  /** The Chinese verb users see (不能撤回). */
  label: string;
  /** What is done, as a refusal names it (只有督查室工作人员才能撤回督查事项). */
  doing: string;
  who: Party[];
  from: ItemStatus[];
  /** Where it leads: an item already there is told so, and nothing more (`same`: the status stays as it is). */
  to: ItemStatus | 'same';
  /** What to do instead, after the refusal, for the states where there is something better to do. */
  hint?: Partial<Record<ItemStatus, (ref: string) => string>>;
}

export const ITEM_RULES: Record<ItemAction, ItemRule> = {
  issue: { label: '发出', doing: '发出督查单', who: ['office'], from: ['draft'], to: 'open', hint: { cancelled: () => '请重新新建' } },
  cancel: {
    label: '取消',
    doing: '取消草稿',
    who: ['office'],
    from: ['draft'],
    to: 'cancelled',
    hint: { open: (ref) => `如需撤回，请用 /撤回 ${ref} 理由=…` },
  },
  amend: {
    label: '修改',
    doing: '修改督查事项',
    who: ['office'],
    from: ['open'],
    to: 'open',
    hint: { draft: (ref) => `草稿可 /取消 ${ref} 后重新新建` },
  },
  withdraw: {
    label: '撤回',
    doing: '撤回督查事项',
    who: ['office'],
    from: ['open'],
    to: 'withdrawn',
    hint: { draft: (ref) => `草稿不必撤回，可用 /取消 ${ref}` },
  },
  // A draft or an open item changes owner (督查员); any clerk may hand it on, not only its owner.
  handover: { label: '转交', doing: '转交督查事项', who: ['office'], from: ['draft', 'open'], to: 'same' },
};

/**
 * Checks one action by one person on the item itself; throws a Refusal naming why not. `ref`: how the person typed
 * the item's number, for the hint of what to do instead.
 */
export function checkItem(action: ItemAction, person: string, item: ItemFacts, dir: Directory, ref = noticeNumber(item)): void {
  const rule = ITEM_RULES[action];
  if (!rule.who.some((p) => p === 'office' && dir.isOffice(person))) {
    throw new Refusal('not_allowed', `只有${rule.who.map((p) => PARTY_LABELS[p]).join('或')}才能${rule.doing}`);
  }
  if (rule.from.includes(item.status)) return;
  // Already done (发出 again, 撤回 again): said as it is. An item issued is 已经发出 to whoever would issue or cancel it.
  const issuedAlready = (action === 'issue' || action === 'cancel') && item.status !== 'draft' && item.status !== 'cancelled';
  const state = issuedAlready && item.status !== 'completed' && item.status !== 'withdrawn' ? `${noticeNumber(item)}已经发出` : notOpen(item)!;
  if (item.status === rule.to || (action === 'issue' && issuedAlready)) throw new Refusal('wrong_state', state);
  const hint = rule.hint?.[item.status]?.(ref);
  throw new Refusal('wrong_state', `${state}，不能${rule.label}${hint ? `。${hint}` : ''}`);
}

// ---------------------------------------------------------------------------------------------
// An extension request's own life: asked (a contact's goes to the unit's responsible leader, a leader's own straight
// to the office) → pending_leader ─同意申请─▶ pending (the office) ─同意─▶ approved, or 不同意 (with a reason) from
// either ─▶ refused. The assignment's rule (who, and from which unit states) is checked first, then the request's.
// ---------------------------------------------------------------------------------------------

export type ExtensionStep = 'agree' | 'disagree' | 'approve' | 'refuse';

export interface ExtensionRule {
  /** The button's label. */
  label: string;
  /** The assignment's rule: who may press, and while the unit is in which states. */
  rule: AssignmentAction;
  from: ExtensionStatus[];
  to: ExtensionStatus;
}

export const EXTENSION_RULES: Record<ExtensionStep, ExtensionRule> = {
  agree: { label: '同意申请', rule: 'agree_extension', from: ['pending_leader'], to: 'pending' },
  disagree: { label: '不同意', rule: 'agree_extension', from: ['pending_leader'], to: 'refused' },
  approve: { label: '同意', rule: 'decide_extension', from: ['pending'], to: 'approved' },
  refuse: { label: '不同意', rule: 'decide_extension', from: ['pending'], to: 'refused' },
};

/**
 * Where a request starts: a leader's own (the unit's head, or the responsible leader) goes straight to the office; a
 * contact's waits for the responsible leader, so that the office sees only requests the leader stands behind.
 */
export const EXTENSION_START: Record<'leader' | 'contact', ExtensionStatus> = { leader: 'pending', contact: 'pending_leader' };

/** The status a request by this person starts in (the caller has checked request_extension). */
export function extensionStart(person: string, a: Pick<Assignment, 'unit' | 'responsible'>, dir: Directory): ExtensionStatus {
  const leader = isParty('responsible', person, a, dir) || isParty('head', person, a, dir);
  return EXTENSION_START[leader ? 'leader' : 'contact'];
}

/** A request's status as a refusal says it: 这份延期申请尚待李明同意, 已报督查室审批, 已同意, 已被李明不同意. */
export function extensionStatusText(e: Pick<Extension, 'status' | 'leaderRefused' | 'decidedBy'>, a: Pick<Assignment, 'responsible'>, dir: Directory): string {
  switch (e.status) {
    case 'pending_leader':
      return `尚待${dir.personName(a.responsible)}同意`;
    case 'pending':
      return '已报督查室，等待审批';
    case 'approved':
      return '已同意';
    case 'refused':
      return e.leaderRefused ? `已被${dir.personName(e.decidedBy ?? a.responsible)}不同意` : '已不同意';
  }
}

/**
 * Checks a press on an extension request: the assignment's rule (who, unit state), then the request's own status.
 * Throws a Refusal naming why not; returns the status it moves to.
 */
export function checkExtension(step: ExtensionStep, person: string, item: ItemFacts, a: Assignment, e: Extension, dir: Directory): ExtensionStatus {
  const rule = EXTENSION_RULES[step];
  check(rule.rule, person, item, a, dir);
  if (!rule.from.includes(e.status)) throw new Refusal('wrong_state', `这份延期申请${extensionStatusText(e, a, dir)}`);
  return rule.to;
}

// ---------------------------------------------------------------------------------------------
// The 批办领导's review of an item they instructed: once every unit is completed the item waits for them (review); 阅
// completes it, a new instruction (再批示, /批示) is recorded and completes it too (the follow-up item carries the new
// work), and DUCHA_REVIEW_DAYS working days without an answer complete it by themselves (the system, not a party).
// A new instruction may also come later, on the completed item. Theirs alone, on the items they instructed.
// ---------------------------------------------------------------------------------------------

export type LeaderAction = 'read' | 'instruct';

export interface LeaderRule {
  label: string;
  who: Party[];
  from: ItemStatus[];
}

export const LEADER_RULES: Record<LeaderAction, LeaderRule> = {
  read: { label: '阅', who: ['leader'], from: ['review'] },
  instruct: { label: '批示', who: ['leader'], from: ['review', 'completed'] },
};

/** Checks the 批办领导's action on an item; throws a Refusal naming why not. */
export function checkLeader(action: LeaderAction, person: string, item: ItemFacts & Pick<ItemHeader, 'instructedBy'>, dir: Directory): void {
  const rule = LEADER_RULES[action];
  const no = noticeNumber(item);
  if (!item.instructedBy) throw new Refusal('not_allowed', `${no}没有批办领导，不需要${rule.label}`);
  if (item.instructedBy !== person) throw new Refusal('not_allowed', `只有${no}的批办领导${dir.personName(item.instructedBy)}才能${rule.label}`);
  if (rule.from.includes(item.status)) return;
  if (item.status === 'completed') throw new Refusal('wrong_state', `${no}已办结，无需再${rule.label}`);
  if (item.status === 'open') throw new Refusal('wrong_state', `${no}尚有单位未办结，各单位办结后再${rule.label}`);
  throw new Refusal('wrong_state', `${notOpen(item) ?? no}，不能${rule.label}`);
}
