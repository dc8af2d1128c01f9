// Every Redis key the service uses, under DUCHA_PREFIX, so two instances can share one Redis. The store's are built
// here; the others belong to the code that alone reads and writes them, and are listed here to be found:
//
//   BullMQ's own, for each queue (inbound, deliver, schedule; src/redis/queues.ts)  <prefix>:<queue>:*
//   Feishu (src/platforms/feishu/): the SDK's tokens, the tenant token among them
//     (client.ts)                                                                   <prefix>:feishu:<app id or namespace>:<name>
//     per-app and per-recipient send windows (adapter.ts)                           <prefix>:rl:feishu:app:<app id>:<minute>
//                                                                                   <prefix>:rl:feishu:<receive id>:<second>
//     the key of a file uploaded, reused a day (adapter.ts)                         <prefix>:feishu:upload:<app id>:<image|file>:<sha256>:<name hash>
//   WeCom (src/platforms/wecom/adapter.ts, wecomKeys): the access token             <prefix>:wecom:<corp id>:<agent id>:token
//     the parts of a delivery already sent                                          <prefix>:wecom:sent:<dedup key>:<part>
//     each person's send window (sorted set)                                        <prefix>:rl:wecom:<agent id>:<userid>
//     the media id of a file uploaded, while WeCom keeps it                         <prefix>:wecom:media:<corp id>:<image|file>:<sha256>:<name hash>
//   The console (src/platforms/console/history.ts, consoleKeys): message counter    <prefix>:console:seq
//     a person's messages (hash) and their order (sorted set)                       <prefix>:console:msgs:<person>
//                                                                                   <prefix>:console:order:<person>
//     deliveries already shown                                                      <prefix>:console:dedup:<dedup key>
//     the channel new and redrawn messages go out on (a channel, not a key)         <prefix>:console:events

