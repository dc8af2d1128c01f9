// The messages issue 18 adds, read back as each platform draws them (no Redis): a "no" that asks for a reason (a
// Feishu form, a plain WeCom button), the outcome with its reason, the contact's card after 签收, the 替换 / 保留
// question and a summons replaced; and the reason read back from a Feishu press.
import { beforeAll, describe, expect, it } from 'vitest';
import { ActionSigner } from '../src/chat/action-token.ts';
import { renderCard, type CardContext } from '../src/chat/cards.ts';
import { contactBriefCard } from '../src/chat/contact-brief.ts';
import type { CardKey } from '../src/chat/card-key.ts';
import type { Card } from '../src/chat/message.ts';
import type { Directory } from '../src/directory/directory.ts';
import { loadDirectoryFile } from '../src/directory/load-directory.ts';
import type { Assignment, ItemHeader } from '../src/domain/types.ts';
import { inputFromAction, toFeishuCard } from '../src/platforms/feishu/render.ts';
import { cardMarkdown, toWecomMessages } from '../src/platforms/wecom/render.ts';
import { nodes, shownText } from './helpers/feishu-card-text.ts';

type Json = Record<string, any>;

const T = Date.parse('2026-09-28T10:30:00+08:00');
let dir: Directory;
beforeAll(async () => {
  dir = await loadDirectoryFile('test/fixtures/directory.yaml');
});

const item: ItemHeader = {
  id: '2026-7',
  year: 2026,
  seq: 7,
  title: '城区主干道积水整治',
  req: '汛期前完成排查整改',
  category: 'public',
  status: 'open',
  createdBy: 'zhang',
  createdAt: T,
  issuedBy: 'zhang',
  issuedAt: T,
  due: '2026-10-30',
  dueAt: Date.parse('2026-10-30T23:59:59.999+08:00'),
  units: ['jtj'],
  lead: 'jtj',
};

function assignment(over: Partial<Assignment> = {}): Assignment {
  return {
    unit: 'jtj',
    lead: true,
    responsible: 'li',
    state: 'awaiting_signature',
    due: '2026-10-30',
    dueAt: item.dueAt,
    receivedAt: T,
    reports: [{ version: 1, text: '已完成排查，整改方案：分三批推进。', hash: 'h', final: false, by: 'zhao', at: T, status: 'pending' }],
    summons: [],
    visits: [],
    extensions: [],
    urges: [],
    ...over,
  };
}

function draw(key: CardKey, a: Assignment, viewer = 'li'): Card {
  const ctx: CardContext = { item, assignments: [a], dir, tz: 'Asia/Shanghai', now: T, signer: new ActionSigner('k') };
  return renderCard(key, viewer, ctx);
}

