// Extensions the way supervision offices run them (issue 19, points 4 and 5), on real Redis and the injectable clock:
// asked only before the deadline in force; a contact's request agreed by the unit's responsible leader before the
// office sees it (or refused by the leader, with a reason); a leader's own straight to the office; the office's card
// with the original deadline and how often it was moved; the history in /查看; and each unit's 办结情况 (按期 /
// 延期后按期 / 逾期办结 / 逾期未办结) in /查看, /台账, the accepted report's card and the 【督查日报】.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Directory } from '../src/directory/directory.ts';
import { parseDirectory } from '../src/directory/load-directory.ts';
import { followDirectory } from '../src/schedule/follow-directory.ts';
import type { Card } from '../src/chat/message.ts';
import type { Assignment } from '../src/domain/types.ts';
import { buildDigest } from '../src/schedule/digest.ts';
import { createHarness, FIXTURE_DIRECTORY, recordsOf, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  expect(h.shownInternalIds()).toEqual([]);
  await h.close();
});

async function unit(u = 'jtj', id = 'd1'): Promise<Assignment> {
  const a = await h.rt.store.getAssignment(id, u);
  if (!a) throw new Error(`no ${u} on ${id}`);
  return a.doc;
}

function fields(card: Card): Record<string, string> {
  return Object.fromEntries(card.fields.map((f) => [f.label, f.value]));
}

async function press(person: string, label: string, reason?: string, card: Card = h.lastCard(person, label)) {
  const answer = await h.press(person, { card, label, ...(reason === undefined ? {} : { reason }) });
  expect(answer.toast.type, answer.toast.text).toBe('success');
  return answer;
}

const PEOPLE: Record<string, { head: string; contact: string }> = { jtj: { head: 'li', contact: 'zhao' }, gaj: { head: 'chen', contact: 'zhou' } };

/** An item issued (a key item: each unit's head is its responsible leader) and received by every unit. */
async function issued(title: string, units: string[], due: string): Promise<void> {
  await h.command('zhang', `/新建 ${title} 单位=${units.join('、')} 期限=${due} 类别=民生`);
  await press('zhang', '发出');
  for (const u of units) await press(PEOPLE[u]!.head, '签收');
}

/** The unit's final report: sent by its contact, signed by its head, accepted by the office, at the clock's time. */
async function complete(no: number, u: string): Promise<Card> {
  const { head, contact } = PEOPLE[u]!;
  await h.command(contact, `/报送 ${no} 办结 全部整改到位`);
  await press(head, '签署');
  const review = h.lastCard('zhang', '受理');
  await press('zhang', '受理', undefined, review);
  return [...h.feishu.updates, ...h.wecom.updates].filter((x) => x.viewer === 'zhang' && x.card.title === review.title).at(-1)!.card;
}

/** The records with the asks for a reason left out: what a refusal must leave exactly as it was. */
async function records(): Promise<Record<string, unknown>> {
  // The outbox of the presses before is cleared right after their deliveries are queued: wait for it on a busy machine.
  await h.until('the outbox to be empty', async () => (await h.rt.store.outboxEntries()) === 0);
  const all = await recordsOf(h.redis, h.prefix);
  return Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith(`${h.prefix}:ask:`)));
}

const officeCards = () => ['zhang', 'qian'].flatMap((p) => h.received(p).flatMap((s) => (s.message.kind === 'card' && s.message.card.title.startsWith('延期申请') ? [s.message.card] : [])));

describe('asked only before the deadline in force', () => {
  it('after it: refused with the /报送 line to send instead, and nothing changes', async () => {
    await issued('积水整治', ['jtj'], '2026-10-09');
    h.clock.set('2026-10-10T09:00:00+08:00');
    const before = await records();
    await h.command('zhao', '/延期 1 至=2026-10-30 理由=施工受限');
    expect(h.lastText('zhao')).toBe('督字〔2026〕1号的办结时限 2026年10月9日 已过，不能再申请延期。请如实报送办理情况和未能按期办结的原因：/报送 1 <办理情况>');
    await h.command('li', '/延期 1 至=2026-10-30 理由=施工受限');
    expect(h.lastText('li')).toBe(
      '督字〔2026〕1号的办结时限 2026年10月9日 已过，不能再申请延期。请联络员如实报送办理情况和未能按期办结的原因（/报送 1 <办理情况>），经负责领导签署后报督查室',
    );
    expect(await records()).toEqual(before);
    expect((await unit()).extensions).toEqual([]);
    expect(officeCards()).toEqual([]);
  });

  it('on the deadline day itself it may still be asked', async () => {
    await issued('积水整治', ['jtj'], '2026-10-09');
    h.clock.set('2026-10-09T23:00:00+08:00');
    await h.command('li', '/延期 1 至=2026-10-30 理由=施工受限');
    expect((await unit()).extensions).toMatchObject([{ status: 'pending', by: 'li' }]);
  });
});

