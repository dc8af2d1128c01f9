// /统计 and /通报 (issue 20, points 2 and 3) on a hand-written September built through the real commands and presses on
// the injectable clock: on time, extended then on time, late, still overdue, returned and then on time, an item with a
// lead unit, one due next month and one withdrawn; every figure compared with what was worked out by hand.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../src/chat/message.ts';
import { parsePeriod } from '../src/output/period.ts';
import { cjkFont } from '../src/output/pdf-font.ts';
import { DEFAULT_PDF_FONT } from '../src/infra/config.ts';
import { statsChartPng } from '../src/output/stats-chart.ts';
import { computeStatistics, fullReader, type Figures, type Statistics } from '../src/output/statistics.ts';
import { statHeader, statView } from '../src/domain/stat-view.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { decodePng, greyVariance } from './helpers/png.ts';
import type { SentFile } from './helpers/recording-adapter.ts';

const TZ = 'Asia/Shanghai';
const at = (local: string) => `${local}+08:00`;

let h: Harness;
let sept: Statistics;
const out = mkdtempSync(join(tmpdir(), 'ducha-stats-'));

/** Issues an item drafted by zhang, and keeps the notice each responsible leader got. */
async function issue(text: string, leaders: string[]): Promise<Card[]> {
  await h.command('zhang', text);
  await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
  return leaders.map((p) => h.lastCard(p, '签收'));
}
async function when(local: string, what: () => Promise<unknown>): Promise<void> {
  h.clock.set(at(local));
  await what();
}
const press = (person: string, card: Card, label: string, reason?: string) => h.press(person, { card, label, ...(reason ? { reason } : {}) });
const sign = (leader: string) => press(leader, h.lastCard(leader, '签署'), '签署');
const accept = () => press('zhang', h.lastCard('zhang', '受理'), '受理');

function files(person: string): SentFile[] {
  return [...h.feishu.sentFiles, ...h.wecom.sentFiles].filter((f) => f.to?.chatId === `p2p-${person}`);
}

