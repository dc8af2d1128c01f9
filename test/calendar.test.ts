// Working days (holidays, 调休 make-up days, an admin's extra-year file) and deadline parsing in a time zone.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalendarFileError, WorkCalendar, parseExtraFile } from '../src/domain/calendar.ts';
import { addDays, dateInTz, dayOfWeek, endOfDay, formatDate, formatDateTime, isValidTimeZone, startOfDay } from '../src/domain/dates.ts';
import { parseDate, parseDateTime, parseDue } from '../src/domain/deadline.ts';

const TZ = 'Asia/Shanghai';
let dir: string;
let cal: WorkCalendar;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ducha-calendar-'));
  cal = await WorkCalendar.load();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Noon of a Shanghai date: "now" for parseDue. */
function noon(date: string): number {
  return Date.parse(`${date}T12:00:00+08:00`);
}

describe('WorkCalendar from the chinese-days package', () => {
  it('knows the 2026 National Day holiday and its make-up working days', () => {
    expect(dayOfWeek('2026-10-10')).toBe(6);
    for (const d of ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07']) expect(cal.isWorkday(d), d).toBe(false);
    expect(cal.isWorkday('2026-09-30')).toBe(true);
    expect(cal.isWorkday('2026-10-08')).toBe(true);
    expect(cal.isWorkday('2026-10-10')).toBe(true); // Saturday, 调休
    expect(cal.isWorkday('2026-09-20')).toBe(true); // Sunday, 调休
    expect(cal.isWorkday('2026-10-11')).toBe(false); // ordinary Sunday
    expect(cal.isWorkday('2026-09-25')).toBe(false); // 中秋, a Friday
    expect(cal.holidayName('2026-10-03')).toBe('国庆节');
    expect(cal.holidayName('2026-10-08')).toBeUndefined();
  });

  it('knows the years the package has and no others', () => {
    expect(cal.knowsYear(2026)).toBe(true);
    expect(cal.knowsYear(2004)).toBe(true);
    expect(cal.knowsYear(2027)).toBe(false);
    expect(cal.knowsYear(2003)).toBe(false);
  });

  it('counts working days from the day after `from`', () => {
    expect(cal.addWorkdays('2026-09-29', 3)).toEqual({ date: '2026-10-09', unknownYears: [] });
    expect(cal.addWorkdays('2026-10-09', 1)).toEqual({ date: '2026-10-10', unknownYears: [] });
    expect(cal.addWorkdays('2026-09-30', 1)).toEqual({ date: '2026-10-08', unknownYears: [] });
    expect(cal.addWorkdays('2026-10-01', 1)).toEqual({ date: '2026-10-08', unknownYears: [] });
    expect(cal.addWorkdays('2026-10-10', 1)).toEqual({ date: '2026-10-12', unknownYears: [] });
    expect(cal.addWorkdays('2026-09-29', 0)).toEqual({ date: '2026-09-29', unknownYears: [] });
    expect(cal.addWorkdays('2026-10-08', -1)).toEqual({ date: '2026-09-30', unknownYears: [] });
    expect(cal.countWorkdays('2026-09-29', '2026-10-12')).toBe(5);
    expect(cal.countWorkdays('2026-10-12', '2026-09-29')).toBe(-5);
  });

  it('reports a year without data, where only weekends are skipped', () => {
    // 2027-01-01 is a Friday: without data it counts as a working day.
    expect(cal.addWorkdays('2026-12-28', 5)).toEqual({ date: '2027-01-04', unknownYears: [2027] });
  });

  it('refuses a malformed date', () => {
    expect(() => cal.isWorkday('2026-02-30')).toThrow(RangeError);
    expect(() => cal.addWorkdays('2026-10-9', 1)).toThrow(RangeError);
    expect(() => cal.addWorkdays('2026-10-09', 1.5)).toThrow(RangeError);
  });
});

describe('the admin extra-year file', () => {
  it('adds a year the package lacks (YAML)', async () => {
    const path = file(
      '2027.yaml',
      ['"2027":', '  holidays: [2027-01-01, 2027-01-02, 2027-01-03]', '  workdays:', '    - 2027-01-09', ''].join('\n'),
    );
    const withFile = await WorkCalendar.load(path);
    expect(withFile.knowsYear(2027)).toBe(true);
    expect(withFile.isWorkday('2027-01-01')).toBe(false);
    expect(withFile.isWorkday('2027-01-09')).toBe(true); // a Saturday made a working day
    expect(withFile.addWorkdays('2026-12-28', 5)).toEqual({ date: '2027-01-05', unknownYears: [] });
    // The package years are still there.
    expect(withFile.addWorkdays('2026-09-29', 3)).toEqual({ date: '2026-10-09', unknownYears: [] });
  });

  it("replaces a year's package data (JSON, sync)", () => {
    const path = file('2026.json', JSON.stringify({ 2026: { holidays: ['2026-01-01'], workdays: [] } }));
    const replaced = WorkCalendar.loadSync(path);
    expect(replaced.isWorkday('2026-10-01')).toBe(true);
    expect(replaced.isWorkday('2026-10-10')).toBe(false); // no longer a make-up day
    expect(replaced.addWorkdays('2026-09-29', 3)).toEqual({ date: '2026-10-02', unknownYears: [] });
    expect(replaced.isWorkday('2025-10-01')).toBe(false); // other years untouched
    expect(replaced.holidayName('2026-01-01')).toBe('节假日');
  });

  it('names each problem in Chinese', () => {
    const bad = (text: string, name = 'x.yaml') => () => parseExtraFile(text, name);
    expect(bad('"2027":\n  holidays: [2027-02-30]')).toThrow('“2027”.holidays 第1项：日期“2027-02-30”不存在');
    expect(bad('"2027":\n  holidays: [2026-12-31]')).toThrow('日期“2026-12-31”不在 2027 年');
    expect(bad('"2027":\n  holidays: [2027/1/1]')).toThrow('“2027/1/1”应为 YYYY-MM-DD 格式');
    expect(bad('"2027":\n  holidays: [2027-01-02]\n  workdays: [2027-01-02]')).toThrow(
      '2027-01-02 同时出现在 holidays 和 workdays 中',
    );
    expect(bad('"2027":\n  holiday: [2027-01-01]')).toThrow('不认识的字段 holiday');
    expect(bad('"2027":\n  workdays: [2027-01-09]')).toThrow('“2027”.holidays：缺少此项');
    expect(bad('"2027":\n  holidays: 2027-01-01')).toThrow('“2027”.holidays：应为日期列表');
    expect(bad('"27":\n  holidays: [2027-01-01]')).toThrow('“27”：年份应为四位数字');
    expect(bad('- 2027')).toThrow('文件内容应为以年份为键的对象');
    expect(bad('"2027": {holidays: [')).toThrow('不是有效的 YAML');
    expect(bad('{"2027": ', 'x.json')).toThrow('不是有效的 JSON');
    expect(bad('')).toThrow('节假日文件 x.yaml 是空的');
    expect(bad('"2027":\n  holidays: [2027-02-30]')).toThrow(CalendarFileError);
  });

  it('says when the file is missing', async () => {
    const missing = join(dir, 'nope.yaml');
    await expect(WorkCalendar.load(missing)).rejects.toThrow(`找不到节假日文件：${missing}`);
  });
});

describe('dates in a time zone', () => {
  it('ends and starts a day in Asia/Shanghai', () => {
    expect(endOfDay('2026-10-09', TZ)).toBe(Date.parse('2026-10-09T23:59:59.999+08:00'));
    expect(startOfDay('2026-10-09', TZ)).toBe(Date.parse('2026-10-09T00:00:00.000+08:00'));
  });

  it('puts a time near midnight UTC on the right local date', () => {
    expect(dateInTz(Date.parse('2026-10-09T16:00:00Z'), TZ)).toBe('2026-10-10');
    expect(dateInTz(Date.parse('2026-10-09T15:59:59.999Z'), TZ)).toBe('2026-10-09');
    expect(dateInTz(Date.parse('2026-10-09T16:00:00Z'), 'UTC')).toBe('2026-10-09');
    expect(dateInTz(Date.parse('2026-10-10T03:30:00Z'), 'America/New_York')).toBe('2026-10-09');
  });

  it('handles daylight saving time', () => {
    const ny = 'America/New_York';
    expect(startOfDay('2026-03-08', ny)).toBe(Date.parse('2026-03-08T00:00:00-05:00'));
    expect(endOfDay('2026-03-08', ny)).toBe(Date.parse('2026-03-08T23:59:59.999-04:00'));
    expect(endOfDay('2026-11-01', ny)).toBe(Date.parse('2026-11-01T23:59:59.999-05:00'));
    expect(endOfDay('2026-11-01', ny) + 1 - startOfDay('2026-11-01', ny)).toBe(25 * 3_600_000);
    // Chile skips midnight itself: the day starts at 01:00.
    expect(startOfDay('2026-09-06', 'America/Santiago')).toBe(Date.parse('2026-09-06T01:00:00-03:00'));
    expect(endOfDay('2026-09-05', 'America/Santiago')).toBe(Date.parse('2026-09-05T23:59:59.999-04:00'));
    expect(startOfDay('2026-10-09', 'Asia/Kolkata')).toBe(Date.parse('2026-10-09T00:00:00+05:30'));
  });

  it('formats in Chinese', () => {
    expect(formatDate('2026-10-09')).toBe('2026年10月9日');
    expect(formatDateTime(Date.parse('2026-10-09T14:30:00+08:00'), TZ)).toBe('2026年10月9日 14:30');
    expect(formatDateTime(Date.parse('2026-10-09T16:05:00Z'), TZ)).toBe('2026年10月10日 00:05');
  });

  it('does plain date arithmetic and checks zones', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(isValidTimeZone(TZ)).toBe(true);
    expect(isValidTimeZone('Asia/Nowhere')).toBe(false);
  });
});

