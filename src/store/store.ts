// The system of record on Redis: each item's header and each of its assignments are separate versioned records,
// changed by compare-and-set in one script together with their indexes, audit entries, outbox and outcome. It alone
// talks to Redis about them: the rest of the service asks it by name (a test keeps it so, test/redis-calls.test.ts).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ItemRef } from '../domain/item-number.ts';
import { draftItemId, parseAssignmentRef, type Assignment, type Item, type ItemHeader, type ItemStatus } from '../domain/types.ts';
import type { Delivery } from '../delivery/delivery.ts';
import type { StatAssignment, StatHeader } from '../domain/stat-view.ts';
import { AttachmentStore } from './attachment-store.ts';
import type { IndexOp } from './index-changes.ts';
import { keys, type Keys } from './keys.ts';
import { AUDIT_CHAIN, AUDIT_TO_LIST, COMMIT_OP, MARK_SLOT, MOVE_PROGRESS, NEXT_SEQ, SEAL_ITEM, STAT_ASSIGNMENTS, STAT_HEADERS, UPGRADE_ITEM } from './scripts.ts';

/** One line of the audit log. Every value is a string in the stream. */
export interface AuditEntry {
  at: number;
  /** Person id, or `system`. */
  actor: string;
  platform: string;
  platformId?: string;
  action: string;
  item: string;
  unit?: string;
  from?: string;
  to?: string;
  /** JSON of anything else worth keeping (report version and hash, new deadline…). */
  detail?: string;
}

export interface AuditRecord extends AuditEntry {
  id: string;
}

/** The fields of a header read for its document: the document, and those the commit step writes itself. */
const HEADER_READ = ['v', 'doc', 'status', 'completedAt', 'year', 'seq', 'reviewFrom', 'reviewDue'] as const;

/** Headers kept parsed in memory (most recently read ones). */
const PARSED_HEADERS = 2000;

/**
 * Records one call of STAT_ASSIGNMENTS or STAT_HEADERS reads: small enough that Redis is not held for long by one call
 * (one that decodes every record: under 1 ms typically, a few ms at worst in the benchmark; see docs/operations.md),
 * large enough that 40,000 records take 400 calls, not 40,000 commands.
 */
export const STAT_CHUNK = 100;

/** Views of records the statistics keep in memory, of assignments and of headers each (a year of a large office). */
const STAT_HELD = 100_000;

/** Seven days: longer than any platform's retry window (Feishu retries for about 7 h). */
export const OP_TTL_SECONDS = 7 * 24 * 3600;

/** What the outbox keeps of an operation: when it was committed (wall-clock ms), and what to send. */
interface OutboxEntry {
  at: number;
  d: Delivery[];
}

/** A record as read, with the version a change must expect. */
export interface Versioned<T> {
  doc: T;
  version: number;
}

/** Everything one operation writes, in one step. */
export interface CommitPlan<O> {
  opId: string;
  itemId: string;
  /** The item's status the decision was made on: if it changed meanwhile, nothing is written. */
  seenStatus?: ItemStatus;
  /** A new header, written if its version is still `expected` (0: the item must not exist yet). */
  header?: { expected: number; doc: ItemHeader; open?: number };
  /**
   * The assignments the decision read, each checked to be still at version `expected` (0: it must not exist yet);
   * written when `doc` is given.
   */
  assignments: { unit: string; expected: number; doc?: Assignment }[];
  index: IndexOp[];
  /** How many assignments this operation completed: the item completes with its last one. */
  completed: number;
  /**
   * Give the item the next 督字 number of this year in the same step (发出); it is recorded in the detail of the
   * first audit entry, and index scores written as NUMBER_SCORE become its score.
   */
  numberYear?: number;
  audits: AuditEntry[];
  /** The item's own completion line, written only if this step completes the item. */
  completion?: AuditEntry;
  /**
   * An item with a 批办领导: if this step completes its last unit, the item goes to the leader's review instead of
   * completing, with this entry (instead of `completion`), until `dueAt` (domain ms), and these deliveries besides.
   */
  review?: { dueAt: number; entry: AuditEntry; deliveries: Delivery[] };
  /** What to send because of this change: kept in the outbox in the same step, until relayed to the queue. */
  deliveries: Delivery[];
  outcome: O;
  /** The domain clock's now, when the decision was made. */
  now: number;
  /** Wall-clock ms, for the relay that picks up outbox entries a crash left behind. */
  wallNow: number;
}

/** An entry of a time index: an assignment's ref (`item/unit`) and the domain ms it is due. */
export interface Timed {
  ref: string;
  at: number;
}

