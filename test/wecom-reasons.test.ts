// Issue 18 in WeCom, whose template cards take no text, through the real callback route (encrypted, signed XML) and
// the fake API: 退回修改 and 不同意 pressed (template_card_event) are answered with the /退回 line and change nothing;
// the /退回 text message completes the press, the reason reaches whoever acts next, and the card is redrawn with the
// send's response code; the contact's card after 签收 and the 替换 / 保留 question read as WeCom shows them.
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

async function report(): Promise<WecomSession> {
  const w = await WecomSession.start(fake);
  await w.say('zhang', '/新建 城区主干道积水整治 单位=jtj 期限=30d 类别=民生');
  await w.press('zhang', '发出');
  await w.press('li', '签收');
  await w.say('zhao', '/报送 1 已完成排查，整改方案：分三批推进。');
  return w;
}

async function state(w: WecomSession) {
  return (await w.h.rt.store.getAssignment((await w.h.rt.store.itemIds())[0]!, 'jtj'))!.doc;
}

describe('issue 18 in WeCom', () => {
  it('the contact’s card after 签收 is markdown with the /报送 lines', async () => {
    s = await report();
    const brief = said('zhao').find((t) => t.includes('请报送办理情况'))!;
    expect(brief).toMatch(/^\*\*请报送办理情况：督字〔\d{4}〕1号\*\*\n> 中共测试市委督查室\n事项：城区主干道积水整治\n承办单位：市交通运输局\n办结时限：.+\n负责领导：李明已于 .+ 签收\n报送进展：\/报送 1 <办理情况>\n报送办结：\/报送 1 办结 <办结报告>\n/);
  });

  it('退回修改 asks for /退回, which completes it: the contact gets the reason, the card says 已退回', async () => {
    s = await report();
    const card = s.lastCard('li', '退回修改');
    const before = said('li').length;
    expect((await s.press('li', '退回修改')).status).toBe(200);
    expect(said('li').slice(before)).toEqual(['退回修改须写明理由。请发送：/退回 1 理由=<退回理由>（72 小时内有效，发送前不会退回修改）']);
    expect((await state(s)).reports[0]!.status).toBe('pending');
    expect(fake.updates.filter((u) => u.taskId === card.taskId)).toHaveLength(0);

    await s.say('li', '/退回 1 理由=数据不全，请补充各区县明细');
    expect(said('li').at(-1)).toMatch(/^已退回联络员修改：督字〔\d{4}〕1号「城区主干道积水整治」市交通运输局。退回理由：数据不全，请补充各区县明细$/);
    expect((await state(s)).reports[0]).toMatchObject({ status: 'sent_back', returnReason: '数据不全，请补充各区县明细' });
    expect(said('zhao').at(-1)).toMatch(/退回理由：数据不全，请补充各区县明细\n请修改后重新报送：\/报送 1 <办理情况>$/);
    // The card to sign is redrawn once, with the response code its send returned.
    await s.h.until('the card to sign is redrawn', () => fake.updates.some((u) => u.taskId === card.taskId));
    expect(fake.updates.filter((u) => u.taskId === card.taskId)).toEqual([
      expect.objectContaining({ responseCode: card.responseCode, userids: [USERID.li], replaceName: '已退回' }),
    ]);
  });

  it('不同意 asks for /退回 too; a /退回 without 理由 is refused naming the key', async () => {
    s = await report();
    await s.say('li', '/延期 1 至=2099-12-31 理由=汛期施工受限');
    await s.press('zhang', '不同意');
    expect(said('zhang').at(-1)).toBe('不同意延期须写明理由。请发送：/退回 1 理由=<不同意的理由>（72 小时内有效，发送前不会不同意延期）');
    await s.say('zhang', '/退回 1');
    expect(said('zhang').at(-1)).toMatch(/^\/退回 缺少「理由\/reason」，写成 理由=<文字>。/);
    expect((await state(s)).extensions[0]!.status).toBe('pending');
    await s.say('zhang', '/退回 1 理由=理由不充分');
    expect((await state(s)).extensions[0]).toMatchObject({ status: 'refused', refuseReason: '理由不充分' });
    expect(said('li').at(-1)).toMatch(/延期申请未获同意，仍须在 .+ 前办结。\n理由：理由不充分$/);
  });

  it('a second /约谈 is a template card with 替换原约谈 / 保留原约谈; 替换 redraws the head’s first card', async () => {
    s = await report();
    await s.say('zhang', '/约谈 1 单位=jtj 时间="2099-10-10 15:00" 地点=302会议室');
    const first = s.lastCard('li', '确认出席');
    await s.say('zhang', '/约谈 1 单位=jtj 时间="2099-10-12 09:00" 地点=督查室');
    const question = s.lastCard('zhang', '替换原约谈');
    expect(question.buttons.map((b) => b.text)).toEqual(['替换原约谈', '保留原约谈']);
    expect(fake.cardsTo(USERID.li!).filter((c) => c.buttons.some((b) => b.text === '确认出席'))).toHaveLength(1);
    const { responseCode } = await s.press('zhang', '替换原约谈');
    expect(fake.updates.find((u) => u.responseCode === responseCode)).toMatchObject({ taskId: question.taskId, replaceName: '已替换' });
    await s.h.until('the first summons is redrawn', () => fake.updates.some((u) => u.taskId === first.taskId));
    expect(fake.updates.find((u) => u.taskId === first.taskId)).toMatchObject({ replaceName: '已替换' });
    expect(fake.cardsTo(USERID.li!).filter((c) => c.buttons.some((b) => b.text === '确认出席'))).toHaveLength(2);
  });
});
