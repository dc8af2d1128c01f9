// An item's number as users read and type it, written one way everywhere: 督字〔2026〕15号 (15号 for short, 15 to
// type) once issued, 草稿7 while a draft. The internal id (keys, card keys, the audit trail) is never shown.

/** What names an item to people: its 督字 number once issued (or taken by an earlier version's draft), else its draft reference. */
export interface Numbered {
  year?: number;
  seq?: number;
  draft?: number;
}

/** What a person typed to name an item: a 督字 number, or a draft reference. */
export type ItemRef = { year: number; seq: number } | { draft: number };

/** 督字〔2026〕15号, or 草稿7 for a draft. */
export function noticeNumber(item: Numbered): string {
  if (item.year !== undefined && item.seq !== undefined) return `督字〔${item.year}〕${item.seq}号`;
  return item.draft !== undefined ? `草稿${item.draft}` : '未编号的事项';
}

/** 15号 (the year left out: where the full number is at hand, or in a list of this year's), or 草稿7. */
export function shortNumber(item: Numbered): string {
  return item.seq !== undefined ? `${item.seq}号` : noticeNumber(item);
}

/** What to type after a command to name the item: 15 (this year), 2025-15 (another year), 草稿7. */
export function numberArg(item: Numbered, currentYear: number): string {
  if (item.year !== undefined && item.seq !== undefined) return item.year === currentYear ? String(item.seq) : `${item.year}-${item.seq}`;
  return noticeNumber(item);
}

/** Items in the order of their 督字 numbers (year, then number); drafts first. */
export function numberOrder(item: Numbered): number {
  return (item.year ?? 0) * 1e6 + (item.seq ?? 0);
}

/** The number a person typed, written back the same way (for a refusal naming what was not found). */
export function refText(ref: ItemRef): string {
  return 'draft' in ref ? `草稿${ref.draft}` : noticeNumber(ref);
}
