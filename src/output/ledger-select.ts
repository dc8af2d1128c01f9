// Which assignments the exported ledger holds: /台账's filters (units, a state, overdue, a keyword in the title) read
// from the store's indexes, every match and not a page of them; for an instructing leader, the items they instructed.
import { numberOrder } from '../domain/item-number.ts';
import { assignmentRef, isIssued, parseAssignmentRef, type Assignment, type ItemHeader } from '../domain/types.ts';
import type { Store } from '../store/store.ts';

export interface LedgerFilter {
  /** Only these units (empty: every unit). */
  units: string[];
  /** An assignment state (issued, received …) or an item status (withdrawn); drafts have no rows. */
  status?: string;
  overdue?: boolean;
  keyword?: string;
  /** Only the items this leader instructed (批办领导). */
  instructedBy?: string;
}

const ITEM_STATUSES = new Set(['draft', 'cancelled', 'withdrawn']);
/** Headers and assignments are read this many items at a time. */
const BATCH = 1000;

/** Does an item's title have every word of the keyword (full-width folded, any case)? As /台账 reads it. */
export function titleMatcher(keyword: string): (item: ItemHeader) => boolean {
  const fold = (s: string) => s.normalize('NFKC').toLowerCase();
  const words = fold(keyword).split(/\s+/u).filter((w) => w !== '');
  return (item) => {
    const title = fold(item.title);
    return words.every((w) => title.includes(w));
  };
}

/**
 * The issued items that match, by 督字 number (lowest first), each with its matching assignments in the order the
 * office gave the units: the headers are read first (to filter and order them), the assignments a batch at a time
 * as the caller takes them, so that a large ledger is never all in memory at once.
 */
export async function* selectLedger(store: Store, f: LedgerFilter, now: number): AsyncGenerator<{ item: ItemHeader; assignments: Assignment[] }> {
  const itemStatus = f.status && ITEM_STATUSES.has(f.status) ? f.status : undefined;
  const unitStatus = itemStatus ? undefined : f.status;
  if (itemStatus === 'draft' || itemStatus === 'cancelled') return;
  const matches = f.keyword ? titleMatcher(f.keyword) : undefined;
  let refs: Set<string> | undefined;
  const narrow = (found: string[]) => {
    const before = refs;
    refs = new Set(before ? found.filter((r) => before.has(r)) : found);
  };
  if (unitStatus) narrow(await store.refsInState(unitStatus));
  if (f.overdue) narrow(await store.refsDueBy(now - 1));
  if (f.units.length) {
    const perUnit = await Promise.all(f.units.map(async (u) => (await store.itemIds(u)).map((id) => assignmentRef(id, u))));
    narrow(perUnit.flat());
  }
  let ids: string[];
  if (refs) ids = [...new Set([...refs].map((r) => parseAssignmentRef(r).item))];
  else if (itemStatus) ids = (await store.itemIdsInStatus('withdrawn')).ids;
  else {
    ids = [];
    const all = await store.ledgerCount();
    for (let from = 0; from < all; from += BATCH) {
      const page = await store.ledgerPage(from, BATCH);
      if (page.length === 0) break;
      ids.push(...page);
    }
  }
  const headers: ItemHeader[] = [];
  for (let i = 0; i < ids.length; i += BATCH) {
    for (const h of await store.getHeaders(ids.slice(i, i + BATCH))) {
      if (isIssued(h) && (!itemStatus || h.status === itemStatus) && (!matches || matches(h)) && (f.instructedBy === undefined || h.instructedBy === f.instructedBy)) {
        headers.push(h);
      }
    }
  }
  headers.sort((a, b) => numberOrder(a) - numberOrder(b));
  for (let i = 0; i < headers.length; i += BATCH) {
    const batch = headers.slice(i, i + BATCH);
    const wanted = batch.flatMap((h) => h.units.map((u) => assignmentRef(h.id, u)).filter((r) => !refs || refs.has(r)));
    const found = await store.getAssignmentsByRef(wanted);
    for (const h of batch) {
      const as = h.units.flatMap((u) => {
        const a = found.get(assignmentRef(h.id, u));
        return a ? [a] : [];
      });
      if (as.length) yield { item: h, assignments: as };
    }
  }
}
