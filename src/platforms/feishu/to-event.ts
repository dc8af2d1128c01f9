// Turns Feishu's message and card-press events into the core's neutral events; anything not for us becomes null.
import type { ActionEvent, ActionInput, CommandEvent } from '../../chat/event.ts';

export interface MessageEventBody {
  sender?: { sender_id?: { open_id?: string; user_id?: string; union_id?: string }; sender_type?: string };
  message?: {
    message_id?: string;
    chat_id?: string;
    chat_type?: string;
    message_type?: string;
    content?: string;
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
  const ids = [s.sender_id.open_id, s.sender_id.user_id, s.sender_id.union_id].filter((x): x is string => !!x);
  if (ids.length === 0) return null;
  return {
    kind: 'command',
    id: eventId,
    sender: { platform: 'feishu', ids },
    text,
    replyTo: { platform: 'feishu', chatId: m.chat_id, messageId: m.message_id, direct: m.chat_type === 'p2p' },
  };
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
