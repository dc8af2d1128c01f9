// Pins the fake Feishu's protocol by driving it with the real @larksuiteoapi/node-sdk Client.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as lark from '@larksuiteoapi/node-sdk';
import { FakeFeishu, MemoryCache, fakeClient } from './helpers/fake-feishu.ts';

const card = (title: string) => ({
  schema: '2.0',
  config: { update_multi: true },
  header: { title: { tag: 'plain_text', content: title } },
  body: { elements: [{ tag: 'markdown', content: title }] },
});

let fake: FakeFeishu;
let client: lark.Client;

beforeAll(async () => {
  fake = await FakeFeishu.start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  client = fakeClient(fake);
});

function send(uuid?: string, to = 'ou_alice', title = 'hello') {
  return client.im.message.create({
    params: { receive_id_type: 'open_id' },
    data: { receive_id: to, msg_type: 'interactive', content: JSON.stringify(card(title)), ...(uuid ? { uuid } : {}) },
  });
}

/** The shape of the AxiosError the SDK throws (axios is the SDK's dependency, not ours, so no import). */
interface HttpError extends Error {
  isAxiosError: true;
  code?: string;
  config?: { url?: string };
  response?: { status: number; data: { code?: number; msg?: string } | string; headers: Record<string, string> };
}

const isHttpError = (e: unknown): e is HttpError =>
  e instanceof Error && (e as Partial<HttpError>).isAxiosError === true && e.name === 'AxiosError';

/** The AxiosError a call threw (fails the test if it resolved or threw something else). */
async function thrown(p: Promise<unknown>): Promise<HttpError> {
  const e = await p.then(
    (v) => {
      throw new Error(`expected a throw, got ${JSON.stringify(v)}`);
    },
    (err: unknown) => err,
  );
  if (!isHttpError(e)) throw new Error(`expected an AxiosError, got ${String(e)}`);
  return e;
}

