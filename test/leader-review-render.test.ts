// What issue 19 (points 1, 2) adds, read back as each platform draws it (no Redis): 【办结报告】 with its 阅 button and the
// 再批示 text box (a Feishu form; a WeCom template card whose press answers with /批示; the console's own dialog from the
// neutral card), the card once the review ended (阅, 再批示, silence), the source on the notice, and the refusals a
// person reads.
import { beforeAll, describe, expect, it } from 'vitest';
import { ActionSigner } from '../src/chat/action-token.ts';
import { renderCard, type CardContext } from '../src/chat/cards.ts';
import type { CardKey } from '../src/chat/card-key.ts';
import type { Card } from '../src/chat/message.ts';
import type { Directory } from '../src/directory/directory.ts';
import { loadDirectoryFile, parseDirectory, DirectoryError } from '../src/directory/load-directory.ts';
import { instructLine } from '../src/dispatch/leader-review.ts';
import { isRefusal } from '../src/domain/refusal.ts';
import { checkLeader } from '../src/domain/rules.ts';
import type { Assignment, ItemHeader } from '../src/domain/types.ts';
import { toFeishuCard } from '../src/platforms/feishu/render.ts';
import { cardMarkdown, toWecomMessages } from '../src/platforms/wecom/render.ts';
import { nodes, shownText } from './helpers/feishu-card-text.ts';

type Json = Record<string, any>;
const T = Date.parse('2026-09-28T10:30:00+08:00');
let dir: Directory;
beforeAll(async () => {
  dir = await loadDirectoryFile('test/fixtures/directory-leaders.yaml');
});

const item: ItemHeader = {
  id: 'd3',
  draft: 3,
  year: 2026,
  seq: 7,
  title: '背街小巷路灯修复',
  category: 'assigned',
  status: 'review',
  createdBy: 'zhang',
  createdAt: T,
  issuedBy: 'zhang',
  issuedAt: T,
  due: '2026-10-30',
  dueAt: Date.parse('2026-10-30T23:59:59.999+08:00'),
  units: ['jtj'],
  lead: 'jtj',
  source: 'instruction',
  instructedBy: 'gao',
  sourceRef: '市领导批示〔2026〕12号',
  reviewFrom: T,
  reviewDueAt: Date.parse('2026-10-10T23:59:59.999+08:00'),
};

const done: Assignment = {
  unit: 'jtj',
  lead: true,
  responsible: 'li',
  state: 'completed',
  due: '2026-10-30',
  dueAt: item.dueAt,
  receivedAt: T,
  completedAt: T,
  reports: [
    {
      version: 1,
      text: '路灯已全部修复，共 42 盏。\n夜间巡查无暗点。',
      hash: 'h',
      final: true,
      by: 'zhao',
      at: T,
      status: 'accepted',
      signature: { by: 'li', at: T, platform: 'feishu', version: 1, hash: 'h', text: 'x' },
      reviewedBy: 'zhang',
      reviewedAt: T,
    },
  ],
  summons: [],
  visits: [],
  extensions: [],
  urges: [],
};

function draw(key: CardKey, viewer: string, over: Partial<ItemHeader> = {}): Card {
  const ctx: CardContext = { item: { ...item, ...over }, assignments: [done], dir, tz: 'Asia/Shanghai', now: T, signer: new ActionSigner('k') };
  return renderCard(key, viewer, ctx);
}
const closing = (viewer = 'gao', over: Partial<ItemHeader> = {}) => draw({ kind: 'closing', item: item.id }, viewer, over);

