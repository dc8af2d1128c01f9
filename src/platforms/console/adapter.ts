// The local console as a platform: what the core sends a person is added to their console history (once per
// delivery, however often the job runs; a file as a download link), and a card redrawn is replaced there in place. A person is known by their
// directory id; a reply goes to the console of the person who typed the command. Messages are timed by the
// service's own clock, like the cards they carry (DUCHA_CLOCK moves both).
import type { Clock } from '../../infra/clock.ts';
import type { FileHandle, ReplyTarget } from '../../chat/event.ts';
import type { Card, Message } from '../../chat/message.ts';
import type { FetchedFile, FileTarget, OutgoingFile, PlatformAdapter, SendOptions, SentRef } from '../../delivery/adapter.ts';
import { PermanentFailure } from '../../delivery/errors.ts';
import type { Person } from '../../directory/directory.ts';
import type { FileStore } from '../../files/file-store.ts';
import type { ConsoleFile, ConsoleHistory } from './history.ts';

export class ConsoleAdapter implements PlatformAdapter {
  readonly platform = 'console' as const;

  constructor(
    private readonly history: ConsoleHistory,
    private readonly clock: Clock,
    /** Where the console's uploads were stored (the same DUCHA_FILES_DIR as every attachment). */
    private readonly files?: FileStore,
  ) {}

  async send(to: Person, message: Message, opts: SendOptions): Promise<SentRef> {
    return this.add(to.id, message, opts);
  }

  async reply(to: ReplyTarget, message: Message, opts: SendOptions): Promise<SentRef> {
    return this.add(to.chatId, message, opts);
  }

  async update(ref: SentRef, card: Card, viewer: Person): Promise<void> {
    await this.history.redraw(ref.extra?.person ?? viewer.id, ref.messageId, card);
  }

  /** A file lands in the person's console as a download link (a picture shown too); the console has no size limit. */
  async sendFile(to: FileTarget, file: OutgoingFile, opts: SendOptions): Promise<SentRef> {
    const { sha256, name, mime, size } = file;
    return this.add('chat' in to ? to.chat.chatId : to.person.id, { kind: 'file', file: { sha256, name, mime, size } }, opts);
  }

  /** A file uploaded in the console was stored by the upload itself: its handle is its sha256. */
  async fetchFile(handle: FileHandle): Promise<FetchedFile> {
    if (!this.files) throw new PermanentFailure('控制台未配置文件库');
    const size = await this.files.sizeOf(handle.key);
    if (size === undefined) throw new PermanentFailure('控制台上传的文件已不在文件库中');
    return { body: this.files.stream(handle.key), size };
  }

  private async add(person: string, message: Message | ConsoleFile, opts: SendOptions): Promise<SentRef> {
    const messageId = await this.history.add(person, message, { from: 'bot', dedupKey: `out:${opts.dedupKey}`, urgent: opts.urgent, at: this.clock.now() });
    return { platform: 'console', messageId, extra: { person } };
  }
}