describe('fake feishu through the real SDK', () => {
  it('gets a token once and sends a card to an open_id', async () => {
    const res = await send();
    expect(res.code).toBe(0);
    expect(res.data?.message_id).toMatch(/^om_/);
    expect(res.data?.chat_id).toMatch(/^oc_/);
    expect(res.data?.msg_type).toBe('interactive');

    await send(undefined, 'ou_alice', 'again');
    expect(fake.tokenRequests).toHaveLength(1);
    expect(fake.tokenRequests[0]).toMatchObject({ appId: fake.appId, ok: true });
    expect(fake.messages).toHaveLength(2);
    expect(fake.messages[0]).toMatchObject({
      messageId: res.data?.message_id,
      receiveId: 'ou_alice',
      receiveIdType: 'open_id',
      msgType: 'interactive',
      content: card('hello'),
    });
    // Same person, same direct chat.
    expect(fake.messages[1]!.chatId).toBe(fake.messages[0]!.chatId);
    const sends = fake.requests.filter((r) => r.path === '/open-apis/im/v1/messages');
    expect(sends[0]).toMatchObject({ method: 'POST', status: 200, query: { receive_id_type: 'open_id' } });
    expect(sends[0]!.token).toBe(fake.tokenRequests[0]!.token);
  });

  it('de-duplicates by uuid: same message_id, one delivery', async () => {
    const a = await send('dedup-1');
    const b = await send('dedup-1', 'ou_alice', 'changed');
    const c = await send('dedup-2');
    expect(b.data?.message_id).toBe(a.data?.message_id);
    expect(c.data?.message_id).not.toBe(a.data?.message_id);
    expect(fake.messages.map((m) => m.uuid)).toEqual(['dedup-1', 'dedup-2']);
  });

  it('patches a sent card and rejects an unknown message id with 230001', async () => {
    const sent = await send();
    const id = sent.data!.message_id!;
    const res = await client.im.message.patch({ path: { message_id: id }, data: { content: JSON.stringify(card('done')) } });
    expect(res.code).toBe(0);
    expect(fake.patches).toEqual([{ messageId: id, content: card('done'), at: expect.any(Number) }]);
    expect(fake.contentOf(id)).toEqual(card('done'));

    const e = await thrown(
      client.im.message.patch({ path: { message_id: 'om_nope' }, data: { content: JSON.stringify(card('x')) } }),
    );
    expect(e.response?.status).toBe(400);
    expect(e.response?.data).toMatchObject({ code: 230001 });
  });

  it('replies to a message, recording replyTo and keeping the chat', async () => {
    const inbound = fake.seedMessage('oc_chat_1');
    const res = await client.im.message.reply({
      path: { message_id: inbound },
      data: { msg_type: 'text', content: JSON.stringify({ text: 'ok' }), uuid: 'r-1' },
    });
    expect(res.code).toBe(0);
    expect(res.data?.parent_id).toBe(inbound);
    expect(fake.messages).toEqual([
      expect.objectContaining({ replyTo: inbound, chatId: 'oc_chat_1', content: { text: 'ok' }, uuid: 'r-1' }),
    ]);
  });

  it('urgentApp on a sent message', async () => {
    const id = (await send()).data!.message_id!;
    fake.unreachable.add('ou_gone');
    const res = await client.im.message.urgentApp({
      path: { message_id: id },
      params: { user_id_type: 'open_id' },
      data: { user_id_list: ['ou_alice', 'ou_gone'] },
    });
    expect(res.code).toBe(0);
    expect(res.data?.invalid_user_id_list).toEqual(['ou_gone']);
    expect(fake.urgents).toEqual([
      { messageId: id, channel: 'app', userIdType: 'open_id', userIds: ['ou_alice', 'ou_gone'], at: expect.any(Number) },
    ]);
  });

  it('5xx: the SDK throws an AxiosError with response.status, and nothing is recorded', async () => {
    fake.failNext(3, '5xx');
    const statuses: number[] = [];
    const bodies: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const e = await thrown(send('five'));
      statuses.push(e.response!.status);
      bodies.push(e.response!.data);
    }
    expect(statuses).toEqual([500, 502, 503]);
    expect(bodies[0]).toMatchObject({ code: 2200 });
    expect(bodies[1]).toMatch(/502 Bad Gateway/); // a non-JSON body arrives as a string
    expect(fake.messages).toHaveLength(0);
    const ok = await send('five');
    expect(ok.code).toBe(0);
    expect(fake.messages).toHaveLength(1);
    expect(fake.requests.filter((r) => r.injected === '5xx')).toHaveLength(3);
  });

  it('99991400 with HTTP 400 or 429 is thrown, not returned; rate headers are visible', async () => {
    fake.failNext(1, 'rate');
    fake.failNext(1, 'rate429');
    const e400 = await thrown(send('r'));
    expect(e400.response?.status).toBe(400);
    expect(e400.response?.data).toEqual({ code: 99991400, msg: 'request trigger frequency limit' });
    expect(e400.response?.headers['x-ogw-ratelimit-reset']).toBe('1');
    const e429 = await thrown(send('r'));
    expect(e429.response?.status).toBe(429);
    expect(e429.response?.data).toMatchObject({ code: 99991400 });
    expect(fake.messages).toHaveLength(0);
    await send('r');
    expect(fake.messages).toHaveLength(1);
  });

  it('HTTP 200 with code != 0 is returned, not thrown', async () => {
    fake.failNext(1, 'error200', { code: 230020 });
    const res = await send('e');
    expect(res.code).toBe(230020);
    expect(res.data).toBeUndefined();
    expect(fake.messages).toHaveLength(0);
  });

  it('token expiry: the first call after expireTokens() fails with 99991663; a fresh token then works', async () => {
    const cache = new MemoryCache();
    client = fakeClient(fake, { cache });
    await send();
    fake.expireTokens();
    const e = await thrown(send());
    expect(e.response?.status).toBe(400);
    expect(e.response?.data).toMatchObject({ code: 99991663 });
    // The SDK does not evict the dead token by itself.
    const again = await thrown(send());
    expect(again.response?.data).toMatchObject({ code: 99991663 });
    expect(fake.tokenRequests).toHaveLength(1);

    cache.clear();
    expect((await send()).code).toBe(0);
    expect(fake.tokenRequests).toHaveLength(2);
    expect(fake.tokenRequests[1]!.token).not.toBe(fake.tokenRequests[0]!.token);
  });

  it("'expired' injection revokes only the token the request carried", async () => {
    await send();
    fake.failNext(1, 'expired');
    const e = await thrown(send());
    expect(e.response?.data).toMatchObject({ code: 99991663 });
    expect(fake.validTokens()).toHaveLength(0);
  });

  it('a missing token is 99991661', async () => {
    const bare = fakeClient(fake, { disableTokenCache: true });
    const e = await thrown(
      bare.im.message.create({
        params: { receive_id_type: 'open_id' },
        data: { receive_id: 'ou_alice', msg_type: 'text', content: JSON.stringify({ text: 'x' }) },
      }),
    );
    expect(e.response?.data).toMatchObject({ code: 99991661 });
    expect(fake.tokenRequests).toHaveLength(0);
  });

  it('a wrong secret gets a non-zero code and no token; the SDK throws a plain Error', async () => {
    const bad = fakeClient(fake, { appSecret: 'wrong' });
    expect((await send()).code).toBe(0); // the good client still works
    const err = await bad.im.message
      .create({
        params: { receive_id_type: 'open_id' },
        data: { receive_id: 'ou_alice', msg_type: 'text', content: JSON.stringify({ text: 'x' }) },
      })
      .catch((x: unknown) => x);
    expect(err).toBeInstanceOf(Error);
    expect(isHttpError(err)).toBe(false);
    expect((err as Error).message).toMatch(/code: 10014/);
    expect(fake.tokenRequests.map((t) => t.ok)).toEqual([true, false]);
  });

  it('token-route failures only when asked', async () => {
    fake.failNext(1, '5xx', { includeToken: true, status: 503 });
    const e = await thrown(send());
    expect(e.config?.url).toContain('/tenant_access_token/internal');
    expect(e.response?.status).toBe(503);
    expect((await send()).code).toBe(0);
  });

  it("'slow' answers late but does the work; a client timeout surfaces as ECONNABORTED; the uuid retry dedups", async () => {
    // The default axios instance has no timeout; the SDK calls only request() (API) and post() (token) here.
    const h = lark.defaultHttpInstance;
    const timed = {
      request: (o: object) => h.request({ ...o, timeout: 200 }),
      post: (u: string, d?: unknown, o?: object) => h.post(u, d, { ...o, timeout: 200 }),
    } as unknown as lark.HttpInstance;
    client = fakeClient(fake, { httpInstance: timed });
    fake.failNext(1, 'slow', { slowMs: 2000 });
    const e = await thrown(send('slow-1'));
    expect(e.code).toBe('ECONNABORTED');
    expect(fake.messages).toHaveLength(1); // delivered although the client gave up
    const retry = await send('slow-1');
    expect(retry.data?.message_id).toBe(fake.messages[0]!.messageId);
    expect(fake.messages).toHaveLength(1);
  });

  it('failRandomly is deterministic per seed', async () => {
    const run = async () => {
      fake.reset();
      client = fakeClient(fake);
      fake.failRandomly(0.5, ['5xx', 'rate', 'rate429'], 42);
      const out: string[] = [];
      for (let i = 0; i < 12; i++) {
        out.push(await send(`u${i}`).then(() => 'ok', (x: unknown) => String(isHttpError(x) ? x.response?.status : x)));
      }
      return out;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first).toContain('ok');
    expect(first.some((s) => s !== 'ok')).toBe(true);
    expect(fake.messages).toHaveLength(first.filter((s) => s === 'ok').length);
  });

  it('the uuid window and token lifetime follow the injected clock', async () => {
    let now = 1_000_000;
    const timed = await FakeFeishu.start({ now: () => now });
    try {
      const c = fakeClient(timed);
      const msg = (uuid: string) =>
        c.im.message.create({
          params: { receive_id_type: 'chat_id' },
          data: { receive_id: 'oc_group', msg_type: 'text', content: JSON.stringify({ text: 'x' }), uuid },
        });
      const a = await msg('w');
      now += 59 * 60 * 1000;
      expect((await msg('w')).data?.message_id).toBe(a.data?.message_id);
      now += 2 * 60 * 1000;
      expect((await msg('w')).data?.message_id).not.toBe(a.data?.message_id);
      expect(timed.messages.map((m) => m.chatId)).toEqual(['oc_group', 'oc_group']);
      // 2 h later the token is dead (the SDK's own cache runs on the real clock and still holds it).
      now += 2 * 60 * 60 * 1000;
      const e = await thrown(msg('z'));
      expect(e.response?.data).toMatchObject({ code: 99991663 });
    } finally {
      await timed.close();
    }
  });

  it('waitFor polls to a bound', async () => {
    setTimeout(() => void send('late'), 50);
    const m = await fake.waitFor(() => fake.messages.find((x) => x.uuid === 'late'));
    expect(m.receiveId).toBe('ou_alice');
    await expect(fake.waitFor(() => false, 50, 'nothing')).rejects.toThrow(/timed out after 50 ms waiting for nothing/);
  });
});

