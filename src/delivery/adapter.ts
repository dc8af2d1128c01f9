// What a chat platform must do for the core: send to a person, reply in a chat, redraw a card in place, fetch a file
// a person sent and send a stored file back.
import type { Person, Platform } from '../directory/directory.ts';
import type { FileHandle, ReplyTarget } from '../chat/event.ts';
import type { Card, Message } from '../chat/message.ts';

/** Where a message landed, so its card can be redrawn later. */
export interface SentRef {
  platform: Platform;
  messageId: string;
  /** Anything else the platform needs to update it (WeCom: task id, response code). */
  extra?: Record<string, string>;
}

export interface SendOptions {
  /** Stable per delivery: the platform's own de-duplication key where it has one (Feishu uuid). */
  dedupKey: string;
  /** Ask the platform to push harder (Feishu 加急) where it can. */
  urgent?: boolean;
}

/** A file a person sent, as its platform hands it over. */
export interface FetchedFile {
  /** The bytes as they come: the caller reads only as far as it keeps. */
  body: AsyncIterable<Uint8Array>;
  /** What the platform calls it and says it is, when it does. */
  name?: string;
  mime?: string;
  /** Bytes announced before the body (Content-Length), when known. */
  size?: number;
}

/** A stored file to send (an attachment, later a spreadsheet, a chart or a PDF). */
export interface OutgoingFile {
  sha256: string;
  name: string;
  mime: string;
  size: number;
  read(): Promise<Buffer>;
}

/** Whom a file goes to: a person directly, or back into the chat a command came from. */
export type FileTarget = { person: Person } | { chat: ReplyTarget };

export interface PlatformAdapter {
  readonly platform: Platform;
  send(to: Person, message: Message, opts: SendOptions): Promise<SentRef>;
  reply(to: ReplyTarget, message: Message, opts: SendOptions): Promise<SentRef>;
  update(ref: SentRef, card: Card, viewer: Person): Promise<void>;
  /** The bytes of a file a person sent (its handle from the inbound event). Fails like the other calls. */
  fetchFile(handle: FileHandle): Promise<FetchedFile>;
  /**
   * Sends a stored file: a picture (png, jpeg) as an image message where the platform allows it, anything else as a
   * file. Throws FileTooLarge, before uploading anything, when the platform cannot take it; a retry does not upload or
   * send it twice where the platform lets that be avoided.
   */
  sendFile(to: FileTarget, file: OutgoingFile, opts: SendOptions): Promise<SentRef>;
  /**
   * Whether `viewer` has opened a message the bot sent them: undefined when the platform cannot tell (no permission,
   * too old, the call failed). Then nothing is said rather than a guess.
   */
  readStatus?(ref: SentRef, viewer: Person): Promise<'read' | 'unread' | undefined>;
}
