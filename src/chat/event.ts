// The neutral inbound events every platform adapter produces: a typed command, a card button press, or a file sent.
import type { Platform } from '../directory/directory.ts';

/** Where a command's replies go back to: opaque to the core, meaningful to the adapter. */
export interface ReplyTarget {
  platform: Platform;
  chatId: string;
  /** The message being answered, when the platform can reply in thread. */
  messageId?: string;
  /** True for a direct (one-to-one) chat with the sender. */
  direct: boolean;
}

export interface Sender {
  platform: Platform;
  /** Every id the platform gives for the sender (Feishu open_id and user_id; WeCom userid). */
  ids: string[];
}

export interface CommandEvent {
  kind: 'command';
  /** Unique per platform event: the dedup key. */
  id: string;
  sender: Sender;
  /** The command text, mentions of the bot already removed. */
  text: string;
  replyTo: ReplyTarget;
}

export interface ActionEvent {
  kind: 'action';
  id: string;
  sender: Sender;
  /** The signed action token carried by the button. */
  token: string;
  /**
   * What the person typed with the press (a reason), where the platform can carry it (Feishu's form, the console's
   * dialog); absent where it cannot (WeCom's template cards) or when the card had no text box.
   */
  input?: ActionInput;
}

export interface ActionInput {
  reason?: string;
}

/**
 * Where a file a person sent can be fetched from: opaque to the core, meaningful to the adapter of its platform
 * (Feishu: the message and its file_key or image_key; WeCom: the MediaId; the console: the file it already stored).
 */
export interface FileHandle {
  platform: Platform;
  key: string;
  messageId?: string;
  /** Sent as a picture (image message) or as a file. */
  image: boolean;
}

/** A person sent the bot a file or a picture (a report's 整改照片 or 方案). */
export interface FileEvent {
  kind: 'file';
  /** Unique per platform event: the dedup key. */
  id: string;
  sender: Sender;
  handle: FileHandle;
  /** Its name, when the platform gives one (a picture usually has none). */
  name?: string;
  /** Its size in bytes, when the platform says beforehand. */
  size?: number;
  replyTo: ReplyTarget;
  /** The message of the bot's it answers (a Feishu reply's parent_id), if any. */
  inReplyTo?: string;
}

export type InboundEvent = CommandEvent | ActionEvent | FileEvent;
