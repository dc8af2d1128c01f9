// The records of 督查: items, their assignments to units, reports, signatures, summons, visits, extensions.
import type { Platform } from '../directory/directory.ts';
import type { ProgressEvery } from './progress.ts';

export { noticeNumber } from './item-number.ts';

export type AssignmentState = 'issued' | 'received' | 'awaiting_signature' | 'signed' | 'returned' | 'completed';
/**
 * draft → open (发出) → completed; a draft may be cancelled (取消, or expired after a week); an open item withdrawn (撤回).
 * An item with a 批办领导 goes from open to review (待批办领导审阅) when its last unit completes, and is completed by the
 * leader's 阅 or new instruction (再批示), or by itself after DUCHA_REVIEW_DAYS working days.
 */
export type ItemStatus = 'draft' | 'open' | 'review' | 'completed' | 'cancelled' | 'withdrawn';
/** 文件, 批示, 会议, 交办, 信访: a document, a leader's written instruction, a meeting's decision, assigned orally, raised by the public. */
export type ItemSource = 'document' | 'instruction' | 'meeting' | 'assigned' | 'petition';
export type Category = 'major' | 'typical' | 'urgent' | 'public' | 'assigned' | 'hard';

/** Who did something, and through which door. `system` is the service itself (reminders, settling). */
export interface Actor {
  person: string;
  platform: Platform | 'system' | 'test';
  platformId?: string;
}

export interface Signature {
  by: string;
  at: number;
  platform: string;
  platformId?: string;
  version: number;
  hash: string;
  /** The exact text signed: 签字就表明认可，签字就必须负责. */
  text: string;
  /** The sha256 of each attachment signed with the text, in their order (absent: the report had none). */
  attachments?: string[];
}

/**
 * A file sent with a report (整改照片, 方案), kept on disk under its sha256 (src/files/file-store.ts). `n` numbers it
 * across the item's reports (附件1, 附件2 …, in the order they were attached), for /附件 <no> <n>.
 */
export interface Attachment {
  n: number;
  name: string;
  sha256: string;
  size: number;
  mime: string;
  /** Who sent it, and when it was attached to the report. */
  by: string;
  at: number;
}

export type ReportStatus = 'pending' | 'signed' | 'sent_back' | 'superseded' | 'accepted' | 'returned';

export interface Report {
  version: number;
  text: string;
  /** sha256 of the text, hex. */
  hash: string;
  final: boolean;
  by: string;
  at: number;
  status: ReportStatus;
  /** What was sent with it; the signature covers their hashes as well as the text. */
  attachments?: Attachment[];
  signature?: Signature;
  reviewedBy?: string;
  reviewedAt?: number;
  /** Why the leader sent it back (退回修改) or the office returned it (退回): a "no" always says why. */
  returnReason?: string;
  /**
   * A lead unit's final report of a joint item (牵头=), as its leader signed it: which 配合 units had reported to the
   * lead unit by then, and which had not. Absent on every other report.
   */
  supporting?: { reported: string[]; missing: string[] };
}

export interface Summons {
  id: number;
  /** When the head is to report in person (epoch ms). */
  at: number;
  place: string;
  by: string;
  createdAt: number;
  confirmedAt?: number;
  confirmedBy?: string;
  outcome?: string;
  outcomeBy?: string;
  outcomeAt?: number;
  /** The summons that replaced this one before it was held (the office chose 替换原约谈), and when. */
  replacedBy?: number;
  replacedAt?: number;
}

export interface Visit {
  id: number;
  on: string;
  by: string;
  note?: string;
  createdAt: number;
  /** The record of the same day that replaced this one (the office chose 替换原记录), and when. */
  replacedBy?: number;
  replacedAt?: number;
}

/**
 * A second /约谈 while one is still to be held, or a second /坐地督查 of the same day: kept until the clerk who asked
 * chooses to replace the first with it or to keep the first, so that nothing is sent twice by mistake.
 */
export interface Proposal {
  id: number;
  kind: 'summons' | 'visit';
  /** The summons or visit it would replace. */
  replaces: number;
  /** What was asked for: a summons' time and place, or a visit's date and note. */
  at?: number;
  place?: string;
  on?: string;
  note?: string;
  by: string;
  createdAt: number;
  status: 'pending' | 'replaced' | 'kept';
  decidedAt?: number;
  /** The summons or visit made from it, once it replaced the first. */
  made?: number;
}

