// A joint item (牵头=): its 配合 units report to the lead unit, not to the office, and the lead unit's accepted final
// report completes them all. Pure: which units report to whom, which have reported, the date by which they must.
// Who may do what on such an item is in the rules table (RULES in rules.ts, `joint`); this file only answers facts.
import type { Directory } from '../directory/directory.ts';
import type { WorkCalendar } from './calendar.ts';
import type { Assignment, ItemHeader, Report } from './types.ts';

type Joint = Partial<Pick<ItemHeader, 'leadRule' | 'lead' | 'units'>>;

/** `牵头=` was given on an item of several units: the lead rule applies. Without it the lead is a label only. */
export function hasLeadRule(item: Joint): boolean {
  return item.leadRule === true && item.lead !== undefined && (item.units?.length ?? 0) > 1;
}

/** A 配合 unit of a joint item: it reports to the lead unit, not to the office. */
export function reportsToLead(item: Joint, unit: string): boolean {
  return hasLeadRule(item) && unit !== item.lead;
}

/** The lead unit of a joint item, when this unit is it: its final report, once accepted, completes every unit. */
export function leadsJoint(item: Joint, unit: string): boolean {
  return hasLeadRule(item) && unit === item.lead;
}

/** The 配合 units of a joint item, in the office's order. */
export function supportUnits(item: Joint): string[] {
  return hasLeadRule(item) ? (item.units ?? []).filter((u) => u !== item.lead) : [];
}

/** A 配合 unit has reported when its latest report is signed (it then waits for the lead unit, not for itself). */
export function hasReported(a: Pick<Assignment, 'state' | 'reports'>): boolean {
  return reportToLead(a) !== undefined;
}

/** The signed report a 配合 unit gave the lead unit: its latest, while signed (or after the item completed with it). */
export function reportToLead(a: Pick<Assignment, 'state' | 'reports'>): Report | undefined {
  const r = a.reports[a.reports.length - 1];
  if (!r?.signature || (r.status !== 'signed' && r.status !== 'accepted')) return undefined;
  return a.state === 'signed' || a.state === 'completed' ? r : undefined;
}

/** The 配合 units that have reported to the lead unit, and those that have not, in the office's order. */
export function supportStatus(item: Joint, as: readonly Assignment[]): { reported: string[]; missing: string[] } {
  const byUnit = new Map(as.map((a) => [a.unit, a]));
  const reported: string[] = [];
  const missing: string[] = [];
  for (const u of supportUnits(item)) {
    const a = byUnit.get(u);
    if (a && hasReported(a)) reported.push(u);
    else missing.push(u);
  }
  return { reported, missing };
}

/** The day by which 配合 units report to the lead unit: `days` working days before the deadline (the deadline with 0). */
export function supportDate(due: string, days: number, cal: Pick<WorkCalendar, 'addWorkdays'>): string {
  return days > 0 ? cal.addWorkdays(due, -days).date : due;
}

/** How a 配合 unit's state reads where it differs from an ordinary unit's (已签署报牵头单位, 随牵头单位办结); else undefined. */
export function jointState(item: Joint, a: Pick<Assignment, 'unit' | 'state' | 'completedWith'>): string | undefined {
  if (!reportsToLead(item, a.unit)) return undefined;
  if (a.state === 'signed') return '已签署报牵头单位';
  if (a.state === 'completed' && a.completedWith) return '随牵头单位办结';
  return undefined;
}

/** `市公安局、市住建局`, or `无` for none. */
export function unitList(units: readonly string[], dir: Pick<Directory, 'unitName'>): string {
  return units.length ? units.map((u) => dir.unitName(u)).join('、') : '无';
}

/** 已报送：市公安局；未报送：市住建局. */
export function supportLine(s: { reported: readonly string[]; missing: readonly string[] }, dir: Pick<Directory, 'unitName'>): string {
  return `已报送：${unitList(s.reported, dir)}；未报送：${unitList(s.missing, dir)}`;
}
