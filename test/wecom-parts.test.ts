// WeCom's pieces that need no server: the safe XML reader, callbacks to neutral events, and messages cut to fit.
import { describe, expect, it } from 'vitest';
import type { Card } from '../src/chat/message.ts';
import { cardMarkdown, MAX_TEXT_BYTES, outcomeLabel, splitText, toWecomMessages } from '../src/platforms/wecom/render.ts';
import { eventIdOf, toWecomInbound } from '../src/platforms/wecom/to-event.ts';
import { parseWecomXml, XmlError } from '../src/platforms/wecom/xml.ts';
import { rawQuery } from '../src/platforms/wecom/receiver.ts';

describe('the XML reader', () => {
  it('keeps values as sent: 007 stays 007, a 19-digit MsgId stays whole, CDATA untouched, plain text entities decoded', () => {
    const f = parseWecomXml('<xml>\n<Content><![CDATA[ 007 ]]></Content>\n<MsgId>1234567890123456789</MsgId><A>x &amp; y &#20013;</A><B><![CDATA[a &amp; b]]></B><E></E></xml>');
    expect(f).toEqual({ Content: ' 007 ', MsgId: '1234567890123456789', A: 'x & y 中', B: 'a &amp; b', E: '' });
    expect(parseWecomXml('<?xml version="1.0" encoding="UTF-8"?>\r\n<xml><ToUserName>ww1</ToUserName><Empty/></xml>\n')).toEqual({ ToUserName: 'ww1', Empty: '' });
  });
  it('refuses a DTD (entity bombs, external entities), nesting, repeats and non-XML', () => {
    for (const bad of [
      '<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><A>&a;</A></xml>',
      '<?xml version="1.0"?><!DOCTYPE xml SYSTEM "file:///etc/passwd"><xml/>',
      '<xml><A><B>1</B></A></xml>',
      '<xml><A>1</A><A>2</A></xml>',
      'hello',
      '<notxml><A>1</A></notxml>',
      '<xml><!-- a comment --><A>1</A></xml>',
      '<xml><A x="1">1</A></xml>',
      '<xml><A>1</A></xml><B>2</B>',
      '<xml><A>1</A>',
      '<xml><A><![CDATA[1]]></B></xml>',
    ]) expect(() => parseWecomXml(bad), bad).toThrow(XmlError);
  });
});

describe('callbacks to neutral events', () => {
  it('a text message is a command, named by its MsgId', () => {
    const r = toWecomInbound({ MsgType: 'text', FromUserName: 'LiMing', Content: '  /查看\u3000007 ', MsgId: '1234567890123456789' }, 'x');
    expect(r).toEqual({
      kind: 'command',
      event: { kind: 'command', id: '1234567890123456789', sender: { platform: 'wecom', ids: ['LiMing'] }, text: '/查看 007', replyTo: { platform: 'wecom', chatId: 'LiMing', direct: true } },
    });
  });
  it('a template_card_event is a press, named by a hash of the whole plaintext', () => {
    const r = toWecomInbound({ MsgType: 'event', Event: 'template_card_event', FromUserName: 'LiMing', EventKey: 'tok', TaskId: 't1', ResponseCode: 'rc' }, '<xml>…</xml>');
    expect(r).toEqual({ kind: 'press', event: { kind: 'action', id: eventIdOf('<xml>…</xml>'), sender: { platform: 'wecom', ids: ['LiMing'] }, token: 'tok' }, taskId: 't1', responseCode: 'rc' });
    expect(eventIdOf('a')).not.toBe(eventIdOf('b'));
  });
  it('anything else is ignored', () => {
    expect(toWecomInbound({ MsgType: 'event', Event: 'enter_agent', FromUserName: 'LiMing' }, 'x').kind).toBe('ignored');
    expect(toWecomInbound({ MsgType: 'image', FromUserName: 'LiMing', MsgId: '1' }, 'x').kind).toBe('ignored');
  });
  it('reads the query decoding once: a + in base64 stays a +', () => {
    expect(rawQuery('echostr=ab+c%2Bd%3D%3D&nonce=1')).toEqual({ echostr: 'ab+c+d==', nonce: '1' });
    expect(rawQuery('a=%E0%A4%A')).toBeUndefined();
  });
});

const card = (over: Partial<Card> = {}): Card => ({
  title: '督查通知 督字〔2026〕1号',
  subtitle: '中共测试市委督查室',
  color: 'red',
  fields: [{ label: '事项', value: '城区主干道积水整治' }],
  buttons: [{ text: '签收', style: 'primary', token: 'tok' }],
  ...over,
});

describe('messages cut to fit WeCom', () => {
  it('splits text past 2048 bytes into numbered parts, never inside a character', () => {
    const text = '督查'.repeat(2000);
    const parts = splitText(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(parts[0]).toMatch(/^（1\/\d+）/);
    expect(parts.map((p) => p.replace(/^（\d+\/\d+）/, '')).join('')).toBe(text);
    expect(splitText('短')).toEqual(['短']);
  });
  it('a card with buttons is a template card; one too long for it goes whole as markdown first', () => {
    const [only] = toWecomMessages({ kind: 'card', card: card() }, 'task-1');
    expect(only).toMatchObject({ msgtype: 'template_card', template_card: { card_type: 'button_interaction', task_id: 'task-1', button_list: [{ text: '签收', style: 1, key: 'tok' }] } });
    const long = toWecomMessages({ kind: 'card', card: card({ body: `**报告全文**\n${'已完成整治。'.repeat(50)}` }) }, 'task-2');
    expect(long.map((m) => m.msgtype)).toEqual(['markdown', 'template_card']);
    expect(JSON.stringify(long[0])).toContain('已完成整治。'.repeat(50));
  });
  it('a card without buttons is markdown', () => {
    const out = toWecomMessages({ kind: 'card', card: card({ buttons: [], note: '已由李明签收' }) }, 't');
    expect(out.map((m) => m.msgtype)).toEqual(['markdown']);
    expect(cardMarkdown(card({ buttons: [], note: '已由李明签收' }))).toContain('已由李明签收');
  });
  it('names what was done on a redrawn card', () => {
    expect(outcomeLabel(card({ buttons: [], note: '已由李明于 2026年9月28日 09:00 签收' }))).toBe('已签收');
    expect(outcomeLabel(card({ buttons: [] }), '已签收')).toBe('已签收');
    expect(outcomeLabel(card({ buttons: [] }))).toBe('已处理');
    // A withdrawn item's cards, and a draft that expired.
    expect(outcomeLabel(card({ buttons: [], note: '已由张伟于 2026年9月28日 11:00 撤回，不再办理。理由：与3号重复，无需签收' }))).toBe('已撤回');
    expect(outcomeLabel(card({ buttons: [], note: '已于 2026年10月5日 08:00 过期作废（草稿保留 7 天）' }))).toBe('已作废');
  });
});
