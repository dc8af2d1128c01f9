// /核验: an item's audit trail is a hash chain written in the same step as the records, and each operation's last
// entry seals the records it wrote; verification finds every kind of after-the-fact change made directly in Redis
// (an entry edited, removed, inserted, swapped, the tail cut, a report's text or a signature altered, the item's
// header or a unit's record changed, added to or deleted) and says plainly that an untouched record is intact.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chainLink, parseSeals, recordHash, textHash } from '../src/store/audit-chain.ts';
import { STORE_FORMAT, upgradeStore } from '../src/store/upgrade.ts';
import { silentLogger } from '../src/infra/logger.ts';
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

const listKey = () => h.rt.store.k.auditItem('d1');
const itemKey = () => h.rt.store.k.item('d1');
const unitKey = (unit = 'jtj') => h.rt.store.k.assignment('d1', unit);
const entry = async (i: number) => JSON.parse((await h.redis.lindex(listKey(), i))!) as Record<string, string>;

/** The trail as its links cover it: each entry of the item's list with the seals its copy in the global stream keeps. */
async function chained(): Promise<Record<string, string>[]> {
  const rows = (await h.redis.lrange(listKey(), 0, -1)).map((r) => JSON.parse(r) as Record<string, string>);
  const copies = await h.rt.store.auditEntriesById(rows.map((r) => r.id!));
  return rows.map((r, i) => (copies[i]?.rec ? { ...r, rec: copies[i]!.rec } : r));
}

/** Changes a record's document by hand, as someone with access to Redis would. */
async function editDoc(key: string, change: (doc: Record<string, unknown>) => void): Promise<void> {
  const doc = JSON.parse((await h.redis.hget(key, 'doc'))!) as Record<string, unknown>;
  change(doc);
  await h.redis.hset(key, 'doc', JSON.stringify(doc));
}