/**
 * pending_leader: a contact's request, waiting for the unit's responsible leader (同意申请 / 不同意); pending: at the
 * office (a leader's own request, one the leader agreed to, or a request of an earlier version); approved / refused.
 * Who may move it from which status: EXTENSION_RULES in rules.ts.
 */
export type ExtensionStatus = 'pending_leader' | 'pending' | 'approved' | 'refused';

export interface Extension {
  id: number;
  to: string;
  reason: string;
  by: string;
  at: number;
  status: ExtensionStatus;
  /** The responsible leader who agreed to a contact's request (同意申请), and when: then it went to the office. */
  agreedBy?: string;
  agreedAt?: number;
  /** The request was refused by the unit's responsible leader (不同意), before the office saw it. */
  leaderRefused?: boolean;
  /** Who decided it last (the office, or the leader who refused it), and when. */
  decidedBy?: string;
  decidedAt?: number;
  /** The deadline it replaced (set when asked, and again when approved). */
  oldDue?: string;
  /** Why it was refused (不同意, the office's or the leader's): told to whoever asked. */
  refuseReason?: string;
}

export interface Assignment {
  unit: string;
  /** 牵头 (true) or 配合. */
  lead: boolean;
  /** The leader who receives the notice and signs: the head (key item) or a deputy (ordinary). */
  responsible: string;
  /**
   * Their name as the directory gave it when they were made the leader: the directory may later drop them (a head who
   * left), and a message about the change still names them. Absent in records of earlier versions.
   */
  responsibleName?: string;
  state: AssignmentState;
  due: string;
  dueAt: number;
  receivedAt?: number;
  completedAt?: number;
  reports: Report[];
  summons: Summons[];
  visits: Visit[];
  extensions: Extension[];
  urges: number[];
  /** Second summons or visits waiting for the clerk's choice (absent in records made before there were any). */
  proposals?: Proposal[];
  /** When the unreceived notice is next chased (domain ms); absent once received or chased for the last time. */
  chaseAt?: number;
  /** Receipt chases sent so far (1: 【签收提醒】, 2: again with 加急 and the office told). */
  chases?: number;
  /** Escalation steps taken (1 automatic 催办, 2 约谈 proposed, 3 坐地督查 proposed). */
  escalated?: number[];
  /**
   * A 配合 unit of a joint item (牵头=) completed with its lead unit: the lead unit's final report that completed it
   * (its version, and when the lead's leader signed it: the joint delivery, see on-time.ts). Absent otherwise.
   */
  completedWith?: { unit: string; version: number; signedAt: number };
}

/** A correction of an issued item by the office (/修改): what changed, from what to what, and why. */
export interface Amendment {
  n: number;
  at: number;
  by: string;
  reason: string;
  title?: { from: string; to: string };
  req?: { from: string | null; to: string | null };
  due?: { from: string; to: string };
}

/**
 * The item's own record (its header): what every unit shares. Each unit's part is its own Assignment record,
 * so a press on one unit reads and writes that unit's record, never the others'.
 */
