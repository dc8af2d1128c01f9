// Each item's owner in the office (督查员): named at /新建 (default: whoever drafts it), handed on with /转交 (audited,
// /核验 intact), and the only clerk its office-side cards go to (a signed report to 受理, an extension request, the
// 【逾期升级】 card); the office heads and the owners get the 【督查日报】, their own items first; an owner who leaves the
// office hands their items to the first office head, and the office is told once.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Card } from '../src/chat/message.ts';
import { Directory } from '../src/directory/directory.ts';
import { parseDirectory } from '../src/directory/load-directory.ts';
import { followDirectory } from '../src/schedule/follow-directory.ts';
import { tick } from '../src/schedule/ticker.ts';
import { verifyItem } from '../src/store/verify-item.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

const HEADS = 'test/fixtures/directory-heads.yaml';
let h: Harness | undefined;

afterEach(async () => {
  const shown = h?.shownInternalIds() ?? [];
  await h?.close();
  h = undefined;
  expect(shown).toEqual([]);
});

async function start(directory?: string): Promise<Harness> {
  h = await createHarness({ now: '2026-09-28T08:00:00+08:00', ...(directory ? { directory } : {}), env: { DUCHA_CHASE_AFTER: '200' } });
  await tick(h.rt);
  return h;
}

async function at(iso: string): Promise<void> {
  h!.clock.set(iso);
  await tick(h!.rt);
  await h!.settle();
}

const cards = (person: string): Card[] => h!.received(person).flatMap((s) => (s.message.kind === 'card' ? [s.message.card] : []));
const texts = (person: string): string[] => h!.received(person).flatMap((s) => (s.message.kind === 'text' ? [s.message.text] : []));
const withButton = (person: string, label: string) => cards(person).filter((c) => c.buttons.some((b) => b.text === label));
const field = (card: Card, label: string) => card.fields.find((f) => f.label === label)?.value;

/** Drafts and issues an item as `by`; the first is 督字〔2026〕1号 (internal d1). */
async function issue(by: string, args: string): Promise<void> {
  await h!.command(by, `/新建 ${args}`);
  const answer = await h!.press(by, { card: h!.lastCard(by, '发出'), label: '发出' });
  expect(answer.toast.type).toBe('success');
}

/** 签收, 报送 and 签署 on jtj: a signed report now waits for the office. */
async function signedReport(text = '已完成排查。'): Promise<void> {
  if (withButton('li', '签收').length) await h!.press('li', { card: h!.lastCard('li', '签收'), label: '签收' });
  await h!.command('zhao', `/报送 1 ${text}`);
  expect((await h!.press('li', { card: h!.lastCard('li', '签署'), label: '签署' })).toast.type).toBe('success');
}

async function verified(): Promise<string[]> {
  const v = await verifyItem(h!.rt.store, 'd1', h!.rt.directory(), 'Asia/Shanghai');
  return v!.problems;
}

