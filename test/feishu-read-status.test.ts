// Read receipts through Feishu (the fake Open API, driven by the real SDK Client): the Feishu adapter's readStatus
// says 'read' or 'unread' from GET …/read_users, pages through long reader lists, and says nothing (undefined)
// whenever Feishu cannot tell — no permission, unknown or old message, failures, a person without an open_id.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Person } from '../src/directory/directory.ts';
import type { SentRef } from '../src/delivery/adapter.ts';
import type { Config } from '../src/infra/config.ts';
import { FeishuAdapter } from '../src/platforms/feishu/adapter.ts';
import { createFeishuClient, RedisTokenCache, tokenFetcher } from '../src/platforms/feishu/client.ts';
import { FakeFeishu } from './helpers/fake-feishu.ts';
import { REDIS_URL } from './helpers/harness.ts';
import { RecordingAdapter } from './helpers/recording-adapter.ts';

const READ_USERS = /^\/open-apis\/im\/v1\/messages\/[^/]+\/read_users$/;

const li: Person = { id: 'li', name: '李明', prefer: 'feishu', feishu: { open_id: 'ou_li', user_id: 'liming' } };
const wang: Person = { id: 'wang', name: '王建国', prefer: 'feishu', feishu: { open_id: 'ou_wang' } };
const zhou: Person = { id: 'zhou', name: '周燕', prefer: 'feishu', feishu: { user_id: 'zhouyan' } };

let fake: FakeFeishu;
let redis: Redis;
let prefix: string;

beforeAll(async () => {
  fake = await FakeFeishu.start();
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await fake.close();
  redis.disconnect();
});
beforeEach(() => {
  fake.reset();
  prefix = `t${process.pid}-read-${randomBytes(3).toString('hex')}`;
});
afterEach(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
});

/** The real adapter as src/platforms/index.ts builds it, pointed at the fake. */
function adapter(timeoutMs?: number): FeishuAdapter {
  const cfg: NonNullable<Config['feishu']> = { appId: fake.appId, appSecret: fake.appSecret, baseUrl: fake.url, mode: 'webhook' };
  const tokens = new RedisTokenCache(redis, prefix);
  return new FeishuAdapter(createFeishuClient(cfg, tokens, timeoutMs), tokens, cfg.appId, redis, prefix, tokenFetcher(cfg, timeoutMs));
}

async function sendTo(a: FeishuAdapter, to: Person, text = '请签收'): Promise<SentRef> {
  return a.send(to, { kind: 'text', text }, { dedupKey: `d-${randomBytes(4).toString('hex')}` });
}

const readUsersRequests = () => fake.requests.filter((r) => r.method === 'GET' && READ_USERS.test(r.path));