describe('a "no" that asks for a reason', () => {
  it('Feishu: 签署 stays a button, 退回修改 is the submit of a form with a required text box', () => {
    const card = toFeishuCard(draw({ kind: 'sign', item: item.id, unit: 'jtj', n: 1 }, assignment()));
    const elements = (card as Json).body.elements as Json[];
    const row = elements.find((e) => e.tag === 'column_set')!;
    expect(nodes(row).filter((n) => n.tag === 'button').map((b) => b.text.content)).toEqual(['签署']);
    const form = elements.at(-1)!;
    expect(form.tag).toBe('form');
    expect(form.elements[0]).toEqual({
      tag: 'input',
      name: 'reason',
      required: true,
      input_type: 'multiline_text',
      rows: 2,
      auto_resize: true,
      max_rows: 6,
      max_length: 500,
      label: { tag: 'plain_text', content: '退回理由' },
      label_position: 'top',
      placeholder: { tag: 'plain_text', content: '写明要联络员修改什么，例如：数据不全，请补充各区县明细' },
    });
    expect(form.elements[1]).toMatchObject({ tag: 'button', text: { content: '退回修改' }, type: 'danger', form_action_type: 'submit', name: 'submit_1' });
    expect(form.elements[1].behaviors[0].value.t).toMatch(/^[\w-]+\.[\w-]+$/);
  });

  it('Feishu: 退回 of a signed report keeps its confirm dialog on the form’s submit', () => {
    const signed = assignment({ state: 'signed', reports: [{ ...assignment().reports[0]!, status: 'signed', signature: { by: 'li', at: T, platform: 'feishu', version: 1, hash: 'h', text: 'x' } }] });
    const card = toFeishuCard(draw({ kind: 'review', item: item.id, unit: 'jtj', n: 1 }, signed, 'zhang')) as Json;
    const submit = nodes(card).find((n) => n.form_action_type === 'submit')!;
    expect(submit.text.content).toBe('退回');
    expect(submit.confirm.title.content).toBe('确认退回市交通运输局第 1 稿进展报告？');
    expect(nodes(card).find((n) => n.tag === 'input')!.label.content).toBe('退回理由');
  });

  it('WeCom: the same card is a template card whose 退回修改 is a plain button (the press asks for /退回)', () => {
    const [tc] = toWecomMessages({ kind: 'card', card: draw({ kind: 'sign', item: item.id, unit: 'jtj', n: 1 }, assignment()) }, 'task1');
    expect(tc!.msgtype).toBe('template_card');
    expect(tc!.msgtype === 'template_card' && tc!.template_card.button_list.map((b) => [b.text, b.style])).toEqual([
      ['签署', 1],
      ['退回修改', 3],
    ]);
  });

  it('reads the reason of a Feishu press: a form’s text, empty when blank, nothing without a form', () => {
    expect(inputFromAction({ reason: '数据不全' })).toEqual({ reason: '数据不全' });
    expect(inputFromAction({})).toEqual({ reason: '' });
    expect(inputFromAction({ reason: 5 })).toEqual({ reason: '' });
    expect(inputFromAction(undefined)).toBeUndefined();
    expect(inputFromAction('reason')).toBeUndefined();
    expect(inputFromAction(['x'])).toBeUndefined();
  });
});

describe('the outcome, with its reason', () => {
  it('a report sent back, a report returned, an extension refused: each card says who, when and why', () => {
    const back = assignment({ state: 'returned', reports: [{ ...assignment().reports[0]!, status: 'sent_back', reviewedBy: 'li', reviewedAt: T, returnReason: '数据不全，请补充*各区县*明细' }] });
    const sign = draw({ kind: 'sign', item: item.id, unit: 'jtj', n: 1 }, back);
    expect(sign.buttons).toHaveLength(0);
    // User text stays inert in Feishu: the asterisks are shown, not made italic.
    expect(shownText(toFeishuCard(sign))).toContain('已由李明于 2026年9月28日 10:30 退回联络员修改。退回理由：数据不全，请补充*各区县*明细');
    expect(cardMarkdown(sign)).toContain('退回理由：数据不全，请补充*各区县*明细');

    const returned = assignment({
      state: 'returned',
      reports: [{ ...assignment().reports[0]!, status: 'returned', reviewedBy: 'zhang', reviewedAt: T, returnReason: '未附整改照片', signature: { by: 'li', at: T, platform: 'feishu', version: 1, hash: 'h', text: 'x' } }],
    });
    expect(draw({ kind: 'review', item: item.id, unit: 'jtj', n: 1 }, returned, 'zhang').note).toBe('已由张伟于 2026年9月28日 10:30 退回。退回理由：未附整改照片');
    expect(draw({ kind: 'sign', item: item.id, unit: 'jtj', n: 1 }, returned).note).toBe('已由李明于 2026年9月28日 10:30 签署，督查室已退回。退回理由：未附整改照片');

    const refused = assignment({ extensions: [{ id: 1, to: '2026-11-15', reason: '汛期', by: 'li', at: T, status: 'refused', decidedBy: 'qian', decidedAt: T, refuseReason: '理由不充分' }] });
    expect(draw({ kind: 'extension', item: item.id, unit: 'jtj', n: 1 }, refused, 'qian').note).toBe('已由钱芳于 2026年9月28日 10:30 不同意。理由：理由不充分');
  });
});

