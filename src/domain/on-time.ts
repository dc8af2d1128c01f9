// On time or not (按期 / 延期后按期 / 逾期办结 / 逾期未办结): the one function every card, /查看, the digest, the ledger
// and the statistics ask, so that no two of them can disagree about a unit.
import { endOfDay } from './dates.ts';
import type { Assignment, Extension, ItemHeader, Report } from './types.ts';

/**
 * - on_time: completed by the original deadline (按期);
 * - extended_on_time: completed after the original deadline but by a later one approved before completion (延期后按期);
 * - late: completed after the deadline in force at completion (逾期办结);
 * - overdue: not completed, and past the deadline in force (逾期未办结);
 * - open: not completed and not yet due (在办): counted in no rate.
 */
export type Timeliness = 'on_time' | 'extended_on_time' | 'late' | 'overdue' | 'open';

export const TIMELINESS_LABELS: Record<Timeliness, string> = {
  on_time: '按期',
  extended_on_time: '延期后按期',
  late: '逾期办结',
  overdue: '逾期未办结',
  open: '在办',
};

/** The order statistics list them in. */
export const TIMELINESS_ORDER: readonly Timeliness[] = ['on_time', 'extended_on_time', 'late', 'overdue', 'open'];

type Deadline = { due: string; dueAt: number };
/** What of an extension moves a deadline (a whole Extension, or the statistics' compact one: stat-view.ts). */
type Moved = { extensions: readonly Pick<Extension, 'status' | 'decidedAt' | 'oldDue' | 'to'>[] };
/** What of the reports decides when a unit delivered. */
type Delivered = Pick<Assignment, 'completedAt'> & Partial<Pick<Assignment, 'completedWith'>> & {
  reports: readonly (Pick<Report, 'final' | 'status'> & { signature?: { at: number } })[];
};
type Timed = Pick<Assignment, 'state' | 'due' | 'dueAt'> & Moved & Delivered;

/**
 * The deadline the unit was first given: the one the first approved extension replaced, or, without one, the deadline
 * in force (a correction of the item's deadline by /修改 changes the original: it is not an extension).
 */
export function originalDeadline(a: Pick<Assignment, 'due' | 'dueAt'> & Moved, tz: string): Deadline {
  const first = a.extensions.filter((e) => e.status === 'approved' && e.oldDue).sort((x, y) => (x.decidedAt ?? 0) - (y.decidedAt ?? 0))[0];
  return first?.oldDue ? { due: first.oldDue, dueAt: endOfDay(first.oldDue, tz) } : { due: a.due, dueAt: a.dueAt };
}

/** How many times the deadline was moved for this unit (approved extensions). */
export function extensionCount(a: Moved): number {
  return a.extensions.filter((e) => e.status === 'approved').length;
}

/**
 * When the unit delivered: the signature of the final report that was accepted (the office's acceptance may come a
 * day later, and the unit is not late for it); for a 配合 unit completed with its lead unit (牵头=), the lead's
 * signature of that joint final report: the same delivery judges every unit of it; without either (an item completed
 * some other way), when it was completed.
 */
export function deliveredAt(a: Delivered, lead?: Delivered): number | undefined {
  if (a.completedAt === undefined) return undefined;
  if (a.completedWith) return a.completedWith.signedAt;
  const accepted = [...a.reports].reverse().find((r) => r.final && r.status === 'accepted');
  if (accepted?.signature) return accepted.signature.at;
  // A 配合 unit completed with its lead unit (牵头=): it delivered when the lead unit's final report was signed.
  const viaLead = lead && lead !== a ? deliveredAt(lead) : undefined;
  return viaLead !== undefined && viaLead <= a.completedAt ? viaLead : a.completedAt;
}

/**
 * The lead unit's assignment, for a 配合 unit of an item that reports through its lead unit (`牵头=`, leadRule): the
 * 配合 unit's delivery is the lead unit's. Undefined otherwise (every unit answers for itself).
 */
export function leadFor<A extends Pick<Assignment, 'unit'>>(item: Pick<ItemHeader, 'leadRule' | 'lead'>, a: A, all: Iterable<A>): A | undefined {
  if (!item.leadRule || a.unit === item.lead) return undefined;
  for (const x of all) if (x.unit === item.lead) return x;
  return undefined;
}

/**
 * The deadline in force at a moment: the original one moved by every extension approved by then. An extension
 * approved after the unit delivered does not make a late completion punctual.
 */
export function deadlineAt(a: Pick<Assignment, 'due' | 'dueAt'> & Moved, at: number, tz: string): Deadline & { extended: boolean } {
  const approved = a.extensions
    .filter((e) => e.status === 'approved' && (e.decidedAt ?? 0) <= at)
    .sort((x, y) => (x.decidedAt ?? 0) - (y.decidedAt ?? 0));
  if (approved.length === 0) return { ...originalDeadline(a, tz), extended: false };
  const last = approved[approved.length - 1]!;
  // The latest approval before `at` set the deadline then; the deadline in force now may be later still.
  const later = a.extensions.some((e) => e.status === 'approved' && (e.decidedAt ?? 0) > at);
  return later ? { due: last.to, dueAt: endOfDay(last.to, tz), extended: true } : { due: a.due, dueAt: a.dueAt, extended: true };
}

/**
 * 按期 / 延期后按期 / 逾期办结 / 逾期未办结 / 在办 of one unit's assignment, at `now`. `lead`: for a 配合 unit of an item
 * that reports through its lead unit, the lead unit's assignment (leadFor()).
 */
export function timeliness(a: Timed, now: number, tz: string, lead?: Timed): Timeliness {
  const done = a.state === 'completed' ? deliveredAt(a, lead) : undefined;
  if (done === undefined) return now > a.dueAt ? 'overdue' : 'open';
  if (done <= originalDeadline(a, tz).dueAt) return 'on_time';
  const then = deadlineAt(a, done, tz);
  return then.extended && done <= then.dueAt ? 'extended_on_time' : 'late';
}

/** Completed by the deadline in force (按期 or 延期后按期): what the on-time rate counts. */
export function isOnTime(t: Timeliness): boolean {
  return t === 'on_time' || t === 'extended_on_time';
}

/** Decided (completed, or overdue and open): the units an on-time rate is taken over. */
export function isDecided(t: Timeliness): boolean {
  return t !== 'open';
}