describe('the owner named at /新建', () => {
  it('is whoever drafts it by default: on the preview, in /查看, and the one the signed report goes to', async () => {
    await start();
    await h!.command('zhang', '/新建 城区积水整治 单位=jtj 期限=2026-10-30 类别=重大');
    expect(field(h!.lastCard('zhang', '发出'), '督查员')).toBe('张伟');
    await h!.press('zhang', { card: h!.lastCard('zhang', '发出'), label: '发出' });
    expect((await h!.rt.store.getHeader('d1'))!.doc.owner).toBe('zhang');
    await signedReport();
    expect(withButton('zhang', '受理')).toHaveLength(1);
    // The other clerk gets no office-side card of an item that is not theirs.
    expect(cards('qian')).toEqual([]);
    await h!.command('qian', '/查看 1');
    expect(h!.lastText('qian')).toContain('\n督查员：张伟\n');
    // Any clerk may still act on it by the rules (the owner only receives): /退回 works for qian.
    await h!.command('qian', '/退回 1 理由=数据不全');
    expect(h!.lastText('qian')).toContain('已退回');
  });

  it('goes by id or name; its signed reports, extension requests and escalation go to that owner only', async () => {
    await start();
    await issue('zhang', '城区积水整治 单位=jtj 期限=2026-09-29 类别=重大 督查员=钱芳');
    expect((await h!.rt.store.getHeader('d1'))!.doc.owner).toBe('qian');
    await h!.press('li', { card: h!.lastCard('li', '签收'), label: '签收' });
    // An extension request: the owner's card, nobody else's.
    await h!.command('li', '/延期 1 至=2026-10-30 理由=汛期施工受限');
    expect(withButton('qian', '同意')).toHaveLength(1);
    expect(withButton('zhang', '同意')).toHaveLength(0);
    // Overdue a working day: step 1 of the escalation ladder, to the owner only.
    await at('2026-09-30T09:00:00+08:00');
    expect(cards('qian').filter((c) => c.title.startsWith('【逾期升级】'))).toHaveLength(1);
    expect(cards('zhang').filter((c) => c.title.startsWith('【逾期升级】'))).toHaveLength(0);
    // A signed report: its 受理 card to the owner only.
    await signedReport();
    expect(withButton('qian', '受理')).toHaveLength(1);
    expect(withButton('zhang', '受理')).toHaveLength(0);
    expect(await verified()).toEqual([]);

    // By id too.
    await h!.command('zhang', '/新建 第二项 单位=gaj 期限=2026-10-30 owner=qian');
    expect(field(h!.lastCard('zhang', '发出'), '督查员')).toBe('钱芳');
  });

  it('refuses an owner who is not of the office, or not in the directory (with who comes close), creating nothing', async () => {
    await start();
    await h!.command('zhang', '/新建 城区积水整治 单位=jtj 期限=2026-10-30 督查员=李明');
    expect(h!.lastText('zhang').split('\n')[0]).toBe('督查员须是督查室工作人员，「李明」（李明）不是。可选：张伟（zhang）、钱芳（qian）');
    await h!.command('zhang', '/新建 城区积水整治 单位=jtj 期限=2026-10-30 督查员=钱方');
    expect(h!.lastText('zhang').split('\n')[0]).toBe('督查员「钱方」不是通讯录中的人员，您是不是要找：钱芳（qian）？');
    expect(await h!.rt.store.getHeader('d1')).toBeUndefined();
  });
});