describe('the contact’s card after 签收', () => {
  const card = () => contactBriefCard(item, assignment({ state: 'received' }), dir, 'Asia/Shanghai', 2026);

  it('Feishu: the lines read exactly as they are to be sent', () => {
    const text = shownText(toFeishuCard(card()));
    expect(text).toContain('请报送办理情况：督字〔2026〕7号');
    expect(text).toContain('负责领导：李明已于 2026年9月28日 10:30 签收');
    expect(text).toContain('报送进展：/报送 7 <办理情况>');
    expect(text).toContain('报送办结：/报送 7 办结 <办结报告>');
    expect(text).toContain('督查要求\n汛期前完成排查整改');
    expect(nodes(toFeishuCard(card())).some((n) => n.tag === 'button')).toBe(false);
  });

  it('WeCom: markdown (it has no buttons), every line of it', () => {
    const msgs = toWecomMessages({ kind: 'card', card: card() }, 't');
    expect(msgs).toEqual([
      {
        msgtype: 'markdown',
        markdown: {
          content: [
            '**请报送办理情况：督字〔2026〕7号**',
            '> 中共测试市委督查室',
            '事项：城区主干道积水整治',
            '承办单位：市交通运输局',
            '办结时限：2026年10月30日',
            '负责领导：李明已于 2026年9月28日 10:30 签收',
            '报送进展：/报送 7 <办理情况>',
            '报送办结：/报送 7 办结 <办结报告>',
            '',
            '**督查要求**',
            '汛期前完成排查整改',
            '',
            '<font color="comment">请在办结时限前用上面的命令报送（编号后面的文字就是报告全文）。报告须经李明本人签署后，方报督查室受理。</font>',
          ].join('\n'),
        },
      },
    ]);
  });
});

describe('a second summons', () => {
  const at1 = Date.parse('2026-10-10T15:00:00+08:00');
  const at2 = Date.parse('2026-10-12T09:00:00+08:00');
  const pending = assignment({
    state: 'received',
    summons: [{ id: 1, at: at1, place: '302会议室', by: 'zhang', createdAt: T }],
    proposals: [{ id: 1, kind: 'summons', replaces: 1, at: at2, place: '督查室', by: 'zhang', createdAt: T, status: 'pending' }],
  });

  it('the question reads the same in Feishu and WeCom, with its two buttons', () => {
    const q = draw({ kind: 'proposal', item: item.id, unit: 'jtj', n: 1 }, pending, 'zhang');
    const text = shownText(toFeishuCard(q));
    expect(text).toContain('已有尚未举行的约谈：督字〔2026〕7号');
    expect(text).toContain('原约谈：2026年10月10日 15:00，302会议室（未确认出席）');
    expect(text).toContain('新约谈：2026年10月12日 09:00，督查室');
    expect(text).toContain('替换：原约谈取消，李明收到新的约谈通知，原通知显示已被替换。\n保留：不发新的约谈，原约谈照常。');
    expect(nodes(toFeishuCard(q)).filter((n) => n.tag === 'button').map((b) => b.text.content)).toEqual(['替换原约谈', '保留原约谈']);
    // The times and places are longer than a template card's fields: the whole card comes first as markdown.
    const [md, tc] = toWecomMessages({ kind: 'card', card: q }, 't');
    expect(md!.msgtype === 'markdown' && md!.markdown.content).toContain('原约谈：2026年10月10日 15:00，302会议室（未确认出席）\n新约谈：2026年10月12日 09:00，督查室');
    expect(tc!.msgtype === 'template_card' && tc!.template_card.button_list.map((b) => b.text)).toEqual(['替换原约谈', '保留原约谈']);
  });

  it('the head’s first card, once replaced: no button, where to go instead', () => {
    const replaced = assignment({
      state: 'received',
      summons: [
        { id: 1, at: at1, place: '302会议室', by: 'zhang', createdAt: T, replacedBy: 2, replacedAt: T },
        { id: 2, at: at2, place: '督查室', by: 'zhang', createdAt: T },
      ],
    });
    const card = draw({ kind: 'summons', item: item.id, unit: 'jtj', n: 1 }, replaced);
    expect(card.buttons).toHaveLength(0);
    expect(card.color).toBe('grey');
    const text = shownText(toFeishuCard(card));
    expect(text).toContain('本次约谈已取消，请以新的通知为准：2026年10月12日 09:00，督查室。');
    expect(text).toContain('已被新的约谈替换（2026年9月28日 10:30）');
  });
});
