// Feishu delivery details: timeouts, rate limits, the token shared through Redis, user_id recipients,
// the per-user limit, and the long connection's handlers taking the same path as webhooks.
import { describe, expect, it, vi } from 'vitest';
import type { FakeFeishu } from './helpers/fake-feishu.ts';
import { cardAction, messageEvent } from './helpers/feishu-webhook.ts';
import { buttonsOf, FeishuSession, useFakeFeishu, OPEN_ID, TOKEN } from './helpers/feishu-session.ts';
import { FeishuAdapter } from '../src/platforms/feishu/adapter.ts';
import { RedisTokenCache } from '../src/platforms/feishu/client.ts';
import { RateLimited } from '../src/delivery/errors.ts';
import { longConnectionHandlers, startFeishuLongConnection } from '../src/platforms/feishu/long-connection.ts';

let fake: FakeFeishu;
let s: FeishuSession;

useFakeFeishu((f) => (fake = f), () => s);

async function issueTo(units: string): Promise<void> {
  await s.say('zhang', `/新建 送达测试 单位=${units} 期限=5d 类别=重大`);
  await s.press('zhang', '发出');
}

describe('Feishu delivery', () => {
  it('a slow answer times out and is retried with the same uuid: shown once', async () => {
    s = await FeishuSession.start(fake, { platformTimeoutMs: 300 });
    await s.say('zhang', '/新建 慢 单位=jtj 期限=5d 类别=重大');
    fake.failNext(1, 'slow', { slowMs: 1500 });
    await s.press('zhang', '发出');
    await s.h.settle();
    expect(fake.requests.some((r) => r.injected)).toBe(true);
    const toLi = fake.messages.filter((m) => m.receiveId === OPEN_ID.li);
    expect(toLi).toHaveLength(1);
    const liCreates = fake.requests.filter((r) => r.method === 'POST' && r.path === '/open-apis/im/v1/messages' && r.status === 200);
    expect(liCreates.length).toBeGreaterThanOrEqual(2); // the retry reached Feishu and was de-duplicated there
  });

  it('a rate limit (HTTP 429 or 99991400) slows the queue without spending an attempt', async () => {
    s = await FeishuSession.start(fake);
    await s.say('zhang', '/新建 限流 单位=jtj 期限=5d 类别=重大');
    fake.failNext(2, 'rate429');
    await s.press('zhang', '发出');
    await s.h.settle();
    expect(fake.messages.filter((m) => m.receiveId === OPEN_ID.li)).toHaveLength(1);
    const done = await s.h.rt.queues.deliver.getJobs(['completed']);
    const notice = done.find((j) => j.name === 'send' && (j.data as { person?: string }).person === 'li')!;
    expect(notice.attemptsMade).toBe(1);
  });

  it('shares one tenant token through Redis, and fetches one new token after it is revoked', async () => {
    s = await FeishuSession.start(fake);
    await issueTo('jtj,gaj');
    expect(fake.tokenRequests.filter((t) => t.ok)).toHaveLength(1);
    const keys = await s.h.redis.keys(`${s.h.prefix}:feishu:${fake.appId}:*`);
    expect(keys).toHaveLength(1);
    fake.expireTokens();
    await s.say('zhang', '/催办 1');
    expect(fake.tokenRequests.filter((t) => t.ok)).toHaveLength(2);
    expect(fake.messages.filter((m) => m.msgType === 'text' && m.receiveId === OPEN_ID.li)).toHaveLength(1);
  });

  it('sends by user_id to a person with no open_id', async () => {
    s = await FeishuSession.start(fake);
    await s.say('zhang', '/新建 按用户ID 单位=gaj 期限=5d 类别=重大');
    await s.press('zhang', '发出');
    await s.press('chen', '签收');
    // zhou (the contact, user_id only) is told at 签收 what to send, directly, by user_id.
    const brief = fake.messages.filter((m) => m.receiveIdType === 'user_id' && m.receiveId === 'zhouyan');
    expect(brief).toHaveLength(1);
    expect(JSON.stringify(brief[0]!.content)).toContain('请报送办理情况');
    await s.say('zhang', '/约谈 1 单位=gaj 时间="2099-01-05 09:00" 地点=302会议室');
    // A reply goes to the chat zhou wrote in.
    const ev = messageEvent({ token: TOKEN, openId: 'ou_unknown_zhou', userId: 'zhouyan', chatId: 'oc_zhou', text: '/报送 1 已完成' });
    expect((await s.post('/webhooks/feishu/events', ev)).status).toBe(200);
    await s.h.settle();
    expect(fake.messages.some((m) => m.receiveId === 'oc_zhou' && JSON.stringify(m.content).includes('陈刚'))).toBe(true);
    // After chen sends it back, zhou is told directly, by user_id.
    await s.press('chen', '退回修改', 'chen', undefined, { reason: '数据不全' });
    const toZhou = fake.messages.filter((m) => m.receiveIdType === 'user_id' && m.receiveId === 'zhouyan');
    expect(toZhou).toHaveLength(2);
    expect(JSON.stringify(toZhou[1]!.content)).toContain('退回修改');
  });

  it('marks urges 加急 (urgent_app) for the recipient', async () => {
    s = await FeishuSession.start(fake);
    await issueTo('jtj');
    await s.say('zhang', '/催办 1');
    expect(fake.urgents).toHaveLength(1);
    expect(fake.urgents[0]!.userIds).toEqual([OPEN_ID.li]);
  });

  it('holds a sixth message to one user within the same second', async () => {
    s = await FeishuSession.start(fake);
    const tokens = new RedisTokenCache(s.h.redis, s.h.prefix);
    const frozen = 1_800_000_000_500;
    const adapter = new FeishuAdapter({} as never, tokens, fake.appId, s.h.redis, s.h.prefix, async () => ({ token: '', expireAtMs: 0 }), () => frozen);
    for (let i = 0; i < 5; i++) await adapter.perRecipientLimit('ou_someone');
    const sixth = await adapter.perRecipientLimit('ou_someone').catch((e: unknown) => e);
    expect(sixth).toBeInstanceOf(RateLimited);
    expect((sixth as RateLimited).scope).toBe('recipient');
    expect((sixth as RateLimited).retryAfterMs).toBe(510);
    await expect(adapter.perRecipientLimit('ou_someone_else')).resolves.toBeUndefined();
  });
  it('holds a sixth reply into one chat within the same second, before calling Feishu', async () => {
    s = await FeishuSession.start(fake);
    const tokens = new RedisTokenCache(s.h.redis, s.h.prefix);
    const sent: string[] = [];
    const client = {
      im: {
        message: {
          create: async (req: { data: { receive_id: string } }) => {
            sent.push(req.data.receive_id);
            return { code: 0, data: { message_id: `om_${sent.length}` } };
          },
        },
      },
    };
    const frozen = 1_800_000_000_900;
    const adapter = new FeishuAdapter(client as never, tokens, fake.appId, s.h.redis, s.h.prefix, async () => ({ token: '', expireAtMs: 0 }), () => frozen);
    const group = { platform: 'feishu' as const, chatId: 'oc_group', direct: false };
    for (let i = 0; i < 5; i++) await adapter.reply(group, { kind: 'text', text: `第${i + 1}条` }, { dedupKey: `r${i}` });
    const sixth = await adapter.reply(group, { kind: 'text', text: '第6条' }, { dedupKey: 'r5' }).catch((e: unknown) => e);
    expect(sixth).toBeInstanceOf(RateLimited);
    expect((sixth as RateLimited).retryAfterMs).toBe(110);
    expect(sent).toEqual(Array(5).fill('oc_group'));
    await adapter.reply({ ...group, chatId: 'oc_other' }, { kind: 'text', text: '别的群' }, { dedupKey: 'o1' });
    expect(sent).toHaveLength(6);
  });
  it('holds the whole queue once 1000 messages went out within a minute', async () => {
    s = await FeishuSession.start(fake);
    const tokens = new RedisTokenCache(s.h.redis, s.h.prefix);
    const frozen = 1_800_000_030_000; // 30 s into a minute
    const adapter = new FeishuAdapter({} as never, tokens, fake.appId, s.h.redis, s.h.prefix, async () => ({ token: '', expireAtMs: 0 }), () => frozen);
    await s.h.redis.set(`${s.h.prefix}:rl:feishu:app:${fake.appId}:${Math.floor(frozen / 60_000)}`, '999');
    await expect(adapter.perAppLimit()).resolves.toBeUndefined();
    const over = await adapter.perAppLimit().catch((e: unknown) => e);
    expect(over).toBeInstanceOf(RateLimited);
    expect((over as RateLimited).scope).toBe('app');
    expect((over as RateLimited).retryAfterMs).toBe(30_010);
  });
});

