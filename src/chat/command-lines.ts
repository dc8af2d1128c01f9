// The exact command lines messages tell people to send (报送 a report, 退回 with a reason), written in one place so
// that every card, reminder and prompt names an item the way the command parser reads it.
import type { Directory } from '../directory/directory.ts';
import type { ItemHeader } from '../domain/types.ts';

/** How a command names the item: its number in the year, as people say it. */
function itemArg(item: Pick<ItemHeader, 'seq'>): string {
  return String(item.seq);
}

/** `/报送 12 <办理情况>`, or for a final report `/报送 12 办结 <办结报告>`. */
export function reportLine(item: Pick<ItemHeader, 'seq'>, final: boolean): string {
  return final ? `/报送 ${itemArg(item)} 办结 <办结报告>` : `/报送 ${itemArg(item)} <办理情况>`;
}

/** Both report lines, for a message that lists what a contact may send. */
export function reportLines(item: Pick<ItemHeader, 'seq'>): string {
  return `${reportLine(item, false)}（办结时：${reportLine(item, true)}）`;
}

/** `/退回 12 [单位=市交通运输局] 理由=<退回理由>`: the unit named only when the item has more than one. */
export function returnLine(item: Pick<ItemHeader, 'seq' | 'units'>, unit: string, label: string, dir: Directory): string {
  const name = dir.unitName(unit);
  const which = item.units.length > 1 ? ` 单位=${/\s/u.test(name) ? `“${name}”` : name}` : '';
  return `/退回 ${itemArg(item)}${which} 理由=<${label}>`;
}
