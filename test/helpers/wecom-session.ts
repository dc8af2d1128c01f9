// The service with the real WeCom adapter and route, pointed at the local fake WeCom API, and callbacks built as
// WeCom builds them: the message XML encrypted (AES-256-CBC, receiveid = the corp id) and signed (msg_signature).
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WecomCrypto } from '../../src/platforms/wecom/crypto.ts';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { FakeWecom } from './fake-wecom.ts';
import { createHarness, type Harness, type HarnessOptions } from './harness.ts';

export const WECOM_DIRECTORY = 'test/fixtures/directory-wecom.yaml';
export const CORP_ID = 'ww0123456789abcdef';
export const AGENT_ID = '1000002';
export const WECOM_TOKEN = 'testtoken';
/** 43 characters, as WeCom gives them. */
export const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
export const USERID: Record<string, string> = {
  zhang: 'ZhangWei',
  qian: 'QianFang',
  li: 'LiMing',
  wang: 'WangJianguo',
  sun: 'SunLi',
  zhao: 'ZhaoLei',
  chen: 'ChenGang',
  wu: 'WuQiang',
  zhou: 'ZhouYan',
};

/**
 * One fake WeCom API for the whole test file (`use` receives it); after each test the session it started (`session()`)
 * is closed, `done()` forgets it, and the fake is cleared.
 */
export function useFakeWecom(use: (fake: FakeWecom) => void, session: () => WecomSession | undefined, done: () => void): void {
  let fake: FakeWecom | undefined;
  beforeAll(async () => {
    fake = await FakeWecom.start({ corpId: CORP_ID, agentId: Number(AGENT_ID) });
    use(fake);
  });
  afterAll(async () => {
    await fake?.close();
  });
  afterEach(async () => {
    await session()?.close();
    done();
    fake?.reset();
  });
}

/** What reached a person (by directory id) as text or markdown, in order. */
export function saidTo(fake: FakeWecom, person: string): string[] {
  return fake.messagesTo(USERID[person]!).flatMap((m) => {
    const c = m.content as { content?: string };
    return m.msgtype === 'text' || m.msgtype === 'markdown' ? [String(c.content)] : [];
  });
}

export function wecomEnv(fake: FakeWecom): Record<string, string> {
  return {
    WECOM_CORP_ID: CORP_ID,
    WECOM_AGENT_ID: AGENT_ID,
    WECOM_SECRET: fake.secret,
    WECOM_TOKEN: WECOM_TOKEN,
    WECOM_ENCODING_AES_KEY: AES_KEY,
    WECOM_BASE_URL: fake.url,
  };
}

const cdata = (s: string) => `<![CDATA[${s}]]>`;
let msgSeq = 0;

/** A text message's plaintext XML as WeCom sends it. */
export function textXml(userid: string, content: string, msgId = `${Date.now()}${String(++msgSeq).padStart(6, '0')}`): string {
  return `<xml><ToUserName>${cdata(CORP_ID)}</ToUserName><FromUserName>${cdata(userid)}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cdata('text')}</MsgType><Content>${cdata(content)}</Content><MsgId>${msgId}</MsgId><AgentID>${AGENT_ID}</AgentID></xml>`;
}

/** A picture a user sends the app, as WeCom sends it: its PicUrl and the MediaId to fetch it by. */
export function imageXml(userid: string, mediaId: string, msgId = `${Date.now()}${String(++msgSeq).padStart(6, '0')}`): string {
  return `<xml><ToUserName>${cdata(CORP_ID)}</ToUserName><FromUserName>${cdata(userid)}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cdata('image')}</MsgType><PicUrl>${cdata(`https://wework.qpic.cn/wwpic/${mediaId.slice(0, 12)}/0`)}</PicUrl><MediaId>${cdata(mediaId)}</MediaId><MsgId>${msgId}</MsgId><AgentID>${AGENT_ID}</AgentID></xml>`;
}

/** A file a user sends the app: its MediaId and FileName. */
export function fileXml(userid: string, mediaId: string, fileName: string, msgId = `${Date.now()}${String(++msgSeq).padStart(6, '0')}`): string {
  return `<xml><ToUserName>${cdata(CORP_ID)}</ToUserName><FromUserName>${cdata(userid)}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cdata('file')}</MsgType><MediaId>${cdata(mediaId)}</MediaId><FileName>${cdata(fileName)}</FileName><MsgId>${msgId}</MsgId><AgentID>${AGENT_ID}</AgentID></xml>`;
}

