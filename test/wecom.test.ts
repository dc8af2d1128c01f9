// WeCom end to end, through the callback route as WeCom calls it (encrypted, signed XML) and a local fake of its API:
// Tencent's sample vector through the route, every malformed callback refused with 4xx and nothing changed, the whole
// life of an item with template cards, a press by the wrong person, the API failing a third of the time, invaliduser
// told to the office, the per-person limits never reached, 60020 explained once, and a mixed Feishu/WeCom office.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { WecomAdapter } from '../src/platforms/wecom/adapter.ts';
import { WecomCrypto } from '../src/platforms/wecom/crypto.ts';
import { RateLimited } from '../src/delivery/errors.ts';
import { FakeFeishu } from './helpers/fake-feishu.ts';
import type { FakeWecom } from './helpers/fake-wecom.ts';
import { buttonsOf, KEY, OPEN_ID, TOKEN } from './helpers/feishu-session.ts';
import { cardAction, messageEvent, signedRequest } from './helpers/feishu-webhook.ts';
import { REDIS_URL } from './helpers/harness.ts';
import { AES_KEY, AGENT_ID, CORP_ID, signedCallback, textXml, useFakeWecom, USERID, WECOM_TOKEN, WecomSession } from './helpers/wecom-session.ts';
import { Redis } from 'ioredis';

let fake: FakeWecom;
let s: WecomSession | undefined;

useFakeWecom(
  (f) => (fake = f),
  () => s,
  () => (s = undefined),
);

async function nothingQueued(): Promise<void> {
  const counts = await s!.h.rt.queues.inbound.getJobCounts('waiting', 'active', 'completed', 'delayed', 'failed');
  expect(counts).toEqual({ waiting: 0, active: 0, completed: 0, delayed: 0, failed: 0 });
  expect(fake.messages).toHaveLength(0);
}

