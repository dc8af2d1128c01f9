// What the item's owner (督查员) adds, read back as each platform shows it (no Redis): the preview's 督查员, the owner's
// part of the 【督查日报】, the 【转交】 and 【督查员变动】 messages and the refusal of an owner outside the office, in Feishu,
// WeCom and the console (which draws the neutral card: fields as label and value, the body's ** as bold).
import { beforeAll, describe, expect, it } from 'vitest';
import { ActionSigner } from '../src/chat/action-token.ts';
import { renderCard } from '../src/chat/cards.ts';
import type { Card } from '../src/chat/message.ts';
import type { Directory } from '../src/directory/directory.ts';
import { loadDirectoryFile, parseDirectory } from '../src/directory/load-directory.ts';
import { handOver } from '../src/dispatch/handover.ts';
import { ownerFrom } from '../src/dispatch/owner-arg.ts';
import { isRefusal } from '../src/domain/refusal.ts';
import type { Assignment, ItemHeader } from '../src/domain/types.ts';
import { toFeishuCard, toFeishuContent } from '../src/platforms/feishu/render.ts';
import { toWecomMessages } from '../src/platforms/wecom/render.ts';
import { digestFor } from '../src/schedule/owner-digest.ts';
import { ownersLeftText } from '../src/schedule/follow-owner.ts';
import { shownText } from './helpers/feishu-card-text.ts';

const T = Date.parse('2026-09-28T10:30:00+08:00');
let dir: Directory;
beforeAll(async () => {
  dir = await loadDirectoryFile('test/fixtures/directory-heads.yaml');
});

const item = (over: Partial<ItemHeader> = {}): ItemHeader => ({
  id: 'd7',
  draft: 7,
  year: 2026,
  seq: 7,
  title: '城区主干道积水整治',
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
  ...over,
});

const assignment: Assignment = {
  unit: 'jtj',
  lead: true,
  responsible: 'li',
  state: 'issued',
  due: '2026-10-30',
  dueAt: item().dueAt,
  reports: [],
  summons: [],
  visits: [],
  extensions: [],
  urges: [],
};

/** A text message as each platform shows it: Feishu's text content, WeCom's text, the console's text as it is. */
function textEverywhere(text: string): { feishu: string; wecom: string; console: string } {
  const f = toFeishuContent({ kind: 'text', text });
  const [w] = toWecomMessages({ kind: 'text', text }, 't');
  return {
    feishu: (JSON.parse(f.content) as { text: string }).text,
    wecom: w!.msgtype === 'text' ? w!.text.content : '',
    console: text,
  };
}

/** The console's reading of a card: title, fields as `label：value`, body with its bold marks drawn, note, buttons. */
function consoleText(card: Card): string {
  return [card.title, card.subtitle ?? '', ...card.fields.map((f) => `${f.label}：${f.value}`), (card.body ?? '').replace(/\*\*/g, ''), card.note ?? '', ...card.buttons.map((b) => `[${b.text}]`)].join('\n');
}

describe('the preview names the owner', () => {
  const draft = item({ status: 'draft', year: undefined, seq: undefined, issuedBy: undefined, issuedAt: undefined, expiresAt: T + 7 * 86_400_000, owner: 'qian' });
  const preview = () =>
    renderCard({ kind: 'preview', item: draft.id }, 'zhang', { item: draft, assignments: [assignment], dir, tz: 'Asia/Shanghai', now: T, signer: new ActionSigner('k') });

  it('in Feishu, WeCom and the console', () => {
    expect(shownText(toFeishuCard(preview()))).toContain('\n督查员：钱芳\n');
    // Seven fields: WeCom shows the whole card as markdown first, then the template card with its buttons.
    const [md, tc] = toWecomMessages({ kind: 'card', card: preview() }, 't');
    expect(md!.msgtype === 'markdown' && md!.markdown.content).toContain('\n督查员：钱芳\n');
    expect(tc!.msgtype === 'template_card' && tc!.template_card.button_list.map((b) => b.text)).toEqual(['发出', '取消']);
    expect(consoleText(preview())).toContain('\n督查员：钱芳\n');
  });

  it('an item of an earlier version: the clerk who issued it', () => {
    const old = item({ status: 'draft', issuedBy: undefined, createdBy: 'liu' });
    const card = renderCard({ kind: 'preview', item: old.id }, 'zhang', { item: old, assignments: [assignment], dir, tz: 'Asia/Shanghai', now: T, signer: new ActionSigner('k') });
    expect(card.fields.find((f) => f.label === '督查员')?.value).toBe('刘洋');
  });
});

