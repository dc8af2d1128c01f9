// A "no" says why (issue 18, point 2), through the neutral entry points on real Redis: 退回修改, 退回 and 不同意 with a
// reason typed on the card; a press from a card that took no text (WeCom) answered with the /退回 line and completed by
// it; a "no" without a reason refused with nothing changed; the reason recorded, audited, on the redrawn card, told to
// whoever acts next and shown by /查看; /退回 on its own picking the report waiting for the person.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Card } from '../src/chat/message.ts';
import type { Assignment } from '../src/domain/types.ts';
import { createHarness, recordsOf, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

async function unit(unit = 'jtj', id = 'd1'): Promise<Assignment> {
  const a = await h.rt.store.getAssignment(id, unit);
  if (!a) throw new Error(`no ${unit} on ${id}`);
  return a.doc;
}

async function pressOk(person: string, label: string, reason?: string, card: Card = h.lastCard(person, label)): Promise<void> {
  const answer = await h.press(person, { card, label, ...(reason === undefined ? {} : { reason }) });
  expect(answer.toast.type, answer.toast.text).toBe('success');
}

/** Item 2026-1 issued to the units, each received by its head, with a report from its contact waiting for signature. */
async function reported(units = ['jtj'], sign = false): Promise<void> {
  await h.command('zhang', `/新建 积水整治 单位=${units.join('、')} 期限=2026-10-30 类别=民生`);
  await pressOk('zhang', '发出');
  const people: Record<string, [string, string]> = { jtj: ['li', 'zhao'], gaj: ['chen', 'zhou'] };
  for (const u of units) {
    const [head, contact] = people[u]!;
    await pressOk(head, '签收');
    await h.command(contact, `/报送 1 ${u} 已完成排查，整改方案：分三批推进。`);
    if (sign) await pressOk(head, '签署');
  }
}

/** The records with the asks for a reason left out: what a refused "no" must leave exactly as it was. */
async function records(): Promise<Record<string, unknown>> {
  const all = await recordsOf(h.redis, h.prefix);
  return Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith(`${h.prefix}:ask:`)));
}

const lastUpdate = (person: string, title: string) => [...h.feishu.updates, ...h.wecom.updates].filter((u) => u.viewer === person && u.card.title === title).at(-1)?.card;

describe('退回修改: the leader sends a report back with a reason', () => {
  it('is drawn with a text box, refuses an empty or too long reason and changes nothing', async () => {
    await reported();
    const card = h.lastCard('li', '退回修改');
    expect(card.buttons.find((b) => b.text === '退回修改')!.input).toMatchObject({ name: 'reason', label: '退回理由', required: true, maxLength: 500 });
    expect(card.buttons.find((b) => b.text === '签署')!.input).toBeUndefined();
    const before = await recordsOf(h.redis, h.prefix);
    const empty = await h.press('li', { card, label: '退回修改', reason: ' \n ' });
    expect(empty.toast).toEqual({ type: 'warning', text: '退回修改须写明理由：请填写退回理由' });
    const long = await h.press('li', { card, label: '退回修改', reason: '很'.repeat(501) });
    expect(long.toast).toEqual({ type: 'warning', text: '退回理由最多 500 字，现有 501 字，请精简后再提交' });
    // Not even an ask is kept: the card could take the text, it was just not given.
    expect(await recordsOf(h.redis, h.prefix)).toEqual(before);
    expect(card.buttons).toHaveLength(2);
  });

  it('records the reason, tells the contact with the /报送 line, redraws the card and shows it in /查看', async () => {
    await reported();
    await pressOk('li', '退回修改', '  数据不全，请补充各区县明细 ');
    const r = (await unit()).reports[0]!;
    expect(r).toMatchObject({ status: 'sent_back', reviewedBy: 'li', returnReason: '数据不全，请补充各区县明细' });
    expect((await unit()).state).toBe('returned');
    const audit = (await h.rt.store.audit('d1')).at(-1)!;
    expect([audit.action, audit.actor, JSON.parse(audit.detail!)]).toEqual(['send_back', 'li', { version: 1, reason: '数据不全，请补充各区县明细' }]);
    expect(h.lastText('zhao')).toBe(
      '督字〔2026〕1号「积水整治」第 1 稿报告被李明退回修改。\n退回理由：数据不全，请补充各区县明细\n请修改后重新报送：/报送 1 <办理情况>',
    );
    const redrawn = lastUpdate('li', '请签署进展报告：督字〔2026〕1号')!;
    expect(redrawn.buttons).toHaveLength(0);
    expect(redrawn.note).toBe('已由李明于 2026年9月28日 09:00 退回联络员修改。退回理由：数据不全，请补充各区县明细');

    await h.command('zhao', '/查看 1');
    const shown = h.lastText('zhao');
    expect(shown).toContain('最新报告第 1 稿，未签署，已退回联络员修改（理由：数据不全，请补充各区县明细）');
    expect(shown).toContain('李明 退回联络员修改（市交通运输局）：数据不全，请补充各区县明细');
  });
});