describe('FeishuAdapter.readStatus', () => {
  it('is unread until the person opens the message, then read', async () => {
    const a = adapter();
    const ref = await sendTo(a, li);
    expect(await a.readStatus(ref, li)).toBe('unread');
    fake.markRead(ref.messageId, li.feishu!.open_id!);
    expect(await a.readStatus(ref, li)).toBe('read');
    // Someone else having read it says nothing about wang.
    expect(await a.readStatus(ref, wang)).toBe('unread');

    const [first] = readUsersRequests();
    expect(first!.path).toBe(`/open-apis/im/v1/messages/${ref.messageId}/read_users`);
    expect(first!.query).toMatchObject({ user_id_type: 'open_id', page_size: '100' });
    expect(first!.token).toBeDefined();
    expect(first!.status).toBe(200);
  });

  it('says nothing when the app lacks the permission (99991672), and answers again once it has it', async () => {
    const a = adapter();
    const ref = await sendTo(a, li);
    fake.markRead(ref.messageId, li.feishu!.open_id!);
    fake.denyReadUsers();
    expect(await a.readStatus(ref, li)).toBeUndefined();
    const denied = readUsersRequests().at(-1)!;
    expect([denied.status, denied.code]).toEqual([400, 99991672]);
    fake.denyReadUsers(false);
    expect(await a.readStatus(ref, li)).toBe('read');
  });

  it('says nothing about a message Feishu does not know (230001)', async () => {
    const a = adapter();
    expect(await a.readStatus({ platform: 'feishu', messageId: 'om_nosuchmessage' }, li)).toBeUndefined();
    const r = readUsersRequests().at(-1)!;
    expect([r.status, r.code]).toEqual([400, 230001]);
  });

  it('says nothing for a person without an open_id, without asking Feishu', async () => {
    const a = adapter();
    const ref = await sendTo(a, zhou); // sent by user_id
    expect(await a.readStatus(ref, zhou)).toBeUndefined();
    expect(readUsersRequests()).toHaveLength(0);
  });

  it('says nothing when the call fails: HTTP 200 with an error code (230110), 5xx, rate limit, timeout', async () => {
    const a = adapter(300);
    const ref = await sendTo(a, li);
    fake.markRead(ref.messageId, li.feishu!.open_id!);
    fake.failNext(1, 'error200', { code: 230110 });
    expect(await a.readStatus(ref, li)).toBeUndefined();
    fake.failNext(1, '5xx', { status: 502 });
    expect(await a.readStatus(ref, li)).toBeUndefined();
    fake.failNext(1, 'rate');
    expect(await a.readStatus(ref, li)).toBeUndefined();
    fake.failNext(1, 'slow', { slowMs: 1000 });
    expect(await a.readStatus(ref, li)).toBeUndefined();
    expect(readUsersRequests().map((r) => r.injected)).toEqual(['error200', '5xx', 'rate', 'slow']);
    // Nothing sticks: the next look answers.
    expect(await a.readStatus(ref, li)).toBe('read');
  });

  it('gets a new token once the old one is revoked, and answers', async () => {
    const a = adapter();
    const ref = await sendTo(a, li);
    fake.markRead(ref.messageId, li.feishu!.open_id!);
    fake.expireTokens();
    expect(await a.readStatus(ref, li)).toBe('read');
    expect(fake.tokenRequests.filter((t) => t.ok)).toHaveLength(2);
  });

  it('pages through a long list of readers', async () => {
    const a = adapter();
    const ref = await sendTo(a, li);
    for (let i = 0; i < 250; i++) fake.markRead(ref.messageId, `ou_reader${i}`);
    expect(await a.readStatus(ref, li)).toBe('unread');
    expect(readUsersRequests().map((r) => r.query.page_token ?? '')).toEqual(['', 'rp_100', 'rp_200']);
    fake.markRead(ref.messageId, li.feishu!.open_id!); // the 251st reader: on the third page
    expect(await a.readStatus(ref, li)).toBe('read');
    expect(readUsersRequests()).toHaveLength(6);
  });

  it('gives up after ten pages rather than guess', async () => {
    const a = adapter();
    const ref = await sendTo(a, li);
    for (let i = 0; i < 1050; i++) fake.markRead(ref.messageId, `ou_reader${i}`);
    expect(await a.readStatus(ref, li)).toBeUndefined();
    expect(readUsersRequests()).toHaveLength(10);
  });
});

describe('fake read_users', () => {
  it('refuses a request without a valid token, like every route', async () => {
    const a = adapter();
    const ref = await sendTo(a, li);
    const res = await fetch(`${fake.url}/open-apis/im/v1/messages/${ref.messageId}/read_users?user_id_type=open_id`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: number }).code).toBe(99991661);
    const bad = await fetch(`${fake.url}/open-apis/im/v1/messages/${ref.messageId}/read_users?user_id_type=open_id`, {
      headers: { authorization: 'Bearer t-not-a-token' },
    });
    expect(((await bad.json()) as { code: number }).code).toBe(99991663);
  });

  it('answers Feishu’s shape, and the no-permission error under denyReadUsers', async () => {
    const a = adapter();
    const ref = await sendTo(a, li);
    fake.markRead(ref.messageId, 'ou_li');
    await a.readStatus(ref, li); // leaves a token in Redis
    const token = fake.validTokens()[0]!;
    const get = () =>
      fetch(`${fake.url}/open-apis/im/v1/messages/${ref.messageId}/read_users?user_id_type=open_id&page_size=100`, {
        headers: { authorization: `Bearer ${token}` },
      });
    const res = await get();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { code: number; data: { items: { user_id_type: string; user_id: string; timestamp: string }[]; has_more: boolean } };
    expect(body.code).toBe(0);
    expect(body.data.has_more).toBe(false);
    expect(body.data.items).toEqual([expect.objectContaining({ user_id_type: 'open_id', user_id: 'ou_li', timestamp: expect.any(String) })]);
    fake.denyReadUsers();
    const denied = await get();
    expect(denied.status).toBe(400);
    expect(await denied.json()).toEqual({
      code: 99991672,
      msg: 'Access denied. One of the following scopes is required: [im:message, im:message:readonly]',
    });
  });
});

describe('RecordingAdapter.readStatus', () => {
  it('answers from its reads map, or cannot tell when told so', async () => {
    const r = new RecordingAdapter('feishu');
    const ref = await r.send(li, { kind: 'text', text: 'x' }, { dedupKey: 'k' });
    expect(await r.readStatus(ref, li)).toBe('unread');
    r.reads.set(ref.messageId, new Set(['li']));
    expect(await r.readStatus(ref, li)).toBe('read');
    expect(await r.readStatus(ref, wang)).toBe('unread');
    r.readUnknown = true;
    expect(await r.readStatus(ref, li)).toBeUndefined();
  });
});
