// Brings records written by an earlier version up to the current format, once, at start-up, before anything
// reads them. Each item is rewritten in one atomic step and skipped if already done, so an upgrade that was
// interrupted (or that two processes start at once) simply resumes; the format mark is set only at the end.
//
// Format 1 (before per-assignment records): an item was one document {v, doc} holding every assignment, and
// `unit-items:<unit>` sets listed each unit's items. Format 2: a header record per item, one record per
// assignment, and the indexes of index-changes.ts. Format 3: each item's own audit trail is a list of JSON entries
// instead of a stream of its own (a stream costs 4 KB of memory however short; the global stream stays). Format 4:
// that list is a hash chain (audit-chain.ts), its head and length kept on the header; entries written before are
// linked at the upgrade, so the chain proves nothing about what happened to them before that moment. Format 5: an
// operation's last entry carries the seals of the records it wrote (scripts.ts, COMMIT_OP); each item's records as
// they are at the upgrade are sealed by a system entry of their own, so a change made after it shows, and nothing is
// proved about them before. Format 6: the 督字 number is given at 发出 (a draft carries 草稿N); the items keep their ids
// and numbers, each number is entered in its year's map (`/查看 12` reads it), the issued items in the ledger, the
// drafts and cancelled drafts in the sorted sets by status (a draft of before is kept a week from the upgrade, and
// keeps the number it took: issued, it goes out under it; cancelled or expired, that number stays void, as before).
// Every item is listed by when it was created. Format 7: items name their source, their 批办领导 (whose review comes
// before 办结), the lead unit rule and their owner, all optional in the header: the items of before are not rewritten,
// and read as having no source, no leader (办结 as before, with no review), no lead rule, and as owner whoever issued
// them (ownerOf()); the log says so once.
import type { Redis } from 'ioredis';
import { isIssued, type Assignment, type Item, type ItemHeader } from '../domain/types.ts';
import type { Logger } from '../infra/logger.ts';
import { DRAFT_KEPT_DAYS, DRAFT_KEPT_MS } from '../domain/drafts.ts';
import { indexChanges, itemScore } from './index-changes.ts';
import type { Store } from './store.ts';

export const STORE_FORMAT = '7';

export interface UpgradeResult {
  items: number;
  assignments: number;
  /** Items whose audit stream became a list. */
  audits: number;
  /** Audit entries linked into their item's chain. */
  linked: number;
  /** Items whose records were sealed. */
  sealed: number;
  /** Items whose 督字 number was entered in its year's map. */
  numbered: number;
  /** Of them, drafts that took their number when drafted (they keep it). */
  numberedDrafts: number;
}

/**
 * `redis`: the store's own connection, handed over by the caller (app.ts) because the upgrade reads records in the
 * earlier formats the store no longer knows. `now`: when the upgrade runs, on the service's clock (the time of the
 * sealing entries).
 */