describe('a press from a card that took no text (WeCom)', () => {
  it('is answered with the /退回 line and changes nothing; /退回 completes that very press', async () => {
    await reported();
    const before = await records();
    const asked = await h.press('li', { card: h.lastCard('li', '退回修改'), label: '退回修改' });
    expect(asked.toast).toEqual({
      type: 'warning',
      text: '退回修改须写明理由。请发送：/退回 1 理由=<退回理由>（72 小时内有效，发送前不会退回修改）',
    });
    expect(await records()).toEqual(before);
    expect([...(await h.rt.store.reasonAsks('li', 'd1')).entries()]).toEqual([
      ['jtj', { a: 'send_back', k: 'sign:d1:jtj:1', unit: 'jtj', at: h.clock.now() }],
    ]);

    await h.command('li', '/退回 1 理由=数据不全');
    expect(h.lastText('li')).toBe('已退回联络员修改：督字〔2026〕1号「积水整治」市交通运输局。退回理由：数据不全');
    expect((await unit()).reports[0]).toMatchObject({ status: 'sent_back', returnReason: '数据不全' });
    expect(h.lastText('zhao')).toContain('退回理由：数据不全');
    expect(lastUpdate('li', '请签署进展报告：督字〔2026〕1号')!.note).toContain('退回理由：数据不全');
    expect((await h.rt.store.reasonAsks('li', 'd1')).size).toBe(0);
  });

  it('不同意 waits for /退回, which refuses the extension even beside a signed report; the next /退回 returns the report', async () => {
    await reported(['jtj'], true);
    // 钱芳 (on WeCom) owns it now: the extension request comes to her.
    await h.command('zhang', '/转交 1 督查员=钱芳');
    await h.command('li', '/延期 1 至=2026-11-15 理由=汛期施工受限');
    const asked = await h.press('qian', { card: h.lastCard('qian', '不同意'), label: '不同意' });
    expect(asked.toast.text).toBe('不同意延期须写明理由。请发送：/退回 1 理由=<不同意的理由>（72 小时内有效，发送前不会不同意延期）');
    expect((await unit()).extensions[0]!.status).toBe('pending');

    await h.command('qian', '/退回 1 理由=理由不充分，须按原期限办结');
    expect(h.lastText('qian')).toBe('已不同意延期：督字〔2026〕1号「积水整治」市交通运输局。不同意的理由：理由不充分，须按原期限办结');
    const a = await unit();
    expect(a.extensions[0]).toMatchObject({ status: 'refused', decidedBy: 'qian', refuseReason: '理由不充分，须按原期限办结' });
    expect(a.reports[0]!.status).toBe('signed');
    expect(h.lastText('li')).toBe('督字〔2026〕1号「积水整治」延期申请未获同意，仍须在 2026年10月30日 前办结。\n理由：理由不充分，须按原期限办结');
    expect(lastUpdate('qian', '延期申请：督字〔2026〕1号')!.note).toMatch(/不同意。理由：理由不充分，须按原期限办结$/);

    await h.command('qian', '/退回 1 理由=未附整改照片');
    expect((await unit()).reports[0]).toMatchObject({ status: 'returned', reviewedBy: 'qian', returnReason: '未附整改照片' });
  });

  it('an ask overtaken by another press is dropped with the refusal, and /退回 then looks for a report', async () => {
    await reported();
    await h.press('li', { card: h.lastCard('li', '退回修改'), label: '退回修改' });
    await pressOk('li', '签署');
    await h.command('li', '/退回 1 理由=改主意了');
    expect(h.lastText('li')).toBe('这份报告已经签署');
    expect((await h.rt.store.reasonAsks('li', 'd1')).size).toBe(0);
    await h.command('li', '/退回 1 理由=改主意了');
    expect(h.lastText('li')).toBe('督字〔2026〕1号没有等待您签署的报告，无可退回');
    expect((await unit()).reports[0]!.status).toBe('signed');
  });
});