beforeAll(async () => {
  h = await createHarness({ now: at('2026-09-01T09:00:00'), directory: 'test/fixtures/stats-directory.yaml' });
  // All issued on Tuesday 1 September at 09:00 (numbers 1–8 in this order).
  const [a] = await issue('/新建 道路养护 单位=jtj 期限=2026-09-10 类别=民生', ['li']);
  const [b] = await issue('/新建 治安巡逻 单位=gaj 期限=2026-09-15 类别=重大', ['chen']);
  const [c] = await issue('/新建 公交线路优化 单位=jtj 期限=2026-09-11 类别=民生', ['li']);
  const [d] = await issue('/新建 电信诈骗整治 单位=gaj 期限=2026-09-18 类别=紧急', ['chen']);
  const [e] = await issue('/新建 停车场建设 单位=jtj 期限=2026-09-24 类别=民生', ['li']);
  const [fj, fz] = await issue('/新建 老旧小区改造 单位=jtj、zjj 期限=2026-09-28 牵头=zjj', ['wang', 'ma']);
  const [g] = await issue('/新建 学校周边整治 单位=gaj 期限=2026-10-20 类别=民生', ['chen']);
  await issue('/新建 重复的事项 单位=jtj 期限=2026-09-21', ['wang']);

  // 签收, in working hours after 09-01 09:00: A 2, B 10, C 6, D 1.5, E 18, F/jtj 9, F/zjj 0.5 (G 3: not in September).
  await when('2026-09-01T09:30:00', () => press('ma', fz!, '签收'));
  await when('2026-09-01T10:30:00', () => press('chen', d!, '签收'));
  await when('2026-09-01T11:00:00', () => press('li', a!, '签收'));
  await when('2026-09-01T12:00:00', () => press('chen', g!, '签收'));
  await when('2026-09-01T15:00:00', () => press('li', c!, '签收'));
  await when('2026-09-01T18:30:00', () => press('wang', fj!, '签收'));
  await when('2026-09-02T10:00:00', () => press('chen', b!, '签收'));
  await when('2026-09-02T11:00:00', () => h.command('zhang', '/撤回 8 理由=与1号重复'));
  await when('2026-09-03T09:00:00', () => press('li', e!, '签收'));

  // A: on time (signed 4 working hours after the report).
  await when('2026-09-08T10:00:00', () => h.command('zhao', '/报送 1 办结 道路养护已完成'));
  await when('2026-09-08T14:00:00', () => sign('li'));
  await when('2026-09-08T15:00:00', accept);
  // B: extended before its deadline, delivered after the original one and by the new one (signed after 6 h).
  await when('2026-09-10T10:00:00', () => h.command('chen', '/延期 2 至=2026-09-24 理由=需协调多部门'));
  await when('2026-09-10T11:00:00', () => press('zhang', h.lastCard('zhang', '同意'), '同意'));
  await when('2026-09-22T10:00:00', () => h.command('zhou', '/报送 2 办结 巡逻机制已建立'));
  await when('2026-09-22T16:00:00', () => sign('chen'));
  await when('2026-09-23T09:00:00', accept);
  // C: late: delivered on 09-16, three working days after 09-11 (signed after 9 h, over the evening).
  await when('2026-09-15T10:00:00', () => h.command('zhao', '/报送 3 办结 线路已优化'));
  await when('2026-09-16T10:00:00', () => sign('li'));
  await when('2026-09-16T11:00:00', accept);
  // E: the first final report returned by the office, the second accepted before the deadline (signed after 1 h, then 2 h).
  await when('2026-09-18T10:00:00', () => h.command('zhao', '/报送 5 办结 停车场已建成'));
  await when('2026-09-18T11:00:00', () => sign('li'));
  await when('2026-09-18T14:00:00', () => press('zhang', h.lastCard('zhang', '退回'), '退回', '缺少验收材料'));
  await when('2026-09-22T10:00:00', () => h.command('zhao', '/报送 5 办结 停车场已建成，验收材料附后'));
  await when('2026-09-22T12:00:00', () => sign('li'));
  await when('2026-09-22T15:00:00', accept);
  // D: still overdue: urged, the head summoned and heard, an on-site visit.
  await when('2026-09-21T10:00:00', () => h.command('zhang', '/催办 4'));
  await when('2026-09-21T11:00:00', () => h.command('zhang', '/约谈 4 单位=gaj 时间="2026-09-23 15:00" 地点=市委3号楼302会议室'));
  await when('2026-09-21T12:00:00', () => press('chen', h.lastCard('chen', '确认出席'), '确认出席'));
  await when('2026-09-23T16:00:00', () => h.command('zhang', '/约谈结果 4 单位=gaj 结果="已听取汇报，要求10月底前办结"'));
  await when('2026-09-24T10:00:00', () => h.command('zhang', '/坐地督查 4 单位=gaj 日期=2026-09-24 记录=现场查看，进度滞后'));
  // F: both units on time, the lead unit (住建局) on its last day (signed after 1 h and 8 h).
  await when('2026-09-24T10:00:00', () => h.command('zhao', '/报送 6 办结 本局负责部分已完成'));
  await when('2026-09-24T11:00:00', () => sign('wang'));
  await when('2026-09-24T12:00:00', accept);
  await when('2026-09-28T09:00:00', () => h.command('lu', '/报送 6 办结 改造全部完成'));
  await when('2026-09-28T17:00:00', () => sign('ma'));
  await when('2026-09-28T17:30:00', accept);

  h.clock.set(at('2026-10-09T12:00:00'));
  const rt = h.rt;
  sept = await computeStatistics(rt, rt.directory(), parsePeriod('2026-09', rt.clock.now(), TZ)!);
}, 120_000);

