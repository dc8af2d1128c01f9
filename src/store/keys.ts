// Every Redis key the service uses, under DUCHA_PREFIX, so two instances can share one Redis.

export function keys(prefix: string) {
  const p = prefix;
  return {
    item: (id: string) => `${p}:item:${id}`,
    /** Sorted set of all item ids, scored year*1e6+seq. */
    items: `${p}:items`,
    /** Item ids assigned to a unit. */
    unitItems: (unit: string) => `${p}:unit-items:${unit}`,
    seq: (year: number) => `${p}:seq:${year}`,
    /** The number an operation was given, so a retried operation gets the same one. */
    seqFor: (opId: string) => `${p}:seq-for:${opId}`,
    /** The stored outcome of an applied operation: its replay answers the same and changes nothing. */
    op: (opId: string) => `${p}:op:${opId}`,
    auditAll: `${p}:audit`,
    auditItem: (id: string) => `${p}:audit:${id}`,
    /** Where each person's copy of a card was sent: field person id, value JSON message ref. */
    card: (cardKey: string) => `${p}:card:${cardKey}`,
    secret: `${p}:secret`,
  };
}

export type Keys = ReturnType<typeof keys>;
