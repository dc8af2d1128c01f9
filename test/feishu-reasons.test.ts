// Issue 18 in Feishu, through the real webhook routes (signed, encrypted, as Feishu builds them) and the fake Open API:
// the contact's card after 签收 read as the contact sees it, 退回修改 as a form whose submit carries action.form_value
// (refused while empty, taken with a reason), the reason reaching the contact and the redrawn card, and a press from a
// card without a form answered with the /退回 line.
import { beforeEach, describe, expect, it } from 'vitest';
import type { FakeFeishu } from './helpers/fake-feishu.ts';
import { cardAction } from './helpers/feishu-webhook.ts';
import { buttonsOf, FeishuSession, OPEN_ID, TOKEN, useFakeFeishu } from './helpers/feishu-session.ts';
import { nodes, shownText } from './helpers/feishu-card-text.ts';

type Json = Record<string, any>;

let fake: FakeFeishu;
let s: FeishuSession;
useFakeFeishu((f) => (fake = f), () => s);
beforeEach(async () => {
  s = await FeishuSession.start(fake);
});

const textsTo = (person: string) => fake.messages.filter((m) => m.msgType === 'text' && m.receiveId === OPEN_ID[person]).map((m) => (m.content as { text: string }).text);

async function state() {
  return (await s.h.rt.store.getAssignment('d1', 'jtj'))!.doc;
}

describe('issue 18 in Feishu', () => {
  it('the contact gets the /报送 lines at 签收; 退回修改 is a form: refused empty, taken with a reason', async () => {
    await s.say('zhang', '/新建 城区主干道积水整治 单位=jtj 期限=30d 类别=民生');
    await s.press('zhang', '发出');
    expect((await s.press('li', '签收')).json.toast.type).toBe('success');

    // The contact's card, as the contact reads it.
    const brief = fake.messages.filter((m) => m.msgType === 'interactive' && m.receiveId === OPEN_ID.zhao).at(-1)!;
    const read = shownText(brief.content);
    expect(read).toContain('请报送办理情况：督字〔2026〕1号');
    expect(read).toContain('事项：城区主干道积水整治');
    expect(read).toMatch(/办结时限：\d{4}年\d+月\d+日/);
    expect(read).toMatch(/负责领导：李明已于 \d{4}年\d+月\d+日 \d\d:\d\d 签收/);
    expect(read).toContain('报送进展：/报送 1 <办理情况>');
    expect(read).toContain('报送办结：/报送 1 办结 <办结报告>');
    expect(buttonsOf(brief.content)).toHaveLength(0);

    await s.say('zhao', '/报送 1 已完成排查，整改方案：分三批推进。');
    const toSign = s.lastCard('li', '退回修改');
    const form = nodes(toSign.content).find((n) => n.tag === 'form')!;
    expect(form.elements.map((e: Json) => e.tag)).toEqual(['input', 'button']);
    expect(form.elements[0]).toMatchObject({ name: 'reason', required: true, max_length: 500, label: { content: '退回理由' } });
    expect(form.elements[1]).toMatchObject({ form_action_type: 'submit', text: { content: '退回修改' }, type: 'danger' });
    // 签署 stays a plain button outside the form.
    expect(form.elements[1].name).toBeTruthy();
    expect(nodes(form).some((n) => n.tag === 'button' && n.text?.content === '签署')).toBe(false);

    // Submitted empty (a client that let it through): refused, nothing changes.
    const empty = await s.press('li', '退回修改', 'li', undefined, { reason: '' });
    expect(empty.status).toBe(200);
    expect(empty.json.toast).toEqual({ type: 'warning', content: '退回修改须写明理由：请填写退回理由' });
    expect((await state()).reports[0]!.status).toBe('pending');

    const back = await s.press('li', '退回修改', 'li', undefined, { reason: '数据不全，请补充各区县明细' });
    expect(back.json.toast).toEqual({ type: 'success', content: '已退回联络员修改' });
    expect(buttonsOf(back.json.card.data)).toHaveLength(0);
    expect(shownText(back.json.card.data)).toMatch(/已由李明于 .* 退回联络员修改。退回理由：数据不全，请补充各区县明细/);
    expect((await state()).reports[0]).toMatchObject({ status: 'sent_back', returnReason: '数据不全，请补充各区县明细' });
    expect(textsTo('zhao').at(-1)).toBe(
      '督字〔2026〕1号「城区主干道积水整治」第 1 稿报告被李明退回修改。\n退回理由：数据不全，请补充各区县明细\n请修改后重新报送：/报送 1 <办理情况>',
    );
  });

  it('a press without a form (a card sent before it had one) is answered with the /退回 line, and /退回 completes it', async () => {
    await s.say('zhang', '/新建 背街小巷照明 单位=jtj 期限=30d 类别=民生');
    await s.press('zhang', '发出');
    await s.press('li', '签收');
    await s.say('zhao', '/报送 1 已完成。');
    const m = s.lastCard('li', '退回修改');
    const value = buttonsOf(m.content).find((b) => b.label === '退回修改')!.value as object;
    const res = await s.post('/webhooks/feishu/cards', cardAction({ token: TOKEN, openId: OPEN_ID.li!, value, messageId: m.messageId }));
    expect(res.json.toast).toEqual({ type: 'warning', content: '退回修改须写明理由。请发送：/退回 1 理由=<退回理由>（72 小时内有效，发送前不会退回修改）' });
    // The card comes back with its text box.
    expect(nodes(res.json.card.data).some((n) => n.tag === 'input')).toBe(true);
    await s.say('li', '/退回 1 理由=未写明资金来源');
    expect((await state()).reports[0]).toMatchObject({ status: 'sent_back', returnReason: '未写明资金来源' });
  });
});