describe('/转交', () => {
  it('hands an item on: audited, /核验 intact, both owners told, the waiting card and the next one to the new owner', async () => {
    await start();
    await issue('zhang', '城区积水整治 单位=jtj、gaj 期限=2026-10-30 类别=重大');
    await signedReport();
    expect(withButton('zhang', '受理')).toHaveLength(1);

    await h!.command('zhang', '/转交 1 督查员=钱芳');
    expect(h!.lastText('zhang')).toBe('已将督字〔2026〕1号「城区积水整治」转交钱芳负责（原督查员：张伟）。已告知钱芳。');
    expect(texts('qian')).toEqual([
      '【转交】张伟已将督字〔2026〕1号「城区积水整治」转交您负责（原督查员：张伟）：此后该事项的待受理报告、延期申请、逾期升级等发给您。尚待处理的 1 张卡片随后发给您。',
    ]);
    // The signed report waiting for 受理 comes to the new owner too.
    expect(withButton('qian', '受理')).toHaveLength(1);
    const audit = await h!.rt.store.audit('d1');
    expect(audit.find((e) => e.action === 'handover')).toMatchObject({ actor: 'zhang', from: 'zhang', to: 'qian' });
    expect(await verified()).toEqual([]);
    await h!.command('zhang', '/查看 1');
    expect(h!.lastText('zhang')).toMatch(/张伟 转交督查员：张伟 → 钱芳/);

    // The next office-side card goes to the new owner only.
    expect((await h!.press('qian', { card: withButton('qian', '受理')[0]!, label: '受理' })).toast.type).toBe('success');
    await signedReport('第二稿。');
    expect(withButton('qian', '受理')).toHaveLength(2);
    expect(withButton('zhang', '受理')).toHaveLength(1);

    // Another clerk hands it back: both told; a hand-over to the owner of now is refused and changes nothing.
    await h!.command('qian', '/转交 1 督查员=zhang');
    expect(texts('zhang').at(-1)).toContain('【转交】钱芳已将督字〔2026〕1号「城区积水整治」转交您负责（原督查员：钱芳）');
    const count = (await h!.rt.store.audit('d1')).length;
    await h!.command('qian', '/转交 1 督查员=张伟');
    expect(h!.lastText('qian').split('\n')[0]).toBe('督字〔2026〕1号的督查员已是张伟，无需转交');
    expect((await h!.rt.store.audit('d1')).length).toBe(count);
    expect(await verified()).toEqual([]);
  });

  it('/核验 names an owner changed outside ducha', async () => {
    await start();
    await issue('zhang', '城区积水整治 单位=jtj 期限=2026-10-30');
    const key = `${h!.prefix}:item:d1`;
    const doc = JSON.parse((await h!.redis.hget(key, 'doc'))!) as Record<string, unknown>;
    await h!.redis.hset(key, 'doc', JSON.stringify({ ...doc, owner: 'qian' }));
    const problems = await verified();
    expect(problems).toContainEqual(expect.stringMatching(/^事项的督查员为钱芳，第 1 条办理记录（.* 新建（预览））记载为张伟$/));
  });

  it('is the office’s alone, from a draft or an open item, to an office member', async () => {
    await start();
    await h!.command('zhang', '/新建 城区积水整治 单位=jtj 期限=2026-10-30');
    await h!.command('li', '/转交 草稿1 督查员=钱芳');
    expect(h!.lastText('li').split('\n')[0]).toBe('只有督查室工作人员才能转交督查事项');
    await h!.command('zhang', '/转交 草稿1 督查员=李明');
    expect(h!.lastText('zhang').split('\n')[0]).toContain('督查员须是督查室工作人员');
    await h!.command('zhang', '/转交 草稿1');
    expect(h!.lastText('zhang').split('\n')[0]).toContain('缺少「督查员/owner」');
    // A draft: the new owner gets its preview, to issue or cancel.
    await h!.command('zhang', '/转交 草稿1 督查员=钱芳');
    expect(texts('qian').at(-1)).toContain('草稿的预览卡片随后发给您，可发出或取消。');
    expect((await h!.press('qian', { card: h!.lastCard('qian', '发出'), label: '发出' })).toast.type).toBe('success');
    await h!.command('zhang', '/撤回 1 理由=重复');
    await h!.command('zhang', '/转交 1 督查员=张伟');
    expect(h!.lastText('zhang').split('\n')[0]).toBe('督字〔2026〕1号已撤回，不能转交');
  });
});

describe('【督查日报】 with owners and office heads', () => {
  it('goes to the heads and each owner, the owner’s items first; a clerk who owns nothing gets none', async () => {
    await start(HEADS);
    await issue('zhang', '张伟的事项 单位=jtj 期限=2026-09-29 类别=重大');
    await issue('zhang', '钱芳的事项 单位=gaj 期限=2026-10-30 督查员=钱芳');
    await at('2026-09-29T09:00:00+08:00');
    const digest = (p: string) => cards(p).filter((c) => c.title.startsWith('【督查日报】'));
    expect(digest('liu')).toEqual([]);
    const [mine] = digest('zhang');
    expect(mine!.body!.split('\n\n')[0]).toBe('【本人负责】在办 1 项，需关注 1 项\n· 1号「张伟的事项」临期：市交通运输局；超过一天未签收：市交通运输局');
    expect(mine!.body).toContain('【按状态】');
    // The head owns 2号: hers first, then the whole office's.
    const [head] = digest('qian');
    expect(head!.body!.split('\n\n')[0]).toBe('【本人负责】在办 1 项，需关注 1 项\n· 2号「钱芳的事项」超过一天未签收：市公安局');
    expect(head!.body).toContain('【三个工作日内到期】');
  });

  it('goes to a head who owns nothing with the office’s sections only', async () => {
    await start(HEADS);
    await issue('zhang', '张伟的事项 单位=jtj 期限=2026-10-30');
    await at('2026-09-28T09:00:00+08:00');
    const [head] = cards('qian').filter((c) => c.title.startsWith('【督查日报】'));
    expect(head!.body!.startsWith('【按状态】')).toBe(true);
    const [mine] = cards('zhang').filter((c) => c.title.startsWith('【督查日报】'));
    expect(mine!.body!.split('\n\n')[0]).toBe('【本人负责】在办 1 项，今日没有逾期、临期、未签收或待受理的');
    expect(cards('liu')).toEqual([]);
  });
});

