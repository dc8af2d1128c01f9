// Drives a city-wide item through the service as processes, the way Feishu would: the clerk types /新建 for many units,
// presses 发出 (a fan-out of one notice per unit's head), the heads press 签收; and reads what reached the fake Open
// API. For the tests of web and workers apart and of a Redis failover.
import { expect } from 'vitest';
import { cityOpenId, type CityDirectory } from './city-directory.ts';
import type { DeliveredMessage, FakeFeishu } from './fake-feishu.ts';
import { buttonsOf, KEY, TOKEN } from './feishu-session.ts';
import { cardAction, messageEvent, randomEventId, signedRequest } from './feishu-webhook.ts';
import { until } from './until.ts';

export type Toast = { type: string; content: string };

export class CityFlow {
  constructor(
    readonly fake: FakeFeishu,
    readonly city: CityDirectory,
  ) {}

  /** The service's Feishu settings and directory. */
  env(): Record<string, string> {
    return {
      DIRECTORY_FILE: this.city.file,
      FEISHU_APP_ID: this.fake.appId,
      FEISHU_APP_SECRET: this.fake.appSecret,
      FEISHU_VERIFICATION_TOKEN: TOKEN,
      FEISHU_ENCRYPT_KEY: KEY,
      FEISHU_BASE_URL: this.fake.url,
    };
  }

  openId(person: string): string {
    const id = person === 'zhang' ? cityOpenId(1) : this.city.openIds.get(person);
    if (!id) throw new Error(`no open_id for ${person}`);
    return id;
  }

  async post(base: string, path: string, body: object): Promise<{ status: number; json: any }> {
    const { headers, rawBody } = signedRequest(body, { encryptKey: KEY });
    const res = await fetch(base + path, { method: 'POST', headers, body: rawBody });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  /** A person types a command in their direct chat; the webhook is answered 200 once the command is taken in. */
  async say(base: string, person: string, text: string): Promise<void> {
    const ev = messageEvent({ token: TOKEN, openId: this.openId(person), chatId: `oc_${person}`, chatType: 'p2p', text });
    const res = await this.post(base, '/webhooks/feishu/events', ev);
    expect(res.status).toBe(200);
  }

  /** The cards with a button of this label that reached a person (by open_id) or their direct chat. */
  cardsTo(person: string, label: string): DeliveredMessage[] {
    const open = this.openId(person);
    return this.fake.messages.filter(
      (m) => m.msgType === 'interactive' && (m.receiveId === open || m.receiveId === `oc_${person}`) && buttonsOf(m.content).some((b) => b.label === label),
    );
  }

  /** Everything that reached a person by open_id. */
  sentTo(person: string): DeliveredMessage[] {
    const open = this.openId(person);
    return this.fake.messages.filter((m) => m.receiveId === open);
  }

  /** The press Feishu would post for `person` pressing `label` on the last such card they got; built once, so that it can be posted again as is. */
  pressOf(person: string, label: string): object {
    const m = this.cardsTo(person, label).at(-1);
    if (!m) throw new Error(`${person} has no card with ${label}`);
    const value = buttonsOf(m.content).find((b) => b.label === label)!.value as object;
    return cardAction({ token: TOKEN, openId: this.openId(person), value, messageId: m.messageId, eventId: randomEventId() });
  }

  /**
   * Posts a press, and posts it again (as Feishu's user presses again) while it is answered 系统繁忙 or not answered
   * (a connection refused, a 5xx), until it is answered otherwise; bounded. Returns every answer in order.
   */
  async pressUntilAnswered(base: () => string, press: object, timeoutMs = 30_000): Promise<(Toast | string)[]> {
    const answers: (Toast | string)[] = [];
    await until(
      'a press to be answered other than busy',
      async () => {
        const res = await this.post(base(), '/webhooks/feishu/cards', press).catch((e: Error) => ({ status: 0, json: e.message }));
        const toast = res.status === 200 ? (res.json?.toast as Toast | undefined) : undefined;
        answers.push(toast ?? `HTTP ${res.status}`);
        return toast !== undefined && !(toast.type === 'warning' && toast.content.includes('系统繁忙'));
      },
      timeoutMs,
      100,
    );
    return answers;
  }

  /** The clerk drafts an item for units 1..n (a key item: each notice goes to the head) and waits for the preview. */
  async draft(base: string, title: string, n: number): Promise<void> {
    const units = this.city.units.slice(0, n).join(',');
    await this.say(base, 'zhang', `/新建 ${title} 单位=${units} 期限=5d 类别=重大`);
    await until('the preview card reaches the clerk', () => this.cardsTo('zhang', '发出').length === 1, 15_000);
  }

  /** How many heads of units 1..n have their notice (a card with 签收). */
  noticed(n: number): number {
    let k = 0;
    for (let i = 1; i <= n; i++) if (this.cardsTo(this.city.head(i), '签收').length > 0) k++;
    return k;
  }

  /** Each head of units 1..n got exactly one message, the notice, sent with a uuid (a send repeated after a crash or a failover carries the same one, and Feishu shows it once). */
  expectEachNoticeOnce(n: number): void {
    for (let i = 1; i <= n; i++) {
      const head = this.city.head(i);
      expect(this.sentTo(head), head).toHaveLength(1);
      expect(this.cardsTo(head, '签收'), head).toHaveLength(1);
      expect(this.sentTo(head)[0]!.uuid, head).toBeTruthy();
    }
  }
}
