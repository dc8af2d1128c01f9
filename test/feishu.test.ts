// Feishu end to end: signed, encrypted webhooks built as Feishu builds them, posted to the real routes;
// a local fake of the Open API receives what the SDK sends. The whole life of an item runs in Feishu.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Harness } from './helpers/harness.ts';
import type { FakeFeishu } from './helpers/fake-feishu.ts';
import { cardAction, encrypt, legacyCardAction, messageEvent, signedRequest, signRaw, urlVerification, type SignOptions } from './helpers/feishu-webhook.ts';
import { buttonsOf, FeishuSession, useFakeFeishu, KEY, OPEN_ID, TOKEN } from './helpers/feishu-session.ts';
import { tokenFromAction } from '../src/platforms/feishu/render.ts';

let fake: FakeFeishu;
let s: FeishuSession;
let h: Harness;

useFakeFeishu((f) => (fake = f), () => s);

async function setUp(): Promise<void> {
  s = await FeishuSession.start(fake);
  h = s.h;
}

const post = (path: string, body: object, sign?: SignOptions) => s.post(path, body, sign);
const say = (person: string, text: string) => s.say(person, text);
const lastCard = (person: string, label: string) => s.lastCard(person, label);
const press = (person: string, label: string, of?: string) => s.press(person, label, of);
const base = () => s.base;

async function state(id = 'd1') {
  return (await h.rt.store.getItem(id))?.item;
}