describe('files: users\' resources, uploads, image and file messages', () => {
  const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 9]);
  const bearer = async () => {
    const res = await fetch(`${fake.url}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: fake.appId, app_secret: fake.appSecret }),
    });
    return { Authorization: `Bearer ${((await res.json()) as { tenant_access_token: string }).tenant_access_token}` };
  };
  const post = async (path: string, form: FormData) =>
    (await (await fetch(`${fake.url}${path}`, { method: 'POST', headers: await bearer(), body: form })).json()) as { code: number; data?: { image_key?: string; file_key?: string } };

  it('serves a resource of a user\'s message by its type, and 234003 for any other', async () => {
    fake.offerResource('om_1', 'file_v3_abc', Buffer.from('%PDF-1.7 方案'), { type: 'file', name: '整改方案.pdf', mime: 'application/pdf' });
    const res = await fetch(`${fake.url}/open-apis/im/v1/messages/om_1/resources/file_v3_abc?type=file`, { headers: await bearer() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('整改方案.pdf')}`);
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('%PDF-1.7 方案');
    const wrongType = await fetch(`${fake.url}/open-apis/im/v1/messages/om_1/resources/file_v3_abc?type=image`, { headers: await bearer() });
    expect(((await wrongType.json()) as { code: number }).code).toBe(234003);
    const noToken = await fetch(`${fake.url}/open-apis/im/v1/messages/om_1/resources/file_v3_abc?type=file`);
    expect(((await noToken.json()) as { code: number }).code).toBe(99991661);
    expect(fake.downloads).toEqual([expect.objectContaining({ messageId: 'om_1', key: 'file_v3_abc', type: 'file' })]);
  });

  it('takes an image upload and a file upload as multipart, records their parts, and sends what was uploaded', async () => {
    const img = new FormData();
    img.append('image_type', 'message');
    img.append('image', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), '照片.png');
    const { code, data } = await post('/open-apis/im/v1/images', img);
    expect(code).toBe(0);
    expect(fake.uploaded(data!.image_key!)).toMatchObject({ kind: 'image', fields: { image_type: 'message' }, part: 'image', filename: '照片.png' });
    const file = new FormData();
    file.append('file_type', 'pdf');
    file.append('file_name', '方案.pdf');
    file.append('file', new Blob([new Uint8Array(Buffer.from('%PDF'))]), '方案.pdf');
    const f = await post('/open-apis/im/v1/files', file);
    expect(fake.uploaded(f.data!.file_key!)!.bytes.toString()).toBe('%PDF');
    // A picture that is not one, an empty file, a bad file_type: refused, nothing recorded.
    const notImage = new FormData();
    notImage.append('image_type', 'message');
    notImage.append('image', new Blob([new Uint8Array(Buffer.from('%PDF'))]), 'x.png');
    expect((await post('/open-apis/im/v1/images', notImage)).code).toBe(234011);
    const empty = new FormData();
    empty.append('file_type', 'stream');
    empty.append('file_name', 'x');
    empty.append('file', new Blob([]), 'x');
    expect((await post('/open-apis/im/v1/files', empty)).code).toBe(234010);
    expect(fake.uploads).toHaveLength(2);

    await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_1', msg_type: 'image', content: JSON.stringify({ image_key: data!.image_key }) } });
    expect(fake.messages.at(-1)).toMatchObject({ msgType: 'image', content: { image_key: data!.image_key } });
    const bad = await client.im.message
      .create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_1', msg_type: 'file', content: JSON.stringify({ file_key: data!.image_key }) } })
      .catch((e: { response?: { data?: { code?: number } } }) => e.response?.data);
    expect((bad as { code?: number }).code).toBe(99992402);
  });

  it('fails an upload on demand, by path', async () => {
    fake.failNext(1, 'rate429', { path: '/open-apis/im/v1/files' });
    const file = new FormData();
    file.append('file_type', 'stream');
    file.append('file_name', 'a.txt');
    file.append('file', new Blob([new Uint8Array(Buffer.from('abc'))]), 'a.txt');
    // A send first: the failure waits for its own path.
    await send();
    expect(fake.messages).toHaveLength(1);
    expect((await post('/open-apis/im/v1/files', file)).code).toBe(99991400);
    expect((await post('/open-apis/im/v1/files', file)).code).toBe(0);
  });
});
