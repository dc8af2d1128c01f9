// Turns a decrypted WeCom callback (its XML fields) into the core's neutral events: a text message is a command, an
// image or file message a file sent (its MediaId, to fetch at once), a template_card_event a button press; anything
// else is not for us.
import { createHash } from 'node:crypto';
import type { ActionEvent, CommandEvent, FileEvent } from '../../chat/event.ts';

export type WecomInbound =
  | { kind: 'command'; event: CommandEvent }
  | { kind: 'file'; event: FileEvent }
  | { kind: 'press'; event: ActionEvent; taskId: string; responseCode: string }
  | { kind: 'ignored'; why: string };

/** Events carry no id of their own (FromUserName + CreateTime collides within a second): the plaintext's hash is. */
export function eventIdOf(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('hex').slice(0, 32);
}

export function toWecomInbound(f: Record<string, string>, plaintext: string): WecomInbound {
  const from = f.FromUserName;
  if (!from) return { kind: 'ignored', why: 'no FromUserName' };
  const sender = { platform: 'wecom' as const, ids: [from] };
  if (f.MsgType === 'text') {
    const id = f.MsgId;
    if (!id) return { kind: 'ignored', why: 'text without MsgId' };
    const text = (f.Content ?? '').replace(/[ \u3000]+/g, ' ').trim();
    return {
      kind: 'command',
      event: { kind: 'command', id, sender, text, replyTo: { platform: 'wecom', chatId: from, direct: true } },
    };
  }
  if (f.MsgType === 'image' || f.MsgType === 'file') {
    const id = f.MsgId;
    if (!id || !f.MediaId) return { kind: 'ignored', why: `${f.MsgType} without MsgId or MediaId` };
    return {
      kind: 'file',
      event: {
        kind: 'file',
        id,
        sender,
        handle: { platform: 'wecom', key: f.MediaId, image: f.MsgType === 'image' },
        ...(f.MsgType === 'file' && f.FileName ? { name: f.FileName } : {}),
        // WeCom app messages have no threads: an answer goes to the person.
        replyTo: { platform: 'wecom', chatId: from, direct: true },
      },
    };
  }
  if (f.MsgType === 'event' && f.Event === 'template_card_event') {
    const token = f.EventKey ?? '';
    return {
      kind: 'press',
      event: { kind: 'action', id: eventIdOf(plaintext), sender, token },
      taskId: f.TaskId ?? '',
      responseCode: f.ResponseCode ?? '',
    };
  }
  return { kind: 'ignored', why: `${f.MsgType ?? '?'}${f.Event ? `/${f.Event}` : ''}` };
}