describe('requests that fail verification', () => {
  it('each writes one line at info, its request line, and says why only at debug', async () => {
    const lines: { level: number; msg: string; status?: number }[] = [];
    const log = pino({ level: 'debug' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }));
    s = await FeishuSession.start(fake, { log });
    h = s.h;
    lines.length = 0;
    const ev = messageEvent({ token: TOKEN, openId: OPEN_ID.zhang!, text: '/帮助' });
    const good = signedRequest(ev, { encryptKey: KEY });
    const junk: [string, () => Promise<Response | { status: number }>][] = [
      ['a bad signature', () => fetch(`${base()}/webhooks/feishu/events`, { method: 'POST', headers: { ...good.headers, 'x-lark-signature': '0'.repeat(64) }, body: good.rawBody })],
      ['no signature', () => fetch(`${base()}/webhooks/feishu/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: good.rawBody })],
      ['another key', () => post('/webhooks/feishu/events', ev, { encryptKey: 'another-key' })],
      ['not JSON', () => fetch(`${base()}/webhooks/feishu/cards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' })],
    ];
    for (const [what, send] of junk) {
      lines.length = 0;
      const res = await send();
      expect(res.status, what).toBeGreaterThanOrEqual(400);
      expect(lines.filter((l) => l.level >= 30), what).toEqual([expect.objectContaining({ level: 30, msg: '请求', status: res.status })]);
      expect(lines.filter((l) => l.level < 30), what).toHaveLength(1);
    }
  });
});

describe('Feishu webhooks', () => {
  beforeEach(() => setUp());

  it('answers the URL check, plain and encrypted', async () => {
    const plain = await post('/webhooks/feishu/events', urlVerification({ token: TOKEN, challenge: 'abc123' }), {});
    expect(plain).toEqual({ status: 200, json: { challenge: 'abc123' } });
    const enc = await post('/webhooks/feishu/events', urlVerification({ token: TOKEN, challenge: '密文挑战' }));
    expect(enc).toEqual({ status: 200, json: { challenge: '密文挑战' } });
    const wrong = await post('/webhooks/feishu/events', urlVerification({ token: 'nope', challenge: 'x' }), {});
    expect(wrong.status).toBe(401);
  });

  it('runs the whole life of a key item in Feishu', async () => {
    await say('zhang', '/新建 城区主干道积水整治 单位=jtj 期限=5d 类别=民生');
    const preview = lastCard('zhang', '发出');
    expect(preview.receiveIdType).toBe('chat_id');
    const issued = await press('zhang', '发出');
    expect(issued.status).toBe(200);
    expect(issued.json.toast.type).toBe('success');
    expect(buttonsOf(issued.json.card.data)).toHaveLength(0);

    const notice = lastCard('li', '签收');
    expect(notice.receiveIdType).toBe('open_id');
    expect(notice.uuid).toBeTruthy();
    expect(JSON.stringify(notice.content)).toContain('督字〔2026〕1号');
    expect((notice.content as any).header.template).toBe('red');

    // Someone else pressing the head's 签收 is refused, and nothing changes.
    const wrong = await press('wang', '签收', 'li');
    expect(wrong.json.toast.type).toBe('error');
    expect(wrong.json.card).toBeUndefined();
    expect((await state())!.assignments[0]!.state).toBe('issued');

    const got = await press('li', '签收');
    expect(got.json.toast.type).toBe('success');
    expect(buttonsOf(got.json.card.data)).toHaveLength(0);
    expect(JSON.stringify(got.json.card.data)).toContain('李明');
    // The head's copy is patched in place too.
    expect(fake.patches.some((p) => p.messageId === notice.messageId && buttonsOf(p.content).length === 0)).toBe(true);

    await say('zhao', '/报送 1 办结 已完成全部整治');
    await press('li', '签署');
    // The review card goes to the item's owner (督查员: the clerk who drafted it), not to every clerk.
    expect(lastCard('zhang', '受理').messageId).toBeTruthy();
    const accepted = await press('zhang', '受理');
    expect(accepted.json.toast.content).toContain('办结');
    expect((await state())!.status).toBe('completed');
    expect(() => lastCard('qian', '受理')).toThrow();
  });

  it('refuses a bad signature, a wrong token and an undecryptable body, and changes nothing', async () => {
    const ev = messageEvent({ token: TOKEN, openId: OPEN_ID.zhang!, chatType: 'p2p', text: '/新建 测试 单位=jtj 期限=5d' });
    const good = signedRequest(ev, { encryptKey: KEY });
    const tampered = await fetch(`${base()}/webhooks/feishu/events`, {
      method: 'POST',
      headers: { ...good.headers, 'x-lark-signature': '0'.repeat(64) },
      body: good.rawBody,
    });
    expect(tampered.status).toBe(401);
    const unsigned = await fetch(`${base()}/webhooks/feishu/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: good.rawBody,
    });
    expect(unsigned.status).toBe(401);
    const wrongToken = await post('/webhooks/feishu/events', messageEvent({ token: 'forged', openId: OPEN_ID.zhang!, text: '/帮助' }));
    expect(wrongToken.status).toBe(401);
    const wrongKey = await post('/webhooks/feishu/events', ev, { encryptKey: 'another-key' });
    expect(wrongKey.status).toBe(401);
    // Signed correctly, but the ciphertext is garbage.
    const garbage = signedRequest({ encrypt: Buffer.alloc(48, 7).toString('base64') }, {});
    const undecryptable = await fetch(`${base()}/webhooks/feishu/events`, { method: 'POST', headers: signRaw(garbage.rawBody, KEY), body: garbage.rawBody });
    expect(undecryptable.status).toBe(400);
    const notJson = await fetch(`${base()}/webhooks/feishu/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(notJson.status).toBe(400);
    await h.settle();
    expect(await h.rt.store.itemIds()).toEqual([]);
    expect(fake.messages).toHaveLength(0);
    expect(await h.rt.queues.inbound.getJobCounts('completed', 'failed', 'waiting')).toEqual({ completed: 0, failed: 0, waiting: 0 });
  });

  it('refuses a body too large or compressed, and changes nothing', async () => {
    const ev = messageEvent({ token: TOKEN, openId: OPEN_ID.zhang!, chatType: 'p2p', text: '/新建 测试 单位=jtj 期限=5d' });
    const good = signedRequest(ev, { encryptKey: KEY });
    const huge = await fetch(`${base()}/webhooks/feishu/events`, { method: 'POST', headers: good.headers, body: 'x'.repeat(1024 * 1024 + 1) });
    expect(huge.status).toBe(413);
    const gzipped = await fetch(`${base()}/webhooks/feishu/events`, {
      method: 'POST',
      headers: { ...good.headers, 'content-encoding': 'gzip' },
      body: good.rawBody,
    });
    expect(gzipped.status).toBe(415);
    // The same request as sent: taken.
    const plain = await fetch(`${base()}/webhooks/feishu/events`, { method: 'POST', headers: good.headers, body: good.rawBody });
    expect(plain.status).toBe(200);
    await h.settle();
    expect(await h.rt.queues.inbound.getJobCounts('completed', 'failed', 'waiting')).toEqual({ completed: 1, failed: 0, waiting: 0 });
  });

  it('takes an encrypted body however its JSON is spaced, signed over the bytes as sent', async () => {
    const ev = messageEvent({ token: TOKEN, openId: OPEN_ID.zhang!, chatId: 'oc_zhang', chatType: 'p2p', text: '/帮助' });
    const rawBody = JSON.stringify({ encrypt: encrypt(JSON.stringify(ev), KEY) }, null, 2);
    const headers = signRaw(rawBody, KEY);
    const spaced = await fetch(`${base()}/webhooks/feishu/events`, { method: 'POST', headers, body: rawBody });
    expect(spaced.status).toBe(200);
    // The same JSON compacted is other bytes: the signature no longer fits.
    const compacted = await fetch(`${base()}/webhooks/feishu/events`, {
      method: 'POST',
      headers,
      body: JSON.stringify(JSON.parse(rawBody)),
    });
    expect(compacted.status).toBe(401);
    await h.settle();
    expect(await h.rt.queues.inbound.getJobCounts('completed')).toEqual({ completed: 1 });
  });

  it('takes one event delivered five times at once only once', async () => {
    const ev = messageEvent({ token: TOKEN, openId: OPEN_ID.zhang!, chatId: 'oc_zhang', chatType: 'p2p', text: '/新建 去重 单位=jtj 期限=5d' });
    const results = await Promise.all(Array.from({ length: 5 }, () => post('/webhooks/feishu/events', ev)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    await h.settle();
    expect(await h.rt.store.itemIds()).toEqual(['d1']);
    expect(fake.messages.filter((m) => m.receiveId === 'oc_zhang')).toHaveLength(1);
  });

  it('takes one press delivered five times at once only once', async () => {
    await say('zhang', '/新建 去重 单位=jtj 期限=5d 类别=紧急');
    await press('zhang', '发出');
    const m = lastCard('li', '签收');
    const value = buttonsOf(m.content)[0]!.value as object;
    const ev = cardAction({ token: TOKEN, openId: OPEN_ID.li!, value, messageId: m.messageId });
    const results = await Promise.all(Array.from({ length: 5 }, () => post('/webhooks/feishu/cards', ev)));
    expect(results.map((r) => r.json.toast.type)).toEqual(Array(5).fill('success'));
    await h.settle();
    expect((await h.rt.store.audit('d1')).filter((e) => e.action === 'receive')).toHaveLength(1);
  });

  it('reads text and post messages, and in groups only when the bot is mentioned', async () => {
    const group = messageEvent({
      token: TOKEN,
      openId: OPEN_ID.zhang!,
      chatId: 'oc_group',
      chatType: 'group',
      text: '@_user_1 /台账',
      mentions: [{ key: '@_user_1', openId: 'ou_bot', name: '督查助手' }],
    });
    expect((await post('/webhooks/feishu/events', group)).status).toBe(200);
    const chatter = messageEvent({ token: TOKEN, openId: OPEN_ID.zhang!, chatId: 'oc_group', chatType: 'group', text: '大家好' });
    expect((await post('/webhooks/feishu/events', chatter)).status).toBe(200);
    const post1 = messageEvent({
      token: TOKEN,
      openId: OPEN_ID.zhang!,
      chatId: 'oc_zhang',
      chatType: 'p2p',
      post: { zh_cn: { title: '', content: [[{ tag: 'text', text: '/帮助 ' }, { tag: 'text', text: '报送' }]] } },
    });
    expect((await post('/webhooks/feishu/events', post1)).status).toBe(200);
    await h.settle();
    const toGroup = fake.messages.filter((m) => m.receiveId === 'oc_group');
    expect(toGroup).toHaveLength(1);
    expect(JSON.stringify(toGroup[0]!.content)).toContain('台账');
    const help = fake.messages.filter((m) => m.receiveId === 'oc_zhang');
    expect(JSON.stringify(help[0]!.content)).toContain('报送');
  });

  it('accepts a legacy card callback signed the legacy way', async () => {
    await say('zhang', '/新建 旧版回调 单位=jtj 期限=5d 类别=紧急');
    const m = lastCard('zhang', '发出');
    const value = buttonsOf(m.content).find((b) => b.label === '发出')!.value as object;
    const legacy = legacyCardAction({ openId: OPEN_ID.zhang!, value, messageId: m.messageId });
    const unsigned = await post('/webhooks/feishu/cards', legacy, {});
    expect(unsigned.status).toBe(401);
    const res = await post('/webhooks/feishu/cards', legacy, { legacyToken: TOKEN });
    expect(res.status).toBe(200);
    await h.settle();
    expect((await state())!.status).toBe('open');
    expect(tokenFromAction(value)).toBeTruthy();
  });

  it('ignores a legacy card callback whose signed timestamp is 400 days old, as 2.0 events are', async () => {
    await say('zhang', '/新建 旧版回调 单位=jtj 期限=5d 类别=紧急');
    const m = lastCard('zhang', '发出');
    const value = buttonsOf(m.content).find((b) => b.label === '发出')!.value as object;
    const legacy = legacyCardAction({ openId: OPEN_ID.zhang!, value, messageId: m.messageId });
    const old = String(Math.floor(Date.now() / 1000) - 400 * 24 * 3600);
    const res = await post('/webhooks/feishu/cards', legacy, { legacyToken: TOKEN, timestamp: old });
    expect(res.status).toBe(200);
    await h.settle();
    expect((await state())!.status).toBe('draft');
  });
});

describe('Feishu delivery under failure', () => {
  beforeEach(() => setUp());

  it('delivers every message exactly once while the API fails a third of the time', async () => {
    fake.failRandomly(1 / 3, ['5xx', 'rate', 'expired'], 7);
    await say('zhang', '/新建 压力 单位=jtj,gaj 期限=5d 类别=重大');
    await press('zhang', '发出');
    await say('zhang', '/催办 1');
    fake.clearFailures();
    await h.settle();
    const injected = fake.requests.filter((r) => r.injected).length;
    expect(injected).toBeGreaterThan(0);
    const toLi = fake.messages.filter((m) => m.receiveId === OPEN_ID.li);
    const toChen = fake.messages.filter((m) => m.receiveId === 'ou_00000000000000000000000000000008');
    // Each: the notice, the urge text and the notice again (not yet received), each exactly once.
    expect(toLi).toHaveLength(3);
    expect(toChen).toHaveLength(3);
    expect(new Set(fake.messages.map((m) => m.uuid)).size).toBe(fake.messages.length);
    expect(fake.messages.filter((m) => m.receiveId === 'oc_zhang')).toHaveLength(2);
  });

  it('tells the office when a message cannot be delivered', async () => {
    fake.unreachable.add(OPEN_ID.li!);
    await say('zhang', '/新建 送不到 单位=jtj 期限=5d 类别=重大');
    await press('zhang', '发出');
    await h.until('the office is told', () => fake.messages.some((m) => m.receiveId === OPEN_ID.zhang && m.msgType === 'text'));
    const told = fake.messages.filter((m) => m.receiveId === OPEN_ID.zhang && m.msgType === 'text');
    expect(told).toHaveLength(1);
    expect(JSON.stringify(told[0]!.content)).toContain('李明');
    expect(JSON.stringify(told[0]!.content)).toContain('未能送达');
  });
});
