// Working hours on working days (the receipt chase's delay): across evenings, weekends, National Day and a 调休 Saturday.
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../src/domain/calendar.ts';
import { addWorkHours, parseTimeOfDay, parseWorkHours, workHoursBetween } from '../src/domain/work-hours.ts';

const calendar = WorkCalendar.loadSync();
const opts = { calendar, tz: 'Asia/Shanghai', workHours: { start: 9 * 60, end: 18 * 60 } };
const add = (from: string, hours: number) => new Date(addWorkHours(Date.parse(from), hours, opts)).toISOString();
const iso = (local: string) => new Date(Date.parse(local)).toISOString();

describe('addWorkHours', () => {
  it('counts inside the day', () => {
    expect(add('2026-09-28T10:30:00+08:00', 4)).toBe(iso('2026-09-28T14:30:00+08:00'));
    expect(add('2026-09-28T10:30:00+08:00', 0.5)).toBe(iso('2026-09-28T11:00:00+08:00'));
  });
  it('starts at the next opening when outside working hours', () => {
    expect(add('2026-09-28T07:00:00+08:00', 4)).toBe(iso('2026-09-28T13:00:00+08:00'));
    expect(add('2026-09-28T20:00:00+08:00', 4)).toBe(iso('2026-09-29T13:00:00+08:00'));
  });
  it('carries over the evening, and ends exactly at closing when it must', () => {
    expect(add('2026-09-28T16:00:00+08:00', 4)).toBe(iso('2026-09-29T11:00:00+08:00'));
    expect(add('2026-09-28T14:00:00+08:00', 4)).toBe(iso('2026-09-28T18:00:00+08:00'));
  });
  it('skips National Day and counts the 调休 Saturday', () => {
    // Wednesday 30 September 16:00 + 4 h: 2 h that day, then 1–7 October are holidays, Thursday 8th 09:00 + 2 h.
    expect(add('2026-09-30T16:00:00+08:00', 4)).toBe(iso('2026-10-08T11:00:00+08:00'));
    // Friday 9 October 17:00 + 4 h: 1 h, then Saturday the 10th is worked (调休): 12:00.
    expect(add('2026-10-09T17:00:00+08:00', 4)).toBe(iso('2026-10-10T12:00:00+08:00'));
    // Saturday 10 October 17:00 + 4 h: 1 h, Sunday off, Monday 12th 12:00.
    expect(add('2026-10-10T17:00:00+08:00', 4)).toBe(iso('2026-10-12T12:00:00+08:00'));
  });
  it('goes from Friday to Monday over an ordinary weekend', () => {
    // Friday 16 October 16:00 + 4 h: 2 h that day, Monday 19th 09:00 + 2 h.
    expect(add('2026-10-16T16:00:00+08:00', 4)).toBe(iso('2026-10-19T11:00:00+08:00'));
    // Friday 20:00 + 4 h → Monday 13:00; issued on Saturday → Monday 09:00 + 4 h.
    expect(add('2026-10-16T20:00:00+08:00', 4)).toBe(iso('2026-10-19T13:00:00+08:00'));
    expect(add('2026-10-17T10:00:00+08:00', 4)).toBe(iso('2026-10-19T13:00:00+08:00'));
  });
  it('counts a 调休 Sunday straight after a weekend day off', () => {
    // Friday 18 September 20:00: Saturday 19th is off, Sunday 20th is worked (调休) → 13:00 that Sunday.
    expect(add('2026-09-18T20:00:00+08:00', 4)).toBe(iso('2026-09-20T13:00:00+08:00'));
  });
  it('skips the Mid-autumn Friday', () => {
    // Thursday 24 September 17:00 + 4 h: 1 h, Friday 25th (中秋) and the weekend off, Monday 28th 12:00.
    expect(add('2026-09-24T17:00:00+08:00', 4)).toBe(iso('2026-09-28T12:00:00+08:00'));
  });
  it('handles fractional hours and whole days', () => {
    expect(add('2026-09-28T17:45:00+08:00', 1.25)).toBe(iso('2026-09-29T10:00:00+08:00'));
    expect(add('2026-09-28T09:00:00+08:00', 18)).toBe(iso('2026-09-29T18:00:00+08:00'));
    expect(add('2026-09-28T18:00:00+08:00', 1)).toBe(iso('2026-09-29T10:00:00+08:00'));
  });
});

describe('workHoursBetween', () => {
  const between = (a: string, b: string) => workHoursBetween(Date.parse(a), Date.parse(b), opts);
  it('counts inside the day and not the evening', () => {
    expect(between('2026-09-28T10:30:00+08:00', '2026-09-28T14:30:00+08:00')).toBe(4);
    expect(between('2026-09-28T16:00:00+08:00', '2026-09-29T11:00:00+08:00')).toBe(4);
    expect(between('2026-09-28T20:00:00+08:00', '2026-09-29T08:00:00+08:00')).toBe(0);
  });
  it('skips National Day: the inverse of addWorkHours', () => {
    for (const [from, hours] of [['2026-09-30T16:00:00+08:00', 4], ['2026-09-25T17:00:00+08:00', 13], ['2026-09-28T09:00:00+08:00', 0.5]] as const) {
      expect(workHoursBetween(Date.parse(from), addWorkHours(Date.parse(from), hours, opts), opts)).toBeCloseTo(hours, 6);
    }
  });
  it('is 0 backwards', () => {
    expect(between('2026-09-29T10:00:00+08:00', '2026-09-28T10:00:00+08:00')).toBe(0);
  });
});

describe('parsing', () => {
  it('reads times of day and working hours', () => {
    expect(parseTimeOfDay('09:00')).toBe(540);
    expect(parseTimeOfDay('9:05')).toBe(545);
    expect(parseTimeOfDay('24:00')).toBeUndefined();
    expect(parseTimeOfDay('9:60')).toBeUndefined();
    expect(parseTimeOfDay('9')).toBeUndefined();
    expect(parseWorkHours('09:00-18:00')).toEqual({ start: 540, end: 1080 });
    expect(parseWorkHours('8:30 ~ 17:30')).toEqual({ start: 510, end: 1050 });
    expect(parseWorkHours('18:00-09:00')).toBeUndefined();
    expect(parseWorkHours('09:00')).toBeUndefined();
    expect(parseWorkHours('9:00－18:00')).toEqual({ start: 540, end: 1080 });
    expect(parseWorkHours('9:00—17:00')).toEqual({ start: 540, end: 1020 });
    expect(parseWorkHours('09:00-09:00')).toBeUndefined();
    expect(parseWorkHours('09:00-24:00')).toBeUndefined();
    expect(parseWorkHours('9-18')).toBeUndefined();
    expect(parseWorkHours('')).toBeUndefined();
    expect(parseTimeOfDay('23:59')).toBe(1439);
    expect(parseTimeOfDay('0:00')).toBe(0);
    expect(parseTimeOfDay('ab:cd')).toBeUndefined();
  });
});