describe('the audit chain', () => {
  it('links each entry to the one before, the same in Redis as in Node, and keeps its head and length on the header', async () => {
    await signedItem();
    const rows = await chained();
    expect(rows.map((r) => r.action)).toEqual(['create', 'issue', 'assign', 'receive', 'submit', 'sign']);
    let prev = '';
    for (const r of rows) {
      expect(r.h).toMatch(/^[0-9a-f]{40}$/);
      expect(chainLink(prev, r)).toBe(r.h);
      prev = r.h!;
    }
    expect(await h.redis.hmget(itemKey(), 'ah', 'an')).toEqual([prev, '6']);
  });

  it("seals, on each operation's last entry, every record it wrote as the step left it, the same in Redis as in Node", async () => {
    await signedItem();
    const rows = await chained();
    // 新建 writes the header and the unit's record; 发出 both (the unit's chase time), on its 交办 entry; the rest the unit's.
    expect(rows.map((r) => [...parseSeals(r.rec).keys()])).toEqual([['@', 'jtj'], [], ['@', 'jtj'], ['jtj'], ['jtj'], ['jtj']]);
    expect(parseSeals(rows[2]!.rec).get('@')).toBe(recordHash(await h.redis.hgetall(itemKey())));
    expect(parseSeals(rows[5]!.rec).get('jtj')).toBe(recordHash(await h.redis.hgetall(unitKey())));
    // Kept once, in the global stream's copy; the item's list does not repeat them.
    expect((await h.redis.lrange(listKey(), 0, -1)).some((r) => r.includes('"rec"'))).toBe(false);
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
    expect(text).toContain('记录 2 份（事项本身、1 个单位的交办记录）：每一份都与本系统最后一次写入时记下的校验值一致');
    const head = (await h.redis.hget(itemKey(), 'ah'))!;
    expect(text).toContain(`链尾校验码：${head.slice(0, 16)}`);
    expect(text).toContain('掌握数据库全部写权限的人若把办理记录、链尾、总审计日志和记录的校验值一并重算，核验发现不了');
    // Verifying writes nothing to the record.
    expect(await h.redis.llen(listKey())).toBe(6);
  });

  it('finds an entry changed in place', async () => {
    await signedItem();
    const e = await entry(3);
    await h.redis.lset(listKey(), 3, JSON.stringify({ ...e, actor: 'wang' }));
    const text = await verify();
    expect(text).toContain('结论：发现');
    expect(text).toMatch(/第 4 条办理记录（.*王.*签收）与链接值不符/);
    // The copy in the global stream still says li.
    expect(text).toContain('第 4 条办理记录与总审计日志中的同一条不一致');
  });

  it('finds an entry removed from the middle, and one inserted', async () => {
    await signedItem();
    const receive = await h.redis.lindex(listKey(), 3);
    await h.redis.lrem(listKey(), 1, receive!);
    let text = await verify();
    expect(text).toMatch(/第 4 条办理记录（.*报送报告）与链接值不符/);
    expect(text).toContain('事项上记载有 6 条办理记录，现只有 5 条');
    // Put back in the wrong place: the order is part of the chain.
    await h.redis.rpush(listKey(), receive!);
    text = await verify();
    expect(text).toMatch(/第 4 条办理记录（.*报送报告）与链接值不符/);
    expect(text).toMatch(/第 6 条办理记录（.*签收）与链接值不符/);
  });

  it('finds the tail cut, and a forged entry without a link', async () => {
    await signedItem();
    await h.redis.rpop(listKey());
    expect(await verify()).toContain('有 1 条被删除');
    await h.redis.rpush(listKey(), JSON.stringify({ at: '1', actor: 'li', action: 'sign', item: 'd1' }));
    const text = await verify();
    expect(text).toMatch(/第 6 条办理记录（.*签署报告）没有链接值/);
  });

  it('finds a whole chain rewritten to match but not its copy in the global stream, nor the header', async () => {
    await signedItem();
    const rows = await chained();
    rows[3]!.actor = 'wang';
    let prev = '';
    const relinked = rows.map(({ rec: _rec, ...r }, i) => {
      prev = chainLink(prev, rows[i]!);
      return JSON.stringify({ ...r, h: prev });
    });
    await h.redis.del(listKey());
    await h.redis.rpush(listKey(), ...relinked);
    const text = await verify();
    expect(text).toContain('最后一条办理记录与事项上保存的链尾不符');
    expect(text).toContain('第 4 条办理记录与总审计日志中的同一条不一致');
    expect(text).not.toContain('与链接值不符');
  });

  it('finds a report text changed after submission, and a signature moved to other text', async () => {
    await signedItem();
    const key = h.rt.store.k.assignment('d1', 'jtj');
    const doc = JSON.parse((await h.redis.hget(key, 'doc'))!);
    const original = structuredClone(doc);
    // The text changed with a fresh hash, so the report agrees with itself but not with its submission entry.
    doc.reports[0].text = '已完成全部 20 处积水点整治。';
    doc.reports[0].hash = textHash(doc.reports[0].text);
    await h.redis.hset(key, 'doc', JSON.stringify(doc));
    let text = await verify();
    expect(text).toContain('市交通运输局第 1 稿报告与报送时记录的哈希不符');
    expect(text).toContain('市交通运输局第 1 稿报告的签署（李明）与所签文本不一致');
    // Only the text changed, the hash kept.
    doc.reports[0].hash = original.reports[0].hash;
    await h.redis.hset(key, 'doc', JSON.stringify(doc));
    text = await verify();
    expect(text).toContain('市交通运输局第 1 稿报告的正文与其哈希不符');
    // A signature whose signer was changed.
    const forged = structuredClone(original);
    forged.reports[0].signature.by = 'wang';
    await h.redis.hset(key, 'doc', JSON.stringify(forged));
    text = await verify();
    expect(text).toContain('签署（王建国）与签署记录中的签署人或哈希不符');
    await h.redis.hset(key, 'doc', JSON.stringify(original));
    expect(await verify()).toContain('结论：记录完整');
  });

  it('is for the office only, and answers a bad or unknown number with a clear reply', async () => {
    await signedItem();
    await h.command('li', '/核验 1');
    expect(h.lastText('li')).toContain('只有督查室工作人员才能核验记录');
    await h.command('zhang', '/核验 99');
    expect(h.lastText('zhang')).toContain('没有督字〔2026〕99号这个督查事项');
    await h.command('zhang', '/verify');
    expect(h.lastText('zhang')).toContain('事项编号');
  });
});

