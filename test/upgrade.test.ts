// Records written by the previous version (format 1: one document per item holding every assignment) are
// rewritten at start-up, once, resuming where an interrupted upgrade stopped, and the flow goes on from there.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { upgradeStore } from '../src/store/upgrade.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const T = Date.parse('2026-09-20T10:00:00+08:00');
const DUE = '2026-10-30';
const DUE_AT = Date.parse('2026-10-30T23:59:59.999+08:00');
const TEXT = '已完成全部 12 处积水点整治。';

const empty = { summons: [], visits: [], extensions: [], urges: [] };

/** Exactly what the previous version wrote: the item as one document, unit sets, the numbering counter. */
async function writeFormat1(redis: Redis, p: string): Promise<void> {
  const hash = createHash('sha256').update(TEXT, 'utf8').digest('hex');
  const open = {
    id: '2026-1', year: 2026, seq: 1, title: '城区主干道积水整治', category: 'public', status: 'open',
    createdBy: 'zhang', createdAt: T, issuedBy: 'zhang', issuedAt: T, due: DUE, dueAt: DUE_AT,
    assignments: [
      { unit: 'jtj', lead: true, responsible: 'li', state: 'awaiting_signature', due: DUE, dueAt: DUE_AT, receivedAt: T,
        reports: [{ version: 1, text: TEXT, hash, final: true, by: 'zhao', at: T, status: 'pending' }], ...empty },
      { unit: 'gaj', lead: false, responsible: 'chen', state: 'issued', due: DUE, dueAt: DUE_AT, reports: [], ...empty },
    ],
  };
  const draft = {
    id: '2026-2', year: 2026, seq: 2, title: '背街小巷照明', status: 'draft', createdBy: 'zhang', createdAt: T,
    due: DUE, dueAt: DUE_AT,
    assignments: [{ unit: 'jtj', lead: true, responsible: 'wang', state: 'issued', due: DUE, dueAt: DUE_AT, reports: [], ...empty }],
  };
  await redis
    .multi()
    .hset(`${p}:item:2026-1`, 'v', '4', 'doc', JSON.stringify(open))
    .hset(`${p}:item:2026-2`, 'v', '1', 'doc', JSON.stringify(draft))
    .zadd(`${p}:items`, 2026000001, '2026-1', 2026000002, '2026-2')
    .sadd(`${p}:unit-items:jtj`, '2026-1')
    .sadd(`${p}:unit-items:gaj`, '2026-1')
    .set(`${p}:seq:2026`, '2')
    // The item's own audit trail was a stream (formats 1 and 2).
    .xadd(`${p}:audit:2026-1`, '1700000000000-0', 'at', String(T), 'actor', 'zhang', 'platform', 'feishu', 'action', 'issue', 'item', '2026-1', 'from', 'draft', 'to', 'open')
    .exec();
}