describe('the callback route', () => {
  it('answers the URL check of Tencent’s sample vector A with the decrypted echostr, exactly', async () => {
    s = await WecomSession.start(fake, {
      env: { WECOM_CORP_ID: 'wx5823bf96d3bd56c7', WECOM_TOKEN: 'QDG6eK', WECOM_ENCODING_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' },
    });
    const echostr = encodeURIComponent('P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==');
    const res = await fetch(`${s.base}/webhooks/wecom?msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780&echostr=${echostr}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1616140317555161061');
    // One character of the signature changed: refused.
    const bad = await fetch(`${s.base}/webhooks/wecom?msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd4&timestamp=1409659589&nonce=263014780&echostr=${echostr}`);
    expect(bad.status).toBe(401);
    expect(await bad.text()).not.toContain('1616');
  });

  it('refuses every malformed callback with a 4xx, never a 500, and changes nothing', async () => {
    s = await WecomSession.start(fake);
    const good = signedCallback(textXml(USERID.zhang!, '/帮助'));
    const cases: [string, () => Promise<{ status: number }>][] = [
      ['a bad signature', () => s!.raw(good.query.replace(/msg_signature=[0-9a-f]/, 'msg_signature=x'), good.body)],
      ['no signature', () => s!.raw(good.query.replace(/msg_signature=[^&]*&/, ''), good.body)],
      ['the wrong corp id inside', () => {
        const other = signedCallback(textXml(USERID.zhang!, '/帮助'), { crypto: new WecomCrypto(WECOM_TOKEN, AES_KEY, 'wwsomeoneelse') });
        return s!.raw(other.query, other.body);
      }],
      ['a truncated Encrypt', () => {
        const enc = /<Encrypt><!\[CDATA\[(.*?)\]\]><\/Encrypt>/.exec(good.body)![1]!;
        const cut = enc.slice(0, enc.length - 7);
        const crypto = new WecomCrypto(WECOM_TOKEN, AES_KEY, CORP_ID);
        const q = new URLSearchParams(good.query);
        const sig = crypto.signature(q.get('timestamp')!, q.get('nonce')!, cut);
        return s!.raw(`msg_signature=${sig}&timestamp=${q.get('timestamp')}&nonce=${q.get('nonce')}`, good.body.replace(enc, cut));
      }],
      ['bad padding', () => {
        // Signed properly, but the ciphertext decrypts to a last block whose padding bytes disagree.
        const crypto = new WecomCrypto(WECOM_TOKEN, AES_KEY, CORP_ID);
        const enc = /<Encrypt><!\[CDATA\[(.*?)\]\]><\/Encrypt>/.exec(good.body)![1]!;
        const bytes = Buffer.from(enc, 'base64');
        bytes[bytes.length - 17] = bytes[bytes.length - 17]! ^ 0x55; // CBC: flips the last plaintext byte, the padding length itself
        const bad = bytes.toString('base64');
        const q = new URLSearchParams(good.query);
        const sig = crypto.signature(q.get('timestamp')!, q.get('nonce')!, bad);
        return s!.raw(`msg_signature=${sig}&timestamp=${q.get('timestamp')}&nonce=${q.get('nonce')}`, good.body.replace(enc, bad));
      }],
      ['an XML entity bomb', () =>
        s!.raw(good.query, `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><Encrypt>&c;</Encrypt></xml>`)],
      ['not XML', () => s!.raw(good.query, 'hello')],
      ['a 2 MB body', () => s!.raw(good.query, Buffer.alloc(2 * 1024 * 1024, 'a'))],
      ['a stale timestamp', () => {
        const old = signedCallback(textXml(USERID.zhang!, '/帮助'), { timestamp: Math.floor(Date.now() / 1000) - 3600 });
        return s!.raw(old.query, old.body);
      }],
    ];
    for (const [what, send] of cases) {
      const res = await send();
      expect(res.status, what).toBeGreaterThanOrEqual(400);
      expect(res.status, what).toBeLessThan(500);
    }
    await s.h.settle();
    await nothingQueued();
    // And the good one goes through.
    expect((await s.raw(good.query, good.body)).status).toBe(200);
  });

  it('writes one line at info for a request with a bad signature, its request line, and says why only at debug', async () => {
    const lines: { level: number; msg: string; status?: number }[] = [];
    const log = pino({ level: 'debug' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }));
    s = await WecomSession.start(fake, { log });
    const good = signedCallback(textXml(USERID.zhang!, '/帮助'));
    for (const query of [good.query.replace(/msg_signature=[0-9a-f]/, 'msg_signature=x'), `${good.query.replace(/msg_signature=[0-9a-f]/, 'msg_signature=x')}&echostr=abc`]) {
      lines.length = 0;
      const res = query.includes('echostr') ? await fetch(`${s.base}/webhooks/wecom?${query}`) : await s.raw(query, good.body);
      expect(res.status).toBe(401);
      expect(lines.filter((l) => l.level >= 30)).toEqual([expect.objectContaining({ level: 30, msg: '请求', status: 401 })]);
      expect(lines.filter((l) => l.level < 30)).toHaveLength(1);
    }
  });

  it('keeps 007 as typed and takes a message once however often WeCom retries it', async () => {
    s = await WecomSession.start(fake);
    const xml = textXml(USERID.zhang!, '/查看 007', '1234567890123456789');
    for (let i = 0; i < 3; i++) expect((await s.post(xml)).status).toBe(200);
    await s.h.settle();
    const jobs = await s.h.rt.queues.inbound.getJobs(['completed']);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.data).toMatchObject({ id: '1234567890123456789', text: '/查看 007', sender: { platform: 'wecom', ids: ['ZhangWei'] } });
  });
});

describe('the life of an item in WeCom', () => {
  it('new → preview → 发出 → 签收 → report → 签署 → 受理 → 办结, a press by the wrong person refused', async () => {
    s = await WecomSession.start(fake);
    await s.say('zhang', '/新建 城区主干道积水整治 单位=jtj 期限=5工作日 类别=民生');
    expect(s.lastCard('zhang', '发出').buttons.map((b) => b.text)).toEqual(['发出', '取消']);
    await s.press('zhang', '发出');
    const notice = s.lastCard('li', '签收');
    expect(notice.taskId).toMatch(/^[A-Za-z0-9_\-@]{1,128}$/);

    // 王建国 presses 李明's card: refused, told so, nothing changes.
    expect((await s.press('wang', '签收', 'li')).status).toBe(200);
    expect(fake.messagesTo(USERID.wang!).map((m) => JSON.stringify(m.content))).toEqual([expect.stringContaining('李明')]);
    expect(await firstState(s)).toBe('issued');

    const { responseCode } = await s.press('li', '签收');
    expect(await firstState(s)).toBe('received');
    // The pressed card shows the result in place, with that press's response code.
    expect(fake.updates.find((u) => u.responseCode === responseCode)).toMatchObject({ taskId: notice.taskId, userids: [USERID.li], replaceName: '已签收' });

    const report = `办结报告：${'已完成全部 12 处积水点整治，排水管网疏通 3.2 公里，新增泵站两座。'.repeat(6)}`;
    await s.say('zhao', `/报送 1 办结 ${report}`);
    // Too long for a template card: the whole report goes as markdown just before the card to sign.
    const toLi = fake.messagesTo(USERID.li!);
    const signAt = toLi.findIndex(
      (m) => m.msgtype === 'template_card' && (m.content as { button_list?: { text: string }[] }).button_list?.some((b) => b.text === '签署'),
    );
    expect(signAt).toBeGreaterThan(0);
    expect(toLi[signAt - 1]!.msgtype).toBe('markdown');
    expect(JSON.stringify(toLi[signAt - 1]!.content)).toContain('新增泵站两座');
    await s.press('li', '签署');
    await s.press('zhang', '受理');
    expect(await firstState(s)).toBe('completed');
    const item = await s.h.rt.store.getItem(await onlyItemId(s));
    expect(item?.item.status).toBe('completed');
    expect(fake.dropped).toHaveLength(0);
  });

  it('with the API failing a third of the time (5xx, 45009, expired tokens), every message arrives exactly once', async () => {
    s = await WecomSession.start(fake, { platformTimeoutMs: 2000 });
    fake.failRandomly(1 / 3, ['5xx', 'rate', 'expired'], 7);
    await s.say('zhang', '/新建 背街小巷照明 单位=jtj,gaj 期限=5工作日 类别=民生');
    await s.h.until('the preview arrives', () => fake.cardsTo(USERID.zhang!).length > 0, 20_000);
    await s.press('zhang', '发出');
    await s.h.until('both heads have the notice', () => fake.cardsTo(USERID.li!).length > 0 && fake.cardsTo(USERID.chen!).length > 0, 20_000);
    await s.press('li', '签收');
    await s.press('chen', '签收');
    await s.h.settle();
    fake.clearFailures();
    expect(fake.requests.filter((r) => r.errcode !== 0 || r.status !== 200).length).toBeGreaterThan(3);
    // Exactly once each: one preview, one notice per head, no text shown twice.
    expect(fake.cardsTo(USERID.zhang!)).toHaveLength(1);
    expect(fake.cardsTo(USERID.li!)).toHaveLength(1);
    expect(fake.cardsTo(USERID.chen!)).toHaveLength(1);
    const bodies = fake.messages.map((m) => `${m.touser.join('|')} ${JSON.stringify(m.content)}`);
    expect(new Set(bodies).size).toBe(bodies.length);
    expect(fake.dropped).toHaveLength(0);
  });
});

describe('WeCom delivery', () => {
  it('tells the office when WeCom says a person is invalid (invaliduser)', async () => {
    s = await WecomSession.start(fake);
    fake.unknownUsers.add(USERID.chen!);
    await s.say('zhang', '/新建 事项 单位=gaj 期限=5工作日 类别=民生');
    await s.press('zhang', '发出');
    await s.h.until('the office hears of it', () =>
      fake.messagesTo(USERID.zhang!).some((m) => JSON.stringify(m.content).includes('【送达失败】') && JSON.stringify(m.content).includes('陈刚')),
    );
  });

  it('never sends a person more than 30 a minute: the 31st waits for the window', async () => {
    const redis = new Redis(REDIS_URL);
    const prefix = `wecomrl${process.pid}`;
    let now = Date.parse('2026-12-03T10:00:00Z');
    // WeCom's own windows on the same clock as ours.
    fake.now = () => now;
    try {
      const adapter = new WecomAdapter(
        { corpId: CORP_ID, agentId: AGENT_ID, secret: fake.secret, token: WECOM_TOKEN, encodingAesKey: AES_KEY, baseUrl: fake.url },
        redis,
        prefix,
        pino({ level: 'silent' }),
        5000,
        () => now,
      );
      const li = { id: 'li', name: '李明', wecom: { userid: USERID.li! }, prefer: 'wecom' as const };
      for (let i = 0; i < 30; i++) await adapter.send(li, { kind: 'text', text: `第 ${i + 1} 条` }, { dedupKey: `k${i}` });
      const refused = await adapter.send(li, { kind: 'text', text: '第 31 条' }, { dedupKey: 'k30' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RateLimited);
      expect((refused as RateLimited).scope).toBe('recipient');
      expect((refused as RateLimited).retryAfterMs).toBeGreaterThan(59_000);
      now += 60_001;
      await adapter.send(li, { kind: 'text', text: '第 31 条' }, { dedupKey: 'k30' });
      expect(fake.messagesTo(USERID.li!)).toHaveLength(31);
      expect(fake.dropped).toHaveLength(0);
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  });

  it('on 60020 says once, in one line, which IP the admin must add to the app’s trusted list', async () => {
    const redis = new Redis(REDIS_URL);
    const prefix = `wecomip${process.pid}`;
    const lines: { msg: string }[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }));
    try {
      const adapter = new WecomAdapter(
        { corpId: CORP_ID, agentId: AGENT_ID, secret: fake.secret, token: WECOM_TOKEN, encodingAesKey: AES_KEY, baseUrl: fake.url },
        redis,
        prefix,
        log,
      );
      const li = { id: 'li', name: '李明', wecom: { userid: USERID.li! }, prefer: 'wecom' as const };
      fake.failNext(2, 'ip');
      await expect(adapter.send(li, { kind: 'text', text: 'x' }, { dedupKey: 'a' })).rejects.toThrow(/可信 IP/);
      await expect(adapter.send(li, { kind: 'text', text: 'y' }, { dedupKey: 'b' })).rejects.toThrow(/可信 IP/);
      const said = lines.filter((l) => l.msg.includes('企业可信IP'));
      expect(said).toHaveLength(1);
      expect(said[0]!.msg).toMatch(/\d+\.\d+\.\d+\.\d+/);
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  });
});

describe('a mixed office', () => {
  it('a clerk on Feishu issues to a head on Feishu and a head on WeCom: each gets it on their own platform', async () => {
    const feishu = await FakeFeishu.start({ appSecret: 'mixed-secret' });
    try {
      s = await WecomSession.start(fake, {
        directory: 'test/fixtures/directory.yaml',
        env: {
          FEISHU_APP_ID: feishu.appId,
          FEISHU_APP_SECRET: feishu.appSecret,
          FEISHU_VERIFICATION_TOKEN: TOKEN,
          FEISHU_ENCRYPT_KEY: KEY,
          FEISHU_BASE_URL: feishu.url,
        },
      });
      const postFeishu = async (path: string, body: object) => {
        const { headers, rawBody } = signedRequest(body, { encryptKey: KEY });
        return fetch(s!.base + path, { method: 'POST', headers, body: rawBody });
      };
      await postFeishu('/webhooks/feishu/events', messageEvent({ token: TOKEN, openId: OPEN_ID.zhang!, chatId: 'oc_zhang', chatType: 'p2p', text: '/新建 联合执法 单位=jtj,gaj 期限=5工作日 类别=民生' }));
      await s.h.until('the preview reaches the clerk on Feishu', () => feishu.messages.some((m) => buttonsOf(m.content).some((b) => b.label === '发出')));
      const preview = feishu.messages.find((m) => buttonsOf(m.content).some((b) => b.label === '发出'))!;
      const value = buttonsOf(preview.content).find((b) => b.label === '发出')!.value as object;
      await postFeishu('/webhooks/feishu/cards', cardAction({ token: TOKEN, openId: OPEN_ID.zhang!, value, messageId: preview.messageId }));
      await s.h.until('both notices are out', () => feishu.messages.some((m) => m.receiveId === OPEN_ID.li) && fake.cardsTo('ChenGang').length === 1);
      expect(fake.messagesTo('LiMing')).toHaveLength(0);
      // 陈刚 answers on WeCom: recognised, and it counts.
      await s.press('chen', '签收');
      expect((await s.h.rt.store.getAssignment(await onlyItemId(s), 'gaj'))?.doc.state).toBe('received');
    } finally {
      await s?.close();
      s = undefined;
      await feishu.close();
    }
  });
});

async function onlyItemId(session: WecomSession): Promise<string> {
  const ids = await session.h.rt.store.itemIds();
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

async function firstState(session: WecomSession): Promise<string> {
  const id = await onlyItemId(session);
  const item = await session.h.rt.store.getItem(id);
  return item!.item.assignments[0]!.state;
}
