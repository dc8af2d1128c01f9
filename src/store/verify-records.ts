// /核验, the records themselves: each record of an item (its header, each unit's record) against the seal the trail
// last gave it, and what the records say (status, deadlines, leaders, states) against what the trail recorded.
import type { Directory } from '../directory/directory.ts';
import { formatDate } from '../domain/dates.ts';
import { STATE_LABELS } from '../domain/rules.ts';
import { noticeNumber, type Assignment, type AssignmentState, type ItemHeader, type ItemStatus } from '../domain/types.ts';
import { ITEM_STATUS_LABELS } from '../chat/texts.ts';
import { HEADER_SEAL, parseSeals, recordHash } from './audit-chain.ts';
import { checkReview } from './verify-review.ts';

/** One entry of an item's trail as read: its fields, its parsed detail, and how to name it in a sentence. */
export interface TrailEntry {
  e: Record<string, string>;
  d: Record<string, unknown>;
  /** `第 4 条办理记录（… 签收）` */
  readonly what: string;
}

/** The trail in order; undefined where an entry cannot be read. */
export type Trail = (TrailEntry | undefined)[];

interface Seal {
  hash: string;
  /** The entry that carries it. */
  by: TrailEntry;
}

/** The last seal the trail gave each record. */
export interface Seals {
  header?: Seal;
  units: Map<string, Seal>;
}

export function lastSeals(trail: Trail): Seals {
  const seals: Seals = { units: new Map() };
  for (const t of trail) {
    if (!t) continue;
    for (const [name, hash] of parseSeals(t.e.rec)) {
      if (name === HEADER_SEAL) seals.header = { hash, by: t };
      else seals.units.set(name, { hash, by: t });
    }
  }
  return seals;
}

/** The fields of each record's Redis hash (keys.ts): any other was added outside ducha. */
const HEADER_FIELDS = ['v', 'doc', 'status', 'open', 'completedAt', 'year', 'seq', 'ah', 'an'];
const ASSIGNMENT_FIELDS = ['v', 'doc'];

/**
 * Each record against its last seal: any field changed, added or removed since ducha last wrote it shows. Returns
 * how many records were checked.
 */
export function checkRecords(
  seals: Seals,
  header: Record<string, string> | undefined,
  units: ReadonlyMap<string, Record<string, string> | undefined>,
  dir: Directory,
  problems: string[],
): number {
  const check = (what: string, seal: Seal | undefined, fields: Record<string, string> | undefined, known: string[]) => {
    if (!seal) {
      problems.push(fields ? `${what}没有校验值：它不是由本系统写入的` : `${what}不存在`);
      return;
    }
    if (!fields) {
      problems.push(`${what}在${seal.by.what}之后被删除`);
      return;
    }
    if (recordHash(fields) === seal.hash) return;
    const odd = [
      ...Object.keys(fields).filter((f) => !known.includes(f)).map((f) => `多出字段 ${f}`),
      ...['v', 'doc'].filter((f) => !(f in fields)).map((f) => `缺少字段 ${f}`),
    ];
    problems.push(`${what}在${seal.by.what}之后被改动过${odd.length ? `（${odd.join('，')}）` : ''}：与当时记下的校验值不符，不是经本系统改的`);
  };
  check('事项本身的记录', seals.header, header, HEADER_FIELDS);
  for (const [unit, fields] of units) check(`${dir.unitName(unit)}的交办记录`, seals.units.get(unit), fields, ASSIGNMENT_FIELDS);
  return 1 + units.size;
}

/** Entries that set the item's status (`to`). */
const ITEM_ACTIONS = new Set(['create', 'issue', 'cancel', 'expire', 'withdraw', 'complete_item', 'await_review', 'review_read', 'review_silence', 'instruct']);
/** Entries of a unit whose `to` is the unit's state (a 负责领导按通讯录变更's `to` is a person). */
const STATE_ACTIONS = new Set(['assign', 'receive', 'submit', 'sign', 'send_back', 'accept', 'return', 'urge', 'chase', 'escalate', 'complete_with_lead']);

/**
 * What the records say against what the trail recorded, field by field: this names the field of a changed record
 * where the trail states it (the item's title, units, deadline and status, its count of units not completed; each
 * unit's state, deadline and responsible leader). A change made with matching entries forged in the trail is left
 * to the chain to find.
 */
