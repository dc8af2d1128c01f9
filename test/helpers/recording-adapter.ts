// A platform adapter for tests: records what would have reached each person, and can be told to fail.
import type { Person, Platform } from '../../src/directory/directory.ts';
import type { PlatformAdapter, SendOptions, SentRef } from '../../src/delivery/adapter.ts';
import type { ReplyTarget } from '../../src/chat/event.ts';
import type { Card, Message } from '../../src/chat/message.ts';

export interface Sent {
  kind: 'send' | 'reply';
  person?: string;
  to?: ReplyTarget;
  message: Message;
  opts: SendOptions;
  ref: SentRef;
}

export interface Updated {
  ref: SentRef;
  card: Card;
  viewer: string;
}

export class RecordingAdapter implements PlatformAdapter {
  sent: Sent[] = [];
  updates: Updated[] = [];
  private n = 0;
  /** Who has opened which message (person ids by message id); `readUnknown` makes readStatus unable to tell. */
  reads = new Map<string, Set<string>>();
  readUnknown = false;
  /** Set to make calls throw: given the person (or chat) a call is for, an error to throw, or nothing. */
  failWith?: (to: string) => Error | undefined;

  constructor(readonly platform: Platform) {}

  async send(to: Person, message: Message, opts: SendOptions): Promise<SentRef> {
    this.maybeFail(to.id);
    const ref: SentRef = { platform: this.platform, messageId: `m${++this.n}` };
    this.sent.push({ kind: 'send', person: to.id, message, opts, ref });
    return ref;
  }

  async reply(to: ReplyTarget, message: Message, opts: SendOptions): Promise<SentRef> {
    this.maybeFail(to.chatId);
    const ref: SentRef = { platform: this.platform, messageId: `m${++this.n}` };
    this.sent.push({ kind: 'reply', to, message, opts, ref });
    return ref;
  }

  async update(ref: SentRef, card: Card, viewer: Person): Promise<void> {
    this.maybeFail(viewer.id);
    this.updates.push({ ref, card, viewer: viewer.id });
  }

  async readStatus(ref: SentRef, viewer: Person): Promise<'read' | 'unread' | undefined> {
    if (this.readUnknown) return undefined;
    return this.reads.get(ref.messageId)?.has(viewer.id) ? 'read' : 'unread';
  }

  private maybeFail(to: string): void {
    const e = this.failWith?.(to);
    if (e) throw e;
  }
}
