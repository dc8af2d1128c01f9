// The messages of progress reports (进度=) read back as each platform draws them (no Redis): 【进度报送提醒】 to a
// contact and to the leader told after a missed period, in Feishu, WeCom and the console page; the 进度报送 line of
// the notice; and the periods themselves (calendar weeks, months, quarters, half-years, N working days) on the
// Chinese calendar, with the 进度= values /新建 takes.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ActionSigner } from '../src/chat/action-token.ts';
import { renderCard } from '../src/chat/cards.ts';
import { contactBriefCard } from '../src/chat/contact-brief.ts';
import type { Card } from '../src/chat/message.ts';
import { progressCard, type ProgressLine } from '../src/chat/progress-card.ts';
import type { Directory } from '../src/directory/directory.ts';
import { loadDirectoryFile } from '../src/directory/load-directory.ts';
import { WorkCalendar } from '../src/domain/calendar.ts';
import { answered, parseProgressEvery, progressPeriods, unitProgress, type ProgressEvery, type ProgressPeriod } from '../src/domain/progress.ts';
import type { Assignment, ItemHeader } from '../src/domain/types.ts';
import { toFeishuCard } from '../src/platforms/feishu/render.ts';
import { toWecomMessages } from '../src/platforms/wecom/render.ts';
import { shownText } from './helpers/feishu-card-text.ts';

const TZ = 'Asia/Shanghai';
const calendar = WorkCalendar.loadSync();
const ctx = { tz: TZ, remindAt: 9 * 60, calendar };
let dir: Directory;
beforeAll(async () => {
  dir = await loadDirectoryFile('test/fixtures/directory.yaml');
});

function periods(every: ProgressEvery, issued: string, n = 4): string[] {
  const out: string[] = [];
  for (const p of progressPeriods(every, Date.parse(issued), ctx)) {
    out.push(`${p.label} ${p.start}..${p.end} @${p.remindOn}`);
    if (out.length === n) break;
  }
  return out;
}

