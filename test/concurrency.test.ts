// Side effects happen once: repeated deliveries of one event, double clicks, two people at once, handler re-runs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandEvent } from '../src/chat/event.ts';
import { intakeCommand, runAction, runCommand } from '../src/dispatch/dispatch.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  // Nobody was shown an item's internal id.
  const shown = h.shownInternalIds();
  await h.close();
  expect(shown).toEqual([]);
});

async function issuedKeyItem(): Promise<void> {
  await h.command('zhang', '/新建 积水整治 单位=jtj 期限=5d 类别=紧急');
  await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
}

const liSender = { platform: 'feishu' as const, ids: ['ou_00000000000000000000000000000002'] };

describe('one press delivered five times at once', () => {
  it('has one effect and one audit entry, and every copy gets the same answer', async () => {
    await issuedKeyItem();
    const token = h.lastCard('li', '签收').buttons[0]!.token;
    const before = (await h.rt.store.audit('d1')).length;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => runAction(h.rt, { kind: 'action', id: 'same-press', sender: liSender, token })),
    );
    await h.settle();
    expect(answers.map((a) => a.toast.type)).toEqual(Array(5).fill('success'));
    const audit = await h.rt.store.audit('d1');
    expect(audit.length - before).toBe(1);
    expect(audit.filter((e) => e.action === 'receive')).toHaveLength(1);
    const { item } = (await h.rt.store.getItem('d1'))!;
    expect(item.assignments[0]!.state).toBe('received');
    // The item's record was written twice (create, issue), the unit's three times (create, issue scheduling its
    // receipt chase, receive).
    expect((await h.rt.store.getHeader('d1'))!.version).toBe(2);
    expect((await h.rt.store.getAssignment('d1', 'jtj'))!.version).toBe(3);
  });

  it('a double click (two presses) has one effect; the second is told it was already done', async () => {
    await issuedKeyItem();
    const card = h.lastCard('li', '签收');
    const [a, b] = await Promise.all([h.press('li', { card, label: '签收' }), h.press('li', { card, label: '签收' })]);
    const types = [a.toast.type, b.toast.type].sort();
    expect(types).toEqual(['info', 'success']);
    expect([a, b].find((x) => x.toast.type === 'info')!.toast.text).toContain('已签收');
    expect((await h.rt.store.audit('d1')).filter((e) => e.action === 'receive')).toHaveLength(1);
  });
});

describe('two people pressing at once', () => {
  it('two office clerks accepting the same report: one wins, the other is told, one audit entry', async () => {
    await issuedKeyItem();
    await h.press('li', { card: h.lastCard('li', '签收'), label: '签收' });
    await h.command('zhao', '/报送 1 进展顺利');
    await h.press('li', { card: h.lastCard('li', '签署'), label: '签署' });
    const [z, q] = await Promise.all([
      h.press('zhang', { card: h.lastCard('zhang', '受理'), label: '受理' }),
      // The other clerk holds no card of it (the owner gets them) but may act by the rules: a 受理 signed for her.
      h.press('qian', h.rt.signer.sign({ a: 'accept', k: 'review:d1:jtj:1', f: 'qian' })),
    ]);
    expect([z.toast.type, q.toast.type].sort()).toEqual(['info', 'success']);
    const audit = await h.rt.store.audit('d1');
    expect(audit.filter((e) => e.action === 'accept')).toHaveLength(1);
    expect((await h.rt.store.getItem('d1'))!.item.assignments[0]!.state).toBe('received');
  });

  it('heads of two units receiving the same item at once both succeed (retry on conflict)', async () => {
    await h.command('zhang', '/新建 联合检查 单位=jtj,gaj 期限=5d 类别=重大');
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    const [a, b] = await Promise.all([
      h.press('li', { card: h.lastCard('li', '签收'), label: '签收' }),
      h.press('chen', { card: h.lastCard('chen', '签收'), label: '签收' }),
    ]);
    expect([a.toast.type, b.toast.type]).toEqual(['success', 'success']);
    const item = (await h.rt.store.getItem('d1'))!.item;
    expect(item.assignments.map((x) => x.state)).toEqual(['received', 'received']);
  });
});

describe('commands run again', () => {
  const event = (id: string, text: string): CommandEvent => h.commandEvent('zhang', text, id);

  it('a handler re-run for the same event (a worker crashed after the commit) creates nothing new and sends nothing twice', async () => {
    const e = event('ev-crash', '/新建 重复测试 单位=jtj 期限=5d');
    await runCommand(h.rt, e);
    await runCommand(h.rt, e);
    await Promise.all([runCommand(h.rt, e), runCommand(h.rt, e)]);
    await h.settle();
    expect(await h.rt.store.itemIds()).toEqual(['d1']);
    expect(h.received('zhang').filter((s) => s.message.kind === 'card')).toHaveLength(1);
    expect((await h.rt.store.audit()).filter((x) => x.action === 'create')).toHaveLength(1);
  });

  it('a webhook retry is taken in once, and the worker runs it', async () => {
    const e = event('ev-retry', '/新建 入口去重 单位=jtj 期限=5d');
    await Promise.all(Array.from({ length: 5 }, () => intakeCommand(h.rt, e)));
    await h.settle();
    expect(await h.rt.queues.inbound.getJobCounts('completed')).toEqual({ completed: 1 });
    // Later retries (after the job is done) are still recognised.
    await intakeCommand(h.rt, e);
    await h.settle();
    expect(await h.rt.queues.inbound.getJobCounts('completed')).toEqual({ completed: 1 });
    expect(await h.rt.store.itemIds()).toEqual(['d1']);
    expect(h.lastCard('zhang', '发出').title).toContain('预览');
  });

  it('draft references are unique under concurrent /new', async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => runCommand(h.rt, event(`ev-n${i}`, `/新建 并发${i} 单位=jtj 期限=5d`))));
    await h.settle();
    const ids = await h.rt.store.itemIds();
    expect(ids.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `d${i + 1}`).sort());
  });
});

