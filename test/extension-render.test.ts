// The cards and refusals of an extension request (issue 19, point 4) read back as each platform draws them (no Redis):
// the leader's card of a contact's request (同意申请, and 不同意 as a Feishu form, a plain WeCom button, a console
// dialog), its outcomes, the office's card with the original deadline and how often it was extended, and the refusal
// of a request after the deadline.
import { beforeAll, describe, expect, it } from 'vitest';
import { ActionSigner } from '../src/chat/action-token.ts';
import { renderCard, type CardContext } from '../src/chat/cards.ts';
import type { CardKey } from '../src/chat/card-key.ts';
import type { Card } from '../src/chat/message.ts';
import type { Directory } from '../src/directory/directory.ts';
import { loadDirectoryFile } from '../src/directory/load-directory.ts';
import { endOfDay } from '../src/domain/dates.ts';
import type { Assignment, Extension, ItemHeader } from '../src/domain/types.ts';
import { toFeishuCard, toFeishuContent } from '../src/platforms/feishu/render.ts';
import { cardMarkdown, toWecomMessages } from '../src/platforms/wecom/render.ts';
import { nodes, shownText } from './helpers/feishu-card-text.ts';

type Json = Record<string, any>;
const TZ = 'Asia/Shanghai';
const T = Date.parse('2026-09-28T10:30:00+08:00');
const T2 = Date.parse('2026-09-29T09:15:00+08:00');
let dir: Directory;
beforeAll(async () => {
  dir = await loadDirectoryFile('test/fixtures/directory.yaml');
});

const item: ItemHeader = {
  id: 'd7', draft: 7, year: 2026, seq: 7, title: '城区主干道积水整治', category: 'public', status: 'open', createdBy: 'zhang', createdAt: T,
  issuedBy: 'zhang', issuedAt: T, due: '2026-10-09', dueAt: endOfDay('2026-10-09', TZ), units: ['jtj'], lead: 'jtj',
};

const ask: Extension = { id: 2, to: '2026-11-15', reason: '汛期施工受限，*需*顺延', by: 'zhao', at: T, status: 'pending_leader', oldDue: '2026-10-30' };
/** jtj, extended once already (10-09 → 10-30), with a second request from its contact. */
function unit(e: Partial<Extension> = {}): Assignment {
  return {
    unit: 'jtj', lead: true, responsible: 'li', state: 'received', due: '2026-10-30', dueAt: endOfDay('2026-10-30', TZ), receivedAt: T, reports: [], summons: [], visits: [], urges: [],
    extensions: [
      { id: 1, to: '2026-10-30', reason: '材料未到', by: 'li', at: T - 86_400_000, status: 'approved', decidedBy: 'zhang', decidedAt: T - 3_600_000, oldDue: '2026-10-09' },
      { ...ask, ...e },
    ],
  };
}

function draw(key: CardKey, a: Assignment, viewer: string): Card {
  const ctx: CardContext = { item, assignments: [a], dir, tz: TZ, now: T2, signer: new ActionSigner('k') };
  return renderCard(key, viewer, ctx);
}
const askKey: CardKey = { kind: 'extension_ask', item: 'd7', unit: 'jtj', n: 2 };
const officeKey: CardKey = { kind: 'extension', item: 'd7', unit: 'jtj', n: 2 };