describe('the periods', () => {
  it('takes 周, 月, 季, 半年 and N工作日 in their usual spellings, and nothing else', () => {
    expect(['月', '每月', 'monthly', '季度', 'quarter', '每半年', '周', 'week'].map(parseProgressEvery)).toEqual(['月', '月', '月', '季', '季', '半年', '周', '周']);
    expect(['10工作日', '10个工作日', '每10个工作日', '5wd'].map(parseProgressEvery)).toEqual(['10工作日', '10工作日', '10工作日', '5工作日']);
    expect(['两周', '0工作日', '251工作日', '10天', ''].map(parseProgressEvery)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('months: the last working day of each, counted from the month of issue when issued in its first half', () => {
    expect(periods('月', '2026-09-10T10:00:00+08:00', 3)).toEqual([
      '2026年9月 2026-09-10..2026-09-30 @2026-09-30',
      // National Day: October's last working day is Friday the 30th (the 31st is a Saturday).
      '2026年10月 2026-10-01..2026-10-31 @2026-10-30',
      '2026年11月 2026-11-01..2026-11-30 @2026-11-30',
    ]);
    // Issued late in September: its days join October's period.
    expect(periods('月', '2026-09-28T10:30:00+08:00', 1)).toEqual(['2026年10月 2026-09-28..2026-10-31 @2026-10-30']);
  });

  it('weeks from Monday (a 调休 Saturday is their last working day), quarters and half-years', () => {
    expect(periods('周', '2026-09-28T10:30:00+08:00', 3)).toEqual([
      '9月28日至10月4日当周 2026-09-28..2026-10-04 @2026-09-30',
      '10月5日至10月11日当周 2026-10-05..2026-10-11 @2026-10-10',
      '10月12日至10月18日当周 2026-10-12..2026-10-18 @2026-10-16',
    ]);
    // Issued on the week's last working day before the holiday, before the slot: not reminded within the hour.
    expect(periods('周', '2026-09-30T08:00:00+08:00', 1)).toEqual(['10月5日至10月11日当周 2026-09-30..2026-10-11 @2026-10-10']);
    expect(periods('季', '2026-10-12T10:00:00+08:00', 2)).toEqual([
      '2026年第四季度 2026-10-12..2026-12-31 @2026-12-31',
      '2027年第一季度 2027-01-01..2027-03-31 @2027-03-31',
    ]);
    expect(periods('半年', '2026-07-01T10:00:00+08:00', 2)).toEqual([
      '2026年下半年 2026-07-01..2026-12-31 @2026-12-31',
      '2027年上半年 2027-01-01..2027-06-30 @2027-06-30',
    ]);
  });

  it('every N working days from the day of issue', () => {
    expect(periods('5工作日', '2026-09-28T10:30:00+08:00', 3)).toEqual([
      '9月28日至10月10日 2026-09-28..2026-10-10 @2026-10-10',
      '10月11日至10月16日 2026-10-11..2026-10-16 @2026-10-16',
      '10月17日至10月23日 2026-10-17..2026-10-23 @2026-10-23',
    ]);
  });

  it('a report signed in a period answers it; a period passed unanswered is missed; none after the deadline or once done', () => {
    const signedOn = (iso: string) => ({ signature: { at: Date.parse(iso) } });
    const item = { progress: '月' as const, issuedAt: Date.parse('2026-09-10T10:00:00+08:00') };
    const a = { due: '2027-03-31', state: 'received', reports: [signedOn('2026-10-31T23:00:00+08:00')] };
    const now = Date.parse('2026-12-02T09:00:00+08:00');
    const p = unitProgress(item, a, now, ctx)!;
    expect(p.missed.map((m) => m.label)).toEqual(['2026年9月', '2026年11月']);
    expect(p.lastEnded?.label).toBe('2026年11月');
    // The deadline in November: November is the deadline's, not a progress period.
    expect(unitProgress(item, { ...a, due: '2026-11-20' }, now, ctx)!.missed.map((m) => m.label)).toEqual(['2026年9月']);
    // Completed in October: nothing is owed after.
    expect(unitProgress(item, { ...a, state: 'completed', completedAt: Date.parse('2026-10-20T10:00:00+08:00') }, now, ctx)!.missed.map((m) => m.label)).toEqual(['2026年9月']);
    const oct = [...progressPeriods('月', item.issuedAt, ctx)][1]!;
    expect(answered(a, oct, TZ)).toBe(true);
    expect(answered(a, oct, TZ, Date.parse('2026-10-30T09:00:00+08:00'))).toBe(false);
  });
});

// ---- the cards ----

const T = Date.parse('2026-11-30T09:00:00+08:00');
const item: ItemHeader = {
  id: '2026-7',
  year: 2026,
  seq: 7,
  title: '全年重点项目推进',
  category: 'major',
  status: 'open',
  createdBy: 'zhang',
  createdAt: T,
  issuedBy: 'zhang',
  issuedAt: Date.parse('2026-09-28T10:30:00+08:00'),
  due: '2027-03-31',
  dueAt: Date.parse('2027-03-31T23:59:59.999+08:00'),
  units: ['jtj'],
  lead: 'jtj',
  progress: '月',
};
const [oct, nov] = [...progressPeriods('月', item.issuedAt!, ctx)].slice(0, 2) as [ProgressPeriod, ProgressPeriod];

function reminder(ask: ProgressLine['ask'], missed: boolean): Card {
  return progressCard('2026-11-30', false, [{ item, unit: 'jtj', ask, period: nov, leader: 'li', ...(missed ? { missed: oct } : {}) }], dir, 2026);
}

/** The console page's own drawing of a card (its markdown and escaping, from page.js), as text a person reads. */
function consoleText(card: Card): string {
  const js = readFileSync('src/platforms/console/assets/page.js', 'utf8');
  const grab = (from: string, to: string) => js.slice(js.indexOf(from), js.indexOf(to, js.indexOf(from)));
  const markdown = new Function(`${grab('const escapeHtml', '\n\n')}\n${grab('function markdown', '\n}\n')}\n}\nreturn markdown;`)() as (s: string) => string;
  const html = `${card.title}\n${card.subtitle ?? ''}\n${card.fields.map((f) => `${f.label} ${f.value}`).join('\n')}\n${markdown(card.body ?? '')}\n${card.note ?? ''}`;
  return html
    .replace(/<br>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

describe('【进度报送提醒】 as people read it', () => {
  const contactLines = [
    '【进度报送提醒】1 项督查事项本期进展待报送',
    '1. 督字〔2026〕7号「全年重点项目推进」',
    '市交通运输局 · 请今天报送2026年11月进展（每月报送）：发送 /报送 7 <办理情况>',
    '上期（2026年10月）进展未报送，已告知负责领导李明。',
    '今天是本期最后一个工作日。进展报告经负责领导签署即为本期已报送；逾期未报送的，计入督查日报。',
  ];
  const leaderLines = ['市交通运输局 · 2026年11月进展尚未报送，请督促联络员今天报送并签署', '上期（2026年10月）进展未报送。'];

  it('Feishu: the contact’s and the leader’s card, every line as written, no markup showing', () => {
    const contact = shownText(toFeishuCard(reminder('report', true)));
    for (const l of contactLines) expect(contact).toContain(l);
    expect(contact).not.toMatch(/\*\*|\\|&#/);
    const leader = shownText(toFeishuCard(reminder('told', true)));
    for (const l of leaderLines) expect(leader).toContain(l);
    expect(shownText(toFeishuCard(reminder('sign', false)))).toContain('市交通运输局 · 2026年11月进展报告待您签署，签署后即为本期已报送');
  });

  it('WeCom: a card without buttons goes as markdown, in one message, with the same lines', () => {
    const msgs = toWecomMessages({ kind: 'card', card: reminder('report', true) }, 'task1');
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.msgtype).toBe('markdown');
    const md = msgs[0]!.msgtype === 'markdown' ? msgs[0]!.markdown.content : '';
    expect(md.startsWith('**【进度报送提醒】1 项督查事项本期进展待报送**\n> 中共测试市委督查室 · 2026年11月30日')).toBe(true);
    for (const l of contactLines.slice(1)) expect(md).toContain(l);
    const leader = toWecomMessages({ kind: 'card', card: reminder('told', true) }, 'task2')[0]!;
    for (const l of leaderLines) expect(leader.msgtype === 'markdown' && leader.markdown.content).toContain(l);
  });

  it('the console: the page’s drawing shows the same lines, the command’s <办理情况> included', () => {
    const text = consoleText(reminder('report', true));
    for (const l of contactLines) expect(text).toContain(l);
    const leader = consoleText(reminder('told', true));
    for (const l of leaderLines) expect(leader).toContain(l);
  });

  it('the notice and the preview say how often progress is reported', () => {
    const a: Assignment = {
      unit: 'jtj',
      lead: true,
      responsible: 'li',
      state: 'issued',
      due: item.due,
      dueAt: item.dueAt,
      reports: [],
      summons: [],
      visits: [],
      extensions: [],
      urges: [],
    };
    const cardCtx = { item, assignments: [a], dir, tz: TZ, now: T, signer: new ActionSigner('k') };
    const notice = renderCard({ kind: 'notice', item: item.id, unit: 'jtj' }, 'li', cardCtx);
    expect(notice.fields.map((f) => f.label)).toEqual(['事项', '类别', '承办单位', '负责领导', '办结时限', '进度报送', '当前状态']);
    expect(shownText(toFeishuCard(notice))).toContain('进度报送：每月一次（每期最后一个工作日提醒）');
    expect(consoleText(notice)).toContain('进度报送 每月一次（每期最后一个工作日提醒）');
    const preview = renderCard({ kind: 'preview', item: item.id }, 'zhang', cardCtx);
    expect(preview.fields.at(-1)).toEqual({ label: '进度报送', value: '每月一次（每期最后一个工作日提醒）' });
    // The contact's card at 签收: they are the one who reports each period.
    const brief = contactBriefCard(item, { ...a, state: 'received', receivedAt: T }, dir, TZ, 2026);
    expect(shownText(toFeishuCard(brief))).toContain('进度报送：每月一次，每期最后一个工作日前报送');
    const md = toWecomMessages({ kind: 'card', card: brief }, 't')[0]!;
    expect(md.msgtype === 'markdown' && md.markdown.content).toContain('进度报送：每月一次，每期最后一个工作日前报送');
    expect(consoleText(brief)).toContain('进度报送 每月一次，每期最后一个工作日前报送');
  });
});
