// Names a card by what it shows (kind, item, unit, number): a card is re-drawn from the store by its key.

/** `extension`: a request as the office decides it; `extension_ask`: a contact's request, to the unit's responsible leader. */
/** `closing`: the 批办领导's 【办结报告】 of a finished item (one per item, like the preview). */
/** `joint`: a 配合 unit's signed report as its lead unit receives it (unit: the 配合 unit, n: the report's version). */
export type CardKind = 'preview' | 'notice' | 'sign' | 'review' | 'summons' | 'extension' | 'extension_ask' | 'proposal' | 'closing' | 'joint';

export interface CardKey {
  kind: CardKind;
  item: string;
  unit?: string;
  /** Report version, summons id, extension id or proposal id. */
  n?: number;
}

const KINDS: CardKind[] = ['preview', 'notice', 'sign', 'review', 'summons', 'extension', 'extension_ask', 'proposal', 'closing', 'joint'];

export function cardKey(k: CardKey): string {
  return [k.kind, k.item, k.unit ?? '', k.n ?? ''].join(':').replace(/:+$/, '');
}

export function parseCardKey(s: string): CardKey | undefined {
  const [kind, item, unit, n] = s.split(':');
  if (!kind || !item || !KINDS.includes(kind as CardKind)) return undefined;
  // An item's internal id: `d7` (drafted as 草稿7), or `2026-12` (an item of an earlier version).
  if (!/^(?:d\d+|\d{4}-\d+)$/.test(item)) return undefined;
  const key: CardKey = { kind: kind as CardKind, item };
  if (unit) key.unit = unit;
  if (n !== undefined && n !== '') {
    if (!/^\d+$/.test(n)) return undefined;
    key.n = Number(n);
  }
  const wholeItem = kind === 'preview' || kind === 'closing';
  if (!wholeItem && !key.unit) return undefined;
  if (!wholeItem && kind !== 'notice' && key.n === undefined) return undefined;
  return key;
}