describe('a contact’s request goes to the unit’s responsible leader first', () => {
  it('the leader agrees, then the office approves: the deadline moves, everyone is told, the history is in /查看', async () => {
    await issued('积水整治', ['jtj'], '2026-10-09');
    await h.command('zhao', '/延期 1 至=2026-10-30 理由=汛期施工受限');
    expect(h.lastText('zhao')).toBe('已提交延期申请（督字〔2026〕1号，申请延至 2026年10月30日），等待李明同意后报督查室审批。');
    expect(officeCards()).toEqual([]);
    expect((await unit()).extensions[0]).toMatchObject({ status: 'pending_leader', by: 'zhao', oldDue: '2026-10-09' });

    const ask = h.lastCard('li', '同意申请');
    expect(ask.title).toBe('延期申请待您同意：督字〔2026〕1号');
    expect(fields(ask)).toEqual({ 单位: '市交通运输局', 申请人: '赵磊（2026年9月28日 09:00）', 办结时限: '2026年10月9日', 申请延至: '2026年10月30日' });
    expect(ask.body).toBe('**理由**\n汛期施工受限');
    expect(ask.buttons.map((b) => b.text)).toEqual(['同意申请', '不同意']);
    expect(ask.buttons[1]!.input).toMatchObject({ name: 'reason', label: '不同意的理由', required: true });
    expect(ask.note).toBe('同意后报督查室审批；不同意须写明理由，告知申请人。');
    // Only the leader may press it: the office, the contact and another deputy are refused.
    for (const p of ['zhang', 'zhao', 'wang']) expect((await h.press(p, { card: ask, label: '同意申请' })).toast.type).toBe('error');

    h.clock.set('2026-09-29T10:00:00+08:00');
    const agreed = await press('li', '同意申请', undefined, ask);
    expect(agreed.toast.text).toBe('已同意，报督查室审批');
    expect(agreed.card?.buttons).toEqual([]);
    expect(agreed.card?.note).toBe('已由李明于 2026年9月29日 10:00 同意，报督查室，待督查室审批');
    expect(h.lastText('zhao')).toBe('督字〔2026〕1号「积水整治」的延期申请（延至 2026年10月30日）李明已同意，已报督查室审批。');
    expect((await unit()).extensions[0]).toMatchObject({ status: 'pending', agreedBy: 'li', agreedAt: Date.parse('2026-09-29T10:00:00+08:00') });
    // Pressed again: nothing more.
    expect((await h.press('li', { card: ask, label: '同意申请' })).toast.text).toBe('这份延期申请已报督查室，等待审批');

    const card = h.lastCard('zhang', '同意');
    expect(card.title).toBe('延期申请：督字〔2026〕1号');
    expect(fields(card)).toEqual({
      单位: '市交通运输局',
      申请人: '赵磊（2026年9月28日 09:00）',
      单位意见: '李明已同意（2026年9月29日 10:00）',
      原定期限: '2026年10月9日',
      已延期: '0 次',
      申请延至: '2026年10月30日',
    });
    // Only the item's owner (督查员: 张伟, who made it) gets it, not every clerk.
    expect(() => h.lastCard('qian', '同意')).toThrow();

    h.clock.set('2026-09-30T09:00:00+08:00');
    await press('zhang', '同意', undefined, card);
    const a = await unit();
    expect([a.due, a.extensions[0]!.status, a.extensions[0]!.decidedBy, a.extensions[0]!.oldDue]).toEqual(['2026-10-30', 'approved', 'zhang', '2026-10-09']);
    const told = '督字〔2026〕1号「积水整治」延期申请已同意：办结时限由 2026年10月9日 延至 2026年10月30日。';
    expect([h.lastText('zhao'), h.lastText('li')]).toEqual([told, told]);
    // The leader's card says what the office decided.
    const redrawn = h.feishu.updates.filter((u) => u.viewer === 'li' && u.card.title === ask.title).at(-1)!.card;
    expect(redrawn.note).toBe('已由李明于 2026年9月29日 10:00 同意，报督查室；督查室已同意（张伟，2026年9月30日 09:00）');
    const audit = (await h.rt.store.audit('d1')).map((e) => [e.action, e.actor]);
    expect(audit.slice(-4)).toEqual([
      ['request_extension', 'zhao'],
      ['agree_extension', 'li'],
      ['approve_extension', 'zhang'],
      ['change_deadline', 'zhang'],
    ]);

    await h.command('zhang', '/查看 1');
    const shown = h.lastText('zhang');
    expect(shown).toContain('期限 2026年10月30日；办结情况：在办');
    expect(shown).toContain(
      '办结时限及延期：\n市交通运输局：原定办结时限 2026年10月9日，已延期 1 次，现为 2026年10月30日\n' +
        '  1. 赵磊 2026年9月28日 09:00 申请延至 2026年10月30日，理由：汛期施工受限；李明 2026年9月29日 10:00 同意；张伟 2026年9月30日 09:00 同意延期，办结时限由 2026年10月9日 改为 2026年10月30日',
    );
    expect(shown).toContain('李明 同意延期申请（报督查室审批）（市交通运输局）');

    // A second request: the office's card says it was moved once already, and from what.
    await h.command('li', '/延期 1 至=2026-11-15 理由=材料未到');
    expect(h.lastText('li')).toBe('已提交延期申请（督字〔2026〕1号，申请延至 2026年11月15日），等待督查室审批。');
    const second = h.lastCard('zhang', '同意');
    expect(fields(second)).toMatchObject({ 原定期限: '2026年10月9日', 已延期: '1 次，现为 2026年10月30日', 申请延至: '2026年11月15日' });
    expect(fields(second)['单位意见']).toBeUndefined();
  });

  it('the leader refuses with a reason: the contact is told why, the office never sees it', async () => {
    await issued('积水整治', ['jtj'], '2026-10-09');
    await h.command('zhao', '/延期 1 至=2026-10-30 理由=汛期施工受限');
    const ask = h.lastCard('li', '不同意');
    const before = await records();
    const bare = await h.press('li', { card: ask, label: '不同意', reason: '  ' });
    expect(bare.toast).toEqual({ type: 'warning', text: '不同意延期申请须写明理由：请填写不同意的理由' });
    expect(await records()).toEqual(before);

    const no = await press('li', '不同意', '能够按期完成，不必延期', ask);
    expect(no.toast.text).toBe('已不同意延期申请');
    expect(no.card?.note).toBe('已由李明于 2026年9月28日 09:00 不同意。理由：能够按期完成，不必延期');
    expect((await unit()).extensions[0]).toMatchObject({ status: 'refused', leaderRefused: true, decidedBy: 'li', refuseReason: '能够按期完成，不必延期' });
    expect((await unit()).due).toBe('2026-10-09');
    expect(h.lastText('zhao')).toBe('督字〔2026〕1号「积水整治」的延期申请（延至 2026年10月30日）李明不同意，仍须在 2026年10月9日 前办结。\n理由：能够按期完成，不必延期');
    expect(officeCards()).toEqual([]);
    const last = (await h.rt.store.audit('d1')).at(-1)!;
    expect([last.action, last.actor, JSON.parse(last.detail!)]).toEqual(['disagree_extension', 'li', { extension: 1, to: '2026-10-30', reason: '能够按期完成，不必延期' }]);
    expect((await h.press('li', { card: ask, label: '同意申请' })).toast.text).toBe('这份延期申请已被李明不同意');

    await h.command('zhao', '/查看 1');
    expect(h.lastText('zhao')).toContain('  1. 赵磊 2026年9月28日 09:00 申请延至 2026年10月30日，理由：汛期施工受限；李明 2026年9月28日 09:00 不同意（未报督查室），理由：能够按期完成，不必延期');
    // Decided: a new request may be made.
    await h.command('zhao', '/延期 1 至=2026-10-20 理由=再申请');
    expect((await unit()).extensions.map((e) => e.status)).toEqual(['refused', 'pending_leader']);
  });

  it('the leader’s 不同意 typed as /退回 (a press that carried no text), and a second request while one waits', async () => {
    await issued('积水整治', ['jtj'], '2026-10-09');
    await h.command('zhao', '/延期 1 至=2026-10-30 理由=汛期施工受限');
    await h.command('zhao', '/延期 1 至=2026-11-30 理由=再延');
    expect(h.lastText('zhao')).toBe('已有一份延期申请（延至 2026年10月30日）尚待李明同意');
    const asked = await h.press('li', { card: h.lastCard('li', '不同意'), label: '不同意' });
    expect(asked.toast.text).toBe('不同意延期申请须写明理由。请发送：/退回 1 理由=<不同意的理由>（72 小时内有效，发送前不会不同意延期申请）');
    expect((await unit()).extensions[0]!.status).toBe('pending_leader');
    await h.command('li', '/退回 1 理由=能够按期完成');
    expect(h.lastText('li')).toBe('已不同意延期申请：督字〔2026〕1号「积水整治」市交通运输局。不同意的理由：能够按期完成');
    expect((await unit()).extensions[0]).toMatchObject({ status: 'refused', leaderRefused: true, refuseReason: '能够按期完成' });
  });

  it('/退回 without a press waiting answers the request waiting for the leader', async () => {
    await issued('积水整治', ['jtj'], '2026-10-09');
    await h.command('zhao', '/延期 1 至=2026-10-30 理由=汛期施工受限');
    await h.command('li', '/退回 1 理由=能够按期完成');
    expect((await unit()).extensions[0]).toMatchObject({ status: 'refused', leaderRefused: true, refuseReason: '能够按期完成' });
  });

  it('a leader’s own request goes straight to the office; a head of an ordinary item’s too', async () => {
    await issued('积水整治', ['jtj'], '2026-10-09');
    await h.command('li', '/延期 1 至=2026-10-30 理由=汛期施工受限');
    expect(() => h.lastCard('li', '同意申请')).toThrow();
    expect(fields(h.lastCard('zhang', '同意'))).toEqual({ 单位: '市交通运输局', 申请人: '李明（2026年9月28日 09:00）', 原定期限: '2026年10月9日', 已延期: '0 次', 申请延至: '2026年10月30日' });
    expect((await unit()).extensions[0]).toMatchObject({ status: 'pending', by: 'li' });
    expect((await unit()).extensions[0]!.agreedBy).toBeUndefined();
  });

  it('a request waiting for a leader who left waits for the one who takes over, who gets its card', async () => {
    await h.command('zhang', '/新建 一般事项 单位=jtj 期限=2026-10-09');
    await press('zhang', '发出');
    await press('wang', '签收');
    await h.command('zhao', '/延期 1 至=2026-10-30 理由=汛期施工受限');
    expect(h.lastText('zhao')).toContain('等待王建国同意后报督查室审批');
    const text = readFileSync(FIXTURE_DIRECTORY, 'utf8').replace('deputies: [wang, sun]', 'deputies: [sun]');
    const changed = new Directory(parseDirectory(text, FIXTURE_DIRECTORY));
    h.rt.directory = () => changed;
    expect(await followDirectory(h.rt)).toEqual({ checked: 1, moved: 1 });
    await h.settle();
    const card = h.lastCard('sun', '同意申请');
    expect(card.title).toBe('延期申请待您同意：督字〔2026〕1号');
    // The leader who left can no longer answer it; the one who took over can.
    expect((await h.press('wang', { card: h.lastCard('wang', '同意申请'), label: '同意申请' })).toast.type).toBe('error');
    await press('sun', '同意申请', undefined, card);
    expect((await unit()).extensions[0]).toMatchObject({ status: 'pending', agreedBy: 'sun' });
  });

  it('a request of the earlier flow (a contact’s, pending at the office with no leader’s word) is still decided by the office', async () => {
    await issued('积水整治', ['jtj'], '2026-10-09');
    await h.command('li', '/延期 1 至=2026-10-30 理由=汛期施工受限');
    // As an earlier version left it: the contact's request went to the office directly.
    const key = `${h.prefix}:asg:d1:jtj`;
    const doc = JSON.parse((await h.redis.hget(key, 'doc'))!) as Assignment;
    doc.extensions[0]!.by = 'zhao';
    await h.redis.hset(key, 'doc', JSON.stringify(doc));
    const card = h.lastCard('zhang', '同意');
    await press('zhang', '同意', undefined, card);
    expect((await unit()).due).toBe('2026-10-30');
    expect(h.lastText('zhao')).toBe('督字〔2026〕1号「积水整治」延期申请已同意：办结时限由 2026年10月9日 延至 2026年10月30日。');
  });
});

