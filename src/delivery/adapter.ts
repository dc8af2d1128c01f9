// What a chat platform must do for the core: send to a person, reply in a chat, redraw a card in place.
import type { Person, Platform } from '../directory/directory.ts';
import type { ReplyTarget } from '../chat/event.ts';
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

export interface PlatformAdapter {
  readonly platform: Platform;
  send(to: Person, message: Message, opts: SendOptions): Promise<SentRef>;
  reply(to: ReplyTarget, message: Message, opts: SendOptions): Promise<SentRef>;
  update(ref: SentRef, card: Card, viewer: Person): Promise<void>;
  /**
   * Whether `viewer` has opened a message the bot sent them: undefined when the platform cannot tell (no permission,
   * too old, the call failed). Then nothing is said rather than a guess.
   */
  readStatus?(ref: SentRef, viewer: Person): Promise<'read' | 'unread' | undefined>;
}