afterAll(async () => {
  await h?.close();
  rmSync(out, { recursive: true, force: true });
});

const figures = (over: Partial<Figures>): Figures => ({
  items: 0, completed: 0, on_time: 0, extended_on_time: 0, late: 0, overdue: 0, open: 0, rate: undefined,
  receiptHours: undefined, signHours: undefined, urges: 0, summons: 0, summonsHeard: 0, visits: 0, extensions: 0, ...over,
});

describe('the statistics of September', () => {
  it('counts the office: 7 assignments of 6 items due (the October item and the withdrawn one left out)', () => {
    expect(sept.itemCount).toBe(6);
    expect(sept.total).toEqual(
      figures({
        items: 7, completed: 6, on_time: 4, extended_on_time: 1, late: 1, overdue: 1, rate: 5 / 7,
        // 签收: 0.5 1.5 2 6 9 10 18; 签署: 1 1 2 4 6 8 9.
        receiptHours: 6, signHours: 4, urges: 1, summons: 1, summonsHeard: 1, visits: 1, extensions: 1,
      }),
    );
  });
  it('per unit, the highest on-time rate first', () => {
    expect(sept.byUnit).toEqual([
      { id: 'zjj', name: '市住建局', ...figures({ items: 1, completed: 1, on_time: 1, rate: 1, receiptHours: 0.5, signHours: 8 }) },
      { id: 'jtj', name: '市交通运输局', ...figures({ items: 4, completed: 4, on_time: 3, late: 1, rate: 0.75, receiptHours: 7.5, signHours: 2 }) },
      {
        id: 'gaj', name: '市公安局',
        ...figures({ items: 2, completed: 1, extended_on_time: 1, overdue: 1, rate: 0.5, receiptHours: 5.75, signHours: 6, urges: 1, summons: 1, summonsHeard: 1, visits: 1, extensions: 1 }),
      },
    ]);
  });
  it('per responsible leader: the heads of key items, the deputies of the ordinary one', () => {
    expect(sept.byLeader).toEqual([
      { id: 'ma', name: '马丽', ...figures({ items: 1, completed: 1, on_time: 1, rate: 1, receiptHours: 0.5, signHours: 8 }) },
      { id: 'wang', name: '王建国', ...figures({ items: 1, completed: 1, on_time: 1, rate: 1, receiptHours: 9, signHours: 1 }) },
      { id: 'li', name: '李明', ...figures({ items: 3, completed: 3, on_time: 2, late: 1, rate: 2 / 3, receiptHours: 6, signHours: 3 }) },
      {
        id: 'chen', name: '陈刚',
        ...figures({ items: 2, completed: 1, extended_on_time: 1, overdue: 1, rate: 0.5, receiptHours: 5.75, signHours: 6, urges: 1, summons: 1, summonsHeard: 1, visits: 1, extensions: 1 }),
      },
    ]);
  });
  it('knows the working days late: 3 for the late item, 10 (to 9 October, over National Day) for the overdue one', () => {
    const late = sept.entries.filter((e) => e.t === 'late' || e.t === 'overdue').map((e) => [e.item.seq, e.a.unit, e.t, e.daysLate]);
    expect(late).toEqual([
      [3, 'jtj', 'late', 3],
      [4, 'gaj', 'overdue', 10],
    ]);
  });
  it('restricted to one unit, counts only that unit', async () => {
    const rt = h.rt;
    const s = await computeStatistics(rt, rt.directory(), sept.period, ['gaj']);
    expect(s.byUnit.map((r) => r.id)).toEqual(['gaj']);
    expect(s.total).toEqual({ ...sept.byUnit[2], id: undefined, name: undefined, ...s.total });
    expect(s.total.items).toBe(2);
    expect(s.byLeader.map((r) => r.id)).toEqual(['chen']);
  });
  it('reads from Redis only what the figures need, and the compact read counts exactly as the full one', async () => {
    const rt = h.rt;
    // Every assignment of every item (drafts have none indexed; the withdrawn one's records are still there).
    const ids = await rt.store.itemIds();
    const refs = (await Promise.all(ids.map(async (id) => (await rt.store.getItem(id))!.item.units.map((u) => `${id}/${u}`)))).flat();
    expect(refs.length).toBe(9);
    const compact = await rt.store.statAssignments([...refs, 'd999/jtj']);
    const full = await rt.store.getAssignmentsByRef(refs);
    expect(compact.size).toBe(9);
    for (const ref of refs) expect(compact.get(ref), ref).toEqual(statView(full.get(ref)!));
    // The views hold the returned report, the extension, the summons heard, the visit, the joint completion.
    const all = [...compact.values()];
    expect(all.some((a) => a.reports.some((r) => r.status === 'returned'))).toBe(true);
    expect(all.some((a) => a.extensions.some((e) => e.status === 'approved' && e.oldDue === '2026-09-15'))).toBe(true);
    expect(all.some((a) => a.summons.some((s) => s.heard) && a.visits.length === 1 && a.urges === 1)).toBe(true);
    expect(all.some((a) => a.completedWith !== undefined)).toBe(true);
    // No report's text comes back.
    expect(JSON.stringify(all)).not.toContain('道路养护已完成');
    const headers = await rt.store.statHeaders([...ids, 'd999']);
    expect([...headers.keys()].sort()).toEqual([...ids].sort());
    for (const h0 of await rt.store.getHeaders(ids)) expect(headers.get(h0.id)).toEqual(statHeader(h0));
    for (const p of ['2026-09', '2026-10', '2026']) {
      const period = parsePeriod(p, rt.clock.now(), TZ)!;
      const viaCompact = await computeStatistics(rt, rt.directory(), period);
      expect(viaCompact, p).toEqual(await computeStatistics(rt, rt.directory(), period, undefined, fullReader(rt.store)));
      expect(viaCompact.total.items).toBeGreaterThan(0);
    }
    expect(await computeStatistics(rt, rt.directory(), sept.period, ['gaj'], fullReader(rt.store))).toEqual(
      await computeStatistics(rt, rt.directory(), sept.period, ['gaj']),
    );
    // The views kept in memory follow each record's version: a record changed is read anew, and again when changed back.
    const key = `${h.prefix}:asg:d4:gaj`;
    const [v, doc] = (await h.redis.hmget(key, 'v', 'doc')) as [string, string];
    const urged = JSON.parse(doc) as { urges: number[] };
    expect((await rt.store.statAssignments(['d4/gaj'])).get('d4/gaj')!.urges).toBe(1);
    await h.redis.hset(key, 'v', Number(v) + 1, 'doc', JSON.stringify({ ...urged, urges: [...urged.urges, Date.parse(at('2026-09-30T10:00:00'))] }));
    expect((await rt.store.statAssignments(['d4/gaj'])).get('d4/gaj')).toEqual(statView((await rt.store.getAssignmentsByRef(['d4/gaj'])).get('d4/gaj')!));
    expect((await rt.store.statAssignments(['d4/gaj'])).get('d4/gaj')!.urges).toBe(2);
    await h.redis.hset(key, 'v', Number(v) + 2, 'doc', doc);
    expect((await rt.store.statAssignments(['d4/gaj'])).get('d4/gaj')!.urges).toBe(1);
    await h.redis.hset(key, 'v', v);
  });
});