describe('the leader’s card of a contact’s request', () => {
  it('Feishu: the request as the leader reads it; 同意申请 a button, 不同意 the submit of a form with its reason', () => {
    const card = toFeishuCard(draw(askKey, unit(), 'li')) as Json;
    const text = shownText(card);
    expect(text).toContain('延期申请待您同意：督字〔2026〕7号');
    expect(text).toContain('单位：市交通运输局');
    expect(text).toContain('申请人：赵磊（2026年9月28日 10:30）');
    expect(text).toContain('办结时限：2026年10月30日');
    expect(text).toContain('已延期：1 次（原定 2026年10月9日）');
    expect(text).toContain('申请延至：2026年11月15日');
    // The contact's words stay inert: the asterisks are shown, not made italic.
    expect(text).toContain('理由\n汛期施工受限，*需*顺延');
    expect(text).toContain('同意后报督查室审批；不同意须写明理由，告知申请人。');
    const form = nodes(card).find((n) => n.tag === 'form')!;
    expect(form.elements[0]).toMatchObject({ tag: 'input', name: 'reason', required: true, max_length: 500, label: { content: '不同意的理由' } });
    expect(form.elements[1]).toMatchObject({ text: { content: '不同意' }, type: 'danger', form_action_type: 'submit' });
    expect(nodes(card).filter((n) => n.tag === 'button').map((b) => b.text.content)).toEqual(['同意申请', '不同意']);
  });

  it('WeCom: a template card with 同意申请 / 不同意 (不同意 then asks for /退回) and every field whole', () => {
    const msgs = toWecomMessages({ kind: 'card', card: draw(askKey, unit(), 'li') }, 't1');
    // Nothing had to be cut: no markdown copy before the template card.
    expect(msgs).toHaveLength(1);
    const tc = msgs[0]!.msgtype === 'template_card' ? msgs[0]!.template_card : undefined;
    expect(tc!.main_title.title).toBe('延期申请待您同意：督字〔2026〕7号');
    expect(tc!.horizontal_content_list).toEqual([
      { keyname: '单位', value: '市交通运输局' },
      { keyname: '申请人', value: '赵磊（2026年9月28日 10:30）' },
      { keyname: '办结时限', value: '2026年10月30日' },
      { keyname: '已延期', value: '1 次（原定 2026年10月9日）' },
      { keyname: '申请延至', value: '2026年11月15日' },
    ]);
    expect(tc!.sub_title_text).toBe('理由\n汛期施工受限，*需*顺延');
    expect(tc!.button_list.map((b) => [b.text, b.style])).toEqual([
      ['同意申请', 1],
      ['不同意', 3],
    ]);
  });

  it('the console: the card as it is drawn there, 不同意 opening a dialog that asks for the reason', () => {
    const card = draw(askKey, unit(), 'li');
    expect(card.buttons.map((b) => b.text)).toEqual(['同意申请', '不同意']);
    expect(card.buttons[0]!.input).toBeUndefined();
    expect(card.buttons[1]!.input).toEqual({ name: 'reason', label: '不同意的理由', placeholder: '写明不同意的原因，例如：能够按期完成，不必延期', required: true, maxLength: 500 });
  });

  it('its outcomes: agreed and waiting, agreed and approved, agreed and refused, refused by the leader', () => {
    const agreed = { status: 'pending' as const, agreedBy: 'li', agreedAt: T2 };
    const note = (e: Partial<Extension>) => draw(askKey, unit(e), 'li').note;
    expect(note(agreed)).toBe('已由李明于 2026年9月29日 09:15 同意，报督查室，待督查室审批');
    expect(note({ ...agreed, status: 'approved', decidedBy: 'zhang', decidedAt: T2 })).toBe('已由李明于 2026年9月29日 09:15 同意，报督查室；督查室已同意（张伟，2026年9月29日 09:15）');
    expect(note({ ...agreed, status: 'refused', decidedBy: 'qian', decidedAt: T2, refuseReason: '理由不充分' })).toBe(
      '已由李明于 2026年9月29日 09:15 同意，报督查室；督查室不同意（钱芳，2026年9月29日 09:15），理由：理由不充分',
    );
    const refused = draw(askKey, unit({ status: 'refused', leaderRefused: true, decidedBy: 'li', decidedAt: T2, refuseReason: '能够按期完成' }), 'li');
    expect(refused.buttons).toEqual([]);
    expect(shownText(toFeishuCard(refused))).toContain('已由李明于 2026年9月29日 09:15 不同意。理由：能够按期完成');
    expect(cardMarkdown(refused)).toContain('<font color="comment">已由李明于 2026年9月29日 09:15 不同意。理由：能够按期完成</font>');
  });
});

