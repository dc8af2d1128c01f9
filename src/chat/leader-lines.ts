// What /查看 says of an item's source and its 批办领导's review: where it came from, the item it follows up (续办), how
// the review stands or ended, and each new instruction with the follow-up drafted from it.
import type { Directory } from '../directory/directory.ts';
import { formatDateTime } from '../domain/dates.ts';
import { noticeNumber } from '../domain/item-number.ts';
import { sourceLine } from '../domain/sources.ts';
import type { ItemHeader } from '../domain/types.ts';
import type { Runtime } from '../infra/runtime.ts';

export async function leaderLines(rt: Pick<Runtime, 'store' | 'config'>, item: ItemHeader, dir: Directory): Promise<string[]> {
  const tz = rt.config.tz;
  const name = (p: string) => dir.personName(p);
  const lines: string[] = [];
  const source = sourceLine(item, name);
  if (source) lines.push(`来源：${source}`);
  const linked = [item.follows, ...(item.instructions ?? []).map((i) => i.followUp)].filter((x): x is string => x !== undefined);
  const headers = new Map((await rt.store.getHeaders(linked)).map((h) => [h.id, h]));
  const numberOf = (id: string | undefined) => {
    const h = id ? headers.get(id) : undefined;
    return h ? noticeNumber(h) : '';
  };
  if (item.follows && numberOf(item.follows)) lines.push(`续办：本事项续${numberOf(item.follows)}`);
  if (item.status === 'review' && item.instructedBy) {
    const ends = item.reviewDueAt === undefined ? '' : `，${formatDateTime(item.reviewDueAt, tz)} 前未有新的批示即视为办结`;
    lines.push(`批办领导审阅：办结报告已送${name(item.instructedBy)}${ends}`);
  }
  const r = item.review;
  if (r) {
    const how =
      r.how === 'read' ? `${name(r.by)}已阅` : r.how === 'instructed' ? `${name(r.by)}再批示` : '审阅期内未有新的批示，由系统视为办结';
    lines.push(`批办领导审阅：${how}（${formatDateTime(r.at, tz)}）`);
  }
  for (const i of item.instructions ?? []) {
    const follow = numberOf(i.followUp);
    lines.push(`批示（${name(i.by)}，${formatDateTime(i.at, tz)}）：${i.text}${follow ? `；续办事项：${follow}` : ''}`);
  }
  return lines;
}
