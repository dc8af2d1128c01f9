// The indexes beside the records, and the writes that keep them right when an assignment changes. Only issued
// items are indexed (a draft is nobody's work yet); a withdrawn item only in its units' lists (its ledger line says
// 已撤回), out of every index that reminds, chases, escalates or counts. Every change is written in the same step
// as the record.
import { assignmentRef, type Assignment, type ItemHeader } from '../domain/types.ts';
import type { Keys } from './keys.ts';

/**
 * One index write, as the commit script applies it: `Z` ZADD key score member, `z` ZREM key member,
 * `S` SADD key member, `s` SREM key member. Keys are named by the caller and turned into script KEYS by the store.
 */
export type IndexOp = ['Z', string, string, string] | ['z', string, string] | ['S', string, string] | ['s', string, string];

/** The score of an item being numbered by the very step that writes it (发出): the commit script puts the number's in. */
export const NUMBER_SCORE = '#';

interface Entry {
  key: string;
  member: string;
  /** Absent: a set member; present: a sorted-set score. */
  score?: string;
}

/** Where an item sorts by its 督字 number (year*1e6+seq), or NUMBER_SCORE when the writing step gives the number. */
export function itemScore(item: Pick<ItemHeader, 'year' | 'seq'>): string {
  return item.year !== undefined && item.seq !== undefined ? String(item.year * 1e6 + item.seq) : NUMBER_SCORE;
}

/** An assignment as indexed: with the item's number and status, which decide where it is listed. */
export interface Indexed {
  item: Pick<ItemHeader, 'id' | 'year' | 'seq' | 'status'>;
  a: Assignment;
}

/**
 * Where an issued assignment is listed: its unit's items (by number), its responsible leader's assignments (by
 * deadline), its state, (while not completed) the deadline index that reminders and the ledger's 逾期 read, and
 * (while unreceived) its next receipt chase. A withdrawn item's assignment is in its unit's items only.
 */
function entries(k: Keys, { item, a }: Indexed): Entry[] {
  const ref = assignmentRef(item.id, a.unit);
  const out: Entry[] = [{ key: k.byUnit(a.unit), member: item.id, score: itemScore(item) }];
  if (item.status === 'withdrawn') return out;
  out.push({ key: k.byPerson(a.responsible), member: ref, score: String(a.dueAt) }, { key: k.byState(a.state), member: ref });
  if (a.state !== 'completed') out.push({ key: k.byDue, member: ref, score: String(a.dueAt) });
  // The receipt chase is scheduled while the notice waits for 签收, and goes when it is received.
  if (a.state === 'issued' && a.chaseAt !== undefined) out.push({ key: k.chase, member: ref, score: String(a.chaseAt) });
  return out;
}

/** The writes that take the indexes from `before` to `after` (either undefined: not indexed then). */
export function indexChanges(k: Keys, before: Indexed | undefined, after: Indexed | undefined): IndexOp[] {
  const was = before ? entries(k, before) : [];
  const now = after ? entries(k, after) : [];
  const id = (e: Entry) => `${e.key}\n${e.member}`;
  const nowIds = new Set(now.map(id));
  const wasById = new Map(was.map((e) => [id(e), e]));
  const ops: IndexOp[] = [];
  for (const e of was) {
    if (!nowIds.has(id(e))) ops.push(e.score === undefined ? ['s', e.key, e.member] : ['z', e.key, e.member]);
  }
  for (const e of now) {
    const old = wasById.get(id(e));
    if (old && old.score === e.score) continue;
    ops.push(e.score === undefined ? ['S', e.key, e.member] : ['Z', e.key, e.score, e.member]);
  }
  return ops;
}
