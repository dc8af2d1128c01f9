// Turns Feishu's message and card-press events into the core's neutral events; anything not for us becomes null.
import type { ActionEvent, ActionInput, CommandEvent, FileEvent } from '../../chat/event.ts';

export interface MessageEventBody {
  sender?: { sender_id?: { open_id?: string; user_id?: string; union_id?: string }; sender_type?: string };
  message?: {
    message_id?: string;
    chat_id?: string;
    chat_type?: string;
    message_type?: string;
    content?: string;
    /** The message this one replies to (a reply in the chat), if any. */
    parent_id?: string;
    mentions?: { key?: string; id?: { open_id?: string }; name?: string }[];
  };
}

/** The plain text of a `text` or `post` message, mention keys removed; undefined for other kinds. */
export function messageText(m: NonNullable<MessageEventBody['message']>): string | undefined {
  let content: unknown;
  try {
    content = JSON.parse(m.content ?? '');
  } catch {
    return undefined;
  }
  let text: string | undefined;
  if (m.message_type === 'text') {
    const t = (content as { text?: unknown }).text;
    text = typeof t === 'string' ? t : undefined;
  } else if (m.message_type === 'post') {
    text = postText(content);
  }
  if (text === undefined) return undefined;
  for (const mention of m.mentions ?? []) if (mention.key) text = text.split(mention.key).join(' ');
  return text.replace(/[ \u3000]+/g, ' ').trim();
}

/** A post is `{title, content: [[{tag, text}…]…]}`, sometimes wrapped by locale (`{zh_cn: {...}}`). */
function postText(content: unknown): string | undefined {
  if (!content || typeof content !== 'object') return undefined;
  let post = content as { title?: unknown; content?: unknown };
  if (!Array.isArray(post.content)) {
    const first = Object.values(content as Record<string, unknown>).find(
      (v) => v && typeof v === 'object' && Array.isArray((v as { content?: unknown }).content),
    );
    if (!first) return undefined;
    post = first as typeof post;
  }
  const lines = (post.content as unknown[]).map((para) =>
    Array.isArray(para)
      ? para
          .map((el) => {
            const e = el as { tag?: string; text?: string };
            return (e.tag === 'text' || e.tag === 'a' || e.tag === 'code_block') && typeof e.text === 'string' ? e.text : '';
          })
          .join('')
      : '',
  );
  return lines.join('\n');
}

export function toCommandEvent(eventId: string, body: MessageEventBody): CommandEvent | null {
  const m = body.message;
  const s = body.sender;
  if (!m?.chat_id || !s?.sender_id) return null;
  if (s.sender_type && s.sender_type !== 'user') return null;
  // In a group the bot answers only when it is @-mentioned (an app allowed to read all messages sees the rest too).
  if (m.chat_type !== 'p2p' && !(m.mentions && m.mentions.length > 0)) return null;
  const text = messageText(m);
  if (!text) return null;
  const ids = senderIds(s.sender_id);
  if (ids.length === 0) return null;
  return {
    kind: 'command',
    id: eventId,
    sender: { platform: 'feishu', ids },
    text,
    replyTo: { platform: 'feishu', chatId: m.chat_id, messageId: m.message_id, direct: m.chat_type === 'p2p' },
  };
}

/**
 * A picture or file a user sent the bot in a direct chat (content `{"image_key"}` or `{"file_key","file_name"}`), to be
 * fetched by its message id and key; a file in a group cannot name the bot, so it is not for us.
 */
export function toFileEvent(eventId: string, body: MessageEventBody): FileEvent | null {
  const m = body.message;
  const s = body.sender;
  if (!m?.chat_id || !m.message_id || !s?.sender_id) return null;
  if (s.sender_type && s.sender_type !== 'user') return null;
  if (m.chat_type !== 'p2p' || (m.message_type !== 'image' && m.message_type !== 'file')) return null;
  let content: { image_key?: unknown; file_key?: unknown; file_name?: unknown };
  try {
    content = JSON.parse(m.content ?? '') as typeof content;
  } catch {
    return null;
  }
  const image = m.message_type === 'image';
  const key = image ? content.image_key : content.file_key;
  if (typeof key !== 'string' || !key) return null;
  const ids = senderIds(s.sender_id);
  if (ids.length === 0) return null;
  return {
    kind: 'file',
    id: eventId,
    sender: { platform: 'feishu', ids },
    handle: { platform: 'feishu', key, messageId: m.message_id, image },
    ...(!image && typeof content.file_name === 'string' ? { name: content.file_name } : {}),
    replyTo: { platform: 'feishu', chatId: m.chat_id, messageId: m.message_id, direct: true },
    ...(m.parent_id ? { inReplyTo: m.parent_id } : {}),
  };
}

/** Every id Feishu gives for the sender, the open_id first. */
function senderIds(id: { open_id?: string; user_id?: string; union_id?: string }): string[] {
  return [id.open_id, id.user_id, id.union_id].filter((x): x is string => !!x);
}

export function toActionEvent(
  eventId: string,
  operator: { open_id?: string; user_id?: string } | undefined,
  token: string,
  input?: ActionInput,
): ActionEvent | null {
  const ids = [operator?.open_id, operator?.user_id].filter((x): x is string => !!x);
  if (ids.length === 0) return null;
  return { kind: 'action', id: eventId, sender: { platform: 'feishu', ids }, token, ...(input ? { input } : {}) };
}
