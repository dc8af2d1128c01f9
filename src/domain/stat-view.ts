// What the office's figures (/统计, /通报, the ledger export's second sheet) need of an item and of one unit's
// assignment, and no more: the dates, states and counts that on-time.ts judges and the statistics add up, without the
// reports' texts and signatures. The store reads these compact views straight from Redis (STAT_ASSIGNMENTS and
// STAT_HEADERS in src/store/scripts.ts, decoded there); statView() and statHeader() below are the same views taken of
// records already read whole, and a test keeps the two ways equal.
import type { Assignment, Extension, ItemHeader, Report } from './types.ts';

/** A report as the figures see it: what decides the delivery, and when it was submitted and signed. */
export type StatReport = Pick<Report, 'final' | 'status' | 'at'> & { signature?: { at: number } };

/** An extension as on-time.ts sees it. */
export type StatExtension = Pick<Extension, 'status' | 'decidedAt' | 'oldDue' | 'to'>;

/** One unit's assignment as the figures see it. */
export interface StatAssignment
  extends Pick<Assignment, 'unit' | 'responsible' | 'responsibleName' | 'state' | 'due' | 'dueAt' | 'receivedAt' | 'completedAt' | 'completedWith'> {
  reports: StatReport[];
  extensions: StatExtension[];
  /** Urges sent (催办), counted. */
  urges: number;
  /** Summons arranged: when, whether a later one replaced it before it was held, whether its outcome is recorded (heard). */
  summons: { at: number; replaced: boolean; heard: boolean }[];
  /** On-site visits: the day, and whether a later record of that day replaced it. */
  visits: { on: string; replaced: boolean }[];
}

/** An item's header as the figures see it: its number, title, status and when it was issued. */
export type StatHeader = Pick<ItemHeader, 'id' | 'title' | 'status' | 'year' | 'seq' | 'draft' | 'issuedAt'>;

/** The compact view of an assignment read whole (the same the store's script makes in Redis). */
export function statView(a: Assignment): StatAssignment {
  const v: StatAssignment = {
    unit: a.unit,
    responsible: a.responsible,
    state: a.state,
    due: a.due,
    dueAt: a.dueAt,
    reports: a.reports.map((r) => ({ final: r.final, status: r.status, at: r.at, ...(r.signature ? { signature: { at: r.signature.at } } : {}) })),
    extensions: a.extensions.map((e) => ({
      status: e.status,
      to: e.to,
      ...(e.decidedAt !== undefined ? { decidedAt: e.decidedAt } : {}),
      ...(e.oldDue !== undefined ? { oldDue: e.oldDue } : {}),
    })),
    urges: a.urges.length,
    summons: a.summons.map((s) => ({ at: s.at, replaced: s.replacedBy !== undefined, heard: s.outcome !== undefined })),
    visits: a.visits.map((x) => ({ on: x.on, replaced: x.replacedBy !== undefined })),
  };
  if (a.responsibleName !== undefined) v.responsibleName = a.responsibleName;
  if (a.receivedAt !== undefined) v.receivedAt = a.receivedAt;
  if (a.completedAt !== undefined) v.completedAt = a.completedAt;
  if (a.completedWith !== undefined) v.completedWith = { ...a.completedWith };
  return v;
}

/** The compact view of a header read whole. */
export function statHeader(h: ItemHeader): StatHeader {
  const v: StatHeader = { id: h.id, title: h.title, status: h.status };
  if (h.year !== undefined) v.year = h.year;
  if (h.seq !== undefined) v.seq = h.seq;
  if (h.draft !== undefined) v.draft = h.draft;
  if (h.issuedAt !== undefined) v.issuedAt = h.issuedAt;
  return v;
}
