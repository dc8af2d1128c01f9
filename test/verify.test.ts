// /核验: an item's audit trail is a hash chain written in the same step as the records; verification finds every
// kind of after-the-fact change made directly in Redis (an entry edited, removed, inserted, swapped, the tail cut,
// a report's text or a signature altered) and says plainly that an untouched record is intact.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chainLink, textHash } from '../src/store/audit-chain.ts';
import { upgradeStore } from '../src/store/upgrade.ts';
import { silentLogger } from '../src/logger.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

/** A key item taken to a signed report: create, issue, assign, receive, submit, sign. */
async function signedItem(): Promise<void> {
  await h.command('zhang', '/新建 城区主干道积水整治 单位=jtj 期限=3工作日 类别=民生');
  await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
  await h.press('li', { card: h.lastCard('li', '签收'), label: '签收' });
  await h.command('zhao', '/报送 1 办结 已完成全部 12 处积水点整治。');
  await h.press('li', { card: h.lastCard('li', '签署'), label: '签署' });
}

async function verify(): Promise<string> {
  await h.command('zhang', '/核验 1');
  return h.lastText('zhang');
}

const listKey = () => h.rt.store.k.auditItem('2026-1');
const entry = async (i: number) => JSON.parse((await h.rt.redis.lindex(listKey(), i))!) as Record<string, string>;

describe('the audit chain', () => {
  it('links each entry to the one before, the same in Redis as in Node, and keeps its head and length on the header', async () => {
    await signedItem();
    const rows = (await h.rt.redis.lrange(listKey(), 0, -1)).map((r) => JSON.parse(r) as Record<string, string>);
    expect(rows.map((r) => r.action)).toEqual(['create', 'issue', 'assign', 'receive', 'submit', 'sign']);
    let prev = '';
    for (const r of rows) {
      expect(r.h).toMatch(/^[0-9a-f]{40}$/);
      expect(chainLink(prev, r)).toBe(r.h);
      prev = r.h!;
    }
    expect(await h.rt.redis.hmget(h.rt.store.k.item('2026-1'), 'ah', 'an')).toEqual([prev, '6']);
  });

  it('hashes Chinese text by its UTF-8 bytes and every field but the link itself', () => {
    const e = { action: 'submit', detail: '{"a":"报告"}', h: 'ignored' };
    expect(chainLink('', e)).toBe(chainLink('', { ...e, h: 'other' }));
    expect(chainLink('', e)).not.toBe(chainLink('x', e));
    expect(chainLink('', e)).not.toBe(chainLink('', { ...e, detail: '{"a":"报吿"}' }));
  });
});

