// A joint item (牵头=) in WeCom, through the real callback route (encrypted, signed XML) and the fake API: the 配合
// unit's signed report reaches the lead unit's contact and head as the markdown card 配合单位报告, the office gets no
// 受理 card, and its /退回 of the 配合 report is refused in a text message, as each of them reads it.
import { describe, expect, it } from 'vitest';
import type { FakeWecom } from './helpers/fake-wecom.ts';
import { saidTo, useFakeWecom, USERID, WecomSession } from './helpers/wecom-session.ts';

let fake: FakeWecom;
let s: WecomSession | undefined;
useFakeWecom(
  (f) => (fake = f),
  () => s,
  () => (s = undefined),
);
const said = (person: string): string[] => saidTo(fake, person);
/** The template cards a person got (cards with buttons), by their buttons' labels. */
function buttonCards(person: string): string[][] {
  return fake
    .messagesTo(USERID[person]!)
    .filter((m) => m.msgtype === 'template_card')
    .map((m) => ((m.content as { button_list?: { text: string }[] }).button_list ?? []).map((b) => b.text));
}

describe('a joint item in WeCom', () => {
  it('the 配合 report goes to the lead unit as a card; the office has no 受理 and its /退回 is refused', async () => {
    s = await WecomSession.start(fake);
    await s.say('zhang', '/新建 联合整治占道经营 单位=jtj,gaj 期限=30d 类别=民生 牵头=市公安局');
    await s.press('zhang', '发出');
    await s.press('li', '签收');
    await s.press('chen', '签收');
    await s.say('zhao', '/报送 1 办结 交通局：已调整公交站点 8 处。');
    await s.press('li', '签署');
    await s.h.settle();

    for (const p of ['zhou', 'chen']) {
      const card = said(p).find((t) => t.startsWith('**配合单位报告'))!;
      expect(card).toMatch(/^\*\*配合单位报告：督字〔\d{4}〕1号\*\*\n> 联合整治占道经营\n牵头单位：市公安局\n本次报送：市交通运输局办结报告第 1 稿，李明 .+ 签署\n配合单位：已报送：市交通运输局；未报送：无\n/);
      expect(card).toContain('**各配合单位报送情况**\n市交通运输局：办结报告第 1 稿，李明');
      expect(card).toContain('「交通局：已调整公交站点 8 处。」');
      expect(card).toContain('配合单位的报告报市公安局汇总，不单独报督查室。');
    }
    expect(said('zhao').at(-1)).toMatch(/市交通运输局第 1 稿报告已由李明签署，已报牵头单位市公安局。$/);
    for (const p of ['zhang', 'qian']) expect(buttonCards(p).filter((b) => b.includes('受理'))).toEqual([]);

    await s.say('qian', '/退回 1 单位=jtj 理由=数据不全');
    expect(said('qian').at(-1)).toBe('市交通运输局是配合单位，其报告报牵头单位市公安局汇总，督查室不单独退回；请审核市公安局的报告');
    expect((await s.h.rt.store.getAssignment('d1', 'jtj'))!.doc.state).toBe('signed');
  });
});
