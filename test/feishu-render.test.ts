// Tests the Feishu renderer: card JSON 2.0 shape, buttons and tokens, inert user text, text content, the 30 KB limit.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Card, CardColor } from '../src/chat/message.ts';
import {
  FEISHU_CARD_MAX_BYTES,
  TRUNCATION_MARKER,
  escapeMarkdown,
  toFeishuCard,
  toFeishuContent,
  toFeishuText,
  tokenFromAction,
} from '../src/platforms/feishu/render.ts';
import { decode, nodes } from './helpers/feishu-card-text.ts';

type Json = Record<string, unknown>;

const withTag = (card: object, tag: string): Json[] => nodes(card).filter((n) => n.tag === tag);
const markdownTexts = (card: object): string[] => withTag(card, 'markdown').map((n) => String(n.content));

function noticeCard(over: Partial<Card> = {}): Card {
  return {
    title: '督查通知 督〔2026〕12号',
    subtitle: '市委督查室',
    color: 'red',
    fields: [
      { label: '事项', value: '城区积水点整改' },
      { label: '办结时限', value: '2026-06-30' },
    ],
    body: '**督查要求**\n6月底前完成全部积水点整改。',
    buttons: [
      { text: '签署', style: 'primary', token: 'tok.sign.abc' },
      { text: '退回修改', style: 'danger', token: 'tok.back.def' },
    ],
    note: '签字就表明认可，签字就必须负责。',
    ...over,
  };
}

/** The request body im.message.create would send. */
function requestBody(content: string): string {
  return JSON.stringify({ receive_id: `ou_${'0'.repeat(32)}`, msg_type: 'interactive', content, uuid: randomUUID() });
}

