// The store at the domain's grain: presses on different units of one item never conflict, presses on one unit
// serialise (each effect once), a press writes only its unit's record, the indexes follow every change, and the
// outbox relays what a commit decided exactly once.
import { afterEach, describe, expect, it } from 'vitest';
import { runAction } from '../src/dispatch/dispatch.ts';
import { assignmentRef } from '../src/domain/types.ts';
import { relayOutbox, relayPending, sweepOutbox, OUTBOX_STALE_MS } from '../src/delivery/outbox.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { writeCityDirectory, type CityDirectory } from './helpers/city-directory.ts';

let h: Harness | undefined;
const cities: CityDirectory[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const c of cities.splice(0)) c.remove();
});

function city(units: number): CityDirectory {
  const c = writeCityDirectory(units);
  cities.push(c);
  return c;
}

const senderOf = (hh: Harness, person: string) => {
  const p = hh.rt.directory().person(person)!;
  return { platform: p.prefer, ids: [p.feishu?.open_id ?? p.wecom!.userid!] };
};

/** Creates and issues one key item to the given units; returns its id. */
async function issueTo(hh: Harness, units: string[]): Promise<string> {
  await hh.command('zhang', `/新建 全市安全生产大检查 单位=${units.join(',')} 期限=10工作日 类别=重大`);
  const answer = await hh.press('zhang', { card: hh.lastCard('zhang', '发出'), label: '发出' });
  expect(answer.toast.type).toBe('success');
  return (await hh.rt.store.itemIds())[0]!;
}

describe('presses on one item', () => {
  it('50 heads pressing 签收 at once, and one head ten times at once: each unit received once, all answered', async () => {
    const town = city(50);
    h = await createHarness({ directory: town.file });
    const hh = h;
    const id = await issueTo(hh, town.units);
    const headerBefore = await hh.redis.hgetall(hh.rt.store.k.item(id));
    // A city-wide card names the first ten units (and leaders) and says how many in all.
    const field = (card: { fields: { label: string; value: string }[] }, label: string) => card.fields.find((f) => f.label === label)?.value;
    expect(field(hh.lastCard('h7', '签收'), '全部承办单位')).toMatch(/^第1局（牵头）、第2局（配合）.*第10局（配合）等 50 个单位$/);
    expect(field(hh.lastCard('zhang'), '接收人')).toMatch(/^第1局局长（第1局一把手）.*等 50 人$/);
    const token = (person: string) => hh.lastCard(person, '签收').buttons.find((b) => b.text === '签收')!.token;
    const presses = [
      ...town.units.map((_, i) => ({ person: town.head(i + 1), id: `storm-${i + 1}` })),
      ...Array.from({ length: 10 }, (_, i) => ({ person: town.head(1), id: `storm-again-${i}` })),
    ];
    const answers = await Promise.all(
      presses.map((p) => runAction(hh.rt, { kind: 'action', id: p.id, sender: senderOf(hh, p.person), token: token(p.person) })),
    );
    await hh.settle();
    // Every press answered: 50 units received, and ten of head 1's eleven presses told it was already done.
    expect(answers.filter((a) => a.toast.type === 'success')).toHaveLength(50);
    const told = answers.filter((a) => a.toast.type !== 'success');
    expect(told).toHaveLength(10);
    for (const a of told) expect(a.toast.text).toContain('已签收过');
    for (const a of answers) expect(a.card?.buttons ?? []).toHaveLength(0);
    const receipts = (await hh.rt.store.audit(id)).filter((e) => e.action === 'receive');
    expect(receipts.map((e) => e.unit).sort()).toEqual([...town.units].sort());
    const { item } = (await hh.rt.store.getItem(id))!;
    expect(item.assignments.every((a) => a.state === 'received')).toBe(true);
    // Written by create, by issue (its receipt chase) and by the one press that counted.
    for (const u of town.units) expect((await hh.rt.store.getAssignment(id, u))!.version).toBe(3);
    // No press wrote the item's own record: only the audit chain's head and length moved, one entry per receipt.
    const { ah, an, ...header } = await hh.redis.hgetall(hh.rt.store.k.item(id));
    const { ah: ahBefore, an: anBefore, ...before } = headerBefore;
    expect(header).toEqual(before);
    expect(Number(an)).toBe(Number(anBefore) + 50);
    expect(ah).not.toBe(ahBefore);
  });

  it('a press writes its own unit\'s record and nothing of the others', async () => {
    const town = city(5);
    h = await createHarness({ directory: town.file });
    const id = await issueTo(h, town.units);
    const raw = async (u: string) => h!.redis.hgetall(h!.rt.store.k.assignment(id, u));
    const before = await Promise.all(town.units.map(raw));
    await h.press('h3', { card: h.lastCard('h3', '签收'), label: '签收' });
    const after = await Promise.all(town.units.map(raw));
    town.units.forEach((u, i) => {
      if (u === 'u3') expect(after[i]).not.toEqual(before[i]);
      else expect(after[i]).toEqual(before[i]);
    });
  });

  it('the last of five units completed at once completes the item, once', async () => {
    const town = city(5);
    h = await createHarness({ directory: town.file });
    const hh = h;
    const id = await issueTo(hh, town.units);
    for (let i = 1; i <= 5; i++) {
      await hh.press(`h${i}`, { card: hh.lastCard(`h${i}`, '签收'), label: '签收' });
      await hh.command(`c${i}`, `/报送 1 办结 第${i}局已全部整改到位`);
      await hh.press(`h${i}`, { card: hh.lastCard(`h${i}`, '签署'), label: '签署' });
    }
    const reviews = town.units.map((_, i) => {
      const card = hh
        .received('zhang')
        .flatMap((s) => (s.message.kind === 'card' ? [s.message.card] : []))
        .filter((c) => c.buttons.some((b) => b.text === '受理') && c.fields.some((f) => f.value === `第${i + 1}局`))
        .at(-1)!;
      return card.buttons.find((b) => b.text === '受理')!.token;
    });
    const answers = await Promise.all(
      reviews.map((token, i) => runAction(hh.rt, { kind: 'action', id: `accept-${i}`, sender: senderOf(hh, 'zhang'), token })),
    );
    expect(answers.map((a) => a.toast.type)).toEqual(Array(5).fill('success'));
    const audit = await hh.rt.store.audit(id);
    expect(audit.filter((e) => e.action === 'complete_item')).toHaveLength(1);
    expect(audit.at(-1)!.action).toBe('complete_item');
    const header = (await hh.rt.store.getHeader(id))!.doc;
    expect(header.status).toBe('completed');
    expect(await hh.redis.hget(hh.rt.store.k.item(id), 'open')).toBe('0');
  });
});