describe('upgrade from format 1', () => {
  it('rewrites every item at start-up, and the flow goes on: 签署, 受理, the other unit to 办结, the item completed', async () => {
    h = await createHarness({ before: writeFormat1 });
    const { store, signer } = h.rt;
    const { redis } = h;
    expect(await redis.get(store.k.schema)).toBe('7');
    // The audit stream became a list, entry for entry, its id kept; the records as they were are sealed after it.
    expect(await redis.type(store.k.auditItem('2026-1'))).toBe('list');
    expect(await store.audit('2026-1')).toEqual([
      { id: '1700000000000-0', at: T, actor: 'zhang', platform: 'feishu', action: 'issue', item: '2026-1', from: 'draft', to: 'open', platformId: undefined, unit: undefined, detail: undefined },
      { id: expect.any(String), at: h.clock.now(), actor: 'system', platform: 'system', action: 'seal', item: '2026-1', platformId: undefined, unit: undefined, from: undefined, to: undefined, detail: undefined },
    ]);
    expect(await redis.exists(store.k.legacyUnitItems('jtj'), store.k.legacyUnitItems('gaj'))).toBe(0);
    const item = (await store.getItem('2026-1'))!.item;
    expect(item).toMatchObject({ status: 'open', units: ['jtj', 'gaj'], lead: 'jtj', title: '城区主干道积水整治' });
    expect(item.assignments.map((a) => a.state)).toEqual(['awaiting_signature', 'issued']);
    expect(await store.itemIds('jtj')).toEqual(['2026-1']);
    expect(await store.refsInState('issued')).toEqual(['2026-1/gaj']);
    expect((await store.getItem('2026-2'))!.item.status).toBe('draft');
    // Format 6: the items keep their ids and numbers; the numbers are mapped, the issued one is in the ledger, the draft
    // (which took its number when drafted) is kept a week from the upgrade.
    expect(await redis.hgetall(store.k.numbers(2026))).toEqual({ '1': '2026-1', '2': '2026-2' });
    expect(await redis.zrange(store.k.ledger, '0', '-1')).toEqual(['2026-1']);
    expect(await redis.zrange(store.k.itemsInStatus('draft'), '0', '-1', 'WITHSCORES')).toEqual(['2026-2', String(h.clock.now() + 7 * 24 * 3600_000)]);
    expect(await redis.exists(store.k.legacyItemsInStatus('draft'))).toBe(0);
    expect(await store.refsOfPerson('wang')).toEqual([]);
    await h.command('zhang', '/查看 2');
    expect(h.lastText('zhang')).toContain('中共测试市委督查室 督字〔2026〕2号\n事项：背街小巷照明');

    // The head signs the report that waited through the upgrade, from the card he already had.
    const sign = await h.press('li', signer.sign({ a: 'sign', k: 'sign:2026-1:jtj:1', f: 'li' }));
    expect(sign.toast.type).toBe('success');
    expect((await h.press('zhang', { card: h.lastCard('zhang', '受理'), label: '受理' })).toast.text).toContain('办结');
    const receive = await h.press('chen', signer.sign({ a: 'receive', k: 'notice:2026-1:gaj', f: 'chen' }));
    expect(receive.toast.type).toBe('success');
    await h.command('zhou', '/报送 1 办结 已全部整改');
    await h.press('chen', { card: h.lastCard('chen', '签署'), label: '签署' });
    // An item of an earlier version is owned by the clerk who issued it: the review card is his.
    await h.press('zhang', { card: h.lastCard('zhang', '受理'), label: '受理' });
    expect((await store.getHeader('2026-1'))!.doc.status).toBe('completed');
    // Numbering goes on after the items of before: a new draft is numbered at 发出, after them; the draft of before
    // goes out under the number it took.
    await h.command('zhang', '/新建 新的事项 单位=jtj 期限=5d');
    expect(await store.itemIds()).toEqual(['d1', '2026-2', '2026-1']);
    const issued = await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    expect(issued.toast.text).toContain('已发出督字〔2026〕3号');
    const old = await h.press('zhang', signer.sign({ a: 'issue', k: 'preview:2026-2', f: 'zhang' }));
    expect(old.toast.text).toContain('已发出督字〔2026〕2号');
    expect(await redis.get(store.k.seq(2026))).toBe('3');
    expect(await redis.hgetall(store.k.numbers(2026))).toEqual({ '1': '2026-1', '2': '2026-2', '3': 'd1' });
    await h.command('zhang', '/台账');
    expect(h.lastText('zhang')).toMatch(/^督查台账（共 3 项）\n督字〔2026〕3号 新的事项.*\n督字〔2026〕2号 背街小巷照明.*\n督字〔2026〕1号.*市交通运输局：已办结/);
    // /核验 still finds the records intact, the draft of before issued after the upgrade included.
    await h.command('zhang', '/核验 2');
    expect(h.lastText('zhang')).toContain('结论：记录完整');
  });

  it('runs once, resumes an interrupted upgrade, and says how many records it rewrote', async () => {
    h = await createHarness();
    const { store } = h.rt;
    const { redis } = h;
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }));
    await redis.del(store.k.schema);
    await writeFormat1(redis, h.prefix);
    // An upgrade that stopped after the first item: that item is rewritten, the mark is not set.
    const first = JSON.parse((await redis.hget(store.k.item('2026-1'), 'doc'))!);
    const { assignments, ...rest } = first;
    await store.upgradeItem(4, { ...rest, units: ['jtj', 'gaj'], lead: 'jtj' }, 2, assignments, []);
    const after1 = await redis.hgetall(store.k.item('2026-1'));
    expect(await upgradeStore(redis, store, log)).toEqual({ items: 1, assignments: 1, audits: 1, linked: 1, sealed: 2, numbered: 2, numberedDrafts: 1 });
    // The rewritten item is left as it was; the upgrade only links its audit trail and seals it (one more entry).
    expect(await redis.hgetall(store.k.item('2026-1'))).toEqual({ ...after1, ah: expect.stringMatching(/^[0-9a-f]{40}$/), an: '2' });
    expect(lines.filter((l) => String(l.msg).startsWith('存储已升级'))).toEqual([
      expect.objectContaining({ items: 1, assignments: 1, msg: expect.stringContaining('改写了 1 个事项、1 条交办') }),
      expect.objectContaining({ audits: 1, msg: expect.stringContaining('1 个事项的办理记录改存为列表') }),
      expect.objectContaining({ linked: 1, msg: expect.stringContaining('1 条办理记录已链接成哈希链') }),
      expect.objectContaining({ sealed: 2, msg: expect.stringContaining('2 个事项的现有记录已封存') }),
      expect.objectContaining({
        numbered: 2,
        numberedDrafts: 1,
        msg: expect.stringContaining('督字编号改为发出时给出，2 个已有编号的事项保留原编号，其中 1 份草稿新建时已占用编号，发出时沿用'),
      }),
    ]);
    // Once done, start-up reads one key and changes nothing.
    expect(await upgradeStore(redis, store, log)).toEqual({ items: 0, assignments: 0, audits: 0, linked: 0, sealed: 0, numbered: 0, numberedDrafts: 0 });
    expect(lines.filter((l) => String(l.msg).startsWith('存储已升级'))).toHaveLength(5);
    // Format 7 rewrites nothing, and says once what the items of before get.
    expect(lines.filter((l) => String(l.msg).startsWith('存储格式升级为 7'))).toEqual([
      expect.objectContaining({ items: 2, msg: expect.stringContaining('无任务来源、无批办领导（办结不经领导审阅）、不适用牵头规则、督查员为发出人') }),
    ]);
  });
});
