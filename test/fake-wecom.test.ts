// Pins the fake WeCom's protocol by driving it with plain fetch, as the WeCom adapter does.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeWecom, type FailureKind } from './helpers/fake-wecom.ts';

const SEND = '/cgi-bin/message/send';
const UPDATE = '/cgi-bin/message/update_template_card';

interface Answer {
  errcode: number;
  errmsg: string;
  access_token?: string;
  expires_in?: number;
  invaliduser?: string | string[];
  msgid?: string;
  response_code?: string;
}

let fake: FakeWecom;

beforeAll(async () => {
  fake = await FakeWecom.start({ corpId: 'wwtestcorp0001', agentId: 1000002, secret: 'the-secret' });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

async function gettoken(corpid = fake.corpId, corpsecret = fake.secret): Promise<Answer> {
  const res = await fetch(`${fake.url}/cgi-bin/gettoken?corpid=${encodeURIComponent(corpid)}&corpsecret=${encodeURIComponent(corpsecret)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
}

async function token(): Promise<string> {
  const a = await gettoken();
  expect(a.errcode).toBe(0);
  return a.access_token!;
}

/** POSTs to a route; returns the HTTP status and the parsed JSON (or the raw text when not JSON). */
async function post(path: string, body: unknown, accessToken?: string): Promise<{ status: number; json: Answer; text: string }> {
  const q = accessToken === undefined ? '' : `?access_token=${encodeURIComponent(accessToken)}`;
  const res = await fetch(`${fake.url}${path}${q}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json = {} as Answer;
  try {
    json = JSON.parse(text) as Answer;
  } catch {
    // an HTML error page
  }
  return { status: res.status, json, text };
}

async function send(t: string, body: Record<string, unknown>): Promise<Answer> {
  const r = await post(SEND, { agentid: 1000002, ...body }, t);
  expect(r.status).toBe(200);
  return r.json;
}

const text = (touser: string, content: string, extra: Record<string, unknown> = {}) => ({ touser, msgtype: 'text', text: { content }, ...extra });

function card(taskId: string, buttons = 2, extra: Record<string, unknown> = {}) {
  return {
    card_type: 'button_interaction',
    task_id: taskId,
    main_title: { title: '城区主干道积水整治', desc: '交通局 · 5 个工作日' },
    horizontal_content_list: [{ keyname: '期限', value: '12月10日' }],
    sub_title_text: '请签收',
    button_list: Array.from({ length: buttons }, (_, i) => ({ text: `按钮${i + 1}`, style: 1, key: `key-${i + 1}` })),
    ...extra,
  };
}

const cardSend = (touser: string, taskId: string, buttons = 2) => ({ touser, msgtype: 'template_card', template_card: card(taskId, buttons) });

describe('gettoken', () => {
  it('issues a token for the right corpid and secret, the same one while it lives', async () => {
    const a = await gettoken();
    expect(a).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    expect(a.access_token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    const b = await gettoken();
    expect(b.access_token).toBe(a.access_token);
    expect(fake.tokenRequests).toHaveLength(2);
    expect(fake.tokenRequests[0]).toMatchObject({ corpId: fake.corpId, ok: true, errcode: 0, token: a.access_token });
    expect(fake.validTokens()).toEqual([a.access_token]);
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/cgi-bin/gettoken', status: 200, errcode: 0 });
  });

  it('refuses a wrong corpid with 40013 and a wrong secret with 40001, HTTP 200, no token', async () => {
    const badCorp = await gettoken('wwsomeoneelse');
    expect(badCorp.errcode).toBe(40013);
    expect(badCorp.errmsg).toMatch(/^invalid corpid, hint: \[.+\], from ip: /);
    expect(badCorp.access_token).toBeUndefined();
    const badSecret = await gettoken(fake.corpId, 'wrong');
    expect(badSecret.errcode).toBe(40001);
    expect(badSecret.errmsg).toMatch(/^invalid credential/);
    expect((await gettoken('', 'x')).errcode).toBe(41002);
    expect((await gettoken(fake.corpId, '')).errcode).toBe(41004);
    expect(fake.tokenRequests.map((r) => [r.ok, r.errcode])).toEqual([
      [false, 40013],
      [false, 40001],
      [false, 41002],
      [false, 41004],
    ]);
    expect(fake.validTokens()).toEqual([]);
  });

  it('an unknown token is 40014, none at all 41001, an expired one 42001', async () => {
    const unknown = await post(SEND, text('LiMing', 'x'), 'not-a-token');
    expect(unknown.status).toBe(200);
    expect(unknown.json.errcode).toBe(40014);
    expect(unknown.json.errmsg).toMatch(/^invalid access_token/);
    expect((await post(SEND, text('LiMing', 'x'))).json.errcode).toBe(41001);

    // Token lifetime follows the clock.
    let now = Date.parse('2026-12-03T10:00:00+08:00');
    fake.now = () => now;
    const t = await token();
    now += 7199_000;
    expect((await send(t, text('LiMing', 'still good'))).errcode).toBe(0);
    expect((await gettoken()).expires_in).toBe(1);
    now += 1000;
    const expired = await send(t, text('LiMing', 'too late'));
    expect(expired.errcode).toBe(42001);
    expect(expired.errmsg).toMatch(/^access_token expired/);
    const fresh = await token();
    expect(fresh).not.toBe(t);
    expect((await send(fresh, text('LiMing', 'again'))).errcode).toBe(0);
    expect(fake.messages.map((m) => m.content.content)).toEqual(['still good', 'again']);
  });
});

describe('message/send', () => {
  it('sends text and markdown; the records and messagesTo show them', async () => {
    const t = await token();
    const a = await send(t, text('LiMing|ChenGang', '请于本周五前报送进展'));
    expect(a).toMatchObject({ errcode: 0, errmsg: 'ok', invaliduser: '' });
    expect(a.msgid).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(a.response_code).toBeUndefined();
    const md = await send(t, { touser: 'LiMing', msgtype: 'markdown', markdown: { content: '**督办通知**\n> 请签收' } });
    expect(md.errcode).toBe(0);

    expect(fake.messages).toHaveLength(2);
    expect(fake.messages[0]).toMatchObject({ msgid: a.msgid, touser: ['LiMing', 'ChenGang'], invalid: [], msgtype: 'text', content: { content: '请于本周五前报送进展' } });
    expect(fake.messages[0]!.truncatedFrom).toBeUndefined();
    expect(fake.messages[1]).toMatchObject({ msgid: md.msgid, touser: ['LiMing'], msgtype: 'markdown', content: { content: '**督办通知**\n> 请签收' } });
    expect(fake.messagesTo('LiMing').map((m) => m.msgtype)).toEqual(['text', 'markdown']);
    expect(fake.messagesTo('ChenGang').map((m) => m.msgtype)).toEqual(['text']);
    expect(fake.messagesTo('WangJianguo')).toEqual([]);
    const r = fake.requests.filter((x) => x.path === SEND);
    expect(r[0]).toMatchObject({ method: 'POST', status: 200, errcode: 0, token: t, query: { access_token: t } });
  });

  it('sends a template card: one response_code per send; cardsTo and lastCardTo read it', async () => {
    const t = await token();
    const a = await send(t, { touser: 'LiMing|ChenGang', msgtype: 'template_card', template_card: card('item-1_a@b', 3) });
    expect(a).toMatchObject({ errcode: 0, errmsg: 'ok', invaliduser: '' });
    expect(a.response_code).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(fake.messages[0]).toMatchObject({ msgtype: 'template_card', taskId: 'item-1_a@b', responseCode: a.response_code, touser: ['LiMing', 'ChenGang'] });
    const second = await send(t, cardSend('LiMing', 'item-2'));
    expect(second.response_code).not.toBe(a.response_code);

    expect(fake.cardsTo('LiMing').map((c) => c.taskId)).toEqual(['item-1_a@b', 'item-2']);
    expect(fake.cardsTo('ChenGang').map((c) => c.taskId)).toEqual(['item-1_a@b']);
    const last = fake.lastCardTo('LiMing');
    expect(last).toMatchObject({ taskId: 'item-2', responseCode: second.response_code, msgid: second.msgid });
    expect(last.buttons).toEqual([
      { text: '按钮1', key: 'key-1', style: 1 },
      { text: '按钮2', key: 'key-2', style: 1 },
    ]);
    expect(last.card).toMatchObject({ main_title: { title: '城区主干道积水整治' } });
    expect(() => fake.lastCardTo('WangJianguo')).toThrow(/no template card/);
    // Text sends are not cards.
    await send(t, text('WangJianguo', 'hi'));
    expect(fake.cardsTo('WangJianguo')).toEqual([]);
  });

  it('names unknown users in invaliduser and delivers to the rest; all invalid is 81013 and nothing is recorded', async () => {
    const t = await token();
    fake.unknownUsers.add('Ghost');
    const a = await send(t, text('LiMing|Ghost|bad user!', 'x'));
    expect(a.errcode).toBe(0);
    expect(a.invaliduser).toBe('Ghost|bad user!');
    expect(fake.messages[0]).toMatchObject({ touser: ['LiMing'], invalid: ['Ghost', 'bad user!'] });

    const none = await send(t, text('Ghost', 'y'));
    expect(none.errcode).toBe(81013);
    expect(none.errmsg).toMatch(/^user & party & tag all invalid/);
    expect(fake.messages).toHaveLength(1);
    expect(fake.requests.at(-1)).toMatchObject({ status: 200, errcode: 81013 });
  });

  it('with a users list, only those are members', async () => {
    const other = await FakeWecom.start({ users: ['LiMing'] });
    try {
      const r = await fetch(`${other.url}/cgi-bin/gettoken?corpid=${other.corpId}&corpsecret=${other.secret}`);
      const t = ((await r.json()) as Answer).access_token!;
      const res = await fetch(`${other.url}${SEND}?access_token=${t}`, { method: 'POST', body: JSON.stringify({ agentid: other.agentId, ...text('LiMing|ChenGang', 'x') }) });
      expect(await res.json()).toMatchObject({ errcode: 0, invaliduser: 'ChenGang' });
      expect(other.messagesTo('LiMing')).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('refuses a task_id used before by the app (40058 task_id exist), and bad task_ids', async () => {
    const t = await token();
    expect((await send(t, cardSend('LiMing', 'dup-1'))).errcode).toBe(0);
    const again = await send(t, cardSend('ChenGang', 'dup-1'));
    expect(again.errcode).toBe(40058);
    expect(again.errmsg).toMatch(/^task_id exist/);
    expect(fake.cardsTo('ChenGang')).toEqual([]);
    for (const bad of ['has space', '中文', 'a'.repeat(129), 'a/b', '']) {
      const r = await send(t, cardSend('LiMing', bad));
      expect(r.errcode, bad).toBe(40058);
    }
    expect((await send(t, cardSend('LiMing', 'a'.repeat(128)))).errcode).toBe(0);
    expect(fake.messages).toHaveLength(2);
  });

  it('refuses more than 6 buttons, a key over 1024 bytes, and a card without buttons', async () => {
    const t = await token();
    const seven = await send(t, cardSend('LiMing', 'seven', 7));
    expect(seven.errcode).toBe(40058);
    expect(seven.errmsg).toMatch(/^invalid button_list size/);
    expect((await send(t, cardSend('LiMing', 'zero', 0))).errcode).toBe(40058);
    const longKey = card('longkey', 1);
    longKey.button_list[0]!.key = 'k'.repeat(1025);
    const r = await send(t, { touser: 'LiMing', msgtype: 'template_card', template_card: longKey });
    expect(r.errcode).toBe(40058);
    expect(r.errmsg).toMatch(/key longer than 1024 bytes/);
    // 1024 bytes is fine, six buttons too.
    const okKey = card('okkey', 6);
    okKey.button_list[0]!.key = 'k'.repeat(1024);
    expect((await send(t, { touser: 'LiMing', msgtype: 'template_card', template_card: okKey })).errcode).toBe(0);
    expect(fake.cardsTo('LiMing').map((c) => c.taskId)).toEqual(['okkey']);
    // A refused card does not take its task_id.
    expect((await send(t, cardSend('LiMing', 'seven', 6))).errcode).toBe(0);
  });

  it('checks agentid, msgtype, content and the body', async () => {
    const t = await token();
    expect((await post(SEND, { ...text('LiMing', 'x'), agentid: 1000003 }, t)).json.errcode).toBe(40056);
    expect((await post(SEND, text('LiMing', 'x'), t)).json.errcode).toBe(41011);
    expect((await send(t, { touser: 'LiMing', msgtype: 'news', news: {} })).errcode).toBe(40008);
    expect((await send(t, text('LiMing', ''))).errcode).toBe(44004);
    expect((await send(t, { touser: 'LiMing', msgtype: 'markdown' })).errcode).toBe(44004);
    expect((await send(t, text('@all', 'x'))).errcode).toBe(40031);
    expect((await send(t, text(Array.from({ length: 1001 }, (_, i) => `u${i}`).join('|'), 'x'))).errcode).toBe(40031);
    expect((await post(SEND, '{not json', t)).json.errcode).toBe(47001);
    const get = await fetch(`${fake.url}${SEND}?access_token=${t}`);
    expect(((await get.json()) as Answer).errcode).toBe(43002);
    expect((await fetch(`${fake.url}/cgi-bin/nope?access_token=${t}`)).status).toBe(404);
    expect(fake.messages).toEqual([]);
    // A numeric string agentid is accepted, as WeCom does.
    expect((await post(SEND, { ...text('LiMing', 'x'), agentid: '1000002' }, t)).json.errcode).toBe(0);
  });

  it('cuts a 3000-byte text to 2048 bytes silently, at a character boundary, and records it', async () => {
    const t = await token();
    const a = await send(t, text('LiMing', 'a'.repeat(3000)));
    expect(a).toMatchObject({ errcode: 0, errmsg: 'ok' });
    expect(fake.messages[0]!.truncatedFrom).toBe(3000);
    expect(fake.messages[0]!.content.content).toBe('a'.repeat(2048));
    // 1000 Chinese characters are 3000 bytes: 682 of them (2046 bytes) are kept, none cut in half.
    await send(t, { touser: 'LiMing', msgtype: 'markdown', markdown: { content: '督'.repeat(1000) } });
    expect(fake.messages[1]!.truncatedFrom).toBe(3000);
    expect(fake.messages[1]!.content.content).toBe('督'.repeat(682));
    // Exactly 2048 bytes is kept whole.
    await send(t, text('LiMing', 'b'.repeat(2048)));
    expect(fake.messages[2]!.truncatedFrom).toBeUndefined();
  });

  it('drops the 31st message in a minute to one person without an error; others and the next minute are fine', async () => {
    let now = Date.parse('2026-12-03T10:00:00+08:00');
    fake.now = () => now;
    const t = await token();
    for (let i = 1; i <= 30; i++) {
      expect((await send(t, text('LiMing', `第 ${i} 条`))).errcode).toBe(0);
      now += 1000;
    }
    const over = await send(t, text('LiMing|ChenGang', '第 31 条'));
    expect(over).toMatchObject({ errcode: 0, errmsg: 'ok', invaliduser: '' });
    expect(fake.messagesTo('LiMing')).toHaveLength(30);
    expect(fake.messagesTo('ChenGang')).toHaveLength(1);
    expect(fake.messages.at(-1)!.touser).toEqual(['ChenGang']);
    expect(fake.dropped).toHaveLength(1);
    expect(fake.dropped[0]).toMatchObject({ msgid: over.msgid, userid: 'LiMing', limit: 'minute', msgtype: 'text', content: { content: '第 31 条' } });

    // The first message (at 10:00:00) leaves the window at 10:01:00.
    now = Date.parse('2026-12-03T10:01:00+08:00');
    expect((await send(t, text('LiMing', '第 32 条'))).errcode).toBe(0);
    expect(fake.messagesTo('LiMing')).toHaveLength(31);
    expect(fake.dropped).toHaveLength(1);
  });

  it('drops beyond 1000 an hour to one person', async () => {
    let now = Date.parse('2026-12-03T10:00:00+08:00');
    fake.now = () => now;
    const t = await token();
    // 1000 messages, 25 a minute: 40 minutes.
    for (let i = 0; i < 1000; i++) {
      expect((await send(t, text('LiMing', `#${i}`))).errcode).toBe(0);
      now += 2400;
    }
    expect(fake.dropped).toEqual([]);
    expect((await send(t, text('LiMing', '#1000'))).errcode).toBe(0);
    expect(fake.dropped).toHaveLength(1);
    expect(fake.dropped[0]).toMatchObject({ userid: 'LiMing', limit: 'hour' });
    now = Date.parse('2026-12-03T11:00:00+08:00');
    expect((await send(t, text('LiMing', '#1001'))).errcode).toBe(0);
    expect(fake.messagesTo('LiMing')).toHaveLength(1001);
  });

  it('the duplicate check shows an identical body once within the interval', async () => {
    let now = Date.parse('2026-12-03T10:00:00+08:00');
    fake.now = () => now;
    const t = await token();
    const body = text('LiMing', '请签收', { enable_duplicate_check: 1, duplicate_check_interval: 600 });
    const first = await send(t, body);
    now += 599_000;
    const second = await send(t, body);
    expect(second).toMatchObject({ errcode: 0, errmsg: 'ok', msgid: first.msgid });
    expect(fake.messages).toHaveLength(1);
    expect(fake.deduplicated).toHaveLength(1);
    expect(fake.deduplicated[0]).toMatchObject({ msgid: first.msgid, touser: ['LiMing'], firstAt: now - 599_000, at: now });
    // Another person, or another text: not a duplicate.
    await send(t, { ...body, touser: 'ChenGang' });
    await send(t, { ...body, text: { content: '请签收。' } });
    expect(fake.messages).toHaveLength(3);
    // After the interval: shown again.
    now += 1000;
    expect((await send(t, body)).msgid).not.toBe(first.msgid);
    expect(fake.messagesTo('LiMing')).toHaveLength(3);
    // Without the flag, twice is twice.
    await send(t, text('WangJianguo', 'same'));
    await send(t, text('WangJianguo', 'same'));
    expect(fake.messagesTo('WangJianguo')).toHaveLength(2);
    // The default interval is 1800 s.
    const noInterval = text('SunLi', 'x', { enable_duplicate_check: 1 });
    await send(t, noInterval);
    now += 1_799_000;
    await send(t, noInterval);
    expect(fake.messagesTo('SunLi')).toHaveLength(1);
    now += 1000;
    await send(t, noInterval);
    expect(fake.messagesTo('SunLi')).toHaveLength(2);
  });
});

describe('message/update_template_card', () => {
  it('takes a response code once: a valid one updates, a reused or unknown one is 40058', async () => {
    const t = await token();
    const sent = await send(t, cardSend('LiMing', 'upd-1'));
    const body = { userids: ['LiMing'], agentid: 1000002, response_code: sent.response_code, button: { replace_name: '已签收' } };
    // A failure injected on the update does not use the code up.
    fake.failNext(1, 'busy', { path: UPDATE });
    expect((await post(UPDATE, body, t)).json.errcode).toBe(-1);
    expect(fake.responseCodeUsable(sent.response_code!)).toBe(true);

    const first = await post(UPDATE, body, t);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ errcode: 0, errmsg: 'ok', invaliduser: [] });
    expect(fake.updates).toHaveLength(1);
    expect(fake.updates[0]).toMatchObject({ responseCode: sent.response_code, taskId: 'upd-1', userids: ['LiMing'], invalid: [], replaceName: '已签收' });
    expect(fake.lastCardTo('LiMing').updates.map((u) => u.replaceName)).toEqual(['已签收']);
    expect(fake.responseCodeUsable(sent.response_code!)).toBe(false);

    const reused = await post(UPDATE, { ...body, button: { replace_name: '已退回' } }, t);
    expect(reused.json.errcode).toBe(40058);
    expect(reused.json.errmsg).toMatch(/^invalid response_code/);
    expect((await post(UPDATE, { ...body, response_code: 'never-issued' }, t)).json.errcode).toBe(40058);
    expect(fake.updates).toHaveLength(1);
  });

  it('accepts a full template_card, a press code from issueResponseCode, and checks the rest', async () => {
    const t = await token();
    await send(t, cardSend('LiMing|ChenGang', 'upd-2'));
    const press = fake.issueResponseCode('upd-2');
    expect(() => fake.issueResponseCode('never-sent')).toThrow();
    const newCard = card('upd-2', 1);
    expect((await post(UPDATE, { userids: ['LiMing'], agentid: 1000003, response_code: press, template_card: newCard }, t)).json.errcode).toBe(40056);
    expect((await post(UPDATE, { userids: ['LiMing'], agentid: 1000002, response_code: press }, t)).json.errcode).toBe(40058);
    expect((await post(UPDATE, { userids: ['LiMing'], agentid: 1000002, response_code: press, template_card: card('upd-2', 7) }, t)).json.errcode).toBe(40058);
    fake.unknownUsers.add('Ghost');
    const r = await post(UPDATE, { userids: ['LiMing', 'Ghost'], agentid: 1000002, response_code: press, template_card: newCard }, t);
    expect(r.json).toEqual({ errcode: 0, errmsg: 'ok', invaliduser: ['Ghost'] });
    expect(fake.updates[0]).toMatchObject({ taskId: 'upd-2', card: newCard, invalid: ['Ghost'] });
    expect(fake.updates[0]!.replaceName).toBeUndefined();
    // Not on ChenGang's view: the update named LiMing only.
    expect(fake.lastCardTo('ChenGang').updates).toEqual([]);
  });

  it('a response code lives 72 hours', async () => {
    let now = Date.parse('2026-12-03T10:00:00+08:00');
    fake.now = () => now;
    const t1 = await token();
    const sent = await send(t1, cardSend('LiMing', 'upd-3'));
    now += 72 * 3600_000;
    const t2 = await token();
    const r = await post(UPDATE, { userids: ['LiMing'], agentid: 1000002, response_code: sent.response_code, button: { replace_name: '已签收' } }, t2);
    expect(r.json.errcode).toBe(40058);
  });
});

describe('failure injection', () => {
  const cases: [FailureKind, number, RegExp][] = [
    ['rate', 45009, /^api freq out of limit/],
    ['concurrent', 45033, /^api concurrent out of limit/],
    ['busy', -1, /^system busy/],
    ['ip', 60020, /^not allow to access from your ip, hint: \[.+\], from ip: 1\.2\.3\.4/],
  ];
  for (const [kind, errcode, errmsg] of cases) {
    it(`'${kind}' answers HTTP 200 errcode ${errcode}, does nothing, then passes`, async () => {
      const t = await token();
      fake.failNext(1, kind);
      const r = await post(SEND, { agentid: 1000002, ...cardSend('LiMing', `fail-${kind}`) }, t);
      expect(r.status).toBe(200);
      expect(r.json.errcode).toBe(errcode);
      expect(r.json.errmsg).toMatch(errmsg);
      expect(fake.messages).toEqual([]);
      expect(fake.requests.at(-1)).toMatchObject({ path: SEND, status: 200, errcode, injected: kind });
      // The task_id was not taken by the failed send.
      expect((await send(t, cardSend('LiMing', `fail-${kind}`))).errcode).toBe(0);
      expect(fake.messages).toHaveLength(1);
    });
  }

  it("'ip' names the IP given", async () => {
    const t = await token();
    fake.failNext(1, 'ip', { ip: '203.0.113.7' });
    expect((await send(t, text('LiMing', 'x'))).errmsg).toMatch(/from ip: 203\.0\.113\.7,/);
  });

  it("'5xx' answers HTTP 500, 502, 503 in turn with an HTML body, or the status asked", async () => {
    const t = await token();
    fake.failNext(3, '5xx');
    fake.failNext(1, '5xx', { status: 504 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await post(SEND, { agentid: 1000002, ...text('LiMing', 'x') }, t);
      statuses.push(r.status);
      expect(r.text).toMatch(/^<html>/);
    }
    expect(statuses).toEqual([500, 502, 503, 504]);
    expect(fake.messages).toEqual([]);
    expect(fake.requests.filter((r) => r.path === SEND).map((r) => [r.status, r.errcode])).toEqual([
      [500, undefined],
      [502, undefined],
      [503, undefined],
      [504, undefined],
    ]);
    expect((await send(t, text('LiMing', 'x'))).errcode).toBe(0);
  });

  it("'slow' answers late but does the work", async () => {
    const t = await token();
    fake.failNext(1, 'slow', { slowMs: 300 });
    const started = Date.now();
    const aborted = await fetch(`${fake.url}${SEND}?access_token=${t}`, {
      method: 'POST',
      body: JSON.stringify({ agentid: 1000002, ...text('LiMing', 'slow one') }),
      signal: AbortSignal.timeout(100),
    }).catch((e: unknown) => e);
    expect((aborted as Error).name).toBe('TimeoutError');
    // Delivered although the client gave up.
    expect(fake.messagesTo('LiMing')).toHaveLength(1);
    fake.failNext(1, 'slow', { slowMs: 300 });
    const a = await send(t, text('LiMing', 'slow two'));
    expect(a.errcode).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(fake.messagesTo('LiMing')).toHaveLength(2);
    expect(fake.requests.at(-1)).toMatchObject({ injected: 'slow', status: 200, errcode: 0 });
  });

  it("'expired' answers 42001 and revokes the token; a new token then works", async () => {
    const t = await token();
    fake.failNext(1, 'expired');
    const r = await send(t, text('LiMing', 'x'));
    expect(r.errcode).toBe(42001);
    expect(r.errmsg).toMatch(/^access_token expired/);
    // Still refused without injection: the token is dead.
    expect((await send(t, text('LiMing', 'x'))).errcode).toBe(42001);
    expect(fake.validTokens()).toEqual([]);
    const fresh = await token();
    expect(fresh).not.toBe(t);
    expect((await send(fresh, text('LiMing', 'x'))).errcode).toBe(0);
    expect(fake.messages).toHaveLength(1);
  });

  it('expireTokens(): 42001, then a new token works', async () => {
    const t = await token();
    fake.expireTokens();
    expect((await send(t, text('LiMing', 'x'))).errcode).toBe(42001);
    const fresh = await token();
    expect(fresh).not.toBe(t);
    expect((await send(fresh, text('LiMing', 'x'))).errcode).toBe(0);
  });

  it('gettoken fails only when asked; path limits a failure to one route', async () => {
    fake.failNext(1, 'busy');
    expect((await gettoken()).errcode).toBe(0);
    const t = await token();
    expect((await send(t, text('LiMing', 'x'))).errcode).toBe(-1);
    const handled = fake.tokenRequests.length;
    fake.failNext(1, 'ip', { includeToken: true });
    expect((await gettoken()).errcode).toBe(60020);
    expect(fake.requests.at(-1)).toMatchObject({ path: '/cgi-bin/gettoken', errcode: 60020, injected: 'ip' });
    // An injected answer is not a token request handled.
    expect(fake.tokenRequests).toHaveLength(handled);
    // 'expired' never hits gettoken.
    fake.failNext(1, 'expired', { includeToken: true });
    expect((await gettoken()).errcode).toBe(0);
    fake.clearFailures();
    // A failure for update_template_card lets sends through and waits for an update.
    fake.failNext(1, 'rate', { path: UPDATE });
    const sent = await send(t, cardSend('LiMing', 'p-1'));
    expect(sent.errcode).toBe(0);
    const upd = await post(UPDATE, { userids: ['LiMing'], agentid: 1000002, response_code: sent.response_code, button: { replace_name: '已签收' } }, t);
    expect(upd.json.errcode).toBe(45009);
  });

  it('failRandomly is deterministic per seed; clearFailures stops it', async () => {
    const run = async () => {
      fake.reset();
      const t = await token();
      fake.failRandomly(0.5, ['rate', 'busy', 'concurrent', '5xx'], 42);
      const seen: string[] = [];
      for (let i = 0; i < 30; i++) {
        const r = await post(SEND, { agentid: 1000002, ...text('LiMing', `m${i}`) }, t);
        seen.push(`${r.status}/${r.json.errcode ?? '-'}`);
      }
      return seen;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    const failed = a.filter((s) => s !== '200/0').length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(25);
    expect(fake.messages).toHaveLength(30 - failed);
    fake.clearFailures();
    const t = await token();
    for (let i = 0; i < 10; i++) expect((await send(t, text('ChenGang', `n${i}`))).errcode).toBe(0);
  });
});

describe('housekeeping', () => {
  it('reset forgets records, tokens, task ids, windows and the clock', async () => {
    fake.now = () => 0;
    const t = await token();
    await send(t, cardSend('LiMing', 'keep'));
    fake.unknownUsers.add('Ghost');
    fake.failNext(5, 'busy');
    fake.reset();
    expect(fake.messages).toEqual([]);
    expect(fake.requests).toEqual([]);
    expect(fake.unknownUsers.size).toBe(0);
    expect(fake.now()).toBeGreaterThan(1_700_000_000_000);
    expect((await send(t, text('LiMing', 'x'))).errcode).toBe(40014);
    const fresh = await token();
    expect((await send(fresh, cardSend('LiMing', 'keep'))).errcode).toBe(0);
  });

  it('waitFor polls to a bound', async () => {
    const t = await token();
    setTimeout(() => void send(t, text('LiMing', 'later')), 50);
    const m = await fake.waitFor(() => fake.messagesTo('LiMing')[0], 2000, 'the message');
    expect(m.content.content).toBe('later');
    await expect(fake.waitFor(() => false, 50, 'never')).rejects.toThrow(/timed out after 50 ms waiting for never/);
  });
});

describe('media: users\' pictures and files, uploads, image and file messages', () => {
  const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
  const upload = async (t: string, type: string, form: FormData) => {
    const res = await fetch(`${fake.url}/cgi-bin/media/upload?access_token=${encodeURIComponent(t)}&type=${type}`, { method: 'POST', body: form });
    return (await res.json()) as Answer & { media_id?: string; type?: string };
  };
  const formOf = (bytes: Buffer, name = '整改照片.png', field = 'media', type = 'image/png') => {
    const f = new FormData();
    f.append(field, new Blob([new Uint8Array(bytes)], { type }), name);
    return f;
  };

  it('serves a user\'s media for three days, named by its media id, and answers 40007 after', async () => {
    const t = await token();
    const id = fake.offerMedia(PNG, { type: 'image', contentType: 'image/png' });
    const res = await fetch(`${fake.url}/cgi-bin/media/get?access_token=${encodeURIComponent(t)}&media_id=${encodeURIComponent(id)}`);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${id}.png"`);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    expect(fake.mediaDownloads).toEqual([id]);
    const start = Date.now();
    fake.now = () => start + 3 * 24 * 3600_000;
    const t2 = await token();
    const gone = await fetch(`${fake.url}/cgi-bin/media/get?access_token=${encodeURIComponent(t2)}&media_id=${encodeURIComponent(id)}`);
    expect(((await gone.json()) as Answer).errcode).toBe(40007);
    // media/get takes GET only.
    expect((await post('/cgi-bin/media/get', {}, t2)).json.errcode).toBe(43001);
  });

  it('takes an upload in the `media` part with its file name, within the limits, and records it', async () => {
    const t = await token();
    const a = await upload(t, 'image', formOf(PNG));
    expect(a).toMatchObject({ errcode: 0, type: 'image' });
    expect(fake.uploaded(a.media_id!)).toMatchObject({ type: 'image', part: 'media', filename: '整改照片.png', contentType: 'image/png' });
    expect(fake.uploaded(a.media_id!)!.bytes.equals(PNG)).toBe(true);
    expect((await upload(t, 'image', formOf(Buffer.from('%PDF-1.7 not a picture'), 'x.pdf'))).errcode).toBe(40005);
    expect((await upload(t, 'file', formOf(Buffer.from('12345'), 'tiny.txt'))).errcode).toBe(40006);
    expect((await upload(t, 'file', formOf(PNG, 'x.png', 'file'))).errcode).toBe(44001);
    expect((await upload(t, 'document', formOf(PNG))).errcode).toBe(40004);
    expect((await upload(t, 'file', formOf(Buffer.alloc(20 * 1024 * 1024 + 1, 1), 'big.bin'))).errcode).toBe(40006);
    expect(fake.uploads).toHaveLength(1);
  });

  it('sends an image or file message naming a live media id, and refuses any other', async () => {
    const t = await token();
    const { media_id } = await upload(t, 'file', formOf(Buffer.from('%PDF-1.7 方案'), '方案.pdf', 'media', 'application/pdf'));
    expect((await send(t, { touser: 'LiMing', msgtype: 'file', file: { media_id } })).errcode).toBe(0);
    expect(fake.messagesTo('LiMing').at(-1)).toMatchObject({ msgtype: 'file', content: { media_id } });
    expect((await send(t, { touser: 'LiMing', msgtype: 'image', image: { media_id: 'nope' } })).errcode).toBe(40007);
  });

  it('fails media calls on demand, by path', async () => {
    const t = await token();
    const id = fake.offerMedia(PNG);
    fake.failNext(1, '5xx', { path: '/cgi-bin/media/get', status: 503 });
    const first = await fetch(`${fake.url}/cgi-bin/media/get?access_token=${encodeURIComponent(t)}&media_id=${encodeURIComponent(id)}`);
    expect(first.status).toBe(503);
    const again = await fetch(`${fake.url}/cgi-bin/media/get?access_token=${encodeURIComponent(t)}&media_id=${encodeURIComponent(id)}`);
    expect(again.status).toBe(200);
    fake.failNext(1, 'rate', { path: '/cgi-bin/media/upload' });
    expect((await upload(t, 'image', formOf(PNG))).errcode).toBe(45009);
  });
});
