// A joint item (牵头=) in Feishu, through the real webhook routes (signed, encrypted) and the fake Open API: the 配合
// unit's signed report reaches the lead unit as the card 配合单位报告 (no buttons), the office gets no 受理 card, a
// press of 受理 on a 配合 report is refused in a toast, and the lead's 签署 card names who has reported, as read there.
import { beforeEach, describe, expect, it } from 'vitest';
import { cardKey } from '../src/chat/card-key.ts';
import type { FakeFeishu } from './helpers/fake-feishu.ts';
import { cardAction } from './helpers/feishu-webhook.ts';
import { buttonsOf, FeishuSession, OPEN_ID, TOKEN, useFakeFeishu } from './helpers/feishu-session.ts';
import { shownText } from './helpers/feishu-card-text.ts';

let fake: FakeFeishu;
let s: FeishuSession;
useFakeFeishu((f) => (fake = f), () => s);
beforeEach(async () => {
  s = await FeishuSession.start(fake);
});

const cardsTo = (person: string) => fake.messages.filter((m) => m.msgType === 'interactive' && m.receiveId === OPEN_ID[person]);

describe('a joint item in Feishu', () => {
  it('the 配合 report reaches the lead unit as a card; the office cannot take it; the lead’s 签署 card names who reported', async () => {
    await s.say('zhang', '/新建 联合整治占道经营 单位=jtj,gaj 期限=30d 类别=民生 牵头=市公安局');
    await s.press('zhang', '发出');
    await s.press('li', '签收');
    await s.press('chen', '签收');
    await s.say('zhao', '/报送 1 办结 交通局：已调整公交站点 8 处。');
    expect((await s.press('li', '签署')).json.toast).toEqual({ type: 'success', content: '已签署，报告已报牵头单位市公安局' });
    await s.h.settle();

    const joint = cardsTo('chen').find((m) => shownText(m.content).includes('配合单位报告'))!;
    const read = shownText(joint.content);
    expect(read).toMatch(/配合单位报告：督字〔\d{4}〕1号/);
    expect(read).toContain('已报送：市交通运输局；未报送：无');
    expect(read).toContain('「交通局：已调整公交站点 8 处。」');
    expect(read).toContain('配合单位的报告报市公安局汇总，不单独报督查室。');
    expect(buttonsOf(joint.content)).toHaveLength(0);
    for (const p of ['zhang', 'qian']) expect(cardsTo(p).filter((m) => buttonsOf(m.content).some((b) => b.label === '受理'))).toEqual([]);

    // A 受理 press on the 配合 report (a payload signed for the clerk) is refused in a toast; nothing changes.
    const value = { t: s.h.rt.signer.sign({ a: 'accept', k: cardKey({ kind: 'review', item: 'd1', unit: 'jtj', n: 1 }), f: 'zhang' }) };
    const res = await s.post('/webhooks/feishu/cards', cardAction({ token: TOKEN, openId: OPEN_ID.zhang!, value }));
    expect(res.json.toast).toEqual({ type: 'error', content: '不予受理：市交通运输局是配合单位，其报告报牵头单位市公安局汇总，由市公安局的办结报告一并报督查室' });
    expect((await s.h.rt.store.getAssignment('d1', 'jtj'))!.doc.state).toBe('signed');

    // 周燕 has no open_id in this directory: her /报送 goes in by the neutral entry, and what 陈刚 reads is Feishu's.
    await s.h.command('zhou', '/报送 1 办结 汇总完成。');
    expect(shownText(s.lastCard('chen', '签署').content)).toContain('配合单位：已报送：市交通运输局；未报送：无');
  });
});
