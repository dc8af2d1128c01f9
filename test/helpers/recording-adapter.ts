// A platform adapter for tests: records what would have reached each person, and can be told to fail.
import type { Person, Platform } from '../../src/directory/directory.ts';
import type { FetchedFile, FileTarget, OutgoingFile, PlatformAdapter, SendOptions, SentRef } from '../../src/delivery/adapter.ts';
import { PermanentFailure } from '../../src/delivery/errors.ts';
import type { FileHandle, ReplyTarget } from '../../src/chat/event.ts';
import type { Card, Message } from '../../src/chat/message.ts';

export interface Sent {
  kind: 'send' | 'reply';
  person?: string;
  to?: ReplyTarget;
  message: Message;
  opts: SendOptions;
  ref: SentRef;
}

/** A file sent: to a person or into a chat, with the bytes it carried. */
export interface SentFile {
  person?: string;
  to?: ReplyTarget;
  file: Omit<OutgoingFile, 'read'>;
  bytes: Buffer;
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
  sentFiles: SentFile[] = [];
  /** What fetchFile hands over, by the handle's key: files people "sent" (see `offer`). */
  offered = new Map<string, { bytes: Buffer; name?: string; mime?: string }>();
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

  /** A file a person is about to send: fetchFile hands these bytes over for the key. */
  offer(key: string, bytes: Buffer, meta: { name?: string; mime?: string } = {}): void {
    this.offered.set(key, { bytes, ...meta });
  }

  async fetchFile(handle: FileHandle): Promise<FetchedFile> {
    const got = this.offered.get(handle.key);
    if (!got) throw new PermanentFailure(`no file offered under ${handle.key}`);
    return {
      body: (async function* () {
        yield got.bytes;
      })(),
      size: got.bytes.length,
      ...(got.name ? { name: got.name } : {}),
      ...(got.mime ? { mime: got.mime } : {}),
    };
  }

  async sendFile(to: FileTarget, file: OutgoingFile, opts: SendOptions): Promise<SentRef> {
    this.maybeFail('chat' in to ? to.chat.chatId : to.person.id);
    const ref: SentRef = { platform: this.platform, messageId: `m${++this.n}` };
    const { read: _read, ...meta } = file;
    const bytes = await file.read();
    this.sentFiles.push({ ...('chat' in to ? { to: to.chat } : { person: to.person.id }), file: meta, bytes, opts, ref });
    return ref;
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