describe('督字 numbers', () => {
  it('two clerks issuing at once, with typos and drafts cancelled between, number the year 1..N with no gap', async () => {
    const clerks = ['zhang', 'qian'] as const;
    const sender = (p: string) => {
      const person = h.rt.directory().person(p)!;
      return person.prefer === 'feishu' ? { platform: 'feishu' as const, ids: [person.feishu!.open_id!] } : { platform: 'wecom' as const, ids: [person.wecom!.userid!] };
    };
    let seq = 0;
    const command = (p: string, text: string) => runCommand(h.rt, h.commandEvent(p, text, `num-${++seq}`));
    /** A press of a draft's button, as its clerk's preview card carries it. */
    const press = (p: string, a: 'issue' | 'cancel', id: string) =>
      runAction(h.rt, { kind: 'action', id: `num-press-${++seq}`, sender: sender(p), token: h.rt.signer.sign({ a, k: `preview:${id}`, f: p }) });
    const draftsOf = async (p: string) => {
      const { ids } = await h.rt.store.itemIdsInStatus('draft');
      return (await h.rt.store.getHeaders(ids)).filter((x) => x.createdBy === p).map((x) => x);
    };

    let issued = 0;
    for (let round = 0; round < 4; round++) {
      // Both clerks draft at once, with typos among them (refused: nothing is made, no reference, no number).
      await Promise.all(
        clerks.flatMap((p) => [
          command(p, `/新建 ${p}第${round}轮甲 单位=jtj 期限=10工作日 类别=重大`),
          command(p, `/新建 ${p}第${round}轮错 单位=jtj 期限=2026-02-30`),
          command(p, `/新建 ${p}第${round}轮乙 单位=gaj 期限=10工作日`),
          command(p, `/新建 ${p}第${round}轮丙 单位=jtj,gaj 期限=10工作日 类别=紧急`),
          command(p, `/新建 ${p}第${round}轮错二 单位=市教育局 期限=5d`),
        ]),
      );
      // Each drops one draft (zhang by the button, qian by /取消), and both press 发出 on the rest at once, every
      // press twice (a double click): one of each pair issues, the other is told it already went.
      const work: Promise<unknown>[] = [];
      for (const p of clerks) {
        const [drop, ...keep] = await draftsOf(p);
        work.push(p === 'zhang' ? press(p, 'cancel', drop!.id) : command(p, `/取消 草稿${drop!.draft}`));
        for (const d of keep) work.push(press(p, 'issue', d.id), press(p, 'issue', d.id));
        issued += keep.length;
      }
      await Promise.all(work);
      await h.settle();
    }

    expect(issued).toBe(16);
    const { store } = h.rt;
    // The year's numbers: exactly 1..16, each given to one item, in the map, the ledger and the counter alike.
    const numbers = (await store.getHeaders(await store.itemIds())).flatMap((x) => (x.status === 'open' ? [x.seq] : []));
    expect(numbers.sort((a, b) => a! - b!)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(await h.redis.get(store.k.seq(2026))).toBe('16');
    const ledger = await h.redis.zrange(store.k.ledger, '0', '-1', 'WITHSCORES');
    expect(ledger.filter((_, i) => i % 2 === 1)).toEqual(Array.from({ length: 16 }, (_, i) => String(2026000001 + i)));
    const map = await h.redis.hgetall(store.k.numbers(2026));
    expect(Object.keys(map).map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(new Set(Object.values(map)).size).toBe(16);
    for (const [n, id] of Object.entries(map)) {
      const header = (await store.getHeader(id))!.doc;
      expect(header).toMatchObject({ status: 'open', year: 2026, seq: Number(n) });
      // The issue's own audit entry records the number it was given.
      const entry = (await store.audit(id)).find((e) => e.action === 'issue')!;
      expect(JSON.parse(entry.detail!)).toEqual({ year: 2026, seq: Number(n) });
    }
    // The cancelled drafts and the typos took no number; nothing is left a draft.
    const { ids: cancelled } = await store.itemIdsInStatus('cancelled');
    expect(cancelled).toHaveLength(8);
    for (const x of await store.getHeaders(cancelled)) expect(x.seq).toBeUndefined();
    expect((await store.itemIdsInStatus('draft')).total).toBe(0);
    expect((await store.itemIds()).length).toBe(24);
    // Every leader's notice carries its item's number; the numbers 1..16 all went out.
    const sentNumbers = new Set(
      [...h.feishu.sent, ...h.wecom.sent].flatMap((x) =>
        x.message.kind === 'card' && x.message.card.title.startsWith('督查通知') ? [/〔2026〕(\d+)号/.exec(x.message.card.title)![1]] : [],
      ),
    );
    expect([...sentNumbers].map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });
});

describe('signed button payloads', () => {
  it('an edited or forged token is refused and changes nothing', async () => {
    await issuedKeyItem();
    const token = h.lastCard('li', '签收').buttons[0]!.token;
    const [body, mac] = token.split('.');
    const edited = Buffer.from(JSON.stringify(['receive', 'notice:d1:gaj', 'li'])).toString('base64url');
    for (const bad of [`${edited}.${mac}`, `${body}.${mac!.slice(0, -2)}AA`, 'garbage', `${body}`]) {
      const a = await h.press('li', bad);
      expect(a.toast.type).toBe('error');
      expect(a.toast.text).toContain('无效');
    }
    expect((await h.rt.store.getItem('d1'))!.item.assignments[0]!.state).toBe('issued');
  });
});
