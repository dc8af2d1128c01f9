// Scheduled messages through Feishu (the fake Open API): the receipt chase says 未读 or 已读未签收 from the notice's
// read receipts and says nothing without the permission; the second chase goes with 加急; a reminder card's 签收 works.
import { describe, expect, it } from 'vitest';
import { tick } from '../src/schedule/ticker.ts';
import type { FakeFeishu } from './helpers/fake-feishu.ts';
import { buttonsOf, FeishuSession, OPEN_ID, useFakeFeishu } from './helpers/feishu-session.ts';

let fake: FakeFeishu;
let s: FeishuSession;

useFakeFeishu((f) => (fake = f), () => s);

async function at(iso: string): Promise<void> {
  s.h.clock.set(iso);
  await tick(s.h.rt);
  await s.h.settle();
}

function chasesTo(person: string) {
  return fake.messages.filter((m) => m.receiveId === OPEN_ID[person] && JSON.stringify(m.content).includes('【签收提醒】'));
}

function fieldsOf(content: unknown): string {
  return JSON.stringify(content);
}

describe('the receipt chase on Feishu', () => {
  it('tells 未读 from 已读未签收 by the notice’s read receipts, and urges the second time', async () => {
    s = await FeishuSession.start(fake, { now: '2026-09-28T10:30:00+08:00', env: { DUCHA_CHASE_AFTER: '4' } });
    await tick(s.h.rt);
    await s.say('zhang', '/新建 道路保畅 单位=jtj 期限=2026-10-09 类别=重大');
    await s.press('zhang', '发出');
    const notice = s.lastCard('li', '签收');

    await at('2026-09-28T14:30:00+08:00');
    expect(chasesTo('li')).toHaveLength(1);
    expect(fieldsOf(chasesTo('li')[0]!.content)).toContain('未读');
    expect(fake.urgents).toHaveLength(0);

    fake.markRead(notice.messageId, OPEN_ID.li!);
    await at('2026-09-29T09:30:00+08:00');
    const [, second] = chasesTo('li');
    expect(fieldsOf(second!.content)).toContain('已读未签收');
    expect(fake.urgents.map((u) => [u.messageId, u.channel, u.userIds])).toEqual([[second!.messageId, 'app', [OPEN_ID.li]]]);
    expect(fake.messages.some((m) => m.receiveId === OPEN_ID.zhang && JSON.stringify(m.content).includes('仍未签收'))).toBe(true);

    // 签收 on the chase card itself: the card is redrawn without its button.
    const res = await s.press('li', '签收', 'li');
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.json)).toContain('已由李明于');
    expect(res.json.toast.type).toBe('success');
    expect(buttonsOf(res.json.card.data)).toHaveLength(0);
  });

  it('says nothing about reading when the app may not read receipts', async () => {
    s = await FeishuSession.start(fake, { now: '2026-09-28T10:30:00+08:00', env: { DUCHA_CHASE_AFTER: '4' } });
    await tick(s.h.rt);
    await s.say('zhang', '/新建 道路保畅 单位=jtj 期限=2026-10-09 类别=重大');
    await s.press('zhang', '发出');
    fake.readUsersDenied = true;
    await at('2026-09-28T14:30:00+08:00');
    expect(chasesTo('li')).toHaveLength(1);
    const shown = fieldsOf(chasesTo('li')[0]!.content);
    expect(shown).not.toContain('未读');
    expect(shown).not.toContain('阅读情况');
  });
});
