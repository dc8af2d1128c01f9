// /台账 导出 as an .xlsx: the ledger (one row per assignment, real date cells in the office's time zone, a frozen
// header, an autofilter, overdue rows red and due-soon rows amber) and a second sheet per unit: /统计's figures of the
// same assignments (statistics.ts counted them as the rows went by; stats-xlsx.ts's sheet). Written by exceljs'
// streaming writer, a row at a time, so that 20,000 rows stay well inside the memory of a small worker.
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { wallClockAsUtc } from '../domain/dates.ts';
import type { LedgerRow, When } from './ledger-rows.ts';
import type { Tallied } from './statistics.ts';
import { addStatsSheet } from './stats-xlsx.ts';

export const LEDGER_SHEET = '台账';
export const UNITS_SHEET = '按单位统计';

/** Fills as Excel's own "bad" and "neutral" styles: pale red and pale amber with dark text. */
export const OVERDUE_FILL = 'FFFFC7CE';
export const SOON_FILL = 'FFFFEB9C';
const HEADER_FILL = 'FFD9E1F2';

const DATE = 'yyyy-mm-dd';
const DATE_TIME = 'yyyy-mm-dd hh:mm';

interface Col {
  header: string;
  width: number;
  value: (r: LedgerRow) => string | number | Date | null;
  numFmt?: string;
}

export function ledgerColumns(tz: string): Col[] {
  // A cell holds a wall-clock time (Excel's dates have no zone): the office reads its own local time.
  const when = (w: When | undefined): Date | null =>
    w === undefined ? null : 'date' in w ? new Date(`${w.date}T00:00:00Z`) : new Date(wallClockAsUtc(w.at, tz));
  return [
    { header: '编号', width: 20, value: (r) => r.number },
    { header: '标题', width: 36, value: (r) => r.title },
    { header: '来源', width: 8, value: (r) => r.source || null },
    { header: '批办领导', width: 10, value: (r) => r.instructedBy || null },
    { header: '类别', width: 10, value: (r) => r.category },
    { header: '单位', width: 18, value: (r) => r.unit },
    { header: '牵头/配合', width: 10, value: (r) => r.lead || null },
    { header: '负责领导', width: 10, value: (r) => r.responsible },
    { header: '督查员', width: 10, value: (r) => r.owner },
    { header: '状态', width: 14, value: (r) => r.state },
    { header: '下发', width: 17, value: (r) => when(r.issued), numFmt: DATE_TIME },
    { header: '原定期限', width: 12, value: (r) => when(r.originalDue), numFmt: DATE },
    { header: '现行期限', width: 12, value: (r) => when(r.due), numFmt: DATE },
    { header: '延期次数', width: 9, value: (r) => r.extensions },
    { header: '签收时间', width: 17, value: (r) => when(r.received), numFmt: DATE_TIME },
    { header: '最新报告', width: 34, value: (r) => r.latestReport || null },
    { header: '签署人与时间', width: 26, value: (r) => r.signed || null },
    { header: '受理时间', width: 17, value: (r) => when(r.accepted), numFmt: DATE_TIME },
    { header: '办结情况', width: 12, value: (r) => r.timelinessLabel },
    { header: '逾期工作日', width: 10, value: (r) => r.overdueDays ?? null },
    { header: '催办次数', width: 9, value: (r) => r.urges },
    { header: '约谈', width: 7, value: (r) => r.summons },
    { header: '坐地督查', width: 9, value: (r) => r.visits },
  ];
}

/** Column letters of a 1-based column number (1 → A, 23 → W). */
function letter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

const solid = (argb: string): ExcelJS.Fill => ({ type: 'pattern', pattern: 'solid', fgColor: { argb } });

/** The per-unit sheet's first figure: every assignment exported (withdrawn items' left out), not those due in a period. */
export const UNITS_ITEMS_HEADER = '事项数';

/**
 * The workbook's bytes, the rows taken as they come. `title` goes into the document's properties. `figures`: the
 * statistics of the rows' assignments, asked for once every row is written (the caller counts them as it makes them).
 */
export async function ledgerWorkbook(
  rows: Iterable<LedgerRow> | AsyncIterable<LedgerRow>,
  opts: { tz: string; title: string; creator: string; figures: () => Pick<Tallied, 'byUnit' | 'total'> },
): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = opts.creator;
  wb.title = opts.title;
  const cols = ledgerColumns(opts.tz);
  // Printed, the 23 columns go across one landscape page width, the header repeated on every page.
  const ws = wb.addWorksheet(LEDGER_SHEET, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1' },
  });
  ws.columns = cols.map((c, i) => ({ key: String(i), width: c.width }));
  // Every cell is given one of a few shared style objects: exceljs looks a style up by the object first, and works out
  // (and serialises) a style it has not seen for each cell otherwise, which is most of the time of a large sheet.
  const styles = (mark: LedgerRow['mark'] | 'header') =>
    cols.map((c): Partial<ExcelJS.Style> => {
      if (mark === 'header') return { font: { bold: true }, fill: solid(HEADER_FILL), alignment: { vertical: 'middle', horizontal: 'center', wrapText: true } };
      const marked: Partial<ExcelJS.Style> = mark
        ? { fill: solid(mark === 'overdue' ? OVERDUE_FILL : SOON_FILL), font: { color: { argb: mark === 'overdue' ? 'FF9C0006' : 'FF9C5700' } } }
        : {};
      return { ...marked, ...(c.numFmt ? { numFmt: c.numFmt } : {}) };
    });
  const STYLES = { plain: styles(undefined), overdue: styles('overdue'), soon: styles('soon'), header: styles('header') };
  const header = ws.addRow(cols.map((c) => c.header));
  header.height = 20;
  for (let i = 1; i <= cols.length; i++) header.getCell(i).style = STYLES.header[i - 1]!;
  header.commit();
  let count = 0;
  for await (const r of rows) {
    const row = ws.addRow(cols.map((c) => c.value(r)));
    const style = STYLES[r.mark ?? 'plain'];
    for (let i = 1; i <= cols.length; i++) row.getCell(i).style = style[i - 1]!;
    row.commit();
    count++;
  }
  const last = Math.max(count + 1, 2);
  const range = `A1:${letter(cols.length)}${last}`;
  ws.autoFilter = range;
  ws.commit();

  const { byUnit, total } = opts.figures();
  addStatsSheet(wb, UNITS_SHEET, '单位', byUnit, total, UNITS_ITEMS_HEADER).commit();

  // LibreOffice keeps a sheet's autofilter only when the workbook names its range `_xlnm._FilterDatabase` (local to
  // the sheet), as Excel and WPS write it; exceljs writes no such name, so it is given here as the workbook's only
  // defined name (what exceljs' own DefinedNames would compute cell by cell, for 20,000 rows, and without the sheet).
  (wb as unknown as { _definedNames: { model: unknown[] } })._definedNames = {
    model: [{ name: '_xlnm._FilterDatabase', localSheetId: 0, ranges: [`'${LEDGER_SHEET}'!$A$1:$${letter(cols.length)}$${last}`] }],
  };
  await wb.commit();
  await ended;
  return Buffer.concat(chunks);
}
