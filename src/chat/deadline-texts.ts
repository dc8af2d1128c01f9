// What people read of a unit's deadline outside cards: its 办结情况 (按期 / 延期后按期 / 逾期办结 / 逾期未办结 / 在办, from
// the one function in src/domain/on-time.ts), and its history: the original deadline and every extension asked,
// agreed, approved or refused (when, by whom, from, to, why), for /查看.
import type { Directory } from '../directory/directory.ts';
import { formatDate, formatDateTime } from '../domain/dates.ts';
import { extensionCount, leadFor, originalDeadline, timeliness, TIMELINESS_LABELS, type Timeliness } from '../domain/on-time.ts';
import type { Assignment, Extension, ItemHeader } from '../domain/types.ts';

/** The unit's timeliness within its item (a 配合 unit of a lead-rule item is judged at its lead unit's delivery). */
export function unitTimeliness(item: Pick<ItemHeader, 'leadRule' | 'lead'>, a: Assignment, all: readonly Assignment[], now: number, tz: string): Timeliness {
  return timeliness(a, now, tz, leadFor(item, a, all));
}

/** `按期`, `延期后按期` …: the label of unitTimeliness. */
export function unitTimelinessLabel(item: Pick<ItemHeader, 'leadRule' | 'lead'>, a: Assignment, all: readonly Assignment[], now: number, tz: string): string {
  return TIMELINESS_LABELS[unitTimeliness(item, a, all, now, tz)];
}

/** One request as a line of the history. */
function extensionLine(e: Extension, a: Assignment, dir: Directory, tz: string): string {
  const who = (p: string | undefined) => (p ? dir.personName(p) : '');
  const when = (ms: number | undefined) => (ms === undefined ? '' : formatDateTime(ms, tz));
  const asked = `${who(e.by)} ${when(e.at)} 申请延至 ${formatDate(e.to)}，理由：${e.reason}`;
  const agreed = e.agreedBy ? `；${who(e.agreedBy)} ${when(e.agreedAt)} 同意` : '';
  switch (e.status) {
    case 'pending_leader':
      return `${asked}；等待${who(a.responsible)}同意`;
    case 'pending':
      return `${asked}${agreed}；等待督查室审批`;
    case 'approved':
      return `${asked}${agreed}；${who(e.decidedBy)} ${when(e.decidedAt)} 同意延期，办结时限由 ${formatDate(e.oldDue ?? '')} 改为 ${formatDate(e.to)}`;
    case 'refused':
      return `${asked}${agreed}；${who(e.decidedBy)} ${when(e.decidedAt)} ${e.leaderRefused ? '不同意（未报督查室）' : '不同意'}${e.refuseReason ? `，理由：${e.refuseReason}` : ''}`;
  }
}

/**
 * The unit's deadline history for /查看: nothing when no extension was ever asked; else a head line (原定 … ，已延期 N
 * 次，现为 …) and one line per request, oldest first.
 */
export function deadlineHistory(a: Assignment, dir: Directory, tz: string): string[] {
  if (a.extensions.length === 0) return [];
  const n = extensionCount(a);
  const original = originalDeadline(a, tz).due;
  const head = `${dir.unitName(a.unit)}：原定办结时限 ${formatDate(original)}${n ? `，已延期 ${n} 次，现为 ${formatDate(a.due)}` : '，未延期'}`;
  return [head, ...a.extensions.map((e, i) => `  ${i + 1}. ${extensionLine(e, a, dir, tz)}`)];
}