export interface ItemHeader {
  /**
   * The internal id, fixed for the item's whole life (keys, card keys, the audit trail): `d7` for an item drafted as
   * 草稿7; `2026-12` for an item of an earlier version, numbered when it was drafted. Never shown to users: they read
   * its number (item-number.ts).
   */
  id: string;
  /** The draft reference (草稿7); absent on items of an earlier version. */
  draft?: number;
  /**
   * The 督字 number (督字〔year〕seq号), given at 发出 by the commit step, in order and without gaps; absent on a draft
   * (an item of an earlier version took it when drafted). Kept as fields of their own beside the document.
   */
  year?: number;
  seq?: number;
  title: string;
  req?: string;
  /** Set for key items (要有重点); absent for ordinary ones. */
  category?: Category;
  status: ItemStatus;
  createdBy: string;
  createdAt: number;
  issuedBy?: string;
  issuedAt?: number;
  cancelledAt?: number;
  /** A draft not issued within its week is dropped by the service: cancelled, marked expired. */
  expired?: boolean;
  /** When a draft expires (domain ms); absent on drafts of an earlier version, given a week at the upgrade. */
  expiresAt?: number;
  completedAt?: number;
  withdrawnAt?: number;
  withdrawnBy?: string;
  withdrawReason?: string;
  /** Corrections made after issue, oldest first. */
  amendments?: Amendment[];
  due: string;
  dueAt: number;
  dueNote?: string;
  /** The assigned units' ids, in the order the office gave them (fixed when the item is created). */
  readonly units: readonly string[];
  /** The lead unit (牵头): the first unit unless `牵头=` named one. */
  lead: string;
  /**
   * `牵头=` was given: the 配合 units report to the lead unit, whose accepted final report completes them all. Absent:
   * every unit reports to the office, as before (lead is then only a label).
   */
  leadRule?: boolean;
  /** Where the task came from (任务来源); absent on items of an earlier version. */
  source?: ItemSource;
  /** The leader who instructed it (批办领导, from the directory's `leaders:`), who reviews the result before 办结. */
  instructedBy?: string;
  /** The document or instruction number (文号). */
  sourceRef?: string;
  /** The office member who owns the item (督查员): office-side cards go to them. Absent: ownerOf() decides. */
  owner?: string;
  /**
   * How often each unit reports its progress (进度=): 周, 月, 季, 半年 or N工作日 (see progress.ts). Absent: no progress
   * periods, only the deadline's reminders.
   */
  progress?: ProgressEvery;
  /**
   * While in review (and after): when the review began and when it ends by itself (domain ms). Kept as fields of their
   * own beside the document, as `completedAt` is: the commit step that completes the last unit writes them.
   */
  reviewFrom?: number;
  reviewDueAt?: number;
  /** How the leader's review ended (absent until it has). */
  review?: LeaderReview;
  /** The leader's new instructions on the finished item, oldest first. */
  instructions?: Instruction[];
  /** The item this one follows up (续办): a new instruction on it drafted this one. Its internal id. */
  follows?: string;
  /** A key item's escalation ladder (working days overdue of steps 1–3), frozen from DUCHA_ESCALATE when issued. */
  escalate?: [number, number, number];
}

/** How the 批办领导's review of a finished item ended: 阅, a new instruction (再批示), or no answer in time (by the system). */
export interface LeaderReview {
  how: 'read' | 'instructed' | 'silence';
  /** The leader, or `system` for silence. */
  by: string;
  at: number;
}

/** A new instruction (批示) of the 批办领导 on a finished item: recorded; the office gets a follow-up item's draft. */
export interface Instruction {
  n: number;
  text: string;
  by: string;
  at: number;
  /** The follow-up item (续办) drafted from it: its internal id. */
  followUp?: string;
}

/** An item with all its assignments, as read for a whole view (a ledger line, /查看, the preview card). */
export interface Item extends ItemHeader {
  assignments: Assignment[];
}

/** Issued: the item went to the units and holds a 督字 number (open, completed or withdrawn), not a draft or a cancelled draft. */
export function isIssued(item: Pick<ItemHeader, 'status'>): boolean {
  return item.status === 'open' || item.status === 'review' || item.status === 'completed' || item.status === 'withdrawn';
}

/** The item's owner in the office (督查员): the one named, else (items of an earlier version) whoever issued or drafted it. */
export function ownerOf(item: Pick<ItemHeader, 'owner' | 'issuedBy' | 'createdBy'>): string {
  return item.owner ?? item.issuedBy ?? item.createdBy;
}

export function isKey(item: Pick<ItemHeader, 'category'>): boolean {
  return item.category !== undefined;
}

/** A unit's part of a new item, as it is issued: nothing done yet. */
export function newAssignment(unit: string, lead: boolean, responsible: string, responsibleName: string, due: { date: string; dueAt: number }): Assignment {
  return { unit, lead, responsible, responsibleName, state: 'issued', due: due.date, dueAt: due.dueAt, reports: [], summons: [], visits: [], extensions: [], urges: [] };
}

/** The internal id of the item drafted as 草稿N. */
export function draftItemId(n: number): string {
  return `d${n}`;
}

/** How an assignment is named in indexes and logs: `2026-12/jtj`. */
export function assignmentRef(itemId: string, unit: string): string {
  return `${itemId}/${unit}`;
}

export function parseAssignmentRef(ref: string): { item: string; unit: string } {
  const i = ref.indexOf('/');
  return { item: ref.slice(0, i), unit: ref.slice(i + 1) };
}

/** Overdue is derived, never stored. */
export function isOverdue(a: Assignment, now: number): boolean {
  return a.state !== 'completed' && now > a.dueAt;
}

export function latestReport(a: Assignment): Report | undefined {
  return a.reports[a.reports.length - 1];
}