describe('indexes follow every change', () => {
  it('unit, person, state and deadline: a draft is not indexed, issue indexes, presses move, completion leaves the deadline index', async () => {
    h = await createHarness();
    const { store } = h.rt;
    const k = store.k;
    const ref = assignmentRef('d1', 'jtj');
    await h.command('zhang', '/新建 积水整治 单位=jtj 期限=2026-10-30 类别=重大');
    expect(await store.itemIds('jtj')).toEqual([]);
    expect(await store.refsInState('issued')).toEqual([]);
    expect(await store.refsDueBy(Number.MAX_SAFE_INTEGER)).toEqual([]);
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    const dueAt = (await store.getAssignment('d1', 'jtj'))!.doc.dueAt;
    expect(await store.itemIds('jtj')).toEqual(['d1']);
    // The ledger and the year's map of numbers hold it from 发出, by its number.
    expect(await h.redis.zrange(k.ledger, '0', '-1', 'WITHSCORES')).toEqual(['d1', '2026000001']);
    expect(await h.redis.zscore(k.byUnit('jtj'), 'd1')).toBe('2026000001');
    expect(await h.redis.hgetall(k.numbers(2026))).toEqual({ '1': 'd1' });
    expect(await h.redis.zcard(k.itemsInStatus('draft'))).toBe(0);
    expect(await store.refsOfPerson('li')).toEqual([ref]);
    expect(await store.refsInState('issued')).toEqual([ref]);
    expect(await h.redis.zscore(k.byDue, ref)).toBe(String(dueAt));
    expect(await store.refsDueBy(dueAt - 1)).toEqual([]);
    expect(await store.refsDueBy(dueAt)).toEqual([ref]);

    await h.press('li', { card: h.lastCard('li', '签收'), label: '签收' });
    expect(await store.refsInState('issued')).toEqual([]);
    expect(await store.refsInState('received')).toEqual([ref]);

    // An approved extension moves the deadline in the indexes too; a request alone moves nothing.
    await h.command('zhao', '/延期 1 至=2026-11-30 理由=汛期施工受限');
    await h.press('li', { card: h.lastCard('li', '同意申请'), label: '同意申请' });
    expect(await h.redis.zscore(k.byDue, ref)).toBe(String(dueAt));
    await h.press('zhang', { card: h.lastCard('zhang', '同意'), label: '同意' });
    const newDue = (await store.getAssignment('d1', 'jtj'))!.doc.dueAt;
    expect(newDue).toBeGreaterThan(dueAt);
    expect(await h.redis.zscore(k.byDue, ref)).toBe(String(newDue));
    expect(await h.redis.zscore(k.byPerson('li'), ref)).toBe(String(newDue));

    await h.command('zhao', '/报送 1 办结 全部整改到位');
    expect(await store.refsInState('awaiting_signature')).toEqual([ref]);
    await h.press('li', { card: h.lastCard('li', '签署'), label: '签署' });
    await h.press('zhang', { card: h.lastCard('zhang', '受理'), label: '受理' });
    expect(await store.refsInState('completed')).toEqual([ref]);
    for (const s of ['issued', 'received', 'awaiting_signature', 'signed', 'returned']) expect(await store.refsInState(s)).toEqual([]);
    expect(await store.refsDueBy(Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(await store.itemIds('jtj')).toEqual(['d1']);
    expect(await store.refsOfPerson('li')).toEqual([ref]);
  });

  it('a cancelled draft is never indexed', async () => {
    h = await createHarness();
    await h.command('zhang', '/新建 积水整治 单位=jtj,gaj 期限=5d');
    await h.press('zhang', { card: h.lastCard('zhang', '取消'), label: '取消' });
    expect(await h.rt.store.itemIds()).toEqual(['d1']);
    expect(await h.rt.store.itemIds('jtj')).toEqual([]);
    expect(await h.rt.store.ledgerCount()).toBe(0);
    expect(await h.redis.exists(h.rt.store.k.seq(2026), h.rt.store.k.numbers(2026))).toBe(0);
    expect(await h.rt.store.refsOfPerson('wang')).toEqual([]);
    expect(await h.redis.zcard(h.rt.store.k.byDue)).toBe(0);
  });
});

describe('the outbox', () => {
  it('a commit leaves nothing behind once its deliveries are queued; relaying again adds nothing', async () => {
    h = await createHarness();
    await h.command('zhang', '/新建 积水整治 单位=jtj,gaj 期限=5d 类别=重大');
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    expect(await h.redis.hlen(h.rt.store.k.outbox)).toBe(0);
    const sent = h.feishu.sent.length + h.wecom.sent.length;
    const jobs = await h.rt.queues.deliver.getJobCountByTypes('completed', 'waiting', 'active', 'delayed');
    // What an interrupted relay would do again: the same operation's deliveries, the same job ids.
    const opId = (await h.redis.keys(`${h.prefix}:op:act:*`))[0]!.slice(`${h.prefix}:op:`.length);
    await relayOutbox(h.rt, opId, [
      { kind: 'send', person: 'li', cardKey: 'notice:2026-1:jtj' },
      { kind: 'send', person: 'chen', cardKey: 'notice:2026-1:gaj' },
    ]);
    await h.settle();
    expect(await h.rt.queues.deliver.getJobCountByTypes('completed', 'waiting', 'active', 'delayed')).toBe(jobs);
    expect(h.feishu.sent.length + h.wecom.sent.length).toBe(sent);
  });

  it('an entry a crash left behind is relayed once: by the replayed operation, or by the sweep once it is stale', async () => {
    h = await createHarness();
    const { store } = h.rt;
    const { redis } = h;
    // As a process killed between the commit and the queue leaves it: the entry, and nothing queued.
    const deliveries = [{ kind: 'send' as const, person: 'li', message: { kind: 'text' as const, text: '【测试】遗留的消息' } }];
    const wall = Date.now();
    await redis.hset(store.k.outbox, 'op-left', JSON.stringify({ at: wall, d: deliveries }));
    // Not stale yet: the process that wrote it may be relaying it right now.
    expect(await sweepOutbox(h.rt, wall + OUTBOX_STALE_MS - 1)).toBe(0);
    expect(await sweepOutbox(h.rt, wall + OUTBOX_STALE_MS + 1)).toBe(1);
    await h.settle();
    expect(h.received('li').map((s) => s.message)).toEqual([{ kind: 'text', text: '【测试】遗留的消息' }]);
    expect(await redis.hlen(store.k.outbox)).toBe(0);
    // Relayed again (a second worker's sweep, the replayed operation): nothing new.
    await relayOutbox(h.rt, 'op-left', deliveries);
    await relayPending(h.rt, 'op-left');
    await h.settle();
    expect(h.received('li')).toHaveLength(1);
  });

  it('a commit whose deliveries cannot be queued at once still succeeds; the sweep queues them', async () => {
    h = await createHarness();
    await h.command('zhang', '/新建 积水整治 单位=jtj 期限=5d 类别=重大');
    const deliver = h.rt.queues.deliver;
    const addBulk = deliver.addBulk.bind(deliver);
    deliver.addBulk = async () => {
      throw new Error('Redis went away for a moment');
    };
    const answer = await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    deliver.addBulk = addBulk;
    expect(answer.toast.type).toBe('success');
    expect(h.received('li')).toHaveLength(0);
    expect(await h.redis.hlen(h.rt.store.k.outbox)).toBe(1);
    expect(await sweepOutbox(h.rt, Date.now() + OUTBOX_STALE_MS + 1)).toBe(1);
    await h.settle();
    expect(h.lastCard('li', '签收').title).toContain('督查通知');
    expect(await h.redis.hlen(h.rt.store.k.outbox)).toBe(0);
  });
});
