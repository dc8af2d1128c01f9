// Extensions in WeCom, whose template cards take no text, through the real callback route (encrypted, signed XML) and
// the fake API: a contact's /延期 reaches the unit's leader as a template card with 同意申请 / 不同意; 不同意 pressed is
// answered with the /退回 line and changes nothing until it is sent; 同意申请 puts the request to the office.
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

async function asked(): Promise<WecomSession> {
  const w = await WecomSession.start(fake);
  await w.say('zhang', '/新建 城区主干道积水整治 单位=jtj 期限=30d 类别=民生');
  await w.press('zhang', '发出');
  await w.press('li', '签收');
  await w.say('zhao', '/延期 1 至=2099-12-31 理由=汛期施工受限');
  return w;
}

async function extension(w: WecomSession) {
  return (await w.h.rt.store.getAssignment((await w.h.rt.store.itemIds())[0]!, 'jtj'))!.doc.extensions[0]!;
}

describe('extensions in WeCom', () => {
  it('the leader’s 不同意 asks for /退回, which completes it and tells the contact why', async () => {
    s = await asked();
    expect(said('zhao').at(-1)).toMatch(/^已提交延期申请（督字〔\d{4}〕1号，申请延至 2099年12月31日），等待李明同意后报督查室审批。$/);
    const card = s.lastCard('li', '同意申请');
    expect(card.buttons.map((b) => b.text)).toEqual(['同意申请', '不同意']);
    expect(fake.cardsTo(USERID.zhang!).filter((c) => c.buttons.some((b) => b.text === '同意'))).toHaveLength(0);

    await s.press('li', '不同意');
    expect(said('li').at(-1)).toBe('不同意延期申请须写明理由。请发送：/退回 1 理由=<不同意的理由>（72 小时内有效，发送前不会不同意延期申请）');
    expect((await extension(s)).status).toBe('pending_leader');
    await s.say('li', '/退回 1 理由=能够按期完成，不必延期');
    expect(said('li').at(-1)).toMatch(/^已不同意延期申请：督字〔\d{4}〕1号「城区主干道积水整治」市交通运输局。不同意的理由：能够按期完成，不必延期$/);
    expect(await extension(s)).toMatchObject({ status: 'refused', leaderRefused: true, refuseReason: '能够按期完成，不必延期' });
    expect(said('zhao').at(-1)).toMatch(/的延期申请（延至 2099年12月31日）李明不同意，仍须在 .+ 前办结。\n理由：能够按期完成，不必延期$/);
    await s.h.until('the leader’s card is redrawn', () => fake.updates.some((u) => u.taskId === card.taskId));
    expect(fake.updates.find((u) => u.taskId === card.taskId)).toMatchObject({ replaceName: '已不同意' });
    expect(fake.cardsTo(USERID.zhang!).filter((c) => c.buttons.some((b) => b.text === '同意'))).toHaveLength(0);
  });

  it('同意申请 puts it to the office as a template card with 同意 / 不同意', async () => {
    s = await asked();
    const { responseCode } = await s.press('li', '同意申请');
    expect(fake.updates.find((u) => u.responseCode === responseCode)).toMatchObject({ replaceName: '已同意，报督查室审批' });
    expect(said('zhao').at(-1)).toMatch(/的延期申请（延至 2099年12月31日）李明已同意，已报督查室审批。$/);
    await s.press('zhang', '同意');
    expect((await extension(s)).status).toBe('approved');
  });
});