export async function upgradeStore(redis: Redis, store: Store, log: Logger, now = Date.now()): Promise<UpgradeResult> {
  const { k } = store;
  const done: UpgradeResult = { items: 0, assignments: 0, audits: 0, linked: 0, sealed: 0, numbered: 0, numberedDrafts: 0 };
  const before = await redis.get(k.schema);
  if (before === STORE_FORMAT) return done;
  const ids = await redis.zrange(k.items, '0', '-1');
  for (const id of ids) {
    for (;;) {
      const [v, doc, status] = await redis.hmget(k.item(id), 'v', 'doc', 'status');
      if (status || !v || !doc) break; // already rewritten, or nothing there
      const old = JSON.parse(doc) as Item;
      const { header, assignments } = split(old);
      const index = isIssued(header) ? assignments.flatMap((a) => indexChanges(k, undefined, { item: header, a })) : [];
      const open = assignments.filter((a) => a.state !== 'completed').length;
      const res = await store.upgradeItem(Number(v), header, open, assignments, index);
      if (res === 'conflict') continue; // written meanwhile by a process of the earlier version: read it again
      if (res === 'ok') {
        done.items++;
        done.assignments += assignments.length;
      }
      break;
    }
  }
  // The earlier unit index is replaced by the new one, written above.
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', k.legacyUnitItems('*'), 'COUNT', 1000);
    cursor = next;
    if (found.length) await redis.unlink(...found);
  } while (cursor !== '0');
  for (const id of ids) if (await store.convertItemAudit(id)) done.audits++;
  for (const id of ids) done.linked += await store.chainItemAudit(id);
  for (const id of ids) {
    const h = await store.getHeader(id);
    const entry = { at: now, actor: 'system', platform: 'system', action: 'seal', item: id };
    if (h && (await store.sealItem(id, h.doc.units, entry))) done.sealed++;
  }
  // Format 6: numbers given at 发出. Every write here is the same however often it runs (a resumed upgrade).
  for (let i = 0; i < ids.length; i += 1000) {
    const pipe = redis.pipeline();
    for (const h of await store.getHeaders(ids.slice(i, i + 1000))) {
      pipe.zadd(k.items, h.createdAt, h.id);
      if (h.year !== undefined && h.seq !== undefined) {
        pipe.hset(k.numbers(h.year), String(h.seq), h.id);
        done.numbered++;
        if (isIssued(h)) pipe.zadd(k.ledger, itemScore(h), h.id);
      }
      if (h.status === 'draft') {
        pipe.zadd(k.itemsInStatus('draft'), h.expiresAt ?? now + DRAFT_KEPT_MS, h.id);
        if (h.seq !== undefined) done.numberedDrafts++;
      }
      if (h.status === 'cancelled') pipe.zadd(k.itemsInStatus('cancelled'), h.cancelledAt ?? h.createdAt, h.id);
    }
    await pipe.exec();
  }
  await redis.del(k.legacyItemsInStatus('draft'), k.legacyItemsInStatus('cancelled'));
  await redis.set(k.schema, STORE_FORMAT);
  // Format 7 rewrites nothing: what the items of before get is said once.
  if (ids.length) {
    log.info(
      { items: ids.length, from: before ?? '1' },
      `存储格式升级为 ${STORE_FORMAT}：已有的 ${ids.length} 个事项记录不改动，按无任务来源、无批办领导（办结不经领导审阅）、不适用牵头规则、督查员为发出人办理`,
    );
  }
  if (done.items) {
    log.info(done, `存储已升级为按单位分条记录：改写了 ${done.items} 个事项、${done.assignments} 条交办`);
  }
  if (done.audits) log.info({ audits: done.audits }, `存储已升级：${done.audits} 个事项的办理记录改存为列表`);
  if (done.linked) log.info({ linked: done.linked }, `存储已升级：${done.linked} 条办理记录已链接成哈希链`);
  if (done.sealed) log.info({ sealed: done.sealed }, `存储已升级：${done.sealed} 个事项的现有记录已封存（记下校验值，此后的改动可被核验发现）`);
  if (done.numbered) {
    log.info(
      { numbered: done.numbered, numberedDrafts: done.numberedDrafts },
      `存储已升级：督字编号改为发出时给出，${done.numbered} 个已有编号的事项保留原编号` +
        (done.numberedDrafts ? `，其中 ${done.numberedDrafts} 份草稿新建时已占用编号，发出时沿用（取消或过期则该编号作废），自现在起保留 ${DRAFT_KEPT_DAYS} 天` : ''),
    );
  }
  return done;
}

/** A format-1 item as a header and its assignments. */
function split(old: Item): { header: ItemHeader; assignments: Assignment[] } {
  const { assignments, ...rest } = old;
  const units = assignments.map((a) => a.unit);
  const header: ItemHeader = { ...rest, units, lead: assignments.find((a) => a.lead)?.unit ?? units[0] ?? '' };
  return { header, assignments };
}