describe('Feishu long connection', () => {
  it('takes messages and presses through the same path as webhooks', async () => {
    s = await FeishuSession.start(fake, { env: { FEISHU_MODE: 'websocket', FEISHU_VERIFICATION_TOKEN: '' } });
    const on = longConnectionHandlers(s.h.rt);
    // The SDK hands handlers the header and event fields merged into one object.
    const msg = messageEvent({ token: TOKEN, openId: OPEN_ID.zhang!, chatId: 'oc_zhang', text: '/新建 长连接 单位=jtj 期限=5d 类别=重大' });
    expect(await on['im.message.receive_v1']!({ ...msg.header, ...msg.event })).toEqual({});
    await s.h.settle();
    const preview = s.lastCard('zhang', '发出');
    const press = cardAction({ token: TOKEN, openId: OPEN_ID.zhang!, value: buttonsOf(preview.content)[0]!.value as object });
    const answer = (await on['card.action.trigger']!({ ...press.header, ...press.event })) as { toast: { type: string }; card: unknown };
    expect(answer.toast.type).toBe('success');
    await s.h.settle();
    expect(fake.messages.filter((m) => m.receiveId === OPEN_ID.li)).toHaveLength(1);
    // No webhook routes in this mode.
    expect(s.base).not.toBe('');
    expect((await fetch(`${s.base}/webhooks/feishu/events`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('writes nothing of the SDK to the console: its lines go through our JSON log', async () => {
    const printed: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void printed.push(a.map(String).join(' '))),
    );
    try {
      s = await FeishuSession.start(fake, { env: { FEISHU_MODE: 'websocket', FEISHU_VERIFICATION_TOKEN: '' } });
      const conn = startFeishuLongConnection(s.h.rt, s.h.rt.config.feishu!);
      conn.close();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(printed.filter((p) => p.includes('event-dispatch'))).toEqual([]);
  });

});

describe('messages too large for Feishu', () => {
  it('sends a 300 KB /查看 answer as numbered parts that each fit 150 KB, and never echoes a 100 K-character command', async () => {
    s = await FeishuSession.start(fake);
    await s.say('zhang', '/新建 长报告 单位=jtj 期限=5d 类别=重大');
    await s.press('zhang', '发出');
    await s.press('li', '签收');
    const report = `办结报告开始。${'已完成全部积水点整治，排水管网疏通。\n'.repeat(6000)}办结报告结束。`;
    expect(Buffer.byteLength(report)).toBeGreaterThan(300_000);
    await s.say('zhao', `/报送 1 办结 ${report}`);
    fake.messages = [];
    await s.say('zhang', '/查看 1');
    const parts = fake.messages.filter((m) => m.receiveId === 'oc_zhang' && m.msgType === 'text');
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) expect(Buffer.byteLength(JSON.stringify(p.content))).toBeLessThan(150 * 1024);
    const texts = parts.map((p) => (p.content as { text: string }).text);
    expect(texts[0]).toMatch(/^（1\/\d+）/);
    const whole = texts.map((t) => t.replace(/^（\d+\/\d+）/, '')).join('');
    expect(whole).toContain('办结报告开始。');
    expect(whole).toContain('办结报告结束。');

    fake.messages = [];
    await s.say('zhang', `/${'啊'.repeat(100_000)}`);
    const answer = fake.messages.filter((m) => m.receiveId === 'oc_zhang');
    expect(answer).toHaveLength(1);
    expect(JSON.stringify(answer[0]!.content).length).toBeLessThan(5000);
    expect(JSON.stringify(answer[0]!.content)).toContain(`没有「/${'啊'.repeat(20)}…」这个命令`);
  });
});
