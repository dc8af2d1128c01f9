// Where an item came from (任务来源): a document, a leader's written instruction, a meeting's decision, assigned orally,
// raised by the public. `/新建 来源=` takes the Chinese word or the English name; cards, /查看 and the ledger say it.
import type { ItemHeader, ItemSource } from './types.ts';

export const SOURCES: Record<ItemSource, { short: string; meaning: string }> = {
  document: { short: '文件', meaning: '文件交办' },
  instruction: { short: '批示', meaning: '领导批示' },
  meeting: { short: '会议', meaning: '会议决定' },
  assigned: { short: '交办', meaning: '领导口头交办' },
  petition: { short: '信访', meaning: '群众信访' },
};

/** The sources as help and refusals name them: 文件、批示、会议、交办、信访. */
export const SOURCE_CHOICES = Object.values(SOURCES)
  .map((s) => s.short)
  .join('、');

/** `文件`, `document`, `文件交办` → `document`; anything else → undefined. */
export function parseSource(s: string): ItemSource | undefined {
  const t = s.normalize('NFKC').trim().toLowerCase();
  for (const [src, d] of Object.entries(SOURCES) as [ItemSource, (typeof SOURCES)[ItemSource]][]) {
    if (t === src || t === d.short || t === d.meaning) return src;
  }
  return undefined;
}

/**
 * The item's source as one line: `领导批示（市政府办〔2026〕5号），批办领导：孙立`; undefined for an item that names
 * none (every item of an earlier version).
 */
export function sourceLine(item: Pick<ItemHeader, 'source' | 'instructedBy' | 'sourceRef'>, personName: (id: string) => string): string | undefined {
  const parts: string[] = [];
  if (item.source) parts.push(`${SOURCES[item.source].meaning}${item.sourceRef ? `（${item.sourceRef}）` : ''}`);
  else if (item.sourceRef) parts.push(`文号 ${item.sourceRef}`);
  if (item.instructedBy) parts.push(`批办领导：${personName(item.instructedBy)}`);
  return parts.length ? parts.join('，') : undefined;
}