describe('parseDate and parseDateTime', () => {
  it('reads the usual ways of writing a date', () => {
    for (const text of ['2026-10-09', '2026-10-9', '2026/10/9', '2026.10.9', '2026年10月9日', ' ２０２６－１０－０９ ', '2026 年 10 月 9 日']) {
      expect(parseDate(text), text).toBe('2026-10-09');
    }
    expect(parseDate('10月9日', '2026-03-01')).toBe('2026-10-09');
    expect(parseDate('10-09', '2026-03-01')).toBe('2026-10-09');
    expect(parseDate('10月9号', '2026-03-01')).toBe('2026-10-09');
    expect(parseDate('明天', '2026-12-31')).toBe('2027-01-01');
    expect(parseDate('2024-02-29')).toBe('2024-02-29');
  });

  it('refuses what is not a real date', () => {
    for (const text of ['2026-02-30', '2025-02-29', '2026-13-01', '2026-10-32', '2026-10', 'abc', '', '2026-10/09']) {
      expect(parseDate(text, '2026-03-01'), text).toBeUndefined();
    }
    expect(parseDate('10月9日')).toBeUndefined(); // no reference date, no year
    expect(parseDate('2月30日', '2026-03-01')).toBeUndefined();
  });

  it('reads a date and time', () => {
    const at = Date.parse('2026-10-09T14:30:00+08:00');
    for (const text of ['2026-10-09 14:30', '2026-10-09T14:30', '10月9日14:30', '10月9日 14：30', '10月9日下午2点半', '2026年10月9日14时30分']) {
      expect(parseDateTime(text, '2026-09-29', TZ), text).toBe(at);
    }
    expect(parseDateTime('2026-10-09 9:05', '2026-09-29', TZ)).toBe(Date.parse('2026-10-09T09:05:00+08:00'));
    expect(parseDateTime('2026-10-09 14:30', '2026-09-29', 'UTC')).toBe(Date.parse('2026-10-09T14:30:00Z'));
    for (const text of ['2026-10-09', '14:30', '2026-10-09 24:00', '2026-10-09 14:60', '2026-02-30 10:00']) {
      expect(parseDateTime(text, '2026-09-29', TZ), text).toBeUndefined();
    }
  });
});

