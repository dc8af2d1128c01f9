// The spreadsheet's second sheet: per unit, how many assignments and how each stands on time, from the rows the first
// sheet holds (each row's timeliness is on-time.ts's answer). Kept small on purpose: /统计's figures
// (src/output/statistics.ts) are to take its place once they are merged.
import { isDecided, isOnTime, TIMELINESS_ORDER, type Timeliness } from '../domain/on-time.ts';
import type { LedgerRow } from './ledger-rows.ts';

export interface UnitLine {
  unit: string;
  assignments: number;
  completed: number;
  counts: Record<Timeliness, number>;
  /** On time (按期 + 延期后按期) over the decided (completed or overdue); undefined when none is decided. */
  onTimeRate?: number;
  urges: number;
  summons: number;
  visits: number;
}

/** Counts rows as they go by (the sheet's rows need not be kept); `lines()`: one line per unit, in order of first row. */
export class UnitTally {
  private readonly byUnit = new Map<string, UnitLine & { decided: number; onTime: number }>();

  add(r: Pick<LedgerRow, 'unit' | 'unitId' | 'timeliness' | 'urges' | 'summons' | 'visits'>): void {
    // A withdrawn item's rows count in no figure.
    if (!r.timeliness) return;
    let u = this.byUnit.get(r.unitId);
    if (!u) {
      u = {
        unit: r.unit,
        assignments: 0,
        completed: 0,
        counts: Object.fromEntries(TIMELINESS_ORDER.map((t) => [t, 0])) as Record<Timeliness, number>,
        urges: 0,
        summons: 0,
        visits: 0,
        decided: 0,
        onTime: 0,
      };
      this.byUnit.set(r.unitId, u);
    }
    u.assignments++;
    u.counts[r.timeliness]++;
    if (r.timeliness !== 'open' && r.timeliness !== 'overdue') u.completed++;
    if (isDecided(r.timeliness)) u.decided++;
    if (isOnTime(r.timeliness)) u.onTime++;
    u.urges += r.urges;
    u.summons += r.summons;
    u.visits += r.visits;
  }

  lines(): UnitLine[] {
    return [...this.byUnit.values()].map(({ decided, onTime, ...line }) => ({ ...line, onTimeRate: decided ? onTime / decided : undefined }));
  }
}

/** One line per unit, in the order the units first appear in the rows. */
export function unitLines(rows: Iterable<LedgerRow>): UnitLine[] {
  const tally = new UnitTally();
  for (const r of rows) tally.add(r);
  return tally.lines();
}
