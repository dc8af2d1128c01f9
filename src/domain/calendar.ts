// China's working-day calendar (holidays and 调休 make-up days) from chinese-days data plus an optional admin file.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { addDays, dayOfWeek, isValidDate } from './dates.ts';

/** One year's exceptions to "Monday to Friday": days off, and weekend days that are worked (调休). */
export interface YearData {
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
  /** Holiday names by date, where the source gives them (the package does; the admin file does not). */
  names?: ReadonlyMap<string, string>;
}

/** A problem with the calendar data; the message is Chinese and meant for the admin. */
export class CalendarFileError extends Error {
  readonly code = 'calendar_file';
  constructor(message: string) {
    super(message);
    this.name = 'CalendarFileError';
  }
}

export interface AddWorkdaysResult {
  date: string;
  /** Years the count passed through that have no holiday data: only weekends were skipped there. */
  unknownYears: number[];
}

export class WorkCalendar {
  private readonly years: ReadonlyMap<number, YearData>;

  constructor(years: ReadonlyMap<number, YearData>) {
    this.years = years;
  }

  /** The package data, with the years of `extraFile` (YAML or JSON) replacing the package's. */
  static async load(extraFile?: string): Promise<WorkCalendar> {
    const years = new Map(packageYears());
    if (extraFile) {
      let text: string;
      try {
        text = await readFile(extraFile, 'utf8');
      } catch (e) {
        throw readError(extraFile, e);
      }
      for (const [y, data] of parseExtraFile(text, extraFile)) years.set(y, data);
    }
    return new WorkCalendar(years);
  }

  static loadSync(extraFile?: string): WorkCalendar {
    const years = new Map(packageYears());
    if (extraFile) {
      let text: string;
      try {
        text = readFileSync(extraFile, 'utf8');
      } catch (e) {
        throw readError(extraFile, e);
      }
      for (const [y, data] of parseExtraFile(text, extraFile)) years.set(y, data);
    }
    return new WorkCalendar(years);
  }

  knowsYear(year: number): boolean {
    return this.years.has(year);
  }

  /** The years with holiday data, ascending. */
  knownYears(): number[] {
    return [...this.years.keys()].sort((a, b) => a - b);
  }

  isWorkday(date: string): boolean {
    checkDate(date);
    const data = this.years.get(yearOf(date));
    if (data?.holidays.has(date)) return false;
    if (data?.workdays.has(date)) return true;
    const dow = dayOfWeek(date);
    return dow !== 0 && dow !== 6;
  }

  /** The Chinese name of the holiday on `date` ('国庆节'), '节假日' when the source has no name, else undefined. */
  holidayName(date: string): string | undefined {
    checkDate(date);
    const data = this.years.get(yearOf(date));
    if (!data?.holidays.has(date)) return undefined;
    return data.names?.get(date) ?? '节假日';
  }

  /**
   * The Nth working day after `from` (`from` itself is never counted); n = 0 gives `from`,
   * a negative n counts back to the Nth working day before `from`.
   */
  addWorkdays(from: string, n: number): AddWorkdaysResult {
    checkDate(from);
    if (!Number.isSafeInteger(n)) throw new RangeError(`addWorkdays: n must be an integer, got ${n}`);
    const step = n < 0 ? -1 : 1;
    let left = Math.abs(n);
    let date = from;
    const unknown = new Set<number>();
    while (left > 0) {
      date = addDays(date, step);
      const y = yearOf(date);
      if (!this.years.has(y)) unknown.add(y);
      if (this.isWorkday(date)) left--;
    }
    return { date, unknownYears: [...unknown].sort((a, b) => a - b) };
  }

  /** Working days in (from, to]: how many working days `to` is after `from` (negative if before). */
  countWorkdays(from: string, to: string): number {
    checkDate(from);
    checkDate(to);
    if (to < from) return -this.countWorkdays(to, from);
    let count = 0;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (this.isWorkday(d)) count++;
    return count;
  }
}

function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

function checkDate(date: string): void {
  if (!isValidDate(date)) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
}

// ---- the chinese-days package ----

const packageSchema = z.object({
  holidays: z.record(z.string(), z.string()),
  workdays: z.record(z.string(), z.string()),
});

let packageCache: Map<number, YearData> | undefined;

/** Years from the package's JSON, read once per process. */
function packageYears(): ReadonlyMap<number, YearData> {
  if (packageCache) return packageCache;
  const parsed = packageSchema.safeParse(readPackageJson());
  if (!parsed.success) {
    throw new CalendarFileError('chinese-days 的节假日数据格式与预期不符（应有 holidays、workdays 两个对象），请检查该依赖的版本');
  }
  const years = new Map<number, { holidays: Set<string>; workdays: Set<string>; names: Map<string, string> }>();
  const yearFor = (date: string) => {
    const y = yearOf(date);
    let data = years.get(y);
    if (!data) years.set(y, (data = { holidays: new Set(), workdays: new Set(), names: new Map() }));
    return data;
  };
  for (const [date, info] of Object.entries(parsed.data.holidays)) {
    if (!isValidDate(date)) continue;
    const data = yearFor(date);
    data.holidays.add(date);
    // Values look like "National Day,国庆节,3": English name, Chinese name, length in days.
    const zh = info.split(',')[1]?.trim();
    if (zh) data.names.set(date, zh);
  }
  for (const date of Object.keys(parsed.data.workdays)) {
    if (isValidDate(date)) yearFor(date).workdays.add(date);
  }
  packageCache = years;
  return years;
}