describe('parseDue', () => {
  const now = noon('2026-09-29'); // a Tuesday

  it('counts working days across the National Day holiday', () => {
    const due = parseDue('3工作日', now, TZ, cal);
    expect(due).toEqual({ ok: true, date: '2026-10-09', dueAt: Date.parse('2026-10-09T23:59:59.999+08:00') });
    for (const text of ['3个工作日', '3wd', '３工作日', '３ 个工作日', '三个工作日', '3WD']) {
      expect(parseDue(text, now, TZ, cal), text).toMatchObject({ ok: true, date: '2026-10-09' });
    }
    expect(parseDue('1工作日', noon('2026-10-09'), TZ, cal)).toMatchObject({ ok: true, date: '2026-10-10' });
    expect(parseDue('1工作日', noon('2026-09-30'), TZ, cal)).toMatchObject({ ok: true, date: '2026-10-08' });
  });

  it('counts calendar days', () => {
    expect(parseDue('10d', now, TZ, cal)).toEqual({
      ok: true,
      date: '2026-10-09',
      dueAt: Date.parse('2026-10-09T23:59:59.999+08:00'),
    });
    expect(parseDue('10天', now, TZ, cal)).toMatchObject({ ok: true, date: '2026-10-09' });
    expect(parseDue('7天', now, TZ, cal)).toEqual({
      ok: true,
      date: '2026-10-06',
      dueAt: Date.parse('2026-10-06T23:59:59.999+08:00'),
      note: '2026年10月6日是休息日（国庆节）',
    });
    expect(parseDue('365d', now, TZ, cal)).toMatchObject({ ok: true, date: '2027-09-29' });
  });

  it('takes absolute dates from today on', () => {
    expect(parseDue('2026-10-09', now, TZ, cal)).toEqual({
      ok: true,
      date: '2026-10-09',
      dueAt: Date.parse('2026-10-09T23:59:59.999+08:00'),
    });
    expect(parseDue('10月9日', now, TZ, cal)).toMatchObject({ ok: true, date: '2026-10-09' });
    expect(parseDue('2026-09-29', now, TZ, cal)).toMatchObject({ ok: true, date: '2026-09-29' });
    expect(parseDue('2026-10-03', now, TZ, cal)).toMatchObject({ ok: true, note: '2026年10月3日是休息日（国庆节）' });
    const past = parseDue('2026-09-28', now, TZ, cal);
    expect(past).toEqual({ ok: false, error: '期限不能早于今天（今天是2026年9月29日，填写的是2026年9月28日）' });
    const pastNoYear = parseDue('9月1日', now, TZ, cal);
    expect(pastNoYear.ok).toBe(false);
    if (!pastNoYear.ok) expect(pastNoYear.error).toContain('期限不能早于今天');
    if (!pastNoYear.ok) expect(pastNoYear.error).toContain('2027-09-01');
  });

  it('takes "today" in the configured time zone', () => {
    const justAfterMidnight = Date.parse('2026-09-28T16:30:00Z'); // 00:30 on the 29th in Shanghai
    expect(parseDue('1工作日', justAfterMidnight, TZ, cal)).toMatchObject({ ok: true, date: '2026-09-30' });
    expect(parseDue('1工作日', justAfterMidnight, 'UTC', cal)).toEqual({
      ok: true,
      date: '2026-09-29',
      dueAt: Date.parse('2026-09-29T23:59:59.999Z'),
    });
    expect(parseDue('2026-09-28', justAfterMidnight, TZ, cal).ok).toBe(false);
  });

  it('notes a year without holiday data, and drops the note once the admin adds it', async () => {
    const lateDecember = noon('2026-12-28');
    expect(parseDue('5工作日', lateDecember, TZ, cal)).toEqual({
      ok: true,
      date: '2027-01-04',
      dueAt: Date.parse('2027-01-04T23:59:59.999+08:00'),
      note: '2027年节假日安排尚未载入，按周末计算',
    });
    const full = await WorkCalendar.load(file('note-2027.yaml', '"2027":\n  holidays: [2027-01-01, 2027-01-02, 2027-01-03]\n'));
    expect(parseDue('5工作日', lateDecember, TZ, full)).toEqual({
      ok: true,
      date: '2027-01-05',
      dueAt: Date.parse('2027-01-05T23:59:59.999+08:00'),
    });
  });

  it('explains bad input in Chinese', () => {
    const error = (text: string) => {
      const r = parseDue(text, now, TZ, cal);
      expect(r.ok, text).toBe(false);
      return r.ok ? '' : r.error;
    };
    expect(error('0工作日')).toBe('期限“0工作日”中的天数应在 1 到 365 之间（收到 0）');
    expect(error('366d')).toBe('期限“366d”中的天数应在 1 到 365 之间（收到 366）');
    expect(error('2.5天')).toContain('天数应为正整数');
    expect(error('-3d')).toContain('天数应为正整数');
    expect(error('5')).toBe('期限“5”缺少单位：写 5工作日 或 5天');
    expect(error('2026-02-30')).toBe('日期不存在：“2026-02-30”');
    expect(error('2036-01-01')).toBe('期限2036年1月1日太远，请检查年份');
    expect(error('下周')).toContain('看不懂期限“下周”');
    expect(error('下周')).toContain('N工作日');
    expect(error('  ')).toContain('缺少期限');
  });
});