describe('/核验', () => {
  it('says an untouched record is intact, with counts, the check code, and what it cannot prove', async () => {
    await signedItem();
    const text = await verify();
    expect(text).toContain('核验 督字〔2026〕1号「城区主干道积水整治」');
    expect(text).toContain('结论：记录完整');
    expect(text).toContain('办理记录 6 条');
    expect(text).toContain('报告 1 稿、签署 1 次');
    const head = (await h.rt.redis.hget(h.rt.store.k.item('2026-1'), 'ah'))!;
    expect(text).toContain(`链尾校验码：${head.slice(0, 16)}`);
    expect(text).toContain('不能发现掌握数据库全部权限');
    // Verifying writes nothing to the record.
    expect(await h.rt.redis.llen(listKey())).toBe(6);
  });

  it('finds an entry changed in place', async () => {
    await signedItem();
    const e = await entry(3);
    await h.rt.redis.lset(listKey(), 3, JSON.stringify({ ...e, actor: 'wang' }));
    const text = await verify();
    expect(text).toContain('结论：发现');
    expect(text).toMatch(/第 4 条办理记录（.*王.*签收）与链接值不符/);
    // The copy in the global stream still says li.
    expect(text).toContain('第 4 条办理记录与总审计日志中的同一条不一致');
  });

  it('finds an entry removed from the middle, and one inserted', async () => {
    await signedItem();
    const receive = await h.rt.redis.lindex(listKey(), 3);
    await h.rt.redis.lrem(listKey(), 1, receive!);
    let text = await verify();
    expect(text).toMatch(/第 4 条办理记录（.*报送报告）与链接值不符/);
    expect(text).toContain('事项上记载有 6 条办理记录，现只有 5 条');
    // Put back in the wrong place: the order is part of the chain.
    await h.rt.redis.rpush(listKey(), receive!);
    text = await verify();
    expect(text).toMatch(/第 4 条办理记录（.*报送报告）与链接值不符/);
    expect(text).toMatch(/第 6 条办理记录（.*签收）与链接值不符/);
  });

  it('finds the tail cut, and a forged entry without a link', async () => {
    await signedItem();
    await h.rt.redis.rpop(listKey());
    expect(await verify()).toContain('有 1 条被删除');
    await h.rt.redis.rpush(listKey(), JSON.stringify({ at: '1', actor: 'li', action: 'sign', item: '2026-1' }));
    const text = await verify();
    expect(text).toMatch(/第 6 条办理记录（.*签署报告）没有链接值/);
  });

  it('finds a whole chain rewritten to match but not its copy in the global stream, nor the header', async () => {
    await signedItem();
    const rows = (await h.rt.redis.lrange(listKey(), 0, -1)).map((r) => JSON.parse(r) as Record<string, string>);
    rows[3]!.actor = 'wang';
    let prev = '';
    const relinked = rows.map((r) => {
      prev = chainLink(prev, r);
      return JSON.stringify({ ...r, h: prev });
    });
    await h.rt.redis.del(listKey());
    await h.rt.redis.rpush(listKey(), ...relinked);
    const text = await verify();
    expect(text).toContain('最后一条办理记录与事项上保存的链尾不符');
    expect(text).toContain('第 4 条办理记录与总审计日志中的同一条不一致');
  });

  it('finds a report text changed after submission, and a signature moved to other text', async () => {
    await signedItem();
    const key = h.rt.store.k.assignment('2026-1', 'jtj');
    const doc = JSON.parse((await h.rt.redis.hget(key, 'doc'))!);
    const original = structuredClone(doc);
    // The text changed with a fresh hash, so the report agrees with itself but not with its submission entry.
    doc.reports[0].text = '已完成全部 20 处积水点整治。';
    doc.reports[0].hash = textHash(doc.reports[0].text);
    await h.rt.redis.hset(key, 'doc', JSON.stringify(doc));
    let text = await verify();
    expect(text).toContain('市交通运输局第 1 稿报告与报送时记录的哈希不符');
    expect(text).toContain('市交通运输局第 1 稿报告的签署（李明）与所签文本不一致');
    // Only the text changed, the hash kept.
    doc.reports[0].hash = original.reports[0].hash;
    await h.rt.redis.hset(key, 'doc', JSON.stringify(doc));
    text = await verify();
    expect(text).toContain('市交通运输局第 1 稿报告的正文与其哈希不符');
    // A signature whose signer was changed.
    const forged = structuredClone(original);
    forged.reports[0].signature.by = 'wang';
    await h.rt.redis.hset(key, 'doc', JSON.stringify(forged));
    text = await verify();
    expect(text).toContain('签署（王建国）与签署记录中的签署人或哈希不符');
    await h.rt.redis.hset(key, 'doc', JSON.stringify(original));
    expect(await verify()).toContain('结论：记录完整');
  });

  it('is for the office only, and answers a bad or unknown number with a clear reply', async () => {
    await signedItem();
    await h.command('li', '/核验 1');
    expect(h.lastText('li')).toContain('只有督查室工作人员才能核验记录');
    await h.command('zhang', '/核验 99');
    expect(h.lastText('zhang')).toContain('没有编号为 2026-99 的督查事项');
    await h.command('zhang', '/verify');
    expect(h.lastText('zhang')).toContain('事项编号');
  });
});

describe('the upgrade to chained trails', () => {
  it('links the entries of an earlier version once, and later entries follow the chain', async () => {
    await signedItem();
    const { redis, store } = h.rt;
    // As the previous format left it: entries without links, no head on the header.
    const rows = (await redis.lrange(listKey(), 0, -1)).map((r) => {
      const { h: _h, ...rest } = JSON.parse(r) as Record<string, string>;
      return JSON.stringify(rest);
    });
    await redis.del(listKey());
    await redis.rpush(listKey(), ...rows);
    await redis.hdel(store.k.item('2026-1'), 'ah', 'an');
    await redis.set(store.k.schema, '3');
    expect(await verify()).toContain('没有链接值');

    expect((await upgradeStore(store, silentLogger)).linked).toBe(6);
    expect(await redis.get(store.k.schema)).toBe('4');
    expect(await upgradeStore(store, silentLogger)).toMatchObject({ linked: 0 });
    expect(await verify()).toContain('结论：记录完整');
    await h.press('zhang', { card: h.lastCard('zhang', '受理'), label: '受理' });
    const text = await verify();
    expect(text).toContain('结论：记录完整');
    expect(text).toContain('办理记录 8 条');
  });
});