/** `seq`: the 督字 number the step gave, when it was asked to (`numberYear`). */
export type CommitResult<O> = { kind: 'ok'; completedItem: boolean; reviewItem?: boolean; seq?: number } | { kind: 'dup'; outcome: O } | { kind: 'conflict' };

type Script = (...args: (string | number)[]) => Promise<unknown>;

/** Builds a script's KEYS list: fixed keys first, then each further key once, named by its position. */
class KeyList {
  readonly list: string[];
  private readonly pos = new Map<string, number>();
  constructor(fixed: string[]) {
    this.list = [...fixed];
    fixed.forEach((k, i) => this.pos.set(k, i + 1));
  }
  at(key: string): number {
    let p = this.pos.get(key);
    if (p === undefined) {
      this.list.push(key);
      p = this.list.length;
      this.pos.set(key, p);
    }
    return p;
  }
  index(ops: IndexOp[]): unknown[] {
    return ops.map(([op, key, ...rest]) => [op, this.at(key), ...rest]);
  }
}

export class Store {
  readonly k: Keys;
  /** Report attachments: the files waiting for a contact's next report, their numbers, the reports messages are about. */
  readonly attachments: AttachmentStore;
  private readonly commitOp: Script;
  private readonly upgradeOne: Script;
  private readonly nextSeqOf: Script;
  private readonly auditToList: Script;
  private readonly auditChainOf: Script;
  private readonly sealItemOf: Script;
  private readonly markSlotOf: Script;
  /**
   * After each commit, wait up to this long for one replica to have it (WAIT 1 <ms>) before the operation is answered;
   * 0: do not wait (REDIS_WAIT_MS, set by app.ts).
   */
  waitReplicaMs = 0;
  private readonly moveProgressOf: Script;
  private readonly statAssignmentsOf: Script;
  private readonly statHeadersOf: Script;

  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
  ) {
    this.k = keys(prefix);
    this.attachments = new AttachmentStore(redis, this.k);
    redis.defineCommand('duchaCommitOp', { lua: COMMIT_OP });
    redis.defineCommand('duchaUpgradeItem', { lua: UPGRADE_ITEM });
    redis.defineCommand('duchaNextSeq', { lua: NEXT_SEQ, numberOfKeys: 2 });
    redis.defineCommand('duchaAuditToList', { lua: AUDIT_TO_LIST, numberOfKeys: 1 });
    redis.defineCommand('duchaAuditChain', { lua: AUDIT_CHAIN, numberOfKeys: 2 });
    redis.defineCommand('duchaSealItem', { lua: SEAL_ITEM });
    redis.defineCommand('duchaMarkSlot', { lua: MARK_SLOT, numberOfKeys: 1 });
    redis.defineCommand('duchaMoveProgress', { lua: MOVE_PROGRESS, numberOfKeys: 1 });
    redis.defineCommand('duchaStatAssignments', { lua: STAT_ASSIGNMENTS });
    redis.defineCommand('duchaStatHeaders', { lua: STAT_HEADERS });
    const r = redis as unknown as Record<string, Script>;
    this.commitOp = r.duchaCommitOp!.bind(redis);
    this.upgradeOne = r.duchaUpgradeItem!.bind(redis);
    this.nextSeqOf = r.duchaNextSeq!.bind(redis);
    this.auditToList = r.duchaAuditToList!.bind(redis);
    this.auditChainOf = r.duchaAuditChain!.bind(redis);
    this.sealItemOf = r.duchaSealItem!.bind(redis);
    this.markSlotOf = r.duchaMarkSlot!.bind(redis);
    this.moveProgressOf = r.duchaMoveProgress!.bind(redis);
    this.statAssignmentsOf = r.duchaStatAssignments!.bind(redis);
    this.statHeadersOf = r.duchaStatHeaders!.bind(redis);
  }

  // --- reading records -------------------------------------------------------------------------

  /**
   * A header's document changes only when the item is issued or cancelled, but every press reads it, and a
   * city-wide item's lists 500 units: parsed once per version and kept (frozen), each read gets its own copy.
   */
  private readonly parsed = new Map<string, { raw: string; doc: Readonly<ItemHeader> }>();

  /**
   * The header's status, completion time and 督字 number live in their own fields: the commit script completes an
   * item, and numbers it at 发出. (An item of an earlier version holds its number in its document until next written.)
   */
  private parseHeader(id: string, [v, raw, status, completedAt, year, seq, reviewFrom, reviewDue]: (string | null | undefined)[]): Versioned<ItemHeader> | undefined {
    if (!v || !raw || !status) return undefined;
    let hit = this.parsed.get(id);
    if (hit?.raw !== raw) {
      const doc = JSON.parse(raw) as ItemHeader;
      Object.freeze(doc.units);
      hit = { raw, doc: Object.freeze(doc) };
    }
    // Most recently read last; the least recently read goes first when full.
    this.parsed.delete(id);
    if (this.parsed.size >= PARSED_HEADERS) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(id, hit);
    const h: ItemHeader = { ...hit.doc, status: status as ItemStatus };
    if (completedAt) h.completedAt = Number(completedAt);
    if (reviewFrom) h.reviewFrom = Number(reviewFrom);
    if (reviewDue) h.reviewDueAt = Number(reviewDue);
    if (year && seq) {
      h.year = Number(year);
      h.seq = Number(seq);
    }
    return { doc: h, version: Number(v) };
  }

  /** The item's header alone: what a press on one unit needs besides that unit's record. */
  async getHeader(id: string): Promise<Versioned<ItemHeader> | undefined> {
    return this.parseHeader(id, await this.redis.hmget(this.k.item(id), ...HEADER_READ));
  }

  async getAssignment(id: string, unit: string): Promise<Versioned<Assignment> | undefined> {
    return parseRecord<Assignment>(await this.redis.hmget(this.k.assignment(id, unit), 'v', 'doc'));
  }

  /**
   * What an operation needs, in one round trip: its stored outcome if it was already applied, else the item's
   * header and the named units' records (a unit without a record is absent from the map).
   */
  async readForOp<O>(
    opId: string,
    itemId: string,
    units: string[],
  ): Promise<{ outcome?: O; header?: Versioned<ItemHeader>; assignments: Map<string, Versioned<Assignment>> }> {
    const pipe = this.redis.pipeline().get(this.k.op(opId)).hmget(this.k.item(itemId), ...HEADER_READ);
    for (const u of units) pipe.hmget(this.k.assignment(itemId, u), 'v', 'doc');
    const res = results(await pipe.exec());
    const op = res[0] as string | null;
    const assignments = new Map<string, Versioned<Assignment>>();
    if (op !== null) return { outcome: JSON.parse(op) as O, assignments };
    units.forEach((u, i) => {
      const rec = parseRecord<Assignment>(res[i + 2] as (string | null)[]);
      if (rec) assignments.set(u, rec);
    });
    return { header: this.parseHeader(itemId, res[1] as (string | null)[]), assignments };
  }

  /** Several units' records of one item, in the order asked (missing ones left out). */
  async getAssignments(itemId: string, units: readonly string[]): Promise<Versioned<Assignment>[]> {
    if (units.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const u of units) pipe.hmget(this.k.assignment(itemId, u), 'v', 'doc');
    return results(await pipe.exec()).flatMap((r) => {
      const rec = parseRecord<Assignment>(r as (string | null)[]);
      return rec ? [rec] : [];
    });
  }

  /**
   * The whole item: header and every assignment. `version` is the sum of its records' versions, so it grows by one
   * for each record a change writes.
   */
  async getItem(id: string): Promise<{ item: Item; version: number } | undefined> {
    const h = await this.getHeader(id);
    if (!h) return undefined;
    const as = await this.getAssignments(id, h.doc.units);
    return { item: { ...h.doc, assignments: as.map((a) => a.doc) }, version: as.reduce((n, a) => n + a.version, h.version) };
  }

  async getHeaders(ids: readonly string[]): Promise<ItemHeader[]> {
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hmget(this.k.item(id), ...HEADER_READ);
    return results(await pipe.exec()).flatMap((r, i) => {
      const h = this.parseHeader(ids[i]!, r as (string | null)[]);
      return h ? [h.doc] : [];
    });
  }

  /** Assignments named by `item/unit` refs, in one round trip, by ref (missing ones left out). */
  async getAssignmentsByRef(refs: readonly string[]): Promise<Map<string, Assignment>> {
    const out = new Map<string, Assignment>();
    if (refs.length === 0) return out;
    const pipe = this.redis.pipeline();
    for (const ref of refs) {
      const { item, unit } = parseAssignmentRef(ref);
      pipe.hget(this.k.assignment(item, unit), 'doc');
    }
    results(await pipe.exec()).forEach((doc, i) => {
      if (typeof doc === 'string') out.set(refs[i]!, JSON.parse(doc) as Assignment);
    });
    return out;
  }

  /**
   * The statistics' views of records, each with the version (of a header: the stamp) it was taken at, kept across
   * reads: a record read again unchanged is neither decoded in Redis nor sent. Shared by every reader: never changed.
   */
  private readonly statViews = new Map<string, { v: string; view: StatAssignment }>();
  private readonly statHeads = new Map<string, { v: string; view: StatHeader }>();

  /**
   * What the office's figures need of the assignments named by `item/unit` refs (stat-view.ts), by ref (missing ones
   * left out): decoded in Redis, STAT_CHUNK records a call, all calls in one round trip; unchanged ones from memory.
   */
  async statAssignments(refs: readonly string[]): Promise<Map<string, StatAssignment>> {
    const keyList = refs.map((ref) => {
      const { item, unit } = parseAssignmentRef(ref);
      return this.k.assignment(item, unit);
    });
    return this.statRead(this.statAssignmentsOf, refs, keyList, this.statViews, (json) => {
      const v = JSON.parse(json) as StatAssignment;
      // cjson writes an empty list as {}.
      for (const f of ['reports', 'extensions', 'summons', 'visits'] as const) if (!Array.isArray(v[f])) v[f] = [];
      return v;
    });
  }

  /** What the office's figures need of items' headers (stat-view.ts), by id (missing ones left out); as statAssignments. */
  async statHeaders(ids: readonly string[]): Promise<Map<string, StatHeader>> {
    return this.statRead(this.statHeadersOf, ids, ids.map((id) => this.k.item(id)), this.statHeads, (json) => JSON.parse(json) as StatHeader);
  }

  /**
   * One of the statistics' read scripts over many records, STAT_CHUNK at a time, every call sent before any answer is
   * awaited; each answer is 0 (the version held is current), `<version> <JSON>`, or nil (no record).
   */
  private async statRead<T>(
    script: Script,
    ids: readonly string[],
    keyList: readonly string[],
    held: Map<string, { v: string; view: T }>,
    parse: (json: string) => T,
  ): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    if (ids.length === 0) return out;
    // What was held when asked: a 0 answers for it, whatever another read keeps meanwhile.
    const asked = ids.map((id) => held.get(id));
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < keyList.length; i += STAT_CHUNK) {
      const chunk = keyList.slice(i, i + STAT_CHUNK);
      const versions = asked.slice(i, i + STAT_CHUNK).map((h) => h?.v ?? '');
      calls.push(script(chunk.length, ...chunk, ...versions));
    }
    (await Promise.all(calls)).flatMap((r) => r as (string | number | null)[]).forEach((answer, i) => {
      const id = ids[i]!;
      if (answer === null) {
        held.delete(id);
        return;
      }
      if (answer === 0) {
        out.set(id, asked[i]!.view);
        return;
      }
      const text = String(answer);
      const space = text.indexOf(' ');
      const view = parse(text.slice(space + 1));
      held.delete(id);
      held.set(id, { v: text.slice(0, space), view });
      out.set(id, view);
    });
    // The oldest taken go first when there are too many.
    for (const id of held.keys()) {
      if (held.size <= STAT_HELD) break;
      held.delete(id);
    }
    return out;
  }

  // --- indexes -----------------------------------------------------------------------------------

  /** Item ids: every item, newest first; for one unit when given, the items issued to it, highest number first. */
  async itemIds(unit?: string): Promise<string[]> {
    return this.redis.zrevrange(unit ? this.k.byUnit(unit) : this.k.items, 0, -1);
  }

  /**
   * The item a person named: by its 督字 number (the year's map; an item of an earlier version maps to itself), or by
   * its draft reference. Undefined when there is none.
   */
  async findItem(ref: ItemRef): Promise<string | undefined> {
    if ('draft' in ref) {
      const id = draftItemId(ref.draft);
      return (await this.redis.hexists(this.k.item(id), 'status')) ? id : undefined;
    }
    return (await this.redis.hget(this.k.numbers(ref.year), String(ref.seq))) ?? undefined;
  }

  /** Refs (`item/unit`) of issued assignments in a state. */
  async refsInState(state: string): Promise<string[]> {
    return this.redis.smembers(this.k.byState(state));
  }

  /** Refs of open assignments of issued items due at or before `ms` (the end of their deadline day), earliest first. */
  async refsDueBy(ms: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.k.byDue, '-inf', String(ms));
  }

  /** Refs of open assignments of issued items due from `fromMs` to `toMs` (both included), earliest first. */
  async dueBetween(fromMs: number, toMs: number): Promise<Timed[]> {
    return timed(await this.redis.zrangebyscore(this.k.byDue, String(fromMs), String(toMs), 'WITHSCORES'));
  }

  /** Refs of assignments a person is the responsible leader of, earliest deadline first. */
  async refsOfPerson(person: string): Promise<string[]> {
    return this.redis.zrange(this.k.byPerson(person), '0', '-1');
  }

  /**
   * Refs of the assignments these people are the responsible leader of (completed ones too; not withdrawn items') whose
   * deadline in force falls from `fromMs` to `toMs` (both included), in one round trip: what the statistics count.
   */
  async dueOfPeople(people: readonly string[], fromMs: number, toMs: number): Promise<string[]> {
    if (people.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const p of people) pipe.zrangebyscore(this.k.byPerson(p), String(fromMs), String(toMs));
    return results(await pipe.exec()).flatMap((r) => r as string[]);
  }

  /** How many issued assignments are in each of the states, in the order asked. */
  async countsInStates(states: readonly string[]): Promise<number[]> {
    return Promise.all(states.map((s) => this.redis.scard(this.k.byState(s))));
  }

  // --- the office's ledger -------------------------------------------------------------------------

  /** A page of the ledger (items issued, withdrawn ones included): ids, highest number first, from position `from`. */
  async ledgerPage(from: number, count: number): Promise<string[]> {
    return this.redis.zrevrange(this.k.ledger, from, from + count - 1);
  }

  /** How many items the ledger holds. */
  async ledgerCount(): Promise<number> {
    return this.redis.zcard(this.k.ledger);
  }

  /**
   * Items in a status, newest first (drafts: the latest to expire first), the first `count` of them (all when not
   * given), and how many there are in all.
   */
  async itemIdsInStatus(status: 'draft' | 'cancelled' | 'withdrawn', count?: number): Promise<{ ids: string[]; total: number }> {
    const key = this.k.itemsInStatus(status);
    const [ids, total] = await Promise.all([this.redis.zrevrange(key, 0, count === undefined ? -1 : count - 1), this.redis.zcard(key)]);
    return { ids, total };
  }

  // --- the schedule --------------------------------------------------------------------------------

  /**
   * Whether the reminder slot of `date` (YYYY-MM-DD) is still to be taken. The first time the service runs, the
   * schedule begins with that slot: the slots before then were nobody's to send, and this one is not taken either.
   */
  async isSlotDue(date: string): Promise<boolean> {
    const done = await this.redis.get(this.k.slotDone);
    if (done !== null) return done < date;
    await this.redis.set(this.k.slotDone, date, 'NX');
    return false;
  }

  /** Marks the slot of `date` taken; only forward (see MARK_SLOT). */
  async markSlotTaken(date: string): Promise<void> {
    await this.markSlotOf(this.k.slotDone, date);
  }

  /** Drafts due to expire by `ms`, earliest first, at most `limit` of them. */
  async dueDrafts(ms: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.k.itemsInStatus('draft'), '-inf', String(ms), 'LIMIT', 0, limit);
  }

  /** Items whose 批办领导's review ends by itself by `ms`, earliest first, at most `limit` of them. */
  async dueReviews(ms: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.k.reviews, '-inf', String(ms), 'LIMIT', 0, limit);
  }

  /** The items a 批办领导 instructed (issued), highest number first. */
  async itemIdsOfLeader(person: string): Promise<string[]> {
    return this.redis.zrevrange(this.k.byLeader(person), 0, -1);
  }

  /** Receipt chases due by `ms`, earliest first, at most `limit` of them. */
  async dueChases(ms: number, limit: number): Promise<Timed[]> {
    return timed(await this.redis.zrangebyscore(this.k.chase, '-inf', String(ms), 'WITHSCORES', 'LIMIT', 0, limit));
  }

  /** Items of the progress schedule due to be looked at by `ms` (see keys.ts, progress), with the score each was seen at. */
  async progressDueBy(ms: number): Promise<{ item: string; at: number }[]> {
    return timed(await this.redis.zrangebyscore(this.k.progress, '-inf', String(ms), 'WITHSCORES')).map((t) => ({ item: t.ref, at: t.at }));
  }

  /** Every item of the progress schedule (the open items with progress periods). */
  async progressItems(): Promise<string[]> {
    return this.redis.zrange(this.k.progress, '0', '-1');
  }

  /** Moves items of the progress schedule, each only from the score it was seen at (see MOVE_PROGRESS); `next` absent: removed. */
  async moveProgress(moves: readonly { item: string; seen: number; next?: number }[]): Promise<number> {
    if (moves.length === 0) return 0;
    const list = moves.map((m) => (m.next === undefined ? [m.item, m.seen] : [m.item, m.seen, m.next]));
    return Number(await this.moveProgressOf(this.k.progress, JSON.stringify(list)));
  }

  /** Keeps a person's reminder list of a slot (what its card is redrawn from) for `ttlSeconds`. */
  async saveReminderList(slot: string, person: string, list: unknown, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.k.remindList(slot, person), JSON.stringify(list), 'EX', ttlSeconds);
  }

  /** A person's reminder list of a slot; undefined once it has expired. */
  async reminderList<T>(slot: string, person: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.k.remindList(slot, person));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  // --- reasons asked for -----------------------------------------------------------------------------

  /** Remembers a person's press that waits for its reason, one per unit of the item; the newest replaces an older. */
  async saveReasonAsk(person: string, itemId: string, unit: string, ask: unknown, ttlMs: number): Promise<void> {
    const key = this.k.reasonAsks(person, itemId);
    results(await this.redis.multi().hset(key, unit, JSON.stringify(ask)).pexpire(key, ttlMs).exec());
  }

  /** A person's presses waiting for a reason on an item, by unit. */
  async reasonAsks<T>(person: string, itemId: string): Promise<Map<string, T>> {
    const all = await this.redis.hgetall(this.k.reasonAsks(person, itemId));
    return new Map(Object.entries(all).map(([unit, s]) => [unit, JSON.parse(s) as T]));
  }

  async dropReasonAsk(person: string, itemId: string, unit: string): Promise<void> {
    await this.redis.hdel(this.k.reasonAsks(person, itemId), unit);
  }

  // --- the signing secret ----------------------------------------------------------------------------

  /** The key that signs card buttons: DUCHA_SECRET when set, else one generated once and kept here for every process. */
  async signingSecret(configured?: string): Promise<string> {
    if (configured) return configured;
    await this.redis.set(this.k.secret, randomBytes(32).toString('base64url'), 'NX');
    const s = await this.redis.get(this.k.secret);
    if (!s) throw new Error('could not read the action-signing secret from Redis');
    return s;
  }

  // --- changing records --------------------------------------------------------------------------

  /** The next draft reference (草稿N); the same operation always gets the same one. */
  async nextDraftNo(opId: string): Promise<number> {
    return Number(await this.nextSeqOf(this.k.draftSeq, this.k.seqFor(opId), OP_TTL_SECONDS));
  }

  async getOutcome<O>(opId: string): Promise<O | undefined> {
    const s = await this.redis.get(this.k.op(opId));
    return s === null ? undefined : (JSON.parse(s) as O);
  }

  /** Writes everything an operation decided, in one step, unless it was already applied or what it read changed. */
  async commit<O>(plan: CommitPlan<O>): Promise<CommitResult<O>> {
    const k = this.k;
    const keyList = new KeyList([k.op(plan.opId), k.auditAll, k.auditItem(plan.itemId), k.outbox, k.item(plan.itemId)]);
    const docs: string[] = [];
    /** ARGV position of a document (ARGV[1] is the spec). */
    const arg = (s: string) => docs.push(s) + 1;
    const spec: Record<string, unknown> = {
      op: plan.opId,
      ttl: OP_TTL_SECONDS,
      at: String(plan.now),
      done: plan.completed,
    };
    if (plan.seenStatus) spec.st = plan.seenStatus;
    if (plan.header) {
      // The fields the script keeps beside the document are not in it.
      const { status, completedAt, year, seq, reviewFrom: _rf, reviewDueAt: _rd, ...doc } = plan.header.doc;
      spec.hv = plan.header.expected;
      spec.hd = arg(JSON.stringify(doc));
      spec.hs = status;
      // Completed by a change of the header itself (the leader's review ended): its time is a field of its own.
      if (status === 'completed' && completedAt !== undefined) spec.hc = String(completedAt);
      if (year !== undefined && seq !== undefined) spec.ys = [year, seq];
      if (plan.header.open !== undefined) spec.open = plan.header.open;
    }
    if (plan.numberYear !== undefined) {
      spec.num = { y: plan.numberYear, k: keyList.at(k.seq(plan.numberYear)), m: keyList.at(k.numbers(plan.numberYear)), id: plan.itemId };
    }
    spec.recs = plan.assignments.map((a) => {
      const rec: unknown[] = [keyList.at(k.assignment(plan.itemId, a.unit)), a.expected];
      if (a.doc) rec.push(arg(JSON.stringify(a.doc)));
      return rec;
    });
    spec.idx = keyList.index(plan.index);
    spec.au = arg(JSON.stringify(plan.audits.map(flat)));
    if (plan.completion) spec.ce = arg(JSON.stringify(flat(plan.completion)));
    if (plan.deliveries.length) spec.ob = arg(JSON.stringify({ at: plan.wallNow, d: plan.deliveries } satisfies OutboxEntry));
    if (plan.review) {
      const d = [...plan.deliveries, ...plan.review.deliveries];
      spec.rv = {
        due: String(plan.review.dueAt),
        k: keyList.at(k.reviews),
        id: plan.itemId,
        e: arg(JSON.stringify(flat(plan.review.entry))),
        ...(d.length ? { ob: arg(JSON.stringify({ at: plan.wallNow, d } satisfies OutboxEntry)) } : {}),
      };
    }
    spec.out = arg(JSON.stringify(plan.outcome));
    const [kind, value, given] = (await this.commitOp(keyList.list.length, ...keyList.list, JSON.stringify(spec), ...docs)) as [string, string?, string?];
    if (kind === 'ok' && this.waitReplicaMs > 0) await this.redis.wait(1, this.waitReplicaMs);
    if (kind === 'ok') return { kind: 'ok', completedItem: value === '1', ...(value === '2' ? { reviewItem: true } : {}), ...(given ? { seq: Number(given) } : {}) };
    if (kind === 'dup') return { kind: 'dup', outcome: JSON.parse(value!) as O };
    return { kind: 'conflict' };
  }

  /** Rewrites one format-1 item as records (see upgrade.ts): 'ok', 'done' (already rewritten) or 'conflict'. */
  async upgradeItem(
    oldVersion: number,
    header: ItemHeader,
    open: number,
    assignments: Assignment[],
    index: IndexOp[],
  ): Promise<'ok' | 'done' | 'conflict'> {
    const k = this.k;
    const keyList = new KeyList([k.item(header.id), ...assignments.map((a) => k.assignment(header.id, a.unit))]);
    const { status, completedAt, ...doc } = header;
    const spec: Record<string, unknown> = { v: oldVersion, n: assignments.length, status, open, idx: keyList.index(index) };
    if (completedAt !== undefined) spec.completedAt = String(completedAt);
    const res = await this.upgradeOne(
      keyList.list.length,
      ...keyList.list,
      JSON.stringify(spec),
      JSON.stringify(doc),
      ...assignments.map((a) => JSON.stringify(a)),
    );
    return res as 'ok' | 'done' | 'conflict';
  }

  // --- the outbox ----------------------------------------------------------------------------------

  /** The deliveries a committed operation left in the outbox, if they were not relayed yet. */
  async outboxEntry(opId: string): Promise<Delivery[] | undefined> {
    const s = await this.redis.hget(this.k.outbox, opId);
    return s === null ? undefined : (JSON.parse(s) as OutboxEntry).d;
  }

  async clearOutbox(opId: string): Promise<void> {
    await this.redis.hdel(this.k.outbox, opId);
  }

  /** How many operations' deliveries wait in the outbox now (for /metrics): normally 0. */
  async outboxEntries(): Promise<number> {
    return this.redis.hlen(this.k.outbox);
  }

  /**
   * Operations whose deliveries have waited in the outbox since before `wallMs`. The outbox is empty but for the
   * milliseconds between a commit and its relay, so reading it whole is cheap.
   */
  async outboxOlderThan(wallMs: number): Promise<string[]> {
    const all = await this.redis.hgetall(this.k.outbox);
    return Object.entries(all).flatMap(([opId, s]) => ((JSON.parse(s) as OutboxEntry).at < wallMs ? [opId] : []));
  }

  // --- people's names --------------------------------------------------------------------------

  /** Keeps the names a directory gives (a later one may drop someone whose records stay). */
  async savePersonNames(people: readonly { id: string; name: string }[]): Promise<void> {
    if (people.length) await this.redis.hset(this.k.personNames, Object.fromEntries(people.map((p) => [p.id, p.name])));
  }

  async personNames(): Promise<[string, string][]> {
    return Object.entries(await this.redis.hgetall(this.k.personNames));
  }

  // --- audit and card references -----------------------------------------------------------------

  /** Format 2 → 3: an item's audit stream becomes a list (see AUDIT_TO_LIST); true when it was converted. */
  async convertItemAudit(itemId: string): Promise<boolean> {
    return (await this.auditToList(this.k.auditItem(itemId))) === 1;
  }

  /** The audit trail: one item's (oldest first), or everything's. */
  async audit(itemId?: string, count = 1000): Promise<AuditRecord[]> {
    if (itemId) {
      const rows = await this.redis.lrange(this.k.auditItem(itemId), '0', String(count - 1));
      return rows.map((row) => {
        const o = JSON.parse(row) as Record<string, string>;
        return { ...toAuditRecord(o), id: o.id ?? '' };
      });
    }
    const rows = await this.redis.xrange(this.k.auditAll, '-', '+', 'COUNT', count);
    return rows.map(([id, fields]) => {
      const o: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) o[fields[i]!] = fields[i + 1]!;
      return { ...toAuditRecord(o), id };
    });
  }

  /** What a verification reads of an item's trail: the raw entries, and the chain's head and length the header keeps. */
  async auditChain(itemId: string): Promise<{ rows: string[]; head?: string; count?: number }> {
    const [rows, [head, count]] = results(
      await this.redis.pipeline().lrange(this.k.auditItem(itemId), '0', '-1').hmget(this.k.item(itemId), 'ah', 'an').exec(),
    ) as [string[], (string | null)[]];
    return { rows, ...(head !== null && head !== undefined ? { head } : {}), ...(count ? { count: Number(count) } : {}) };
  }

  /** Entries of the global audit stream by id, as field maps (undefined where there is none). */
  async auditEntriesById(ids: readonly string[]): Promise<(Record<string, string> | undefined)[]> {
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.xrange(this.k.auditAll, id, id);
    return results(await pipe.exec()).map((r) => {
      const row = (r as [string, string[]][])[0];
      if (!row) return undefined;
      const o: Record<string, string> = {};
      for (let i = 0; i + 1 < row[1].length; i += 2) o[row[1][i]!] = row[1][i + 1]!;
      return o;
    });
  }

  /** Format 3 → 4: links an item's audit entries into a chain (see AUDIT_CHAIN); the number of entries linked. */
  async chainItemAudit(itemId: string): Promise<number> {
    return Number(await this.auditChainOf(this.k.item(itemId), this.k.auditItem(itemId)));
  }

  /** Format 4 → 5: seals an item's records as they are (see SEAL_ITEM); false when they were sealed already. */
  async sealItem(itemId: string, units: readonly string[], entry: AuditEntry): Promise<boolean> {
    const k = this.k;
    const keyList = [k.auditAll, k.auditItem(itemId), k.item(itemId), ...units.map((u) => k.assignment(itemId, u))];
    return (await this.sealItemOf(keyList.length, ...keyList, JSON.stringify(flat(entry)))) === 1;
  }

  /** Every field of an item header's Redis hash as it is now (what a verification compares with its seal). */
  async rawHeader(itemId: string): Promise<Record<string, string> | undefined> {
    return present(await this.redis.hgetall(this.k.item(itemId)));
  }

  /** Every field of the named units' records as they are now, by unit (undefined where there is no record). */
  async rawAssignments(itemId: string, units: readonly string[]): Promise<Map<string, Record<string, string> | undefined>> {
    if (units.length === 0) return new Map();
    const pipe = this.redis.pipeline();
    for (const u of units) pipe.hgetall(this.k.assignment(itemId, u));
    const res = results(await pipe.exec()) as Record<string, string>[];
    return new Map(units.map((u, i) => [u, present(res[i]!)]));
  }

  /**
   * Keeps where a copy of a card landed, every copy: a card sent to a person twice (a notice re-sent by /催办) is
   * redrawn in both places. Field `<person>\n<message id>`; a field of a person alone is an earlier version's.
   */
  async recordCardRef(cardKey: string, person: string, ref: { messageId: string }): Promise<void> {
    await this.redis.hset(this.k.card(cardKey), `${person}\n${ref.messageId}`, JSON.stringify(ref));
  }

  /** Every copy of a card by person, oldest first. */
  async cardRefs<R>(cardKey: string): Promise<Map<string, R[]>> {
    const all = await this.redis.hgetall(this.k.card(cardKey));
    const out = new Map<string, R[]>();
    for (const [field, s] of Object.entries(all)) {
      const person = field.split('\n')[0]!;
      out.set(person, [...(out.get(person) ?? []), JSON.parse(s) as R]);
    }
    return out;
  }
}

