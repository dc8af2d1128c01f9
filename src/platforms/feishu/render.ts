// Draws neutral messages as Feishu payloads (card JSON 2.0 with user text made inert, text content) and reads press tokens back.
import type { ActionInput } from '../../chat/event.ts';
import type { Button, ButtonInput, Card, Message } from '../../chat/message.ts';

/**
 * Feishu refuses card (and post) message request bodies over 30 KB (error 230025, documented for create, reply and
 * edit). The card travels as a JSON string inside the request JSON, so that is what is measured.
 */
export const FEISHU_CARD_MAX_BYTES = 30 * 1024;
/**
 * Room kept for the rest of the request body (receive_id, msg_type, uuid) and for Feishu's own expansion: the
 * documentation warns that markup can make the stored message larger than the request.
 */
const REQUEST_MARGIN_BYTES = 2 * 1024;

/** Appended, on its own line, to a body cut to fit the size limit. */
export const TRUNCATION_MARKER = '……（全文过长，已截断，请用 /查看 查看全文）';

/** Feishu shows at most 100 characters on a button. */
const BUTTON_TEXT_MAX = 100;

// ---------------------------------------------------------------------------------------------------------------
// Escaping user text for the card `markdown` component.
//
// JSON 2.0 markdown is CommonMark (except HTML blocks) plus inline tags: <at>, <a>, <font>, <link>, <person>,
// <text_tag>, <number_tag>, <local_datetime>, <raw>, <audio>, <br>, <hr>; also :EMOJI_KEY: codes. Four or more
// leading spaces start a code block. Feishu's documented way to show a markdown character literally is an HTML
// numeric entity, `&#NN;` ("特殊字符转义说明" in the rich-text component page), so user text is written with:
// - everywhere: < > * _ ~ ` [ ] # \ | : $ as entities, and & where it would begin an entity;
// - at a line start: - + = and the dot or parenthesis of `1.` / `1)` as entities (lists, setext headings, rules);
// - leading spaces and tabs as no-break spaces (U+00A0), which CommonMark does not count as indentation.
// The text then reads exactly as typed, and no tag, link, emphasis, list, heading, code or emoji is formed.
// ---------------------------------------------------------------------------------------------------------------

const INLINE_ENTITIES: Record<string, string> = {
  '&': '&#38;',
  '<': '&#60;',
  '>': '&#62;',
  '*': '&#42;',
  _: '&#95;',
  '~': '&#126;',
  '`': '&#96;',
  '[': '&#91;',
  ']': '&#93;',
  '#': '&#35;',
  '\\': '&#92;',
  '|': '&#124;',
  ':': '&#58;',
  $: '&#36;',
};

const LINE_START_ENTITIES: Record<string, string> = { '-': '&#45;', '+': '&#43;', '=': '&#61;' };

/** `&` only where it would start a character reference (`&lt;`, `&#42;`), so `R&D` stays as it is. */
const INLINE_SPECIAL = /&(?=#?[A-Za-z0-9]+;)|[<>*_~`[\]#\\|:$]/g;

function escapeInline(text: string): string {
  return text.replace(INLINE_SPECIAL, (c) => INLINE_ENTITIES[c] ?? c);
}

function escapeLine(line: string): string {
  const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
  let rest = line.slice(indent.length);
  if (rest === '') return '';
  let head = indent.replace(/\t/g, '    ').replace(/ /g, '\u00a0');
  const first = rest[0] ?? '';
  const lineStart = LINE_START_ENTITIES[first];
  if (lineStart !== undefined) {
    head += lineStart;
    rest = rest.slice(1);
  } else {
    const ordered = /^(\d{1,9})([.)])/.exec(rest);
    if (ordered) {
      head += `${ordered[1] ?? ''}${ordered[2] === '.' ? '&#46;' : '&#41;'}`;
      rest = rest.slice(ordered[0].length);
    }
  }
  return head + escapeInline(rest);
}

/** User text as Feishu card markdown that displays literally (line breaks kept). */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r\n?/g, '\n').split('\n').map(escapeLine).join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// The body contract.
//
// `Card.body` is markdown written by cards.ts around user text, in one shape only: an optional first line that is
// exactly `**Heading**` (no `*` inside), then user text. The heading line stays bold; everything after it, and the
// whole body when there is no heading, is user text and is escaped. Only the first line can be a heading, so a user
// who types `**粗体**` on a line of their own gets asterisks, not bold text. A card that needs more markup than this
// must gain a field in the neutral Card instead of passing markdown through here.
// ---------------------------------------------------------------------------------------------------------------

const HEADING_LINE = /^\*\*([^*\n]+)\*\*$/;

interface BodyParts {
  heading?: string;
  /** The user text, as code points, so that cutting never splits a surrogate pair. */
  text: string[];
}