/**
 * Finds dist/chinese-days.json: by its subpath first, then beside the package's main file or its
 * package.json, so a future "exports" map that hides the subpath does not break us.
 */
function readPackageJson(): unknown {
  const require = createRequire(import.meta.url);
  try {
    return require('chinese-days/dist/chinese-days.json');
  } catch {
    // try the other ways below
  }
  const candidates: (() => string)[] = [
    () => join(dirname(require.resolve('chinese-days')), 'chinese-days.json'),
    () => join(dirname(require.resolve('chinese-days/package.json')), 'dist', 'chinese-days.json'),
  ];
  for (const candidate of candidates) {
    try {
      return JSON.parse(readFileSync(candidate(), 'utf8'));
    } catch {
      // next candidate
    }
  }
  throw new CalendarFileError('找不到 chinese-days 的节假日数据（node_modules/chinese-days/dist/chinese-days.json），请确认已安装 chinese-days');
}

// ---- the admin's extra file ----

const FIELDS_HINT = '{ holidays: [日期…], workdays: [日期…] }';

const dateList = z.array(z.string({ error: '应为 YYYY-MM-DD 格式的日期，如 2027-01-01（注意加引号或保持文本格式）' }), {
  error: (iss) => (iss.input === undefined ? '缺少此项（节假日日期列表）' : '应为日期列表，如 ["2027-01-01", "2027-01-02"]'),
});

const yearSchema = z.strictObject(
  { holidays: dateList, workdays: dateList.optional() },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `不认识的字段 ${iss.keys.join('、')}（只能有 holidays、workdays）`
        : `应为 ${FIELDS_HINT}`,
  },
);

const fileSchema = z.record(z.string(), yearSchema, {
  error: `文件内容应为以年份为键的对象，如 { "2027": { holidays: [...], workdays: [...] } }`,
});

/** Parses and checks the admin file; every problem found is listed in one Chinese message. */
export function parseExtraFile(text: string, file = '节假日文件'): Map<number, YearData> {
  const where = `节假日文件 ${file}`;
  let raw: unknown;
  try {
    raw = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new CalendarFileError(`${where} 不是有效的 ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}：${(e as Error).message}`);
  }
  if (raw === null || raw === undefined) throw new CalendarFileError(`${where} 是空的`);

  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((iss) => `- ${formatPath(iss.path)}${iss.message}`);
    throw new CalendarFileError(`${where} 有误：\n${lines.join('\n')}`);
  }

  const problems: string[] = [];
  const result = new Map<number, YearData>();
  for (const [key, entry] of Object.entries(parsed.data)) {
    if (!/^\d{4}$/.test(key) || Number(key) < 1900) {
      problems.push(`- “${key}”：年份应为四位数字，如 2027`);
      continue;
    }
    const year = Number(key);
    const holidays = new Set<string>();
    const workdays = new Set<string>();
    const check = (list: string[], field: string, into: Set<string>) => {
      list.forEach((date, i) => {
        const at = `${formatPath([key, field, i])}`;
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) problems.push(`- ${at}“${date}”应为 YYYY-MM-DD 格式，如 ${key}-01-01`);
        else if (!isValidDate(date)) problems.push(`- ${at}日期“${date}”不存在`);
        else if (yearOf(date) !== year) problems.push(`- ${at}日期“${date}”不在 ${key} 年`);
        else into.add(date);
      });
    };
    check(entry.holidays, 'holidays', holidays);
    check(entry.workdays ?? [], 'workdays', workdays);
    for (const date of holidays) {
      if (workdays.has(date)) problems.push(`- “${key}”：${date} 同时出现在 holidays 和 workdays 中`);
    }
    result.set(year, { holidays, workdays });
  }
  if (problems.length > 0) throw new CalendarFileError(`${where} 有误：\n${problems.join('\n')}`);
  return result;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '';
  const parts = path.map((p, i) => (typeof p === 'number' ? ` 第${p + 1}项` : i === 0 ? `“${String(p)}”` : `.${String(p)}`));
  return `${parts.join('')}：`;
}

function readError(file: string, e: unknown): CalendarFileError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new CalendarFileError(`找不到节假日文件：${file}`);
  return new CalendarFileError(`读不了节假日文件 ${file}：${(e as Error).message}`);
}

/** How long before a year begins its missing holiday schedule is warned of. */
export const CALENDAR_WARN_DAYS = 60;

/**
 * The warning for the admin when the calendar lacks this year, or next year within CALENDAR_WARN_DAYS of it;
 * undefined when all is known. `today` is YYYY-MM-DD in the service's time zone.
 */
export function calendarWarning(cal: WorkCalendar, today: string): string | undefined {
  const year = Number(today.slice(0, 4));
  const missing: number[] = [];
  if (!cal.knowsYear(year)) missing.push(year);
  const nextYearStarts = `${year + 1}-01-01`;
  const daysLeft = Math.round((Date.parse(`${nextYearStarts}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  if (daysLeft <= CALENDAR_WARN_DAYS && !cal.knowsYear(year + 1)) missing.push(year + 1);
  if (missing.length === 0) return undefined;
  const years = missing.map((y) => `${y}年`).join('、');
  return (
    `节假日日历缺少${years}的安排：期限和提醒在这些年份只按周末计算。国务院办公厅公布放假安排后，` +
    `请把该年的 holidays 和 workdays（调休上班日）写入 DUCHA_CALENDAR_FILE 指向的文件并重启，格式见 docs/operations.md「Working days」`
  );
}