describe('the owner’s part of the 【督查日报】 comes first', () => {
  const office: Card = { title: '【督查日报】2026年9月29日', subtitle: '中共测试市委督查室', color: 'blue', fields: [{ label: '在办', value: '2 项（按单位计）' }], body: '【按状态】已下发待签收 2\n\n【逾期（按单位）】无', buttons: [] };
  const own = '【本人负责】在办 1 项，需关注 1 项\n· 7号「城区主干道积水整治」临期：市交通运输局；超过一天未签收：市交通运输局';

  it('in Feishu, WeCom and the console, plain (no markup noise)', () => {
    const card = digestFor(office, own);
    const feishu = shownText(toFeishuCard(card));
    expect(feishu).toContain(`${own}\n\n【按状态】`);
    const [w] = toWecomMessages({ kind: 'card', card }, 't');
    expect(w!.msgtype === 'markdown' && w!.markdown.content).toBe(
      ['**【督查日报】2026年9月29日**', '> 中共测试市委督查室', '在办：2 项（按单位计）', '', own, '', '【按状态】已下发待签收 2', '', '【逾期（按单位）】无'].join('\n'),
    );
    expect(consoleText(card)).toContain(`${own}\n\n【按状态】`);
    // A head who owns nothing: the office's digest as it is.
    expect(digestFor(office, '')).toBe(office);
  });
});

describe('messages of a hand-over, and the refusal of an owner outside the office', () => {
  it('【转交】 to the new and the old owner, the same on every platform', () => {
    const it7 = item();
    const signed: Assignment = {
      ...assignment,
      state: 'signed',
      reports: [{ version: 1, text: '已完成排查。', hash: 'h', final: false, by: 'zhao', at: T, status: 'signed', signature: { by: 'li', at: T, platform: 'feishu', version: 1, hash: 'h', text: '已完成排查。' } }],
    };
    const { deliveries, audits } = handOver(it7, [signed], 'qian', dir, { by: 'liu' });
    expect(it7.owner).toBe('qian');
    expect(audits).toEqual([{ action: 'handover', from: 'zhang', to: 'qian', detail: { fromName: '张伟', toName: '钱芳' } }]);
    const sent = deliveries.map((d) => (d.kind === 'send' ? [d.person, d.message?.kind === 'text' ? d.message.text : d.cardKey] : []));
    expect(sent).toEqual([
      ['qian', '【转交】刘洋已将督字〔2026〕7号「城区主干道积水整治」转交您负责（原督查员：张伟）：此后该事项的待受理报告、延期申请、逾期升级等发给您。尚待处理的 1 张卡片随后发给您。'],
      ['zhang', '【转交】刘洋已将督字〔2026〕7号「城区主干道积水整治」转交钱芳负责，此后该事项的卡片发给钱芳，不再发给您。'],
      ['qian', 'review:d7:jtj:1'],
    ]);
    for (const [, text] of sent.slice(0, 2)) {
      const shown = textEverywhere(text!);
      expect(shown.feishu).toBe(text);
      expect(shown.wecom).toBe(text);
      expect(shown.console).toBe(text);
    }
  });

  it('【督查员变动】, one message listing the items', () => {
    const text = ownersLeftText([{ item: item(), from: 'zhang' }, { item: item({ id: 'd8', status: 'draft', year: undefined, seq: undefined, draft: 8, title: '草拟中' }), from: 'zhang' }], 'qian', dir);
    expect(text).toBe('【督查员变动】张伟已不在督查室名录中，其负责的 2 个事项已按名录改由钱芳负责：督字〔2026〕7号「城区主干道积水整治」、草稿8「草拟中」。如需改由他人负责，请用 /转交。');
    const shown = textEverywhere(text);
    expect([shown.feishu, shown.wecom, shown.console]).toEqual([text, text, text]);
  });

  it('refuses an owner who is not of the office, naming who may be', () => {
    const refusal = (() => {
      try {
        ownerFrom(dir, '李明');
      } catch (e) {
        if (isRefusal(e)) return e.message;
      }
      return '';
    })();
    expect(refusal).toBe('督查员须是督查室工作人员，「李明」（李明）不是。可选：张伟（zhang）、钱芳（qian）、刘洋（liu）');
    const shown = textEverywhere(refusal);
    expect([shown.feishu, shown.wecom, shown.console]).toEqual([refusal, refusal, refusal]);
    expect(ownerFrom(dir, 'qian').name).toBe('钱芳');
    expect(ownerFrom(dir, '刘洋').id).toBe('liu');
  });
});


describe('office_heads in the directory', () => {
  const text = (heads: string) =>
    ['issuer: 督查室', 'office: [zhang, qian]', `office_heads: ${heads}`, 'units: []', 'people:', '  - { id: zhang, name: 张伟, feishu: { open_id: ou_1 } }', '  - { id: qian, name: 钱芳, wecom: { userid: QianFang } }', '  - { id: li, name: 李明, wecom: { userid: LiMing } }'].join('\n');

  it('is optional, read in order, and each head must be of the office: a start-up error names the line', () => {
    expect(parseDirectory(text('[qian]'), 'd.yaml').officeHeads).toEqual(['qian']);
    expect(parseDirectory(text('[]'), 'd.yaml').officeHeads).toEqual([]);
    expect(() => parseDirectory(text('[qian, li]'), 'd.yaml')).toThrow(
      'd.yaml 第 3 行：office_heads（督查室负责人）里的 "li" 不在 office（督查室人员）中；负责人须是督查室人员',
    );
    expect(() => parseDirectory(text('[qian, qian]'), 'd.yaml')).toThrow('office_heads（督查室负责人）里 "qian" 重复');
  });
});