function splitBody(body: string | undefined): BodyParts | undefined {
  if (body === undefined || body === '') return undefined;
  const normalised = body.replace(/\r\n?/g, '\n');
  const newline = normalised.indexOf('\n');
  const firstLine = newline === -1 ? normalised : normalised.slice(0, newline);
  const heading = HEADING_LINE.exec(firstLine);
  if (heading) return { heading: heading[1], text: Array.from(newline === -1 ? '' : normalised.slice(newline + 1)) };
  return { text: Array.from(normalised) };
}

/** keep: how many code points of the user text to show; fewer than all adds the truncation marker. */
function renderBody(parts: BodyParts, keep: number): string {
  const lines: string[] = [];
  if (parts.heading !== undefined) lines.push(`**${escapeInline(parts.heading)}**`);
  if (keep >= parts.text.length) {
    if (parts.text.length > 0) lines.push(escapeMarkdown(parts.text.join('')));
  } else {
    const kept = parts.text.slice(0, keep).join('').replace(/\s+$/, '');
    if (kept !== '') lines.push(escapeMarkdown(kept));
    lines.push(escapeMarkdown(TRUNCATION_MARKER));
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// The card.
// ---------------------------------------------------------------------------------------------------------------

/** s cut to at most max code points, with an ellipsis when cut. */
function clip(s: string, max: number | undefined): string {
  if (max === undefined) return s;
  const chars = Array.from(s);
  return chars.length <= max ? s : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

function fieldsMarkdown(fields: Card['fields'], max: number | undefined): string {
  return fields
    .map(({ label, value }) => {
      const shown = clip(value, max).trim() === '' ? '—' : escapeMarkdown(clip(value, max));
      return `**${escapeInline(label)}**：${shown}`;
    })
    .join('\n');
}

/** Small grey text; each line wrapped on its own so that no tag spans a paragraph break. */
function noteMarkdown(note: string): string {
  return escapeMarkdown(note)
    .split('\n')
    .map((line) => (line === '' ? '' : `<font color='grey'>${line}</font>`))
    .join('\n');
}

function buttonElement(b: Button): object {
  return {
    tag: 'button',
    text: { tag: 'plain_text', content: clip(b.text, BUTTON_TEXT_MAX) },
    type: b.style,
    behaviors: [{ type: 'callback', value: { t: b.token } }],
    ...(b.confirm
      ? { confirm: { title: { tag: 'plain_text', content: clip(b.confirm.title, 40) }, text: { tag: 'plain_text', content: clip(b.confirm.text, 300) } } }
      : {}),
  };
}

/** Feishu's input takes at most 1000 characters, and shows at most 100 of a placeholder. */
const INPUT_MAX = 1000;
const PLACEHOLDER_MAX = 100;

/**
 * A button that asks for text, as a form: a text box (its label above it) and the button as the form's submit. The
 * press then carries `action.form_value` (the box's text by its name) beside the button's own value.
 */
function formElement(b: Button & { input: ButtonInput }, i: number): object {
  return {
    tag: 'form',
    name: `form_${i}`,
    elements: [
      {
        tag: 'input',
        name: b.input.name,
        required: b.input.required,
        input_type: 'multiline_text',
        rows: 2,
        auto_resize: true,
        max_rows: 6,
        max_length: Math.min(b.input.maxLength, INPUT_MAX),
        label: { tag: 'plain_text', content: b.input.label },
        label_position: 'top',
        placeholder: { tag: 'plain_text', content: clip(b.input.placeholder, PLACEHOLDER_MAX) },
      },
      { ...buttonElement(b), name: `submit_${i}`, form_action_type: 'submit' },
    ],
  };
}

interface RenderLimits {
  /** Code points of the body's user text to keep; everything when undefined. */
  keep?: number;
  /** Code points per field value, title, subtitle and note; no cut when undefined. Last resort only. */
  clip?: number;
}

function assemble(card: Card, body: BodyParts | undefined, limits: RenderLimits): object {
  const elements: object[] = [];
  if (card.fields.length > 0) elements.push({ tag: 'markdown', content: fieldsMarkdown(card.fields, limits.clip) });
  if (body) {
    const content = renderBody(body, limits.keep ?? body.text.length);
    if (content !== '') elements.push({ tag: 'markdown', content });
  }
  if (card.note !== undefined && card.note !== '') {
    if (elements.length > 0) elements.push({ tag: 'hr' });
    elements.push({ tag: 'markdown', content: noteMarkdown(clip(card.note, limits.clip)), text_size: 'notation' });
  }
  const plain = card.buttons.filter((b) => !b.input);
  if (plain.length > 0) {
    // 2.0 has no `action` container: one column per button, as wide as the button, side by side.
    elements.push({
      tag: 'column_set',
      flex_mode: 'none',
      horizontal_spacing: '8px',
      columns: plain.map((b) => ({ tag: 'column', width: 'auto', elements: [buttonElement(b)] })),
    });
  }
  // A form sits at the card's root (Feishu allows it nowhere else), under the other buttons.
  card.buttons.forEach((b, i) => {
    if (b.input) elements.push(formElement({ ...b, input: b.input }, i));
  });

  const header: Record<string, unknown> = {
    // plain_text is shown literally: user text in titles needs no escaping.
    title: { tag: 'plain_text', content: clip(card.title, limits.clip) },
    template: card.color,
  };
  if (card.subtitle !== undefined && card.subtitle !== '') {
    header.subtitle = { tag: 'plain_text', content: clip(card.subtitle, limits.clip) };
  }
  return {
    schema: '2.0',
    // 2.0 supports shared cards only (update_multi must be true). Forwarding stays allowed (the default): forwarded
    // copies lose their callbacks (enable_forward_interaction defaults to false), so a token cannot be pressed by
    // whoever receives a forward.
    config: { update_multi: true },
    header,
    body: { elements },
  };
}

/** Bytes of the card as it travels in a request body: a JSON string inside JSON. */
function requestBytes(card: object): number {
  return Buffer.byteLength(JSON.stringify(JSON.stringify(card)), 'utf8');
}

function fits(card: object): boolean {
  return requestBytes(card) <= FEISHU_CARD_MAX_BYTES - REQUEST_MARGIN_BYTES;
}

/**
 * The neutral card as a Feishu card JSON 2.0 object: header (title, subtitle, color template), the fields as one
 * markdown block of `**label**：value` lines (reads well on a phone), the body, the note in small grey text after a
 * rule, then the buttons in a row (none when there are none), each a callback carrying `{ t: token }`.
 *
 * User text is made inert (see escapeMarkdown and the body contract above). When the card would exceed Feishu's
 * 30 KB limit, the body's user text is cut with TRUNCATION_MARKER; if that is not enough, every field, the note and
 * the titles are clipped too. The result always fits.
 */
export function toFeishuCard(card: Card): object {
  const body = splitBody(card.body);
  const full = assemble(card, body, {});
  if (fits(full)) return full;

  for (const clipTo of [undefined, 500, 100, 20]) {
    const limits = (keep: number): RenderLimits => ({ keep, clip: clipTo });
    const textLength = body?.text.length ?? 0;
    if (!fits(assemble(card, body, limits(0)))) continue;
    // The longest prefix of the user text that fits: fitting is monotone in the kept length.
    let lo = 0;
    let hi = clipTo === undefined ? textLength - 1 : textLength;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(assemble(card, body, limits(mid)))) lo = mid;
      else hi = mid - 1;
    }
    return assemble(card, body, limits(lo));
  }
  // Unreachable in practice (a handful of 20-character strings); kept so that the result is always sendable.
  return assemble({ ...card, fields: card.fields.slice(0, 20), buttons: card.buttons.slice(0, 5) }, undefined, { clip: 20 });
}

// ---------------------------------------------------------------------------------------------------------------
// Text messages.
// ---------------------------------------------------------------------------------------------------------------

/**
 * Text messages interpret `<at user_id="…">` (and `"all"`), the style tags <i> <u> <s> (and <b>, <a> to be safe)
 * and `[text](url)` links. Feishu documents no escape for text messages, so the `<` of such a tag becomes a
 * full-width `＜`, and the `](` of a link becomes `]（`: the text still reads the same and nothing is formed.
 * Other angle brackets (the help texts' `<标题>`, `<no>`) are left alone.
 */
const TEXT_TAG_OPEN = /<(?=\/?(?:at|a|b|i|u|s)(?:[\s>/]|$))/gi;
const TEXT_LINK = /\]\(/g;

/** The `content` string for `msg_type: 'text'`: `{"text":"…"}`, line breaks kept, mentions and links inert. */
export function toFeishuText(text: string): string {
  return JSON.stringify({ text: text.replace(TEXT_TAG_OPEN, '＜').replace(TEXT_LINK, ']（') });
}

/** What im.message.create / reply / patch take for a neutral message. */
export function toFeishuContent(message: Message): { msg_type: 'text' | 'interactive'; content: string } {
  if (message.kind === 'text') return { msg_type: 'text', content: toFeishuText(message.text) };
  return { msg_type: 'interactive', content: JSON.stringify(toFeishuCard(message.card)) };
}

/**
 * What was typed with a press: a form's `action.form_value` (the text box's text by its name). Undefined when the press
 * came from no form (a plain button, or a card sent before it had one), so the core can tell "typed nothing" from
 * "could not type".
 */
export function inputFromAction(formValue: unknown): ActionInput | undefined {
  if (formValue === null || typeof formValue !== 'object' || Array.isArray(formValue)) return undefined;
  const reason = (formValue as Record<string, unknown>).reason;
  return { reason: typeof reason === 'string' ? reason : '' };
}

/**
 * The action token from a press's `action.value`: the `{ t }` object the button carries, or the same as a JSON
 * string (legacy callbacks may send it so). Anything else: undefined.
 */
export function tokenFromAction(value: unknown): string | undefined {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v) as unknown;
    } catch {
      return undefined;
    }
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const t = (v as Record<string, unknown>).t;
  return typeof t === 'string' && t !== '' ? t : undefined;
}