describe('办结情况: 按期 / 延期后按期 / 逾期办结 / 逾期未办结', () => {
  it('each unit judged by the deadline in force, in /查看, /台账, the accepted report’s card and the 【督查日报】', async () => {
    await issued('事项甲', ['jtj', 'gaj'], '2026-10-09');
    await issued('事项乙', ['jtj', 'gaj'], '2026-10-09');
    // 事项甲: 市交通运输局 done on the 8th (按期); 市公安局 granted the 20th on the 8th, done on the 15th (延期后按期).
    h.clock.set('2026-10-08T10:00:00+08:00');
    const onTime = await complete(1, 'jtj');
    expect(onTime.note).toBe('已由张伟于 2026年10月8日 10:00 受理，该单位已办结（按期）');
    expect(h.lastText('li')).toBe('督字〔2026〕1号「事项甲」市交通运输局：办结报告已受理，该单位事项办结（按期）（张伟）。');
    await h.command('zhou', '/延期 1 至=2026-10-20 理由=需协调多部门');
    await press('chen', '同意申请');
    await press('zhang', '同意');
    h.clock.set('2026-10-15T10:00:00+08:00');
    expect((await complete(1, 'gaj')).note).toBe('已由张伟于 2026年10月15日 10:00 受理，该单位已办结（延期后按期）');
    // 事项乙: 市交通运输局 done on the 12th (逾期办结); 市公安局 still open (逾期未办结).
    h.clock.set('2026-10-12T10:00:00+08:00');
    expect((await complete(2, 'jtj')).note).toBe('已由张伟于 2026年10月12日 10:00 受理，该单位已办结（逾期办结）');
    h.clock.set('2026-10-16T08:00:00+08:00');

    await h.command('zhang', '/查看 1');
    const one = h.lastText('zhang');
    expect(one).toMatch(/· 市交通运输局（牵头）.*：已办结，期限 2026年10月9日.*；办结情况：按期\n/);
    expect(one).toMatch(/· 市公安局（配合）.*：已办结，期限 2026年10月20日.*；办结情况：延期后按期\n/);
    expect(one).toContain('市公安局：原定办结时限 2026年10月9日，已延期 1 次，现为 2026年10月20日');
    expect(one).not.toContain('市交通运输局：原定办结时限');
    await h.command('zhang', '/查看 2');
    const two = h.lastText('zhang');
    expect(two).toMatch(/· 市交通运输局（牵头）.*：已办结，期限 2026年10月9日.*；办结情况：逾期办结\n/);
    expect(two).toMatch(/· 市公安局（配合）.*：已签收办理中【逾期】，期限 2026年10月9日；办结情况：逾期未办结\n/);
    expect(two).not.toContain('办结时限及延期');

    await h.command('zhang', '/台账');
    expect(h.lastText('zhang')).toBe(
      [
        '督查台账（共 2 项）',
        '督字〔2026〕2号【重点】 事项乙｜市交通运输局：已办结·逾期办结（期限 2026年10月9日）；市公安局：已签收办理中【逾期】（期限 2026年10月9日）',
        '督字〔2026〕1号【重点】 事项甲｜市交通运输局：已办结·按期（期限 2026年10月9日）；市公安局：已办结·延期后按期（期限 2026年10月20日，已延期 1 次）',
      ].join('\n'),
    );

    const digest = await buildDigest(h.rt, { date: '2026-10-16', at: h.clock.now() } as never, false);
    expect(digest!.body).toContain('【办结情况】按期 1，延期后按期 1，逾期办结 1，逾期未办结 1（按单位计）');
  });
});
