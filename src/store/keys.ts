// The keys of what the store keeps in Redis (records, indexes, audit, schedule, outbox, outcomes), under DUCHA_PREFIX
// so two instances can share one Redis. The BullMQ queues and the platforms (tokens, rate limits, the console) name
// their own keys, under the same prefix.

export function keys(prefix: string) {
  const p = prefix;
  return {
    /** The item's own record (hash): v (version of doc), doc (header JSON), status, open (assignments not completed), completedAt. */
    item: (id: string) => `${p}:item:${id}`,
    /** One unit's part of an item (hash): v, doc (assignment JSON). */
    assignment: (id: string, unit: string) => `${p}:asg:${id}:${unit}`,
    /** Sorted set of all item ids, scored year*1e6+seq. */
    items: `${p}:items`,
    /** Indexes of issued assignments, changed in the same step as the records (see index-changes.ts). */
    byUnit: (unit: string) => `${p}:idx:unit:${unit}`,
    byPerson: (person: string) => `${p}:idx:person:${person}`,
    byState: (state: string) => `${p}:idx:state:${state}`,
    byDue: `${p}:idx:due`,
    /** Items not issued (sets of ids): drafts and cancelled drafts, for the office's whole ledger. */
    itemsInStatus: (status: 'draft' | 'cancelled') => `${p}:idx:item:${status}`,
    /** Receipt chases to run (sorted set): member `item/unit`, score the domain ms it is due (see index-changes.ts). */
    chase: `${p}:sched:chase`,
    /** The last reminder slot taken (its date, YYYY-MM-DD, in the service's own time). */
    slotDone: `${p}:sched:slot`,
    /** One person's reminder list of one slot (JSON), kept while its card may still be pressed. */
    remindList: (slot: string, person: string) => `${p}:rem:${slot}:${person}`,
    seq: (year: number) => `${p}:seq:${year}`,
    /** The number an operation was given, so a retried operation gets the same one. */
    seqFor: (opId: string) => `${p}:seq-for:${opId}`,
    /** The stored outcome of an applied operation: its replay answers the same and changes nothing. */
    op: (opId: string) => `${p}:op:${opId}`,
    /**
     * Deliveries decided by committed operations and not yet queued: field op id, value JSON {at, d}: when it was
     * written (wall-clock ms, for the relay that picks up what a crash left) and the deliveries.
     */
    outbox: `${p}:outbox`,
    auditAll: `${p}:audit`,
    auditItem: (id: string) => `${p}:audit:${id}`,
    /** Where each person's copy of a card was sent: field person id, value JSON message ref. */
    card: (cardKey: string) => `${p}:card:${cardKey}`,
    secret: `${p}:secret`,
    /** Every person's name as the directories in force have given it (hash: person id → name), for people since removed. */
    personNames: `${p}:people:names`,
    /** The format of the records: absent before the per-assignment records (format 1), then 2. */
    schema: `${p}:schema`,
    /** Format 1 only: item ids assigned to a unit (a set); removed by the upgrade. */
    legacyUnitItems: (unit: string) => `${p}:unit-items:${unit}`,
  };
}

export type Keys = ReturnType<typeof keys>;
