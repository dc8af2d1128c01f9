// Draws the neutral messages for WeCom: a card with buttons as a `button_interaction` template card (its fields cut
// to WeCom's short limits), anything that does not fit as markdown, and every text or markdown in parts that each
// fit WeCom's 2048 bytes (WeCom cuts longer ones silently).
import { CARD_MAX_BUTTONS } from '../routing.ts';
import type { Card, Message } from '../../chat/message.ts';
import { splitText as splitBytes } from '../../chat/split-text.ts';

/** WeCom keeps at most this many bytes of a text or markdown message. */
export const MAX_TEXT_BYTES = 2048;

/** Text in parts that each fit WeCom's 2048 bytes, numbered when more than one. */
export function splitText(text: string, maxBytes = MAX_TEXT_BYTES): string[] {
  return splitBytes(text, maxBytes);
}
/** A template card's buttons (the fewest of any platform: CARD_MAX_BUTTONS is WeCom's). */
const MAX_BUTTONS = CARD_MAX_BUTTONS;
/** Template card limits (characters), from WeCom's reference: longer values are cut by WeCom or refused. */
const LIMIT = { title: 36, desc: 44, keyname: 5, value: 26, subTitle: 112, button: 10, fields: 6 };

export interface WecomTemplateCard {
  card_type: 'button_interaction';
  task_id: string;
  main_title: { title: string; desc?: string };
  sub_title_text?: string;
  horizontal_content_list: { keyname: string; value: string }[];
  button_list: { text: string; style: number; key: string }[];
}

export type WecomMessage = { msgtype: 'text'; text: { content: string } } | { msgtype: 'markdown'; markdown: { content: string } } | { msgtype: 'template_card'; template_card: WecomTemplateCard };

function cut(s: string, n: number): { text: string; cut: boolean } {
  const chars = [...s];
  return chars.length <= n ? { text: s, cut: false } : { text: `${chars.slice(0, n - 1).join('')}…`, cut: true };
}

/** A card in markdown: everything it says, for WeCom clients and for what a template card cannot hold. */
export function cardMarkdown(card: Card): string {
  const lines = [`**${card.title}**`];
  if (card.subtitle) lines.push(`> ${card.subtitle}`);
  for (const f of card.fields) lines.push(`${f.label}：${f.value}`);
  if (card.body) lines.push('', card.body);
  if (card.note) lines.push('', `<font color="comment">${card.note}</font>`);
  return lines.join('\n');
}

/**
 * The WeCom messages for one neutral message, in the order to send them. A card with buttons is a template card
 * (`taskId` unique per card), preceded by the whole card as markdown when its fields or body had to be cut; a card
 * without buttons is markdown.
 */
export function toWecomMessages(message: Message, taskId: string): WecomMessage[] {
  if (message.kind === 'text') return splitText(message.text).map((content) => ({ msgtype: 'text', text: { content } }));
  const card = message.card;
  const markdown = (): WecomMessage[] => splitText(cardMarkdown(card)).map((content) => ({ msgtype: 'markdown', markdown: { content } }));
  if (card.buttons.length === 0) return markdown();
  let lost = false;
  const take = (s: string, n: number) => {
    const c = cut(s, n);
    lost ||= c.cut;
    return c.text;
  };
  const fields = card.fields.slice(0, LIMIT.fields);
  if (card.fields.length > LIMIT.fields) lost = true;
  const tc: WecomTemplateCard = {
    card_type: 'button_interaction',
    task_id: taskId,
    main_title: { title: take(card.title, LIMIT.title), ...(card.subtitle ? { desc: take(card.subtitle, LIMIT.desc) } : {}) },
    horizontal_content_list: fields.map((f) => ({ keyname: take(f.label, LIMIT.keyname), value: take(f.value, LIMIT.value) })),
    button_list: card.buttons.slice(0, MAX_BUTTONS).map((b) => ({ text: take(b.text, LIMIT.button), style: b.style === 'primary' ? 1 : b.style === 'danger' ? 3 : 2, key: b.token })),
  };
  const sub = card.body ?? card.note;
  if (sub) tc.sub_title_text = take(sub.replace(/\*\*/g, ''), LIMIT.subTitle);
  if (card.buttons.length > MAX_BUTTONS) lost = true;
  return [...(lost ? markdown() : []), { msgtype: 'template_card', template_card: tc }];
}

/** The short word a redrawn card's buttons are replaced by: what was done (已签收), else 已处理. */
export function outcomeLabel(card: Card, pressed?: string): string {
  if (pressed && [...pressed].length <= LIMIT.button) return pressed;
  const m = /(签收|签署|受理|退回|确认出席|不同意|同意|发出|取消|替换|保留|撤回|作废)/.exec(card.note ?? '');
  return m ? `已${m[1]}` : '已处理';
}
