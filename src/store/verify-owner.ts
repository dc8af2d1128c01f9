// /核验, the item's owner (督查员): what the header says against what the trail last recorded (the owner named at
// 新建, its drafter when none was named, or a hand-over's new owner). Items of an earlier version recorded none:
// nothing to compare.
import type { Directory } from '../directory/directory.ts';
import { ownerOf, type ItemHeader } from '../domain/types.ts';
import type { Trail } from './verify-records.ts';

export function checkOwner(trail: Trail, item: ItemHeader, dir: Directory, problems: string[]): void {
  let recorded: { owner: string; what: string } | undefined;
  for (const t of trail) {
    if (!t || t.e.unit) continue;
    // Named at 新建, or (an item of this version, which always has an owner) whoever drafted it.
    if (t.e.action === 'create' && typeof t.d.owner === 'string') recorded = { owner: t.d.owner, what: t.what };
    else if (t.e.action === 'create' && item.owner !== undefined && t.e.actor) recorded = { owner: t.e.actor, what: t.what };
    if (t.e.action === 'handover' && t.e.to) recorded = { owner: t.e.to, what: t.what };
  }
  if (!recorded || item.owner === recorded.owner) return;
  problems.push(`事项的督查员为${dir.personName(ownerOf(item))}，${recorded.what}记载为${dir.personName(recorded.owner)}`);
}
