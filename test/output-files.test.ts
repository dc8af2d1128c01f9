// The office's files, through the service: /台账 导出 answers “正在生成…”, the render worker makes the .xlsx and it is
// sent into the chat (read back with exceljs: cells, date cells in the office's time zone, colours, the frozen header,
// the filter with its _xlnm._FilterDatabase name, the per-unit sheet; converted by LibreOffice when it is installed,
// the filter kept); /归档 sends the archive PDF (its Chinese text found by pdftotext, its first page drawn by pdftoppm);
// who may ask for what; a missing font is said.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, FIXTURE_DIRECTORY, type Harness } from './helpers/harness.ts';
import type { SentFile } from './helpers/recording-adapter.ts';
import { OVERDUE_FILL, SOON_FILL } from '../src/output/ledger-xlsx.ts';
import { pdfFont } from '../src/output/pdf-font.ts';
import { renderJobId } from '../src/output/render-request.ts';

const work = mkdtempSync(join(tmpdir(), 'ducha-output-'));
/** The test directory with a leader of no unit and not of the office, who instructs items (批办领导). */
const DIRECTORY = join(work, 'directory.yaml');
writeFileSync(DIRECTORY, readFileSync(FIXTURE_DIRECTORY, 'utf8') + '  - { id: boss, name: 高明远, feishu: { open_id: ou_00000000000000000000000000000009 } }\n');

let h: Harness;

const filesTo = (person: string): SentFile[] => [...h.feishu.sentFiles, ...h.wecom.sentFiles].filter((f) => f.to?.chatId === `p2p-${person}`);
const texts = (person: string) => h.received(person).flatMap((s) => (s.message.kind === 'text' ? [s.message.text] : []));

/** Gives an item a 批办领导 in its record, as /新建 批办= will (the header's field exists; the command is issue 19's). */
async function instructedBy(id: string, person: string): Promise<void> {
  const key = `${h.prefix}:item:${id}`;
  const doc = JSON.parse((await h.redis.hget(key, 'doc'))!) as Record<string, unknown>;
  await h.redis.hset(key, 'doc', JSON.stringify({ ...doc, instructedBy: person }));
}

beforeAll(async () => {
  h = await createHarness({ now: '2026-10-12T09:00:00+08:00', directory: DIRECTORY });
  // 1: a key item for two units; jtj reports, li signs, the office accepts: on time. gaj only received.
  await h.command('zhang', '/新建 城区主干道积水整治 单位=jtj、gaj 期限=2026-10-30 类别=民生 要求="汛前完成全部积水点整治"');
  await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
  await h.press('li', { card: h.lastCard('li', '签收'), label: '签收' });
  await h.press('chen', { card: h.lastCard('chen', '签收'), label: '签收' });
  await h.command('zhao', '/报送 1 办结 全部积水点已整治完毕，共 12 处。');
  await h.press('li', { card: h.lastCard('li', '签署'), label: '签署' });
  await h.press('zhang', { card: h.lastCard('zhang', '受理'), label: '受理' });
  // 2: an ordinary item for jtj due tomorrow: overdue once the clock moves.
  await h.command('zhang', '/新建 人行道破损修补 单位=jtj 期限=2026-10-13');
  await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
  // 3: an item for gaj due soon after.
  await h.command('zhang', '/新建 夜市周边交通秩序整治 单位=gaj 期限=2026-10-19');
  await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
  await h.command('zhang', '/催办 2');
  h.clock.set('2026-10-15T10:00:00+08:00');
});

afterAll(async () => {
  await h.close();
  rmSync(work, { recursive: true, force: true });
});

async function exported(person: string, command: string): Promise<{ wb: ExcelJS.Workbook; file: SentFile }> {
  const before = filesTo(person).length;
  await h.command(person, command);
  await h.until('the spreadsheet', () => filesTo(person).length > before);
  const file = filesTo(person).at(-1)!;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file.bytes as unknown as ArrayBuffer);
  return { wb, file };
}