describe('an owner who leaves the office', () => {
  it('hands their items to the first office head; the office is told once, in one message', async () => {
    await start(HEADS);
    await issue('zhang', '第一项 单位=jtj 期限=2026-10-30 类别=重大');
    await issue('zhang', '第二项 单位=gaj 期限=2026-10-30');
    await h!.command('zhang', '/新建 草拟中 单位=jtj 期限=2026-10-30');
    await issue('liu', '刘洋的事项 单位=jtj 期限=2026-10-30');
    await signedReport();
    // 张伟 leaves the office and the directory.
    const text = readFileSync(HEADS, 'utf8').replace('office: [zhang, qian, liu]', 'office: [qian, liu]').replace(/\n {2}- \{ id: zhang, .*\}/, '');
    const changed = new Directory(parseDirectory(text, HEADS), new Map([['zhang', '张伟']]));
    h!.rt.directory = () => changed;
    await followDirectory(h!.rt);
    await h!.settle();
    for (const id of ['d1', 'd2', 'd3']) expect((await h!.rt.store.getHeader(id))!.doc.owner).toBe('qian');
    expect((await h!.rt.store.getHeader('d4'))!.doc.owner).toBe('liu');
    const audit = await h!.rt.store.audit('d1');
    expect(audit.find((e) => e.action === 'handover')).toMatchObject({ actor: 'system', from: 'zhang', to: 'qian' });
    expect(await verified()).toEqual([]);
    const told = '【督查员变动】张伟已不在督查室名录中，其负责的 3 个事项已按名录改由钱芳负责：督字〔2026〕1号「第一项」、督字〔2026〕2号「第二项」、草稿3「草拟中」。如需改由他人负责，请用 /转交。';
    expect(texts('liu').filter((t) => t.startsWith('【督查员变动】'))).toEqual([told]);
    expect(texts('qian').filter((t) => t.startsWith('【督查员变动】'))).toEqual([told]);
    // The new owner was told per item, and got the signed report waiting for 受理.
    expect(texts('qian').filter((t) => t.startsWith('【转交】'))).toHaveLength(3);
    expect(withButton('qian', '受理')).toHaveLength(1);
    // Following the same directory again changes nothing and tells nobody again.
    await followDirectory(h!.rt);
    await h!.settle();
    expect(texts('liu').filter((t) => t.startsWith('【督查员变动】'))).toHaveLength(1);
  });

  it('with no office heads, hands them to the first office member', async () => {
    await start();
    await issue('qian', '钱芳的事项 单位=jtj 期限=2026-10-30');
    const text = readFileSync('test/fixtures/directory.yaml', 'utf8').replace('office: [zhang, qian]', 'office: [zhang]');
    const changed = new Directory(parseDirectory(text, 'test/fixtures/directory.yaml'));
    h!.rt.directory = () => changed;
    await followDirectory(h!.rt);
    await h!.settle();
    expect((await h!.rt.store.getHeader('d1'))!.doc.owner).toBe('zhang');
    expect(texts('zhang').filter((t) => t.startsWith('【督查员变动】'))).toEqual([
      '【督查员变动】钱芳已不在督查室名录中，其负责的 1 个事项已按名录改由张伟负责：督字〔2026〕1号「钱芳的事项」。如需改由他人负责，请用 /转交。',
    ]);
  });
});
