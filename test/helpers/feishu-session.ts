// Drives the service as Feishu users would: signed, encrypted webhooks in; cards read back from the fake Open API.
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { createHarness, type Harness, type HarnessOptions } from './harness.ts';
import { FakeFeishu, type DeliveredMessage } from './fake-feishu.ts';
import { cardAction, messageEvent, randomMessageId, signedRequest, type SignOptions } from './feishu-webhook.ts';

export const TOKEN = 'test-verification-token';
export const KEY = 'test-encrypt-key';
export const FEISHU_DIRECTORY = 'test/fixtures/directory-feishu.yaml';
export const OPEN_ID: Record<string, string> = {
  zhang: 'ou_00000000000000000000000000000001',
  qian: 'ou_00000000000000000000000000000006',
  li: 'ou_00000000000000000000000000000002',
  wang: 'ou_00000000000000000000000000000003',
  sun: 'ou_00000000000000000000000000000007',
  zhao: 'ou_00000000000000000000000000000004',
  chen: 'ou_00000000000000000000000000000008',
  wu: 'ou_00000000000000000000000000000005',
};

/**
 * One fake Open API for the whole test file (`use` receives it), cleared before each test; the session each
 * test starts (`session()`) is closed after it.
 */
export function useFakeFeishu(use: (fake: FakeFeishu) => void, session: () => FeishuSession | undefined): void {
  let fake: FakeFeishu | undefined;
  beforeAll(async () => {
    fake = await FakeFeishu.start({ appSecret: 'test-secret' });
    use(fake);
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => fake?.reset());
  afterEach(async () => {
    await session()?.close();
  });
}

/** Every button of a card, wherever it sits (a row, a form); a form's submit button with its name. */
export function buttonsOf(card: unknown): { label: string; value: unknown; name?: string }[] {
  const out: { label: string; value: unknown; name?: string }[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      const o = n as Record<string, any>;
      if (o.tag === 'button') out.push({ label: o.text?.content, value: o.behaviors?.[0]?.value, ...(o.name ? { name: o.name } : {}) });
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}

export class FeishuSession {
  private constructor(
    readonly h: Harness,
    readonly fake: FakeFeishu,
    readonly base: string,
  ) {}

  /** The service with the real Feishu adapter and routes, pointed at the fake, listening on a free port. */
  static async start(fake: FakeFeishu, opts: HarnessOptions = {}): Promise<FeishuSession> {
    const h = await createHarness({
      now: new Date().toISOString(),
      platforms: 'configured',
      directory: FEISHU_DIRECTORY,
      ...opts,
      env: {
        FEISHU_APP_ID: fake.appId,
        FEISHU_APP_SECRET: fake.appSecret,
        FEISHU_VERIFICATION_TOKEN: TOKEN,
        FEISHU_ENCRYPT_KEY: KEY,
        FEISHU_BASE_URL: fake.url,
        ...opts.env,
      },
    });
    const server = await h.app.listen();
    return new FeishuSession(h, fake, server ? `http://127.0.0.1:${(server.address() as AddressInfo).port}` : '');
  }

  async post(path: string, body: object, sign: SignOptions = { encryptKey: KEY }): Promise<{ status: number; json: any }> {
    const { headers, rawBody } = signedRequest(body, sign);
    const res = await fetch(this.base + path, { method: 'POST', headers, body: rawBody });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  /** A person types to the bot in their direct chat; returns once it has been handled and delivered. */
  async say(person: string, text: string, eventId?: string): Promise<void> {
    const ev = messageEvent({ token: TOKEN, openId: OPEN_ID[person]!, chatId: `oc_${person}`, chatType: 'p2p', text, eventId });
    const res = await this.post('/webhooks/feishu/events', ev);
    expect(res.status).toBe(200);
    await this.h.settle();
  }

  /**
   * A person sends the bot a picture or a file in their direct chat (the fake keeps its bytes as the message's
   * resource); `parentId`: the bot's message it replies to. Returns once it has been handled. The message's id.
   */
  async sendFile(
    person: string,
    f: { bytes: Buffer; image?: boolean; name?: string; mime?: string; parentId?: string; key?: string; offer?: boolean },
  ): Promise<string> {
    const messageId = randomMessageId();
    const key = f.key ?? `${f.image ? 'img' : 'file'}_v3_${randomMessageId().slice(3)}`;
    if (f.offer !== false) {
      this.fake.offerResource(messageId, key, f.bytes, { type: f.image ? 'image' : 'file', ...(f.name ? { name: f.name } : {}), ...(f.mime ? { mime: f.mime } : {}) });
    }
    const ev = messageEvent({
      token: TOKEN,
      openId: OPEN_ID[person]!,
      chatId: `oc_${person}`,
      chatType: 'p2p',
      messageId,
      ...(f.image ? { image: { image_key: key } } : { file: { file_key: key, file_name: f.name ?? 'file' } }),
      ...(f.parentId ? { parentId: f.parentId } : {}),
    });
    const res = await this.post('/webhooks/feishu/events', ev);
    expect(res.status).toBe(200);
    await this.h.settle();
    return messageId;
  }

  /** The texts the bot wrote into a person's direct chat (oc_<person>) or to them, in order. */
  texts(person: string): string[] {
    return this.fake.messages
      .filter((m) => m.msgType === 'text' && (m.receiveId === OPEN_ID[person] || m.receiveId === `oc_${person}`))
      .map((m) => (m.content as { text: string }).text);
  }

  /** The newest card that reached a person (by open_id) or their chat, with a button of that label. */
  lastCard(person: string, label: string): DeliveredMessage {
    const msgs = this.fake.messages.filter(
      (m) =>
        m.msgType === 'interactive' &&
        (m.receiveId === OPEN_ID[person] || m.receiveId === `oc_${person}`) &&
        buttonsOf(m.content).some((b) => b.label === label),
    );
    const m = msgs[msgs.length - 1];
    if (!m) throw new Error(`${person} has no card with ${label}`);
    return m;
  }

  /**
   * `person` presses `label` on the last card `of` received; `form`: the button submits a form whose inputs hold
   * these values (as Feishu sends them in action.form_value).
   */
  async press(person: string, label: string, of = person, eventId?: string, form?: Record<string, unknown>): Promise<{ status: number; json: any }> {
    const m = this.lastCard(of, label);
    const button = buttonsOf(m.content).find((b) => b.label === label)!;
    const value = button.value as object;
    const ev = cardAction({
      token: TOKEN,
      openId: OPEN_ID[person]!,
      value,
      messageId: m.messageId,
      eventId,
      ...(form ? { form: { name: button.name ?? '', value: form } } : {}),
    });
    const res = await this.post('/webhooks/feishu/cards', ev);
    await this.h.settle();
    return res;
  }

  async close(): Promise<void> {
    await this.h.close();
  }
}
