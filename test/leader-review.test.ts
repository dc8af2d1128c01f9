// Issue 19, points 1, 2 and 8, through the service on the injectable clock: an item names its source, its 批办领导 and
// its reference (notice, preview, /查看, /台账, audit); once every unit's final report is accepted it waits for the
// leader's review (【办结报告】) and is 办结 by 阅, by 再批示 (with its follow-up preview, issued or cancelled), or by
// silence after DUCHA_REVIEW_DAYS working days; only that leader may press; /核验 covers it all; an item without a
// leader completes as before.
import { afterEach, describe, expect, it } from 'vitest';
import type { Card } from '../src/chat/message.ts';
import { tick } from '../src/schedule/ticker.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

const DIRECTORY = 'test/fixtures/directory-leaders.yaml';
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const fieldsOf = (c: Card) => Object.fromEntries(c.fields.map((f) => [f.label, f.value]));

/** An item instructed by 高峰, issued to jtj and gaj, both units' final reports signed and accepted. */
async function finished(opts: { scheduler?: boolean } = {}): Promise<Harness> {
  const t = await createHarness({ directory: DIRECTORY, ...opts });
  await t.command('zhang', '/新建 背街小巷路灯修复 单位=jtj、gaj 期限=10工作日 类别=交办 来源=批示 批办=高峰 文号=“市领导批示〔2026〕12号”');
  const preview = t.lastCard('zhang', '发出');
  expect(fieldsOf(preview)['来源']).toBe('领导批示（市领导批示〔2026〕12号），批办领导：高峰');
  await t.press('zhang', { card: preview, label: '发出' });
  for (const [head, contact] of [['li', 'zhao'], ['chen', 'zhou']] as const) {
    const notice = t.lastCard(head, '签收');
    expect(fieldsOf(notice)['来源']).toBe('领导批示（市领导批示〔2026〕12号），批办领导：高峰');
    await t.press(head, { card: notice, label: '签收' });
    await t.command(contact, `/报送 1 办结 ${head === 'li' ? '路灯已全部修复，共 42 盏。\n第二行说明。' : '巡查到位，夜间照明恢复。'}`);
    await t.press(head, { card: t.lastCard(head, '签署'), label: '签署' });
  }
  // The first acceptance completes one unit; the item stays open.
  await t.press('zhang', { card: t.lastCard('zhang', '受理'), label: '受理' });
  expect((await t.rt.store.getHeader('d1'))!.doc.status).toBe('open');
  const accept = t.received('zhang').flatMap((s) => (s.message.kind === 'card' && s.message.card.buttons.some((b) => b.text === '受理') ? [s.message.card] : []));
  await t.press('zhang', { card: accept.find((c) => fieldsOf(c)['单位'] === '市交通运输局')!, label: '受理' });
  return t;
}

