// Who answers for an item in a unit (the responsible leader): one rule for /新建 and for following the directory.
import type { Directory } from '../directory/directory.ts';
import type { Category } from './types.ts';

/**
 * The leader an item goes to in a unit, under the directory as it is: a key item's head (要有重点); for an ordinary
 * item the deputy named (or already on record) while they are one of the unit's deputies, else the unit's first
 * deputy. The head never stands in for the team: undefined when an ordinary item's unit has no deputy, when a key
 * item's unit has no head, or when the unit is gone from the directory.
 */
export function responsibleLeader(category: Category | undefined, unit: string, named: string | undefined, dir: Directory): string | undefined {
  const u = dir.unit(unit);
  if (!u) return undefined;
  if (category !== undefined) return u.head || undefined;
  if (named !== undefined && u.deputies.includes(named)) return named;
  return u.deputies[0];
}