describe('【办结报告】', () => {
  it('Feishu: 阅 a button with its confirm; 再批示 the submit of a form with a required 批示内容 box', () => {
    const card = toFeishuCard(closing()) as Json;
    const text = shownText(card);
    expect(text).toContain('【办结报告】督字〔2026〕7号');
    expect(text).toContain('来源：领导批示（市领导批示〔2026〕12号），批办领导：高峰');
    expect(text).toContain('各单位办结报告');
    expect(text).toContain('市交通运输局（李明 2026年9月28日 10:30 签署）\n路灯已全部修复，共 42 盏。\n夜间巡查无暗点。');
    expect(text).toContain('（全文请发送 /查看 7）');
    expect(text).toContain('2026年10月10日 23:59 前未有新的批示，视为办结。');
    const buttons = nodes(card).filter((n) => n.tag === 'button');
    expect(buttons.map((b) => b.text.content)).toEqual(['阅', '再批示']);
    expect(buttons[0]!.confirm.title.content).toBe('确认阅示督字〔2026〕7号？');
    const input = nodes(card).find((n) => n.tag === 'input')!;
    expect(input).toMatchObject({ name: 'reason', required: true, label: { content: '批示内容' } });
    expect(buttons[1]!.form_action_type).toBe('submit');
  });

  it('WeCom: a template card with both buttons (再批示 answers with the /批示 line); the text as markdown', () => {
    const msgs = toWecomMessages({ kind: 'card', card: closing() }, 'task');
    const tc = msgs.find((m) => m.msgtype === 'template_card')!;
    expect(tc.msgtype === 'template_card' && tc.template_card.button_list.map((b) => b.text)).toEqual(['阅', '再批示']);
    const md = cardMarkdown(closing());
    expect(md.split('\n').slice(0, 5)).toEqual([
      '**【办结报告】督字〔2026〕7号**',
      '> 背街小巷路灯修复',
      '事项：背街小巷路灯修复',
      '来源：领导批示（市领导批示〔2026〕12号），批办领导：高峰',
      '承办单位：1 个，均已办结',
    ]);
    expect(instructLine(item, 2026)).toBe('再批示请发送：/批示 7 <批示内容>（按“阅”则事项办结）');
  });

  it('the console: the neutral card as its page shows it, 再批示 opening a text box labelled 批示内容', () => {
    const card = closing();
    expect(card.buttons.map((b) => [b.text, b.input?.label])).toEqual([
      ['阅', undefined],
      ['再批示', '批示内容'],
    ]);
    // Anyone but the leader sees it without buttons.
    expect(closing('zhang').buttons).toEqual([]);
    expect(closing('zhang').note).toBe('等待批办领导高峰审阅');
  });

  it('once the review ended: who, when, how, and no buttons, the same on every platform', () => {
    const read = closing('gao', { status: 'completed', review: { how: 'read', by: 'gao', at: T } });
    expect(read.buttons).toEqual([]);
    expect(read.note).toBe('已由高峰于 2026年9月28日 10:30 阅，事项办结');
    expect(shownText(toFeishuCard(read))).toContain('已由高峰于 2026年9月28日 10:30 阅，事项办结');
    expect(cardMarkdown(read)).toContain('<font color="comment">已由高峰于 2026年9月28日 10:30 阅，事项办结</font>');
    const told = closing('gao', { status: 'completed', review: { how: 'instructed', by: 'gao', at: T }, instructions: [{ n: 1, text: '月底前再报一次', by: 'gao', at: T, followUp: 'd4' }] });
    expect(told.note).toBe('已由高峰于 2026年9月28日 10:30 再批示，事项办结，督查室另起续办事项。批示：月底前再报一次');
    const silent = closing('gao', { status: 'completed', review: { how: 'silence', by: 'system', at: T } });
    expect(silent.note).toBe('审阅期内未有新的批示，已于 2026年9月28日 10:30 视为办结');
    expect(toWecomMessages({ kind: 'card', card: silent }, 't').every((m) => m.msgtype === 'markdown')).toBe(true);
  });

  it('the notice a head receives names the source', () => {
    const notice = draw({ kind: 'notice', item: item.id, unit: 'jtj' }, 'li', { status: 'open' });
    expect(shownText(toFeishuCard(notice))).toContain('来源：领导批示（市领导批示〔2026〕12号），批办领导：高峰');
    expect(cardMarkdown(notice)).toContain('来源：领导批示（市领导批示〔2026〕12号），批办领导：高峰');
  });
});

describe('the refusals a person reads', () => {
  const refusal = (f: () => void) => {
    try {
      f();
    } catch (e) {
      if (isRefusal(e)) return e.message;
      throw e;
    }
    return 'ok';
  };
  it('another leader, the office, a second 阅, an item still open, an item with no leader', () => {
    expect(refusal(() => checkLeader('read', 'ma', item, dir))).toBe('只有督字〔2026〕7号的批办领导高峰才能阅');
    expect(refusal(() => checkLeader('instruct', 'zhang', item, dir))).toBe('只有督字〔2026〕7号的批办领导高峰才能批示');
    expect(refusal(() => checkLeader('read', 'gao', { ...item, status: 'completed' }, dir))).toBe('督字〔2026〕7号已办结，无需再阅');
    expect(refusal(() => checkLeader('instruct', 'gao', { ...item, status: 'completed' }, dir))).toBe('ok');
    expect(refusal(() => checkLeader('read', 'gao', { ...item, status: 'open' }, dir))).toBe('督字〔2026〕7号尚有单位未办结，各单位办结后再阅');
    expect(refusal(() => checkLeader('instruct', 'gao', { ...item, instructedBy: undefined }, dir))).toBe('督字〔2026〕7号没有批办领导，不需要批示');
    expect(refusal(() => checkLeader('read', 'gao', { ...item, status: 'withdrawn' }, dir))).toBe('督字〔2026〕7号已撤回，不能阅');
  });
});

describe('the directory’s leaders:', () => {
  const base = 'issuer: 测试\noffice: [a]\nunits: []\npeople:\n  - { id: a, name: 甲, wecom: { userid: A } }\n  - { id: b, name: 乙, wecom: { userid: B } }\n';
  it('are people of the file, each once; a bad entry stops the start naming its line', () => {
    expect(parseDirectory(`${base}leaders: [b]\n`, 'd.yaml').leaders).toEqual(['b']);
    expect(parseDirectory(base, 'd.yaml').leaders).toBeUndefined();
    const bad = (text: string) => {
      try {
        parseDirectory(text, 'd.yaml');
      } catch (e) {
        if (e instanceof DirectoryError) return e.message;
        throw e;
      }
      return 'ok';
    };
    expect(bad(`${base}leaders: [b, zz]\n`)).toBe('d.yaml 第 7 行：leaders（批办领导）里的 "zz" 不在 people 名单中');
    expect(bad(`${base}leaders:\n  - b\n  - b\n`)).toBe('d.yaml 第 9 行：leaders（批办领导）里 "b" 重复');
    expect(bad(`${base}leaders: b\n`)).toMatch(/^d\.yaml 第 7 行：leaders（批办领导）应是列表/);
  });
});
