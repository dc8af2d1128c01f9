// The system of record on Redis: items as versioned documents, changed by optimistic compare-and-set,
// each change written together with its audit entries and the outcome of the operation that made it.
import type { Redis } from 'ioredis';
import type { Item } from '../domain/types.ts';
import { keys, type Keys } from './keys.ts';
import { COMMIT_ITEM, NEXT_SEQ } from './scripts.ts';

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

/** Seven days: longer than any platform's retry window (Feishu retries for about 7 h). */
export const OP_TTL_SECONDS = 7 * 24 * 3600;

export type CommitResult<O> = { kind: 'ok'; version: number } | { kind: 'dup'; outcome: O } | { kind: 'conflict' };

export class Store {
  readonly k: Keys;

  constructor(
    readonly redis: Redis,
    readonly prefix: string,
  ) {
    this.k = keys(prefix);
    redis.defineCommand('duchaCommitItem', { lua: COMMIT_ITEM });
    redis.defineCommand('duchaNextSeq', { lua: NEXT_SEQ, numberOfKeys: 2 });
  }

  async getItem(id: string): Promise<{ item: Item; version: number } | undefined> {
    const [v, doc] = await this.redis.hmget(this.k.item(id), 'v', 'doc');
    if (!v || !doc) return undefined;
    return { item: JSON.parse(doc) as Item, version: Number(v) };
  }

  /** The outcome of an operation if it was applied, else the item to apply it to: one round trip. */
  async getForOp<O>(opId: string, itemId: string): Promise<{ outcome?: O; found?: { item: Item; version: number } }> {
    const res = (await this.redis.pipeline().get(this.k.op(opId)).hmget(this.k.item(itemId), 'v', 'doc').exec()) ?? [];
    const [[e1, op], [e2, vd]] = res as [[Error | null, string | null], [Error | null, (string | null)[]]];
    if (e1 || e2) throw e1 ?? e2;
    if (op !== null) return { outcome: JSON.parse(op) as O };
    const [v, doc] = vd;
    return v && doc ? { found: { item: JSON.parse(doc) as Item, version: Number(v) } } : {};
  }

  async getItems(ids: string[]): Promise<Item[]> {
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hget(this.k.item(id), 'doc');
    const res = (await pipe.exec()) ?? [];
    return res.flatMap(([, doc]) => (typeof doc === 'string' ? [JSON.parse(doc) as Item] : []));
  }

  /** Item ids, newest first; for one unit when given. */
  async itemIds(unit?: string): Promise<string[]> {
    if (unit) {
      const ids = await this.redis.smembers(this.k.unitItems(unit));
      return ids.sort(compareIdsDesc);
    }
    return this.redis.zrevrange(this.k.items, 0, -1);
  }

  /** The next notice number of a year; the same operation always gets the same number. */
  async nextSeq(year: number, opId: string): Promise<number> {
    const cmd = (this.redis as unknown as { duchaNextSeq: (...a: unknown[]) => Promise<number> }).duchaNextSeq;
    return cmd.call(this.redis, this.k.seq(year), this.k.seqFor(opId), OP_TTL_SECONDS);
  }

  async getOutcome<O>(opId: string): Promise<O | undefined> {
    const s = await this.redis.get(this.k.op(opId));
    return s === null ? undefined : (JSON.parse(s) as O);
  }

  /**
   * Writes a new version of an item if nobody changed it since `expected` (0: it must not exist yet),
   * with its audit entries and the operation's outcome, in one step.
   */
  async commit<O>(opId: string, expected: number, item: Item, audits: AuditEntry[], outcome: O): Promise<CommitResult<O>> {
    const unitKeys = item.status === 'draft' ? [] : item.assignments.map((a) => this.k.unitItems(a.unit));
    const keysList = [this.k.op(opId), this.k.item(item.id), this.k.auditAll, this.k.auditItem(item.id), this.k.items, ...unitKeys];
    const flat = audits.map((a) => {
      const o: Record<string, string> = {};
      for (const [key, val] of Object.entries(a)) if (val !== undefined) o[key] = String(val);
      return o;
    });
    const cmd = (this.redis as unknown as { duchaCommitItem: (...a: unknown[]) => Promise<[string, string]> }).duchaCommitItem;
    const [kind, value] = await cmd.call(
      this.redis,
      keysList.length,
      ...keysList,
      String(expected),
      JSON.stringify(item),
      JSON.stringify(outcome),
      OP_TTL_SECONDS,
      item.year * 1e6 + item.seq,
      JSON.stringify(flat),
      item.id,
    );
    if (kind === 'ok') return { kind: 'ok', version: Number(value) };
    if (kind === 'dup') return { kind: 'dup', outcome: JSON.parse(value) as O };
    return { kind: 'conflict' };
  }

  async audit(itemId?: string, count = 1000): Promise<AuditRecord[]> {
    const key = itemId ? this.k.auditItem(itemId) : this.k.auditAll;
    const rows = await this.redis.xrange(key, '-', '+', 'COUNT', count);
    return rows.map(([id, fields]) => {
      const o: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) o[fields[i]!] = fields[i + 1]!;
      return {
        id,
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
    });
  }

  async recordCardRef(cardKey: string, person: string, ref: unknown): Promise<void> {
    await this.redis.hset(this.k.card(cardKey), person, JSON.stringify(ref));
  }

  async cardRefs<R>(cardKey: string): Promise<Map<string, R>> {
    const all = await this.redis.hgetall(this.k.card(cardKey));
    return new Map(Object.entries(all).map(([p, s]) => [p, JSON.parse(s) as R]));
  }
}

function compareIdsDesc(a: string, b: string): number {
  const [ya, sa] = a.split('-').map(Number);
  const [yb, sb] = b.split('-').map(Number);
  return (yb ?? 0) - (ya ?? 0) || (sb ?? 0) - (sa ?? 0);
}
