// /核验 of what an instructed item adds: its source and 批办领导 as created, the leader's review (阅, 再批示, or closed by
// the system for silence) and each new instruction, each against the entry of the trail that recorded it. The records
// themselves are sealed like every other (COMMIT_OP); this names the field when one was changed by hand.
import type { Directory } from '../directory/directory.ts';
import type { ItemHeader } from '../domain/types.ts';

/** An entry of the trail as verify-records.ts reads it (its TrailEntry): fields, parsed detail, how to name it. */
interface TrailEntry {
  e: Record<string, string>;
  d: Record<string, unknown>;
  readonly what: string;
}

/** The entries that end a leader's review, by how they end it. */
const REVIEW_ENDS: Record<string, NonNullable<ItemHeader['review']>['how']> = {
  review_read: 'read',
  instruct: 'instructed',
  review_silence: 'silence',
};
const HOW_WORDS = { read: '阅', instructed: '再批示', silence: '逾期未批示视为办结' } as const;

export function checkReview(itemEntries: readonly TrailEntry[], item: ItemHeader, dir: Directory, problems: string[]): void {
  const created = itemEntries.find((t) => t.e.action === 'create');
  if (created) {
    const by = created.d.instructedBy;
    if ((typeof by === 'string' ? by : undefined) !== item.instructedBy) {
      const name = (p: unknown) => (typeof p === 'string' ? dir.personName(p) : '无');
      problems.push(`事项的批办领导为${name(item.instructedBy)}，${created.what}记载为${name(by)}`);
    }
    const src = created.d.source;
    if ((typeof src === 'string' ? src : undefined) !== item.source) problems.push(`事项的来源与${created.what}的记载不符`);
    const ref = created.d.sourceRef;
    if ((typeof ref === 'string' ? ref : undefined) !== item.sourceRef) problems.push(`事项的文号与${created.what}的记载不符`);
  }
  // The review's end: the first entry that ended it (a later /批示 on the completed item leaves it as it was).
  const ended = itemEntries.find((t) => REVIEW_ENDS[t.e.action ?? ''] !== undefined && t.e.from === 'review');
  if (ended && (item.review?.how !== REVIEW_ENDS[ended.e.action!] || item.review?.at !== Number(ended.e.at))) {
    problems.push(`事项的批办领导审阅记载为「${item.review ? HOW_WORDS[item.review.how] : '无'}」，${ended.what}记载为「${HOW_WORDS[REVIEW_ENDS[ended.e.action!]!]}」`);
  } else if (!ended && item.review) {
    problems.push(`事项记载批办领导审阅为「${HOW_WORDS[item.review.how]}」，但办理记录中没有对应的记录`);
  }
  const told = itemEntries.filter((t) => t.e.action === 'instruct');
  const kept = item.instructions ?? [];
  if (told.length !== kept.length) problems.push(`事项记载新的批示 ${kept.length} 条，办理记录中有 ${told.length} 条`);
  told.forEach((t, i) => {
    const k = kept[i];
    if (k && (k.text !== t.d.text || k.by !== t.e.actor)) problems.push(`第 ${i + 1} 条批示与${t.what}的记载不符`);
  });
}