describe('/核验 of every record of the item', () => {
  it('finds the deadline moved by hand in the item\'s header, and names the record and the field', async () => {
    await signedItem();
    await editDoc(itemKey(), (doc) => {
      doc.due = '2026-11-30';
      doc.dueAt = Date.parse('2026-11-30T23:59:59.999+08:00');
    });
    const text = await verify();
    expect(text).toContain('结论：发现 2 处问题');
    expect(text).toMatch(/· 事项本身的记录在第 3 条办理记录（.* 张伟 交办）之后被改动过：与当时记下的校验值不符/);
    expect(text).toMatch(/· 事项的办结时限为2026年11月30日，第 1 条办理记录（.* 张伟 新建（预览））记载为2026年10月8日（事项的时限只能经新建或更正设定）/);
    // The unit's record was not touched, and is not named.
    expect(text).not.toContain('市交通运输局的交办记录');
  });

  it('finds a unit put back to 未签收 by hand, names its state, and leaves the untouched unit out', async () => {
    await h.command('zhang', '/新建 联合整治 单位=jtj、gaj 期限=5d 类别=重大 牵头=gaj');
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    await h.press('li', { card: h.lastCard('li', '签收'), label: '签收' });
    await h.press('chen', { card: h.lastCard('chen', '签收'), label: '签收' });
    expect(await verify()).toContain('记录 3 份（事项本身、2 个单位的交办记录）');
    await editDoc(unitKey('jtj'), (doc) => {
      doc.state = 'issued';
      delete doc.receivedAt;
    });
    const text = await verify();
    expect(text).toContain('结论：发现 2 处问题');
    expect(text).toMatch(/· 市交通运输局的交办记录在第 5 条办理记录（.* 李明 签收）之后被改动过/);
    expect(text).toMatch(/· 市交通运输局的办理状态为「已下发待签收」，办理记录最后记载为「已签收办理中」（第 5 条办理记录（.* 李明 签收））/);
    expect(text).not.toContain('市公安局');
    expect(text).not.toContain('· 事项');
  });

  it('finds a unit marked completed and its report accepted by hand with no 受理, with or without the header to match', async () => {
    await signedItem();
    const now = h.clock.now();
    await editDoc(unitKey(), (doc) => {
      doc.state = 'completed';
      doc.completedAt = now;
      const r = (doc.reports as Record<string, unknown>[])[0]!;
      Object.assign(r, { status: 'accepted', reviewedBy: 'zhang', reviewedAt: now });
    });
    let text = await verify();
    expect(text).toMatch(/· 市交通运输局的交办记录在第 6 条办理记录（.* 李明 签署报告）之后被改动过/);
    expect(text).toMatch(/· 市交通运输局的办理状态为「已办结」，办理记录最后记载为「已签署待受理」（第 6 条办理记录/);
    expect(text).toContain('· 市交通运输局第 1 稿报告标为已受理，但办理记录中没有对应的受理报告记录');
    expect(text).toContain('· 事项上记载尚未办结的单位有 1 个，各单位的交办记录中实有 0 个');
    // A thorough hand completes the item too.
    await h.redis.hset(itemKey(), 'status', 'completed', 'open', '0', 'completedAt', String(now));
    text = await verify();
    expect(text).toMatch(/· 事项本身的记录在第 3 条办理记录（.*）之后被改动过/);
    expect(text).toMatch(/· 事项状态为「已办结」，办理记录最后记载为「办理中」（第 2 条办理记录（.* 发出督查单））/);
    expect(text).not.toContain('尚未办结的单位');
    expect(text).toContain('市交通运输局第 1 稿报告标为已受理');
  });

  it('an item completed by ducha itself is intact: its header is sealed after the step completes it', async () => {
    await signedItem();
    await h.press('zhang', { card: h.lastCard('zhang', '受理'), label: '受理' });
    expect(await h.redis.hget(itemKey(), 'status')).toBe('completed');
    const rows = await chained();
    expect(rows.slice(-2).map((r) => [r.action, [...parseSeals(r.rec).keys()]])).toEqual([
      ['accept', []],
      ['complete_item', ['@', 'jtj']],
    ]);
    const text = await verify();
    expect(text).toContain('结论：记录完整');
    expect(text).toContain('办理记录 8 条');
  });

  it('a long life made by ducha alone is intact: extension, urging, summons, visit, reports sent back, returned, accepted', async () => {
    // Every press types a reason: 退回修改 and 退回 need one, the other buttons ignore it.
    const ok = async (person: string, label: string) =>
      expect((await h.press(person, { card: h.lastCard(person, label), label, reason: '请补充整改照片' })).toast.type).toBe('success');
    // Without 牵头=: each unit reports to the office (a joint item's life is in test/joint.test.ts).
    await h.command('zhang', '/新建 联合整治 单位=jtj、gaj 期限=5d 类别=重大');
    await ok('zhang', '发出');
    await ok('li', '签收');
    await ok('chen', '签收');
    await h.command('li', '/延期 1 至=2026-10-30 理由=汛期施工受限');
    await ok('zhang', '同意');
    await h.command('zhang', '/催办 1');
    await h.command('zhang', '/约谈 1 单位=jtj 时间="2026-10-10 15:00" 地点=市委302会议室');
    await ok('li', '确认出席');
    await h.command('zhang', '/约谈结果 1 单位=jtj 结果="已听取汇报"');
    await h.command('zhang', '/坐地督查 1 单位=jtj 日期=2026-09-28 记录="现场查看"');
    await h.command('zhao', '/报送 1 办结 初稿');
    await ok('li', '退回修改');
    await h.command('zhao', '/报送 1 办结 第二稿');
    await ok('li', '签署');
    await ok('zhang', '退回');
    await h.command('zhao', '/报送 1 办结 已完成全部整治');
    await ok('li', '签署');
    await ok('zhang', '受理');
    await h.command('zhou', '/报送 1 办结 已配合完成');
    await ok('chen', '签署');
    await ok('zhang', '受理');
    expect(await h.redis.hget(itemKey(), 'status')).toBe('completed');
    const text = await verify();
    expect(text).toContain('结论：记录完整');
    expect(text).toContain('记录 3 份');
    expect(text).toContain('报告 4 稿、签署 3 次');
  });

  it('a record changed with its seal forged in the item\'s trail and the chain relinked is caught by the global stream', async () => {
    await signedItem();
    const { redis } = h;
    await editDoc(unitKey(), (doc) => (doc.state = 'completed'));
    const rows = await chained();
    rows[5]!.rec = `jtj=${recordHash(await redis.hgetall(unitKey()))}`;
    // The stream's copies cannot be changed in place: the forged seal goes into the list, the others stay out of it.
    let prev = '';
    const relinked = rows.map(({ rec, ...r }, i) => {
      prev = chainLink(prev, rows[i]!);
      return JSON.stringify(i === 5 ? { ...r, rec, h: prev } : { ...r, h: prev });
    });
    await redis.del(listKey());
    await redis.rpush(listKey(), ...relinked);
    await redis.hset(itemKey(), 'ah', prev);
    const text = await verify();
    expect(text).not.toContain('交办记录在');
    expect(text).not.toContain('链接值不符');
    expect(text).toContain('结论：发现 3 处问题');
    expect(text).toContain('· 第 6 条办理记录与总审计日志中的同一条不一致');
    expect(text).toContain('· 事项上记载尚未办结的单位有 1 个，各单位的交办记录中实有 0 个');
    expect(text).toContain('· 市交通运输局的办理状态为「已办结」，办理记录最后记载为「已签署待受理」');
  });

  it('names a field added by hand, a record that cannot be read, and one deleted; a record put back as it was is intact', async () => {
    await signedItem();
    await h.redis.hset(unitKey(), 'note', '补记');
    expect(await verify()).toMatch(/· 市交通运输局的交办记录在第 6 条办理记录（.*）之后被改动过（多出字段 note）/);
    await h.redis.hdel(unitKey(), 'note');
    expect(await verify()).toContain('结论：记录完整');
    const doc = (await h.redis.hget(unitKey(), 'doc'))!;
    await h.redis.hset(unitKey(), 'doc', doc.slice(0, 40));
    let text = await verify();
    expect(text).toContain('· 市交通运输局的交办记录无法读取（内容已损坏）');
    expect(text).toContain('市交通运输局的交办记录在第 6 条办理记录');
    await h.redis.del(unitKey());
    text = await verify();
    expect(text).toMatch(/· 市交通运输局的交办记录在第 6 条办理记录（.* 李明 签署报告）之后被删除/);
    expect(text).not.toContain('事项本身的记录');
    // Without the item's own record, its trail still answers for it.
    await h.redis.del(itemKey());
    text = await verify();
    expect(text).toMatch(/^核验「1」所指的督查事项\n结论：发现/);
    expect(text).toMatch(/· 事项本身的记录在第 3 条办理记录（.* 张伟 交办）之后被删除/);
  });
});