describe('退回: the office returns a signed report with a reason', () => {
  it('by button or by /退回 (单位= when two units have one), each unit told, and /查看 shows why', async () => {
    await reported(['jtj', 'gaj'], true);
    await h.command('zhang', '/退回 1 理由=未附整改照片');
    expect(h.lastText('zhang')).toMatch(/^有 2 个单位的报告可退回（市交通运输局、市公安局），请用 单位= 指明是哪一个\n用法：\/退回 /);
    expect((await unit('gaj')).reports[0]!.status).toBe('signed');

    await h.command('zhang', '/退回 1 单位=市公安局 理由=未附整改照片');
    expect((await unit('gaj')).reports[0]).toMatchObject({ status: 'returned', reviewedBy: 'zhang', returnReason: '未附整改照片' });
    expect(h.lastText('zhou')).toBe(
      '督字〔2026〕1号「积水整治」市公安局第 1 稿报告被督查室（张伟）退回。\n退回理由：未附整改照片\n请修改后重新报送：/报送 1 <办理情况>，并经陈刚签署。',
    );
    expect(h.lastText('chen')).toBe('督字〔2026〕1号「积水整治」市公安局第 1 稿报告被督查室（张伟）退回。\n退回理由：未附整改照片\n联络员修改重报后，请再签署。');
    // The owner's card (the other clerk got none), redrawn with the reason.
    for (const clerk of ['zhang']) {
      const review = [...h.feishu.updates, ...h.wecom.updates].filter((u) => u.viewer === clerk && u.card.fields.some((f) => f.value === '市公安局')).at(-1)!;
      expect(review.card.note).toMatch(/^已由张伟于 .* 退回。退回理由：未附整改照片$/);
    }

    // The other unit's by button: the text box's reason. Handed to 钱芳 first: the card waiting for 受理 comes to her.
    await h.command('zhang', '/转交 1 督查员=钱芳');
    const jtjReview = h
      .received('qian')
      .flatMap((s) => (s.message.kind === 'card' ? [s.message.card] : []))
      .find((c) => c.buttons.some((b) => b.text === '退回') && c.fields.some((f) => f.value === '市交通运输局'))!;
    expect(jtjReview.buttons.find((b) => b.text === '退回')!.input).toMatchObject({ label: '退回理由', required: true });
    await pressOk('qian', '退回', '整改方案缺少资金安排', jtjReview);
    expect((await unit('jtj')).reports[0]).toMatchObject({ status: 'returned', returnReason: '整改方案缺少资金安排' });

    await h.command('zhao', '/查看 1');
    const shown = h.lastText('zhao');
    expect(shown).toContain('李明已签署，已被督查室退回（理由：整改方案缺少资金安排）');
    expect(shown).toContain('张伟 退回报告（市公安局）：未附整改照片');
    expect(shown).toContain('钱芳 退回报告（市交通运输局）：整改方案缺少资金安排');
  });

  it('is refused to a contact, and to a leader who does not lead the item', async () => {
    await reported();
    await h.command('zhao', '/退回 1 理由=不想要了');
    expect(h.lastText('zhao')).toBe('只有督查室工作人员或负责领导才能退回');
    await h.command('wang', '/退回 1 理由=不想要了');
    expect(h.lastText('wang')).toBe('督字〔2026〕1号不是由您负责签署的事项，只有督查室不限单位；承办单位的负责领导限本单位才能退回');
    expect((await unit()).reports[0]!.status).toBe('pending');
  });
});