export function checkTrail(
  trail: Trail,
  item: ItemHeader,
  open: string | undefined,
  assignments: readonly Assignment[],
  dir: Directory,
  problems: string[],
): void {
  const byUnit = new Map<string, TrailEntry[]>();
  const itemEntries: TrailEntry[] = [];
  for (const t of trail) {
    if (!t) continue;
    if (!t.e.unit) itemEntries.push(t);
    else {
      const mine = byUnit.get(t.e.unit);
      if (mine) mine.push(t);
      else byUnit.set(t.e.unit, [t]);
    }
  }

  const created = itemEntries.find((t) => t.e.action === 'create');
  if (created) {
    const { units } = created.d;
    if (Array.isArray(units) && units.every((u) => typeof u === 'string') && units.join() !== String(item.units)) {
      problems.push(`事项的承办单位为${unitNames(item.units, dir)}，${created.what}记载为${unitNames(units, dir)}`);
    }
  }
  // The title and the deadline as created, or as the last correction (/修改) set them.
  const title = last(itemEntries, (t) => typeof itemSet(t, 'title') === 'string');
  if (title && itemSet(title, 'title') !== item.title) {
    problems.push(`事项标题为「${item.title}」，${title.what}记载为「${String(itemSet(title, 'title'))}」`);
  }
  const due = last(itemEntries, (t) => typeof itemSet(t, 'due') === 'string');
  if (due && itemSet(due, 'due') !== item.due) {
    problems.push(`事项的办结时限为${day(item.due)}，${due.what}记载为${day(itemSet(due, 'due'))}（事项的时限只能经新建或更正设定）`);
  }
  // The 督字 number the commit step gave at 发出, recorded on its entry.
  const issued = itemEntries.find((t) => t.e.action === 'issue' && typeof t.d.seq === 'number');
  if (issued && (issued.d.seq !== item.seq || issued.d.year !== item.year)) {
    problems.push(`事项编号为${noticeNumber(item)}，${issued.what}记载为${noticeNumber({ year: Number(issued.d.year), seq: Number(issued.d.seq) })}`);
  }
  const status = last(itemEntries, (t) => ITEM_ACTIONS.has(t.e.action ?? '') && !!t.e.to);
  if (status && status.e.to !== item.status) {
    problems.push(`事项状态为「${statusLabel(item.status)}」，办理记录最后记载为「${statusLabel(status.e.to)}」（${status.what}）`);
  }
  checkReview(itemEntries, item, dir, problems);
  const notCompleted = assignments.filter((a) => a.state !== 'completed').length;
  if (open !== undefined && assignments.length === item.units.length && Number(open) !== notCompleted) {
    problems.push(`事项上记载尚未办结的单位有 ${open} 个，各单位的交办记录中实有 ${notCompleted} 个`);
  }

  for (const a of assignments) {
    const unit = dir.unitName(a.unit);
    const mine = byUnit.get(a.unit) ?? [];
    const state = last(mine, (t) => STATE_ACTIONS.has(t.e.action ?? '') && !!t.e.to);
    if (state && state.e.to !== a.state) {
      problems.push(`${unit}的办理状态为「${stateLabel(a.state)}」，办理记录最后记载为「${stateLabel(state.e.to)}」（${state.what}）`);
    }
    const due = last(mine, (t) => typeof dueSet(t) === 'string');
    if (due && dueSet(due) !== a.due) {
      problems.push(`${unit}的办结时限为${day(a.due)}，办理记录最后记载为${day(String(dueSet(due)))}（${due.what}）`);
    }
    const leader = last(mine, (t) => typeof leaderSet(t) === 'string');
    if (leader && leaderSet(leader) !== a.responsible) {
      problems.push(`${unit}的负责领导为${dir.personName(a.responsible)}，办理记录最后记载为${dir.personName(String(leaderSet(leader)))}（${leader.what}）`);
    }
  }
}

/** The item's title or deadline an entry sets: at 新建 (`title`, `due`), or a correction's (`{from, to}`). */
function itemSet(t: TrailEntry, field: 'title' | 'due'): unknown {
  if (t.e.action === 'create') return t.d[field];
  if (t.e.action === 'amend') return (t.d[field] as { to?: unknown } | undefined)?.to;
  return undefined;
}

/** The unit's deadline an entry sets: at 交办, or an approved extension's or a correction's (change_deadline). */
function dueSet(t: TrailEntry): unknown {
  if (t.e.action === 'assign') return t.d.due;
  if (t.e.action === 'change_deadline') return t.d.to;
  return undefined;
}

/** The unit's responsible leader an entry sets: at 交办, or a change following the directory. */
function leaderSet(t: TrailEntry): unknown {
  if (t.e.action === 'assign') return t.d.responsible;
  if (t.e.action === 'reassign') return t.e.to;
  return undefined;
}

function last<T>(xs: readonly T[], ok: (x: T) => boolean): T | undefined {
  for (let i = xs.length - 1; i >= 0; i--) if (ok(xs[i]!)) return xs[i];
  return undefined;
}

/** A date as people write it; a value that is no date (written by hand) as it is. */
function day(s: unknown): string {
  return typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) ? formatDate(s) : `「${String(s)}」`;
}

function statusLabel(s: string | undefined): string {
  return ITEM_STATUS_LABELS[s as ItemStatus] ?? String(s);
}

function stateLabel(s: string | undefined): string {
  return STATE_LABELS[s as AssignmentState] ?? String(s);
}

function unitNames(units: readonly unknown[], dir: Directory): string {
  return units.length ? units.map((u) => dir.unitName(String(u))).join('、') : '（无）';
}
