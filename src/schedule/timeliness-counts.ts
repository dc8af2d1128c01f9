// How many units were 按期, 延期后按期, 逾期办结 or are 逾期未办结, for the 【督查日报】: each assignment judged by the one
// function (src/domain/on-time.ts), read a chunk at a time (a city has many), with the lead unit's record beside each
// 配合 unit of an item that reports through its lead unit.
import { leadFor, timeliness, TIMELINESS_ORDER, type Timeliness } from '../domain/on-time.ts';
import { assignmentRef, parseAssignmentRef, type ItemHeader } from '../domain/types.ts';
import type { Runtime } from '../infra/runtime.ts';

const CHUNK = 2000;

/** The units of these refs (`item/unit`) by timeliness at `now`. */
export async function timelinessCounts(rt: Pick<Runtime, 'store' | 'config'>, refs: readonly string[], now: number): Promise<Record<Timeliness, number>> {
  const counts = Object.fromEntries(TIMELINESS_ORDER.map((t) => [t, 0])) as Record<Timeliness, number>;
  for (let i = 0; i < refs.length; i += CHUNK) {
    const chunk = refs.slice(i, i + CHUNK);
    const headers = new Map<string, ItemHeader>((await rt.store.getHeaders([...new Set(chunk.map((r) => parseAssignmentRef(r).item))])).map((h) => [h.id, h]));
    const leads = [...headers.values()].filter((h) => h.leadRule).map((h) => assignmentRef(h.id, h.lead));
    const found = await rt.store.getAssignmentsByRef([...new Set([...chunk, ...leads])]);
    for (const ref of chunk) {
      const a = found.get(ref);
      const item = headers.get(parseAssignmentRef(ref).item);
      if (!a || !item) continue;
      const lead = item.leadRule ? found.get(assignmentRef(item.id, item.lead)) : undefined;
      counts[timeliness(a, now, rt.config.tz, lead && leadFor(item, a, [lead]))]++;
    }
  }
  return counts;
}