describe('the office’s card', () => {
  const agreed = unit({ status: 'pending', agreedBy: 'li', agreedAt: T2 });

  it('Feishu: the leader’s word, the original deadline and how often it was extended', () => {
    const text = shownText(toFeishuCard(draw(officeKey, agreed, 'zhang')));
    expect(text).toContain('延期申请：督字〔2026〕7号');
    expect(text).toContain('单位意见：李明已同意（2026年9月29日 09:15）');
    expect(text).toContain('原定期限：2026年10月9日');
    expect(text).toContain('已延期：1 次，现为 2026年10月30日');
    expect(text).toContain('申请延至：2026年11月15日');
    expect(nodes(toFeishuCard(draw(officeKey, agreed, 'zhang'))).find((n) => n.tag === 'input')!.label.content).toBe('不同意的理由');
  });

  it('WeCom: its six fields fit a template card whole', () => {
    const msgs = toWecomMessages({ kind: 'card', card: draw(officeKey, agreed, 'qian') }, 't2');
    expect(msgs).toHaveLength(1);
    const tc = msgs[0]!.msgtype === 'template_card' ? msgs[0]!.template_card : undefined;
    expect(tc!.horizontal_content_list).toEqual([
      { keyname: '单位', value: '市交通运输局' },
      { keyname: '申请人', value: '赵磊（2026年9月28日 10:30）' },
      { keyname: '单位意见', value: '李明已同意（2026年9月29日 09:15）' },
      { keyname: '原定期限', value: '2026年10月9日' },
      { keyname: '已延期', value: '1 次，现为 2026年10月30日' },
      { keyname: '申请延至', value: '2026年11月15日' },
    ]);
    expect(tc!.button_list.map((b) => b.text)).toEqual(['同意', '不同意']);
  });

  it('the console: the same fields and buttons, 不同意 with its dialog', () => {
    const card = draw(officeKey, agreed, 'zhang');
    expect(card.fields.map((f) => `${f.label}：${f.value}`)).toEqual([
      '单位：市交通运输局',
      '申请人：赵磊（2026年9月28日 10:30）',
      '单位意见：李明已同意（2026年9月29日 09:15）',
      '原定期限：2026年10月9日',
      '已延期：1 次，现为 2026年10月30日',
      '申请延至：2026年11月15日',
    ]);
    expect(card.buttons.map((b) => [b.text, b.input?.label])).toEqual([
      ['同意', undefined],
      ['不同意', '不同意的理由'],
    ]);
  });

  it('a first request of a leader: 0 次, no 单位意见', () => {
    const first = unit();
    first.extensions = [{ id: 1, to: '2026-10-30', reason: '材料未到', by: 'li', at: T, status: 'pending', oldDue: '2026-10-09' }];
    first.due = '2026-10-09';
    const card = draw({ ...officeKey, n: 1 }, first, 'zhang');
    expect(card.fields.map((f) => `${f.label}：${f.value}`)).toEqual(['单位：市交通运输局', '申请人：李明（2026年9月28日 10:30）', '原定期限：2026年10月9日', '已延期：0 次', '申请延至：2026年10月30日']);
  });
});

describe('the refusal of a request after the deadline', () => {
  const refusal =
    '督字〔2026〕7号的办结时限 2026年10月9日 已过，不能再申请延期。请如实报送办理情况和未能按期办结的原因：/报送 7 <办理情况>';
  it('reads the same on every platform: plain text, the line to send whole', () => {
    expect(JSON.parse(toFeishuContent({ kind: 'text', text: refusal }).content)).toEqual({ text: refusal });
    expect(toWecomMessages({ kind: 'text', text: refusal }, 't')).toEqual([{ msgtype: 'text', text: { content: refusal } }]);
  });
});
