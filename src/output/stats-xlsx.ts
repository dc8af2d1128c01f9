// The statistics as a spreadsheet (/统计 导出): a sheet per unit and a sheet per responsible leader, each with a frozen
// header, real numbers (the rate as a percentage cell), set widths and a 合计 row. addStatsSheet is also the ledger
// export's second sheet (ledger-xlsx.ts), over the assignments it exports: one set of columns, one way of counting.
import ExcelJS from 'exceljs';
import type { Figures, Row, Statistics } from './statistics.ts';

interface Column {
  header: string;
  width: number;
  value: (f: Figures) => number | null;
  format?: string;
}

const round1 = (h: number | undefined) => (h === undefined ? null : Math.round(h * 10) / 10);

/** The first figure's header: /统计 counts the assignments due in its period. */
export const DUE_HEADER = '到期事项';

const FIGURE_COLUMNS: Column[] = [
  { header: DUE_HEADER, width: 10, value: (f) => f.items },
  { header: '已办结', width: 9, value: (f) => f.completed },
  { header: '按期', width: 8, value: (f) => f.on_time },
  { header: '延期后按期', width: 12, value: (f) => f.extended_on_time },
  { header: '逾期办结', width: 10, value: (f) => f.late },
  { header: '逾期未办结', width: 12, value: (f) => f.overdue },
  { header: '在办', width: 8, value: (f) => f.open },
  { header: '按期办结率', width: 12, value: (f) => (f.rate === undefined ? null : f.rate), format: '0.0%' },
  { header: '签收用时中位数（工作小时）', width: 16, value: (f) => round1(f.receiptHours), format: '0.0' },
  { header: '签署用时中位数（工作小时）', width: 16, value: (f) => round1(f.signHours), format: '0.0' },
  { header: '催办', width: 8, value: (f) => f.urges },
  { header: '约谈', width: 8, value: (f) => f.summons },
  { header: '坐地督查', width: 10, value: (f) => f.visits },
  { header: '延期', width: 8, value: (f) => f.extensions },
];

/**
 * Adds one sheet of rows (units or leaders) with the office's total last. `itemsHeader`: what the first figure is called
 * (the ledger export counts every assignment it exports, not those due in a period). Works on exceljs' streaming
 * writer too, whose caller commits the sheet.
 */
export function addStatsSheet(
  wb: ExcelJS.Workbook,
  name: string,
  firstHeader: string,
  rows: readonly Row[],
  total: Figures,
  itemsHeader = DUE_HEADER,
): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }] });
  ws.columns = [
    { header: firstHeader, key: 'name', width: Math.max(14, ...rows.map((r) => r.name.length * 2 + 2)) },
    ...FIGURE_COLUMNS.map((c, i) => ({ header: i === 0 ? itemsHeader : c.header, key: `c${i}`, width: c.width, style: c.format ? { numFmt: c.format } : {} })),
  ];
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  header.height = 32;
  header.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
  });
  const line = (label: string, f: Figures) => [label, ...FIGURE_COLUMNS.map((c) => c.value(f))];
  for (const r of rows) ws.addRow(line(r.name, r));
  const sum = ws.addRow(line('合计', total));
  sum.font = { bold: true };
  return ws;
}

/** The whole workbook of /统计 导出. */
export async function statsWorkbook(stats: Statistics): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'ducha';
  wb.created = new Date(stats.at);
  addStatsSheet(wb, '按单位', '单位', stats.byUnit, stats.total);
  addStatsSheet(wb, '按负责领导', '负责领导', stats.byLeader, stats.total);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