/** A template_card_event (a button press) as WeCom sends it. */
export function pressXml(userid: string, key: string, taskId: string, responseCode: string): string {
  return `<xml><ToUserName>${cdata(CORP_ID)}</ToUserName><FromUserName>${cdata(userid)}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cdata('event')}</MsgType><Event>${cdata('template_card_event')}</Event><EventKey>${cdata(key)}</EventKey><TaskId>${cdata(taskId)}</TaskId><CardType>${cdata('button_interaction')}</CardType><ResponseCode>${cdata(responseCode)}</ResponseCode><AgentID>${AGENT_ID}</AgentID></xml>`;
}

/** The callback request for a plaintext: its query (signature, timestamp, nonce) and the encrypted XML body. */
export function signedCallback(plaintext: string, opts: { timestamp?: number; crypto?: WecomCrypto } = {}): { query: string; body: string } {
  const crypto = opts.crypto ?? new WecomCrypto(WECOM_TOKEN, AES_KEY, CORP_ID);
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = randomBytes(5).toString('hex');
  const { encrypt, signature } = crypto.seal(plaintext, timestamp, nonce);
  const query = `msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`;
  return { query, body: `<xml><ToUserName>${cdata(CORP_ID)}</ToUserName><AgentID>${cdata(AGENT_ID)}</AgentID><Encrypt>${cdata(encrypt)}</Encrypt></xml>` };
}

export class WecomSession {
  private constructor(
    readonly h: Harness,
    readonly fake: FakeWecom,
    readonly base: string,
  ) {}

  static async start(fake: FakeWecom, opts: HarnessOptions = {}): Promise<WecomSession> {
    const h = await createHarness({
      now: new Date().toISOString(),
      platforms: 'configured',
      directory: WECOM_DIRECTORY,
      ...opts,
      env: { ...wecomEnv(fake), ...opts.env },
    });
    const server = await h.app.listen();
    return new WecomSession(h, fake, server ? `http://127.0.0.1:${(server.address() as AddressInfo).port}` : '');
  }

  async post(plaintext: string, opts: { timestamp?: number } = {}): Promise<{ status: number; text: string }> {
    const { query, body } = signedCallback(plaintext, opts);
    return this.raw(query, body);
  }

  async raw(query: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
    const res = await fetch(`${this.base}/webhooks/wecom?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml', ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });
    return { status: res.status, text: await res.text() };
  }

  /** A person types to the app; returns once it has been handled and delivered. */
  async say(person: string, text: string): Promise<void> {
    const res = await this.post(textXml(USERID[person]!, text));
    if (res.status !== 200) throw new Error(`callback answered ${res.status}: ${res.text}`);
    await this.h.settle();
  }

  /** A person sends the app a picture or a file (WeCom keeps its bytes under a new media id); returns once handled. */
  async sendFile(person: string, f: { bytes: Buffer; image?: boolean; name?: string; msgId?: string }): Promise<string> {
    const mediaId = this.fake.offerMedia(f.bytes, { type: f.image ? 'image' : 'file', contentType: f.image ? 'image/png' : 'application/octet-stream' });
    const xml = f.image ? imageXml(USERID[person]!, mediaId, f.msgId) : fileXml(USERID[person]!, mediaId, f.name ?? 'file', f.msgId);
    const res = await this.post(xml);
    if (res.status !== 200) throw new Error(`callback answered ${res.status}: ${res.text}`);
    await this.h.settle();
    return mediaId;
  }

  /** The texts the app sent a person, in order. */
  texts(person: string): string[] {
    return this.fake
      .messagesTo(USERID[person]!)
      .filter((m) => m.msgtype === 'text')
      .map((m) => String(m.content.content));
  }

  /**
   * `person` presses `label` on the last template card `of` received. The event carries a response code of its
   * own, as WeCom's do, returned with the answer.
   */
  async press(person: string, label: string, of = person): Promise<{ status: number; text: string; responseCode: string }> {
    const card = this.lastCard(of, label);
    const button = card.buttons.find((b) => b.text === label)!;
    const responseCode = this.fake.issueResponseCode(card.taskId);
    const res = await this.post(pressXml(USERID[person]!, button.key, card.taskId, responseCode));
    await this.h.settle();
    return { ...res, responseCode };
  }

  lastCard(person: string, label: string): { taskId: string; responseCode?: string; buttons: { text: string; key: string }[] } {
    const cards = this.fake.cardsTo(USERID[person]!).filter((c) => c.buttons.some((b) => b.text === label));
    const c = cards[cards.length - 1];
    if (!c) throw new Error(`${person} has no card with ${label}`);
    return c;
  }

  async close(): Promise<void> {
    await this.h.close();
  }
}
