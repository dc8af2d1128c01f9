// What handlers do differently on a joint item (牵头=): which units' records an action reads, where a signed report
// goes (a 配合 unit's to the lead unit, the lead unit's to the office), and who of the lead unit is told.
import { cardKey } from '../chat/card-key.ts';
import type { Directory } from '../directory/directory.ts';
import type { Delivery } from '../delivery/delivery.ts';
import { leadsJoint, reportsToLead } from '../domain/joint.ts';
import type { Assignment, ItemHeader } from '../domain/types.ts';

/**
 * The units an action on a report of `unit` reads: the unit alone; on a joint item a 配合 unit with its lead unit (to
 * reach the lead's leader), and the lead unit with every 配合 unit (its final report names them, and completes them).
 */
export function unitsForReport(unit: string): (item: ItemHeader) => string[] {
  return (item) => {
    if (leadsJoint(item, unit)) return [unit, ...item.units.filter((u) => u !== unit)];
    if (reportsToLead(item, unit)) return [unit, item.lead];
    return [unit];
  };
}

/** Who of the lead unit gets its 配合 units' reports: its contacts and its responsible leader for this item. */
export function leadRecipients(lead: Assignment, dir: Directory): string[] {
  return [...new Set([...(dir.unit(lead.unit)?.contacts ?? []), lead.responsible])];
}

/** A 配合 unit's signed report, as a card to each of the lead unit's recipients. */
export function toLeadDeliveries(item: Pick<ItemHeader, 'id'>, a: Assignment, version: number, lead: Assignment, dir: Directory): Delivery[] {
  const key = cardKey({ kind: 'joint', item: item.id, unit: a.unit, n: version });
  return leadRecipients(lead, dir).map((person) => ({ kind: 'send' as const, person, cardKey: key }));
}