describe('a year the calendar does not know', () => {
  it('is warned of from 60 days before it begins, and while it runs, saying how to add it', async () => {
    const { calendarWarning, WorkCalendar } = await import('../src/domain/calendar.ts');
    const cal = WorkCalendar.loadSync();
    expect(cal.knowsYear(2026)).toBe(true);
    expect(cal.knowsYear(2027)).toBe(false);
    expect(calendarWarning(cal, '2026-11-01')).toBeUndefined();
    expect(calendarWarning(cal, '2026-11-02')).toMatch(/^节假日日历缺少2027年的安排.*DUCHA_CALENDAR_FILE/);
    expect(calendarWarning(cal, '2027-03-01')).toMatch(/^节假日日历缺少2027年的安排：/);
    expect(calendarWarning(cal, '2027-11-15')).toMatch(/^节假日日历缺少2027年、2028年的安排：/);
  });

  it('gives a typed date in that year the same note as a count into it', async () => {
    const { WorkCalendar } = await import('../src/domain/calendar.ts');
    const { parseDue } = await import('../src/domain/deadline.ts');
    const cal = WorkCalendar.loadSync();
    const now = Date.parse('2026-12-03T10:00:00+08:00');
    expect(parseDue('2027-01-15', now, 'Asia/Shanghai', cal)).toMatchObject({ ok: true, date: '2027-01-15', note: '2027年节假日安排尚未载入，按周末计算' });
    expect(parseDue('30工作日', now, 'Asia/Shanghai', cal)).toMatchObject({ ok: true, note: '2027年节假日安排尚未载入，按周末计算' });
    expect(parseDue('2026-12-10', now, 'Asia/Shanghai', cal)).not.toHaveProperty('note');
  });
});