describe('toFeishuCard', () => {
  it('draws a notice with two buttons as a JSON 2.0 card', () => {
    const card = toFeishuCard(noticeCard()) as Json;
    expect(card.schema).toBe('2.0');
    expect(card.config).toEqual({ update_multi: true });
    expect(card.header).toEqual({
      title: { tag: 'plain_text', content: '督查通知 督〔2026〕12号' },
      subtitle: { tag: 'plain_text', content: '市委督查室' },
      template: 'red',
    });
    const elements = (card.body as { elements: Json[] }).elements;
    expect(elements.map((e) => e.tag)).toEqual(['markdown', 'markdown', 'hr', 'markdown', 'column_set']);
    expect(elements[0]?.content).toBe('**事项**：城区积水点整改\n**办结时限**：2026-06-30');
    expect(elements[1]?.content).toBe('**督查要求**\n6月底前完成全部积水点整改。');

    // No 1.0 `action` container anywhere; one column per button.
    expect(withTag(card, 'action')).toEqual([]);
    const row = elements[4] as { columns: Json[] };
    expect(row.columns).toHaveLength(2);
    for (const column of row.columns) expect(column.tag).toBe('column');
    const buttons = withTag(card, 'button');
    expect(buttons).toEqual([
      {
        tag: 'button',
        text: { tag: 'plain_text', content: '签署' },
        type: 'primary',
        behaviors: [{ type: 'callback', value: { t: 'tok.sign.abc' } }],
      },
      {
        tag: 'button',
        text: { tag: 'plain_text', content: '退回修改' },
        type: 'danger',
        behaviors: [{ type: 'callback', value: { t: 'tok.back.def' } }],
      },
    ]);
    // The token read back from what Feishu would send on a press.
    for (const b of buttons) {
      const value = (b.behaviors as { value: unknown }[])[0]?.value;
      expect(tokenFromAction(value)).toMatch(/^tok\./);
    }
  });

  it('maps every colour to the header template of the same name and default buttons to type default', () => {
    const colors: CardColor[] = ['red', 'orange', 'blue', 'green', 'grey'];
    for (const color of colors) {
      const card = toFeishuCard(noticeCard({ color, buttons: [{ text: '取消', style: 'default', token: 't1' }] })) as Json;
      expect((card.header as Json).template).toBe(color);
      expect(withTag(card, 'button')[0]?.type).toBe('default');
    }
  });

  it('has no button elements when the card has no buttons, and shows the note small and grey', () => {
    const card = toFeishuCard(
      noticeCard({ buttons: [], subtitle: undefined, note: '已由张三于 2026-05-20 09:30 签署，督查室已受理' }),
    ) as Json;
    expect(withTag(card, 'button')).toEqual([]);
    expect(withTag(card, 'column_set')).toEqual([]);
    expect((card.header as Json).subtitle).toBeUndefined();
    const elements = (card.body as { elements: Json[] }).elements;
    const last = elements[elements.length - 1];
    expect(last?.tag).toBe('markdown');
    expect(last?.text_size).toBe('notation');
    expect(String(last?.content)).toMatch(/^<font color='grey'>.*<\/font>$/);
    expect(decode(String(last?.content))).toContain('已由张三于 2026-05-20 09:30 签署，督查室已受理');
  });

  it('leaves out what the card does not have', () => {
    const card = toFeishuCard({ title: 'T', color: 'blue', fields: [], buttons: [] }) as Json;
    expect((card.body as { elements: Json[] }).elements).toEqual([]);
  });

  it('makes user text inert while keeping its own bold labels and heading', () => {
    const title = '<at id=all></at> 紧急';
    const userText = '请看 [点我](http://x) 和 **粗体**\n**粗体**\n<at id=all></at><at user_id="ou_1"></at> <font color=red>红</font>\n# 标题\n- 列表\n1. 有序\n    缩进代码\n`代码` ~~删~~ _斜_ :OK: R&D &lt;';
    const card = toFeishuCard(
      noticeCard({
        title,
        subtitle: '<at id=all></at>',
        fields: [{ label: '事项', value: '[点我](http://x) <at id=all></at> **粗体**' }],
        body: `**报告全文**\n${userText}`,
        note: '<at id=all></at> [点我](http://x)',
      }),
    ) as Json;

    // Titles are plain_text: shown literally, never parsed.
    expect((card.header as Json).title).toEqual({ tag: 'plain_text', content: title });

    const texts = markdownTexts(card);
    for (const md of texts) {
      const withoutOwnTags = md.replace(/<font color='grey'>|<\/font>/g, '');
      expect(withoutOwnTags).not.toMatch(/[<>[\]`~_]/);
      expect(withoutOwnTags).not.toContain('](');
      expect(withoutOwnTags).not.toMatch(/^\s*(?:[-+#]|\d+\.)/m);
      expect(withoutOwnTags).not.toMatch(/^ {4}/m);
    }
    const [fields, body, note] = [texts[0] ?? '', texts[1] ?? '', texts[2] ?? ''];
    // The card's own bold stays; the user's asterisks are entities.
    expect(fields.startsWith('**事项**：')).toBe(true);
    expect(fields.slice('**事项**：'.length)).not.toContain('*');
    expect(body.startsWith('**报告全文**\n')).toBe(true);
    expect(body.slice('**报告全文**\n'.length)).not.toContain('*');
    expect(body).toContain('&#91;点我&#93;(http&#58;//x)');
    expect(body).toContain('&#42;&#42;粗体&#42;&#42;');
    expect(body).toContain('&#60;at id=all&#62;&#60;/at&#62;');

    // And it still reads exactly as typed.
    expect(decode(body)).toBe(`**报告全文**\n${userText}`);
    expect(decode(fields)).toBe('**事项**：[点我](http://x) <at id=all></at> **粗体**');
    expect(decode(note.replace(/<font color='grey'>|<\/font>/g, ''))).toBe('<at id=all></at> [点我](http://x)');
  });

  it('treats a body without a heading line as user text throughout', () => {
    const card = toFeishuCard(noticeCard({ body: '**粗体** 开头\n第二行' }));
    const body = markdownTexts(card)[1] ?? '';
    expect(body).toBe('&#42;&#42;粗体&#42;&#42; 开头\n第二行');
  });

  it('keeps a 5000-character report whole when it fits, under the 30 KB limit', () => {
    const report = '办理情况良好，已完成整改。'.repeat(400).slice(0, 5000);
    const content = toFeishuContent({ kind: 'card', card: noticeCard({ body: `**报告全文**\n${report}` }) });
    expect(content.msg_type).toBe('interactive');
    expect(Buffer.byteLength(requestBody(content.content), 'utf8')).toBeLessThan(FEISHU_CARD_MAX_BYTES);
    const body = markdownTexts(JSON.parse(content.content) as object)[1] ?? '';
    expect(body).toBe(`**报告全文**\n${report}`);
    expect(body).not.toContain('已截断');
  });

  it('cuts a 5000-character report that would not fit, with a marker, and the card stays valid', () => {
    const report = `${'~'.repeat(49)}\n`.repeat(100); // 5000 characters that escape to about 30 KB
    const content = toFeishuContent({ kind: 'card', card: noticeCard({ body: `**报告全文**\n${report}` }) });
    expect(Buffer.byteLength(requestBody(content.content), 'utf8')).toBeLessThan(FEISHU_CARD_MAX_BYTES);
    const card = JSON.parse(content.content) as Json;
    expect(card.schema).toBe('2.0');
    const body = markdownTexts(card)[1] ?? '';
    expect(body.startsWith(`**报告全文**\n${'&#126;'.repeat(49)}\n`)).toBe(true);
    expect(decode(body).endsWith(`\n${TRUNCATION_MARKER}`)).toBe(true);
    // Cut between characters, never inside an entity, and most of what fits is kept.
    expect(body).not.toMatch(/&#?\w*$/m);
    expect(decode(body).length).toBeGreaterThan(2000);
    // Fields, note and buttons are untouched.
    expect(withTag(card, 'button')).toHaveLength(2);
    expect(markdownTexts(card)[0]).toBe('**事项**：城区积水点整改\n**办结时限**：2026-06-30');
  });

  it('still fits when the fields themselves are huge', () => {
    const huge = '*'.repeat(20_000);
    const content = toFeishuContent({
      kind: 'card',
      card: noticeCard({ title: huge, fields: [{ label: '事项', value: huge }], body: `**报告全文**\n${huge}`, note: huge }),
    });
    expect(Buffer.byteLength(requestBody(content.content), 'utf8')).toBeLessThan(FEISHU_CARD_MAX_BYTES);
    expect(withTag(JSON.parse(content.content) as object, 'button')).toHaveLength(2);
  });
});

describe('escapeMarkdown', () => {
  it('uses the numeric entities Feishu documents and leaves ordinary text alone', () => {
    expect(escapeMarkdown('a<b>*c*')).toBe('a&#60;b&#62;&#42;c&#42;');
    expect(escapeMarkdown('普通文字，2026年5月。')).toBe('普通文字，2026年5月。');
    expect(escapeMarkdown('R&D &amp; &#42;')).toBe('R&D &#38;amp; &#38;&#35;42;');
    expect(escapeMarkdown('---\n+ x\n===\n2) y')).toBe('&#45;--\n&#43; x\n&#61;==\n2&#41; y');
    expect(escapeMarkdown('a\r\nb')).toBe('a\nb');
  });
});

describe('toFeishuText', () => {
  it('makes mentions inert and keeps line breaks', () => {
    const content = toFeishuText('<at user_id="all"></at> 请注意\n第二行 <AT user_id="ou_1">x</at>');
    const parsed = JSON.parse(content) as { text: string };
    expect(Object.keys(parsed)).toEqual(['text']);
    expect(parsed.text).not.toMatch(/<\/?at\b/i);
    expect(parsed.text).toBe('＜at user_id="all">＜/at> 请注意\n第二行 ＜AT user_id="ou_1">x＜/at>');
  });

  it('makes style tags and links inert but leaves other angle brackets', () => {
    const parsed = JSON.parse(toFeishuText('<b>粗</b> <i>斜</i> [点我](http://x)\n/新建 <标题> 单位=<单位>')) as { text: string };
    expect(parsed.text).toBe('＜b>粗＜/b> ＜i>斜＜/i> [点我]（http://x)\n/新建 <标题> 单位=<单位>');
  });

  it('is what toFeishuContent sends for text', () => {
    expect(toFeishuContent({ kind: 'text', text: '你好' })).toEqual({ msg_type: 'text', content: '{"text":"你好"}' });
  });
});

describe('tokenFromAction', () => {
  it('reads the token from an object or a JSON string of it', () => {
    expect(tokenFromAction({ t: 'abc.def' })).toBe('abc.def');
    expect(tokenFromAction('{"t":"abc.def"}')).toBe('abc.def');
  });

  it('answers undefined for anything else', () => {
    for (const v of [undefined, null, '', 'abc', '{"t":5}', '["t"]', { t: '' }, { t: 1 }, { x: 'y' }, ['t'], 42]) {
      expect(tokenFromAction(v)).toBeUndefined();
    }
  });
});