export function keys(prefix: string) {
  const p = prefix;
  return {
    /**
     * The item's own record (hash): v (version of doc), doc (header JSON), status, open (assignments not completed),
     * completedAt, year and seq (its 督字 number, from 发出), reviewFrom and reviewDue (an instructed item's review).
     */
    item: (id: string) => `${p}:item:${id}`,
    /** One unit's part of an item (hash): v, doc (assignment JSON). */
    assignment: (id: string, unit: string) => `${p}:asg:${id}:${unit}`,
    /** Every item, drafts and cancelled ones included (sorted set), scored by when it was created (domain ms). */
    items: `${p}:items`,
    /** The ledger: items issued, withdrawn ones included (sorted set), scored year*1e6+seq by their 督字 number. */
    ledger: `${p}:ledger`,
    /** A year's 督字 numbers (hash): field the number in the year, value the item's id (`/查看 15` reads it). */
    numbers: (year: number) => `${p}:num:${year}`,
    /** Indexes of issued assignments, changed in the same step as the records (see index-changes.ts). */
    byUnit: (unit: string) => `${p}:idx:unit:${unit}`,
    byPerson: (person: string) => `${p}:idx:person:${person}`,
    byState: (state: string) => `${p}:idx:state:${state}`,
    byDue: `${p}:idx:due`,
    /**
     * Items by status (sorted sets), for `/台账 状态=…` and the draft sweep: drafts scored by when they expire,
     * cancelled drafts by when they were cancelled or expired, withdrawn items by when they were withdrawn.
     */
    itemsInStatus: (status: 'draft' | 'cancelled' | 'withdrawn') => `${p}:idx:items:${status}`,
    /**
     * Items waiting for their 批办领导's review (sorted set): member the item id, score the domain ms its review ends by
     * itself (DUCHA_REVIEW_DAYS working days after its last unit completed). Written by the commit step.
     */
    reviews: `${p}:sched:review`,
    /** The items a 批办领导 instructed, issued (sorted set), scored by number like the ledger: their /台账. */
    byLeader: (person: string) => `${p}:idx:leader:${person}`,
    /** Receipt chases to run (sorted set): member `item/unit`, score the domain ms it is due (see index-changes.ts). */
    chase: `${p}:sched:chase`,
    /**
     * Items with progress periods (进度=) still open (sorted set): member the item id, score the domain ms from which
     * the next reminder slot looks at it (the slot of its next period's last working day). One member per item.
     */
    progress: `${p}:sched:progress`,
    /** An index being rebuilt is filled aside under this key and then renamed into place (see rebuild-schedule.ts). */
    rebuilding: (key: string) => `${key}:rebuild`,
    /** The last reminder slot taken (its date, YYYY-MM-DD, in the service's own time). */
    slotDone: `${p}:sched:slot`,
    /** One person's reminder list of one slot (JSON), kept while its card may still be pressed. */
    remindList: (slot: string, person: string) => `${p}:rem:${slot}:${person}`,
    /**
     * The "no"s a person pressed on a card that could not take the reason (WeCom), waiting for their /退回 (hash: field
     * unit, value JSON ReasonAsk); expires with the card's life.
     */
    reasonAsks: (person: string, itemId: string) => `${p}:ask:${person}:${itemId}`,
    /** The last 督字 number given in a year (by the commit step of 发出 only, so no number is ever lost). */
    seq: (year: number) => `${p}:seq:${year}`,
    /** The last draft reference given (草稿N; one count for all years). */
    draftSeq: `${p}:seq:draft`,
    /** The draft reference an operation was given, so a retried /新建 gets the same one. */
    seqFor: (opId: string) => `${p}:seq-for:${opId}`,
    /** The stored outcome of an applied operation: its replay answers the same and changes nothing. */
    op: (opId: string) => `${p}:op:${opId}`,
    /**
     * Deliveries decided by committed operations and not yet queued: field op id, value JSON {at, d}: when it was
     * written (wall-clock ms, for the relay that picks up what a crash left) and the deliveries.
     */
    outbox: `${p}:outbox`,
    /** Every audit entry (stream), and each item's own trail (list of JSON entries, hash-chained; see scripts.ts). */
    auditAll: `${p}:audit`,
    auditItem: (id: string) => `${p}:audit:${id}`,
    /** Where each person's copy of a card was sent: field person id, value JSON message ref. */
    card: (cardKey: string) => `${p}:card:${cardKey}`,
    /** The key that signs card buttons when DUCHA_SECRET is not set, generated once. */
    secret: `${p}:secret`,
    /** Every person's name as the directories in force have given it (hash: person id → name), for people since removed. */
    personNames: `${p}:people:names`,
    /** A contact's files waiting for their next /报送 (hash: sha256 → JSON {name, size, mime, at}). */
    attachPending: (person: string) => `${p}:att:pending:${person}`,
    /** The last attachment number given in an item (附件N, across its reports). */
    attachSeq: (id: string) => `${p}:att:n:${id}`,
    /** What an operation took: the files and numbers of a /报送, or the number of a file sent in reply to a card. */
    attachTaken: (opId: string) => `${p}:att:op:${opId}`,
    /** The card key a message the bot sent is about (a report's), so that a file sent in reply to it goes there. */
    messageAbout: (platform: string, messageId: string) => `${p}:about:${platform}:${messageId}`,
    /** The format of the records: absent before the per-assignment records (format 1), then 2. */
    schema: `${p}:schema`,
    /** Format 1 only: item ids assigned to a unit (a set); removed by the upgrade. */
    legacyUnitItems: (unit: string) => `${p}:unit-items:${unit}`,
    /** Formats 3 to 5: drafts and cancelled drafts (sets of ids); replaced by itemsInStatus at the upgrade to 6. */
    legacyItemsInStatus: (status: 'draft' | 'cancelled') => `${p}:idx:item:${status}`,
  };
}

export type Keys = ReturnType<typeof keys>;