describe('an instructed item', () => {
  it('waits for its leader after the last unit: 【办结报告】 to the leader, the office told; 阅 makes it 办结', async () => {
    h = await finished();
    const header = (await h.rt.store.getHeader('d1'))!.doc;
    expect(header).toMatchObject({ status: 'review', source: 'instruction', instructedBy: 'gao', sourceRef: '市领导批示〔2026〕12号' });
    expect(header.completedAt).toBeUndefined();
    // Five working days from Monday 28 September 2026 run past the National Day holiday.
    expect(header.reviewDueAt).toBeGreaterThan(h.clock.now());
    const card = h.lastCard('gao', '阅');
    expect(card.title).toBe('【办结报告】督字〔2026〕1号');
    expect(card.buttons.map((b) => b.text)).toEqual(['阅', '再批示']);
    expect(card.buttons[1]!.input).toMatchObject({ label: '批示内容', required: true });
    expect(card.body).toContain('**市交通运输局**（李明 2026年9月28日 09:00 签署）\n路灯已全部修复，共 42 盏。\n第二行说明。');
    expect(card.body).toContain('**市公安局**（陈刚 2026年9月28日 09:00 签署）\n巡查到位，夜间照明恢复。');
    expect(card.body).toContain('（全文请发送 /查看 1）');
    expect(h.lastText('zhang')).toMatch(/^督字〔2026〕1号「背街小巷路灯修复」各单位均已办结，办结报告已送批办领导高峰审阅；.+ 前未有新的批示即视为办结。$/);
    // Nothing is reminded or escalated any more: every unit is completed.
    expect((await h.rt.store.audit('d1')).at(-1)).toMatchObject({ action: 'await_review', from: 'open', to: 'review' });

    // Another person's press is refused with a toast, and changes nothing.
    const other = await h.press('zhang', { card, label: '阅' });
    expect(other.toast).toEqual({ type: 'error', text: '这张卡片是发给高峰的，您不能代为操作' });
    // Another leader's /批示 is refused too: only the one who instructed it.
    await h.command('ma', '/批示 1 再看看');
    expect(h.lastText('ma')).toBe('只有督字〔2026〕1号的批办领导高峰才能批示');
    expect((await h.rt.store.getHeader('d1'))!.doc.status).toBe('review');

    const read = await h.press('gao', { card, label: '阅' });
    expect(read.toast).toEqual({ type: 'success', text: '已阅，事项办结' });
    expect(read.card!.buttons).toEqual([]);
    expect(read.card!.note).toMatch(/^已由高峰于 2026年9月28日 09:00 阅，事项办结$/);
    const done = (await h.rt.store.getHeader('d1'))!.doc;
    expect(done).toMatchObject({ status: 'completed', review: { how: 'read', by: 'gao' }, completedAt: h.clock.now() });
    expect(h.lastText('zhang')).toBe('督字〔2026〕1号「背街小巷路灯修复」批办领导高峰已阅，事项办结。');
    expect(await h.rt.store.dueReviews(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    // Pressed again: said as it is.
    expect((await h.press('gao', { card, label: '阅' })).toast).toEqual({ type: 'info', text: '督字〔2026〕1号已办结，无需再阅' });

    // /查看 and /台账, for the office and for the leader (who sees only what they instructed).
    await h.command('gao', '/查看 1');
    const shown = h.lastText('gao');
    expect(shown).toContain('来源：领导批示（市领导批示〔2026〕12号），批办领导：高峰');
    expect(shown).toContain('批办领导审阅：高峰已阅（2026年9月28日 09:00）');
    expect(shown).toContain('批办领导阅示，事项办结');
    await h.command('gao', '/台账');
    expect(h.lastText('gao')).toMatch(/^您批办的督查事项（共 1 项）\n督字〔2026〕1号【重点】 背街小巷路灯修复（领导批示（市领导批示〔2026〕12号），批办领导：高峰）｜市交通运输局：已办结/);
    await h.command('ma', '/台账');
    expect(h.lastText('ma')).toBe('台账中没有您批办的督查事项。');
    await h.command('ma', '/查看 1');
    expect(h.lastText('ma')).toBe('督字〔2026〕1号不是您批办的事项，无权查看');
    await h.command('zhang', '/台账');
    expect(h.lastText('zhang')).toContain('督字〔2026〕1号【重点】 背街小巷路灯修复（领导批示（市领导批示〔2026〕12号），批办领导：高峰）｜');
    // The audit keeps the source as created.
    expect(JSON.parse((await h.rt.store.audit('d1'))[0]!.detail!)).toMatchObject({ source: 'instruction', instructedBy: 'gao', sourceRef: '市领导批示〔2026〕12号' });
    await h.command('zhang', '/核验 1');
    expect(h.lastText('zhang')).toContain('结论：记录完整');
    expect(h.shownInternalIds()).toEqual([]);
  });

  it('再批示 records the instruction, makes it 办结 (reopening nothing) and drafts a follow-up the office issues', async () => {
    h = await finished();
    const card = h.lastCard('gao', '再批示');
    // Without the text (a platform whose cards take none), the press is answered with the command to send.
    const bare = await h.press('gao', { card, label: '再批示' });
    expect(bare.toast).toEqual({ type: 'warning', text: '再批示请发送：/批示 1 <批示内容>（按“阅”则事项办结）' });
    expect((await h.press('gao', { card, label: '再批示', reason: '   ' })).toast).toEqual({ type: 'warning', text: '请填写批示内容' });
    expect((await h.rt.store.getHeader('d1'))!.doc.status).toBe('review');

    const answer = await h.press('gao', { card, label: '再批示', reason: '请继续跟踪雨季排水，月底前再报一次。' });
    expect(answer.toast).toEqual({ type: 'success', text: '已批示，督查室将拟出续办事项（草稿2）' });
    expect(answer.card!.note).toBe('已由高峰于 2026年9月28日 09:00 再批示，事项办结，督查室另起续办事项。批示：请继续跟踪雨季排水，月底前再报一次。');
    const first = (await h.rt.store.getItem('d1'))!.item;
    expect(first).toMatchObject({ status: 'completed', review: { how: 'instructed', by: 'gao' } });
    expect(first.instructions).toEqual([{ n: 1, text: '请继续跟踪雨季排水，月底前再报一次。', by: 'gao', at: h.clock.now(), followUp: 'd2' }]);
    expect(first.assignments.map((a) => a.state)).toEqual(['completed', 'completed']);
    // The office is told, and gets the follow-up's preview: the instruction as its requirement, the same units.
    expect(h.lastText('zhang')).toBe(
      '督字〔2026〕1号「背街小巷路灯修复」批办领导高峰作出新的批示：请继续跟踪雨季排水，月底前再报一次。\n原事项办结，不重新打开；已据此拟出续办事项草稿2，请在预览卡片上发出或取消。',
    );
    const preview = h.lastCard('zhang', '发出');
    expect(preview.title).toBe('督查单预览（尚未发出）');
    expect(fieldsOf(preview)).toMatchObject({ 编号: '草稿2（保留 7 天）', 事项: '背街小巷路灯修复（续办）', 来源: '领导批示，批办领导：高峰', 续办: '续督字〔2026〕1号' });
    expect(fieldsOf(preview)['承办单位']).toBe('市交通运输局（牵头）、市公安局（配合）');
    expect(preview.body).toBe('**督查要求**\n请继续跟踪雨季排水，月底前再报一次。');
    expect((await h.press('zhang', { card: preview, label: '发出' })).toast.text).toContain('已发出督字〔2026〕2号');
    const follow = (await h.rt.store.getHeader('d2'))!.doc;
    expect(follow).toMatchObject({ status: 'open', follows: 'd1', instructedBy: 'gao', source: 'instruction', seq: 2 });
    expect(fieldsOf(h.lastCard('li', '签收'))['来源']).toBe('领导批示，批办领导：高峰');
    await h.command('zhang', '/查看 1');
    expect(h.lastText('zhang')).toContain('批示（高峰，2026年9月28日 09:00）：请继续跟踪雨季排水，月底前再报一次。；续办事项：督字〔2026〕2号');
    await h.command('zhang', '/查看 2');
    expect(h.lastText('zhang')).toContain('续办：本事项续督字〔2026〕1号');
    // /批示 on the completed item: recorded again, another follow-up draft.
    await h.command('gao', '/批示 1 另请通报各区县。');
    expect(h.lastText('gao')).toBe('已批示，督查室将拟出续办事项（草稿3）');
    expect((await h.rt.store.getHeader('d1'))!.doc.instructions).toHaveLength(2);
    await h.command('zhang', '/核验 1');
    expect(h.lastText('zhang')).toContain('结论：记录完整');
    expect(h.shownInternalIds()).toEqual([]);
  });

  it('the follow-up preview can be cancelled: nothing is issued, the first item stays 办结', async () => {
    h = await finished();
    await h.command('gao', '/批示 1 请补充整改台账。');
    const preview = h.lastCard('zhang', '取消');
    expect((await h.press('zhang', { card: preview, label: '取消' })).toast.type).toBe('success');
    expect((await h.rt.store.getHeader('d2'))!.doc.status).toBe('cancelled');
    expect((await h.rt.store.getHeader('d1'))!.doc).toMatchObject({ status: 'completed', review: { how: 'instructed' } });
    expect(await h.rt.store.ledgerCount()).toBe(1);
  });

  it('with no answer in DUCHA_REVIEW_DAYS working days, it is 办结 by itself (system: no new instruction)', async () => {
    h = await finished({ scheduler: false });
    const due = (await h.rt.store.getHeader('d1'))!.doc.reviewDueAt!;
    // 28 September 2026 + 5 working days (the default): 29, 30 September, then after National Day 9 October and the
    // Saturday 10 October worked in its place (调休)... the review ends at the end of the fifth.
    expect(h.rt.calendar.addWorkdays('2026-09-28', 5).date).toBe('2026-10-10');
    expect(new Date(due).toISOString()).toBe('2026-10-10T15:59:59.999Z');
    h.clock.set(due - 1);
    await tick(h.rt);
    await h.settle();
    expect((await h.rt.store.getHeader('d1'))!.doc.status).toBe('review');
    h.clock.set(due + 1);
    await tick(h.rt);
    await h.until('the review closed', async () => (await h!.rt.store.getHeader('d1'))!.doc.status === 'completed');
    const done = (await h.rt.store.getHeader('d1'))!.doc;
    expect(done).toMatchObject({ review: { how: 'silence', by: 'system', at: due + 1 }, completedAt: due + 1 });
    expect((await h.rt.store.audit('d1')).at(-1)).toMatchObject({ actor: 'system', action: 'review_silence', from: 'review', to: 'completed' });
    expect(JSON.parse((await h.rt.store.audit('d1')).at(-1)!.detail!)).toEqual({ why: '领导无新的批示', days: 5 });
    expect(h.lastText('zhang')).toBe('督字〔2026〕1号「背街小巷路灯修复」批办领导高峰在 5 个工作日内未有新的批示，视为办结。');
    // The leader's card is redrawn: no buttons, and why.
    const redrawn = h.feishu.updates.at(-1)?.card ?? h.lastCard('gao');
    expect(redrawn.buttons).toEqual([]);
    expect(redrawn.note).toBe('审阅期内未有新的批示，已于 2026年10月11日 00:00 视为办结');
    // Again: nothing more.
    await tick(h.rt);
    await h.settle();
    expect((await h.rt.store.audit('d1')).filter((e) => e.action === 'review_silence')).toHaveLength(1);
    await h.command('zhang', '/核验 1');
    expect(h.lastText('zhang')).toContain('结论：记录完整');
  });

  it('/核验 names the review changed by hand', async () => {
    h = await finished();
    await h.press('gao', { card: h.lastCard('gao', '阅'), label: '阅' });
    const key = h.rt.store.k.item('d1');
    const doc = JSON.parse((await h.redis.hget(key, 'doc'))!);
    await h.redis.hset(key, 'doc', JSON.stringify({ ...doc, review: { ...doc.review, how: 'silence', by: 'system' } }));
    await h.command('zhang', '/核验 1');
    const text = h.lastText('zhang');
    expect(text).toContain('事项的批办领导审阅记载为「逾期未批示视为办结」');
    expect(text).not.toContain('结论：记录完整');
  });
});

describe('/新建 with a source', () => {
  it('refuses a bad source, a 批办 who is no leader, and names the choices', async () => {
    h = await createHarness({ directory: DIRECTORY });
    await h.command('zhang', '/新建 路灯 单位=jtj 期限=5工作日 来源=报纸');
    expect(h.lastText('zhang')).toMatch(/^「来源\/source」不能是「报纸」，只能是：文件（文件交办）、批示（领导批示）、会议（会议决定）、交办（领导口头交办）、信访（群众信访）。\n用法：\/新建 /);
    await h.command('zhang', '/新建 路灯 单位=jtj 期限=5工作日 批办=李明');
    expect(h.lastText('zhang')).toMatch(/^李明不是通讯录中的批办领导；可写：高峰、马强/);
    expect(await h.rt.store.itemIds()).toEqual([]);
  });

  it('an item without a 批办领导 completes at its last unit, as before (no review)', async () => {
    h = await createHarness({ directory: DIRECTORY });
    await h.command('zhang', '/新建 路灯 单位=jtj 期限=5工作日 来源=会议 类别=民生');
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    await h.press('li', { card: h.lastCard('li', '签收'), label: '签收' });
    await h.command('zhao', '/报送 1 办结 已修复。');
    await h.press('li', { card: h.lastCard('li', '签署'), label: '签署' });
    await h.press('zhang', { card: h.lastCard('zhang', '受理'), label: '受理' });
    expect((await h.rt.store.getHeader('d1'))!.doc).toMatchObject({ status: 'completed', source: 'meeting' });
    expect(h.received('gao')).toEqual([]);
  });
});