describe('/统计', () => {
  it('answers the office with a card, the chart as a picture and, with 导出, the spreadsheet', async () => {
    await h.command('zhang', '/统计 期间=上月 导出');
    const card = h.lastCard('zhang');
    expect(card.title).toBe('督查统计｜2026年9月');
    const field = (label: string) => card.fields.find((f) => f.label === label)?.value;
    expect(field('到期事项')).toBe('6项（7个单位次）');
    expect(field('办结情况')).toBe('已办结6：按期4、延期后按期1、逾期办结1、逾期未办结1');
    expect(field('按期办结率')).toBe('71.4%');
    expect(field('用时中位数（工作时间）')).toBe('签收 6小时，签署 4小时');
    expect(field('催办 / 约谈 / 坐地督查')).toBe('1 / 1 / 1');
    expect(card.body).toContain('1. **市住建局** 1项：按期1；按期率 100%；签收0.5小时、签署8小时');
    expect(card.body).toContain('3. **市公安局** 2项：延期后按期1、逾期未办结1；按期率 50%；签收5.8小时、签署6小时；催办1、约谈1、坐地督查1');
    expect(card.body).toContain('3. **李明** 3项：按期2、逾期办结1；按期率 66.7%');
    // The two files are separate deliveries: in whatever order they land.
    const sent = files('zhang').sort((x, y) => x.file.name.localeCompare(y.file.name));
    expect(sent.map((f) => [f.file.name, f.file.mime])).toEqual([
      ['督查统计-2026年9月.png', 'image/png'],
      ['督查统计-2026年9月.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ]);
    const png = decodePng(sent[0]!.bytes);
    expect(png.width).toBe(1800);
    expect(png.height).toBeGreaterThanOrEqual(500);
    expect(greyVariance(png)).toBeGreaterThan(200);
    writeFileSync(join(out, 'chart.png'), sent[0]!.bytes);
    if (process.env.KEEP_CHART) writeFileSync(process.env.KEEP_CHART, sent[0]!.bytes);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(sent[1]!.bytes as unknown as ArrayBuffer);
    const units = wb.getWorksheet('按单位')!;
    expect(units.views[0]).toMatchObject({ state: 'frozen', ySplit: 1, xSplit: 1 });
    expect(units.getColumn(1).width).toBeGreaterThanOrEqual(14);
    expect(units.getRow(1).getCell(9).value).toBe('按期办结率');
    const rows = [2, 3, 4, 5].map((r) => (units.getRow(r).values as unknown[]).slice(1));
    expect(rows).toEqual([
      ['市住建局', 1, 1, 1, 0, 0, 0, 0, 1, 0.5, 8, 0, 0, 0, 0],
      ['市交通运输局', 4, 4, 3, 0, 1, 0, 0, 0.75, 7.5, 2, 0, 0, 0, 0],
      ['市公安局', 2, 1, 0, 1, 0, 1, 0, 0.5, 5.8, 6, 1, 1, 1, 1],
      ['合计', 7, 6, 4, 1, 1, 1, 0, 5 / 7, 6, 4, 1, 1, 1, 1],
    ]);
    expect(units.getRow(2).getCell(9).numFmt).toBe('0.0%');
    const leaders = wb.getWorksheet('按负责领导')!;
    expect([2, 3, 4, 5].map((r) => leaders.getRow(r).getCell(1).value)).toEqual(['马丽', '王建国', '李明', '陈刚']);
  });

  it('gives a head their own unit only, and refuses another unit', async () => {
    await h.command('chen', '/统计 期间=2026-09');
    const card = h.lastCard('chen');
    expect(card.title).toBe('督查统计｜2026年9月｜市公安局');
    expect(card.fields.find((f) => f.label === '按期办结率')?.value).toBe('50%');
    expect(card.body).not.toContain('市交通运输局');
    await h.command('chen', '/统计 单位=jtj');
    expect(h.lastText('chen')).toContain('您只能查看本单位的统计，不能查看市交通运输局');
  });

  it('refuses a period it cannot read, naming the ones it can', async () => {
    await h.command('zhang', '/统计 期间=去年秋天');
    expect(h.lastText('zhang')).toContain('期间「去年秋天」不对，可写：本周、本月、上月、本季、本年');
  });

  it('says so when nothing falls due, and sends no chart', async () => {
    const before = files('zhang').length;
    await h.command('zhang', '/统计 期间=2026-08');
    expect(h.lastCard('zhang').body).toBe('2026年8月没有到期的督查事项。');
    expect(files('zhang').length).toBe(before);
  });
});

describe('the chart', () => {
  it('is drawn with the CJK font: a unit name adds ink where an empty name adds none', () => {
    const font = cjkFont({ pdfFont: DEFAULT_PDF_FONT })!;
    expect(font).toEqual({ path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' });
    const ink = (s: Statistics) => {
      const p = decodePng(statsChartPng(s, font));
      let dark = 0;
      for (let i = 0; i < p.data.length; i += p.channels) if (p.data[i]! < 128 && p.data[i + 1]! < 128 && p.data[i + 2]! < 128) dark++;
      return dark;
    };
    const blankNames = { ...sept, byUnit: sept.byUnit.map((r) => ({ ...r, name: ' ' })) };
    expect(ink(sept) - ink(blankNames)).toBeGreaterThan(500);
  });
});

describe('/通报', () => {
  let text: string;
  beforeAll(async () => {
    await h.command('zhang', '/通报 期间=2026-09 导出');
    text = h
      .received('zhang')
      .map((s) => s.message)
      .flatMap((m) => (m.kind === 'text' && m.text.includes('督查通报') ? [m.text] : []))
      .join('\n');
  });

  it('is a draft of the month, with the overall figures', () => {
    expect(text).toContain('【通报草稿】以下为2026年9月督查通报草稿');
    expect(text).toContain('（2026年9月）');
    expect(text).toContain('2026年9月，中共测试市委督查室共交办督查事项7项（其中重点事项6项）。');
    expect(text).toContain(
      '本期到期督查事项6项，涉及承办单位7个单位次，已办结6个单位次，其中按期办结4个、延期后按期办结1个、逾期办结1个；逾期未办结1个。按期办结率为71.4%',
    );
  });
  it('praises the unit that completed everything on time, and names the others with items and days', () => {
    expect(text).toContain('表扬：市住建局本期到期的督查事项全部按期办结，予以通报表扬。');
    expect(text).toContain('1. 市公安局：督字〔2026〕4号“电信诈骗整治”（期限9月18日，逾期未办结，已逾期10个工作日）。');
    expect(text).toContain('2. 市交通运输局：督字〔2026〕3号“公交线路优化”（逾期3个工作日办结）。');
  });
  it('says the summons heard and the visits made, and what falls due next month', () => {
    expect(text).toContain('对本期到期事项约谈一把手1次，已听取汇报1次：市公安局（督字〔2026〕4号，9月23日）。开展坐地督查1次：市公安局（督字〔2026〕4号，9月24日）。发出催办1次。');
    expect(text).toContain('2026年10月将有1项督查事项到期：\n1. 督字〔2026〕7号“学校周边整治”，市公安局，10月20日到期；');
    expect(text).not.toContain('重复的事项');
  });
  it('comes as a PDF whose text is the bulletin, in Chinese', () => {
    const pdf = files('zhang').find((f) => f.file.mime === 'application/pdf')!;
    expect(pdf.file.name).toBe('督查通报-2026年9月.pdf');
    const path = join(out, 'bulletin.pdf');
    writeFileSync(path, pdf.bytes);
    const found = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    expect(found).toContain('督查通报');
    expect(found).toContain('表扬：市住建局本期到期的督查事项全部按期办结');
    expect(found).toContain('市公安局：督字〔2026〕4号“电信诈骗整治”');
    if (process.env.KEEP_CHART) writeFileSync(process.env.KEEP_CHART.replace(/\.png$/, '.pdf'), pdf.bytes);
  });
  it('is the office’s alone', async () => {
    await h.command('li', '/通报');
    expect(h.lastText('li')).toContain('只有督查室工作人员才能生成督查通报');
  });
});