describe('/台账 导出', () => {
  let wb: ExcelJS.Workbook;
  let file: SentFile;
  let xlsxPath: string;

  beforeAll(async () => {
    ({ wb, file } = await exported('zhang', '/台账 导出'));
    xlsxPath = join(work, 'ledger.xlsx');
    writeFileSync(xlsxPath, file.bytes);
    // To look at it: DUCHA_KEEP_XLSX=/tmp/ledger.xlsx, then open it (or convert it with LibreOffice).
    if (process.env.DUCHA_KEEP_XLSX) writeFileSync(process.env.DUCHA_KEEP_XLSX, file.bytes);
  });

  it('answers at once that it is being made, then sends an .xlsx into the same chat', () => {
    expect(texts('zhang').some((t) => t.startsWith('正在生成台账表格（Excel）'))).toBe(true);
    expect(file.file.name).toMatch(/^督查台账-20261015-1000\.xlsx$/);
    expect(file.file.mime).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(file.to).toMatchObject({ chatId: 'p2p-zhang' });
  });

  it('one row per assignment, every column, by number', () => {
    const ws = wb.getWorksheet('台账')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual([
      '编号', '标题', '来源', '批办领导', '类别', '单位', '牵头/配合', '负责领导', '督查员', '状态', '下发', '原定期限', '现行期限',
      '延期次数', '签收时间', '最新报告', '签署人与时间', '受理时间', '办结情况', '逾期工作日', '催办次数', '约谈', '坐地督查',
    ]);
    expect(ws.actualRowCount).toBe(5);
    const row = (n: number) => (ws.getRow(n).values as unknown[]).slice(1);
    const [jtj, gaj, overdue, soon] = [row(2), row(3), row(4), row(5)];
    expect(jtj.slice(0, 10)).toEqual(['督字〔2026〕1号', '城区主干道积水整治', undefined, undefined, '重点·民生', '市交通运输局', '牵头', '李明', '张伟', '已办结']);
    expect(gaj.slice(5, 10)).toEqual(['市公安局', '配合', '陈刚', '张伟', '已签收办理中']);
    expect(jtj[15]).toMatch(/^第1稿（办结）已受理 2026年10月12日 09:00$/);
    expect(jtj[16]).toBe('李明 2026年10月12日 09:00');
    expect(jtj[18]).toBe('按期');
    expect(gaj[18]).toBe('在办');
    expect(overdue.slice(0, 10)).toEqual(['督字〔2026〕2号', '人行道破损修补', undefined, undefined, '一般', '市交通运输局', undefined, '王建国', '张伟', '已下发待签收']);
    expect(overdue[18]).toBe('逾期未办结');
    expect(overdue[19]).toBe(2);
    expect(overdue[20]).toBe(1);
    expect(soon[18]).toBe('在办');
  });

  it('dates are date cells holding the office\'s local time (Asia/Shanghai), with date formats', () => {
    const ws = wb.getWorksheet('台账')!;
    const issued = ws.getCell('K2');
    expect(issued.type).toBe(ExcelJS.ValueType.Date);
    // Issued at 09:00 in Shanghai on 12 October: the cell reads 2026-10-12 09:00.
    expect((issued.value as Date).toISOString()).toBe('2026-10-12T09:00:00.000Z');
    expect(issued.numFmt).toBe('yyyy-mm-dd hh:mm');
    for (const c of ['L2', 'M2', 'L4', 'M4']) expect(ws.getCell(c).type).toBe(ExcelJS.ValueType.Date);
    expect((ws.getCell('M2').value as Date).toISOString()).toBe('2026-10-30T00:00:00.000Z');
    expect(ws.getCell('M2').numFmt).toBe('yyyy-mm-dd');
    expect(ws.getCell('O2').type).toBe(ExcelJS.ValueType.Date);
    expect(ws.getCell('O4').type).toBe(ExcelJS.ValueType.Null);
    expect(ws.getCell('R2').type).toBe(ExcelJS.ValueType.Date);
    expect(ws.getCell('N2').type).toBe(ExcelJS.ValueType.Number);
  });

  it('overdue rows red, due-soon rows amber, others plain; a bold header', () => {
    const ws = wb.getWorksheet('台账')!;
    const fill = (c: string) => (ws.getCell(c).fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb;
    for (const col of ['A', 'K', 'W']) {
      expect(fill(`${col}4`)).toBe(OVERDUE_FILL);
      expect(fill(`${col}5`)).toBe(SOON_FILL);
      expect(fill(`${col}2`)).toBeUndefined();
    }
    // Row 3 (gaj of item 1) is due on 30 October: eleven working days away, not marked.
    expect(fill('A3')).toBeUndefined();
    expect(ws.getCell('A1').font?.bold).toBe(true);
    expect(ws.getColumn(2).width).toBeGreaterThanOrEqual(30);
  });

  it('a frozen header and an autofilter over every row, named _xlnm._FilterDatabase for LibreOffice', () => {
    const ws = wb.getWorksheet('台账')!;
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.autoFilter).toBe('A1:W5');
    const workbookXml = execFileSync('unzip', ['-p', xlsxPath, 'xl/workbook.xml'], { encoding: 'utf8' });
    expect(workbookXml).toContain('<definedName name="_xlnm._FilterDatabase" localSheetId="0">&apos;台账&apos;!$A$1:$W$5</definedName>');
    expect(execFileSync('unzip', ['-p', xlsxPath, 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' })).toContain('<autoFilter ref="A1:W5"/>');
  });

  it('a second sheet per unit: /统计\'s sheet and counting, over the same assignments', () => {
    const us = wb.getWorksheet('按单位统计')!;
    expect((us.getRow(1).values as unknown[]).slice(1)).toEqual([
      '单位', '事项数', '已办结', '按期', '延期后按期', '逾期办结', '逾期未办结', '在办', '按期办结率',
      '签收用时中位数（工作小时）', '签署用时中位数（工作小时）', '催办', '约谈', '坐地督查', '延期',
    ]);
    // jtj: item 1 on time, item 2 overdue (urged once): 1 of 2 decided on time; item 1 received and signed at once.
    // gaj: two open, one received at once. Highest rate first, the total last.
    expect((us.getRow(2).values as unknown[]).slice(1)).toEqual(['市交通运输局', 2, 1, 1, 0, 0, 1, 0, 0.5, 0, 0, 1, 0, 0, 0]);
    expect((us.getRow(3).values as unknown[]).slice(1)).toEqual(['市公安局', 2, 0, 0, 0, 0, 0, 2, undefined, 0, undefined, 0, 0, 0, 0]);
    expect((us.getRow(4).values as unknown[]).slice(1)).toEqual(['合计', 4, 1, 1, 0, 0, 1, 2, 0.5, 0, 0, 1, 0, 0, 0]);
    expect(us.actualRowCount).toBe(4);
    expect(us.getCell('I2').numFmt).toBe('0.0%');
    expect(us.getCell('I2').type).toBe(ExcelJS.ValueType.Number);
    expect(us.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it.skipIf(!existsSync('/usr/bin/soffice'))('LibreOffice opens it and keeps the filter (converted to .ods, its database range is there)', () => {
    const out = join(work, 'lo');
    const r = spawnSync('soffice', ['--headless', `-env:UserInstallation=file://${join(work, 'lo-profile')}`, '--convert-to', 'ods', '--outdir', out, xlsxPath], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const content = execFileSync('unzip', ['-p', join(out, 'ledger.ods'), 'content.xml'], { encoding: 'utf8' });
    expect(content).toMatch(/<table:database-range[^>]*table:target-range-address="'?台账'?\.A1:'?台账'?\.W5"[^>]*table:display-filter-buttons="true"/);
    expect(content).toContain('督字〔2026〕2号');
  }, 90_000);

  it('with /台账\'s filters: 逾期 gives the overdue row alone; a unit\'s head gets their unit\'s rows and no other', async () => {
    const { wb: overdue } = await exported('zhang', '/台账 逾期 导出');
    expect(overdue.getWorksheet('台账')!.actualRowCount).toBe(2);
    expect(overdue.getWorksheet('台账')!.getCell('A2').value).toBe('督字〔2026〕2号');
    const { wb: mine } = await exported('chen', '/台账 导出');
    const units = new Set<unknown>();
    mine.getWorksheet('台账')!.eachRow((r, n) => n > 1 && units.add(r.getCell(6).value));
    expect([...units]).toEqual(['市公安局']);
    await h.command('chen', '/台账 单位=jtj 导出');
    expect(texts('chen').at(-1)).toBe('您只能导出本单位的台账，不能导出市交通运输局的');
  });

  it('a leader of no unit gets the items they instructed, and is told when there are none', async () => {
    await h.command('boss', '/台账 导出');
    await h.until('the answer', () => texts('boss').some((t) => t.includes('没有您批办')));
    expect(filesTo('boss')).toHaveLength(0);
    await instructedBy('d3', 'boss');
    const { wb: theirs } = await exported('boss', '/台账 导出');
    const ws = theirs.getWorksheet('台账')!;
    expect(ws.actualRowCount).toBe(2);
    expect(ws.getCell('A2').value).toBe('督字〔2026〕3号');
    expect(ws.getCell('D2').value).toBe('高明远');
  });
});

describe('/归档', () => {
  it('sends the archive PDF: the notice, the report with its signature and hashes, the trail, the /核验 result', async () => {
    const before = filesTo('zhang').length;
    await h.command('zhang', '/归档 1');
    expect(texts('zhang').some((t) => t.startsWith('正在生成督字〔2026〕1号「城区主干道积水整治」的归档记录（PDF）'))).toBe(true);
    await h.until('the PDF', () => filesTo('zhang').length > before);
    const f = filesTo('zhang').at(-1)!;
    expect(f.file).toMatchObject({ name: '督字〔2026〕1号归档记录.pdf', mime: 'application/pdf' });
    expect(f.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    // The font is a subset: the record stays small.
    expect(f.bytes.length).toBeLessThan(400 * 1024);
    const pdf = join(work, 'archive.pdf');
    writeFileSync(pdf, f.bytes);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    for (const want of [
      '督查事项归档记录',
      '督字〔2026〕1号',
      '城区主干道积水整治',
      '汛前完成全部积水点整治',
      '市交通运输局',
      '市公安局',
      '全部积水点已整治完毕',
      '签署：李明',
      '受理：张伟',
      '办理记录（审计日志',
      '发出督查单',
      '核验结果',
      '结论：记录完整，未发现事后改动。',
    ])
      expect(text, want).toContain(want);
    const report = (await h.rt.store.getAssignment('d1', 'jtj'))!.doc.reports[0]!;
    expect(text.replace(/\s+/g, '')).toContain(report.signature!.hash);
    // The first page drawn, for a look (kept beside the test's files while it runs).
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', pdf, join(work, 'page')]);
    const png = readFileSync(join(work, 'page-1.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    if (process.env.DUCHA_KEEP_PDF_PNG) writeFileSync(process.env.DUCHA_KEEP_PDF_PNG, png);
  });

  it('a unit\'s head gets their unit\'s part; another unit\'s contact and a stranger are refused; the 批办领导 may', async () => {
    const before = filesTo('chen').length;
    await h.command('chen', '/归档 1');
    expect(texts('chen').at(-1)).toContain('（市公安局部分）');
    await h.until('the PDF', () => filesTo('chen').length > before);
    const pdf = join(work, 'chen.pdf');
    writeFileSync(pdf, filesTo('chen').at(-1)!.bytes);
    const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain('市公安局');
    expect(text).not.toContain('全部积水点已整治完毕');

    await h.command('zhou', '/归档 2');
    expect(texts('zhou').at(-1)).toBe('督字〔2026〕2号没有交办给您所在的单位，也不是您批办的，无权生成其归档记录');
    await h.command('boss', '/归档 1');
    expect(texts('boss').at(-1)).toContain('无权生成其归档记录');
    await h.command('boss', '/归档 3');
    expect(texts('boss').at(-1)).toContain('正在生成督字〔2026〕3号');
  });

  it('a draft has nothing to archive; a missing font is said at once and nothing is queued', async () => {
    await h.command('zhang', '/新建 草稿事项 单位=jtj 期限=2026-10-30');
    await h.command('zhang', '/归档 草稿4');
    expect(texts('zhang').at(-1)).toBe('草稿4还是草稿，尚未发出，没有可归档的办理记录');
    const saved = h.rt.config.pdfFont;
    h.rt.config.pdfFont = '/nowhere/font.ttc#NotoSansCJKsc-Regular';
    try {
      expect(pdfFont(h.rt.config)).toMatchObject({ ok: false });
      await h.command('zhang', '/归档 1', 'no-font');
      expect(texts('zhang').at(-1)).toBe('服务器缺少生成 PDF 所需的中文字体，暂时无法生成归档文件。请联系系统管理员（安装 fonts-noto-cjk 或设置 DUCHA_PDF_FONT）。');
      expect(await h.rt.queues.render.getJob(renderJobId('cmd:feishu:no-font'))).toBeUndefined();
    } finally {
      h.rt.config.pdfFont = saved;
    }
  });

  it('a command taken twice renders and sends once', async () => {
    const before = filesTo('zhang').length;
    await h.command('zhang', '/归档 2', 'twice');
    await h.command('zhang', '/归档 2', 'twice');
    await h.until('the PDF', () => filesTo('zhang').length > before);
    await h.settle();
    expect(filesTo('zhang').length - before).toBe(1);
  });
});
