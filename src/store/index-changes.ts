// The indexes beside the records, and the writes that keep them right when an assignment changes. Only issued
// items are indexed (a draft is nobody's work yet). Every change is written in the same step as the record.
import { assignmentRef, type Assignment, type ItemHeader } from '../domain/types.ts';
import type { Keys } from './keys.ts';

/**
 * One index write, as the commit script applies it: `Z` ZADD key score member, `z` ZREM key member,
 * `S` SADD key member, `s` SREM key member. Keys are named by the caller and turned into script KEYS by the store.
 */
export type IndexOp = ['Z', string, string, string] | ['z', string, string] | ['S', string, string] | ['s', string, string];

interface Entry {
  key: string;
  member: string;
  /** Absent: a set member; present: a sorted-set score. */
  score?: string;
}

export function itemScore(item: Pick<ItemHeader, 'year' | 'seq'>): string {
  return String(item.year * 1e6 + item.seq);
}

/**
 * Where an issued assignment is listed: its unit's items (by number), its responsible leader's assignments (by
 * deadline), its state, (while not completed) the deadline index that reminders and the ledger's 逾期 read, and
 * (while unreceived) its next receipt chase.
 */
function entries(k: Keys, item: Pick<ItemHeader, 'id' | 'year' | 'seq'>, a: Assignment): Entry[] {
  const ref = assignmentRef(item.id, a.unit);
  const out: Entry[] = [
    { key: k.byUnit(a.unit), member: item.id, score: itemScore(item) },
    { key: k.byPerson(a.responsible), member: ref, score: String(a.dueAt) },
    { key: k.byState(a.state), member: ref },
  ];
  if (a.state !== 'completed') out.push({ key: k.byDue, member: ref, score: String(a.dueAt) });
  // The receipt chase is scheduled while the notice waits for 签收, and goes when it is received.
  if (a.state === 'issued' && a.chaseAt !== undefined) out.push({ key: k.chase, member: ref, score: String(a.chaseAt) });
  return out;
}

/** The writes that take the indexes from `before` to `after` (either undefined: not indexed then). */
export function indexChanges(
  k: Keys,
  item: Pick<ItemHeader, 'id' | 'year' | 'seq'>,
  before: Assignment | undefined,
  after: Assignment | undefined,
): IndexOp[] {
  const was = before ? entries(k, item, before) : [];
  const now = after ? entries(k, item, after) : [];
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
