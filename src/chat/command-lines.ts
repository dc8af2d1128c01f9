// The exact command lines messages tell people to send (报送 a report, 退回 with a reason), written in one place so
// that every card, reminder and prompt names an item the way the command parser reads it.
// `year` is this year (in the service's time zone): an item of another year is named with its year (2025-15).
import type { Directory } from '../directory/directory.ts';
import { numberArg, type Numbered } from '../domain/item-number.ts';
import type { ItemHeader } from '../domain/types.ts';

/** `/报送 12 <办理情况>`, or for a final report `/报送 12 办结 <办结报告>`. */
export function reportLine(item: Numbered, final: boolean, year: number): string {
  const no = numberArg(item, year);
  return final ? `/报送 ${no} 办结 <办结报告>` : `/报送 ${no} <办理情况>`;
}

/** Both report lines, for a message that lists what a contact may send. */
export function reportLines(item: Numbered, year: number): string {
  return `${reportLine(item, false, year)}（办结时：${reportLine(item, true, year)}）`;
}

/** `/退回 12 [单位=市交通运输局] 理由=<退回理由>`: the unit named only when the item has more than one. */
export function returnLine(item: Numbered & Pick<ItemHeader, 'units'>, unit: string, label: string, dir: Directory, year: number): string {
  const name = dir.unitName(unit);
  const which = item.units.length > 1 ? ` 单位=${/\s/u.test(name) ? `“${name}”` : name}` : '';
  return `/退回 ${numberArg(item, year)}${which} 理由=<${label}>`;
}