/** A pipeline's results, throwing the first error. */
function results(res: [Error | null, unknown][] | null): unknown[] {
  return (res ?? []).map(([e, v]) => {
    if (e) throw e;
    return v;
  });
}

/** A hash read whole: undefined when it does not exist (HGETALL answers an empty one). */
function present(fields: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(fields).length ? fields : undefined;
}

/** A sorted set read WITHSCORES: [member, score, member, score, …] as refs and times. */
function timed(flat: string[]): Timed[] {
  const out: Timed[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ ref: flat[i]!, at: Number(flat[i + 1]) });
  return out;
}

function parseRecord<T>([v, doc]: (string | null)[]): Versioned<T> | undefined {
  return v && doc ? { doc: JSON.parse(doc) as T, version: Number(v) } : undefined;
}


function toAuditRecord(o: Record<string, string | undefined>): AuditEntry {
  return {
    at: Number(o.at),
    actor: o.actor ?? '',
    platform: o.platform ?? '',
    platformId: o.platformId,
    action: o.action ?? '',
    item: o.item ?? '',
    unit: o.unit,
    from: o.from,
    to: o.to,
    detail: o.detail,
  };
}

function flat(a: AuditEntry): Record<string, string> {
  const o: Record<string, string> = {};
  for (const [key, val] of Object.entries(a)) if (val !== undefined) o[key] = String(val);
  return o;
}