/** As format 3 left an item: entries without links or seals (in the list and in the global stream), no head on the header. */
async function asFormat3(): Promise<void> {
  const { store } = h.rt;
  const { redis } = h;
  const stream = await redis.xrange(store.k.auditAll, '-', '+');
  await redis.del(store.k.auditAll);
  for (const [id, fields] of stream) {
    const kept: string[] = [];
    for (let i = 0; i < fields.length; i += 2) if (fields[i] !== 'rec') kept.push(fields[i]!, fields[i + 1]!);
    await redis.xadd(store.k.auditAll, id, ...kept);
  }
  const rows = (await redis.lrange(listKey(), 0, -1)).map((r) => {
    const { h: _h, ...rest } = JSON.parse(r) as Record<string, string>;
    return JSON.stringify(rest);
  });
  await redis.del(listKey());
  await redis.rpush(listKey(), ...rows);
  await redis.hdel(itemKey(), 'ah', 'an');
  await redis.set(store.k.schema, '3');
}

describe('the upgrades to chained trails and sealed records', () => {
  it('links the entries of an earlier version and seals its records once; later changes by hand show, changes by ducha follow', async () => {
    await signedItem();
    const { store } = h.rt;
    const { redis } = h;
    await asFormat3();
    let text = await verify();
    expect(text).toContain('没有链接值');
    expect(text).toContain('事项本身的记录没有校验值');

    expect(await upgradeStore(redis, store, silentLogger, h.clock.now())).toMatchObject({ linked: 6, sealed: 1 });
    expect(await redis.get(store.k.schema)).toBe(STORE_FORMAT);
    expect(await upgradeStore(redis, store, silentLogger)).toMatchObject({ linked: 0, sealed: 0 });
    // Run again on a mark set back (two processes, or a resumed upgrade): an item is sealed once.
    await redis.set(store.k.schema, '4');
    expect(await upgradeStore(redis, store, silentLogger)).toMatchObject({ linked: 0, sealed: 0 });
    text = await verify();
    expect(text).toContain('结论：记录完整');
    expect(text).toContain('办理记录 7 条');
    expect((await chained()).at(-1)).toMatchObject({ action: 'seal', actor: 'system', rec: expect.stringMatching(/^@=[0-9a-f]{40} jtj=[0-9a-f]{40}$/) });

    await editDoc(itemKey(), (doc) => (doc.title = '城区主干道积水整治（已完成）'));
    text = await verify();
    expect(text).toMatch(/· 事项本身的记录在第 7 条办理记录（.* 系统 封存现有记录（系统升级））之后被改动过/);
    expect(text).toContain('· 事项标题为「城区主干道积水整治（已完成）」，第 1 条办理记录');
    await editDoc(itemKey(), (doc) => (doc.title = '城区主干道积水整治'));

    await h.press('zhang', { card: h.lastCard('zhang', '受理'), label: '受理' });
    text = await verify();
    expect(text).toContain('结论：记录完整');
    expect(text).toContain('办理记录 9 条');
  });
});
