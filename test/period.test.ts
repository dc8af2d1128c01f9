// The periods of /统计 and /通报: their days in DUCHA_TZ, their names, and the period after each.
import { describe, expect, it } from 'vitest';
import { nextPeriod, parsePeriod } from '../src/output/period.ts';

const TZ = 'Asia/Shanghai';
const now = Date.parse('2026-10-09T12:00:00+08:00');
const days = (text: string | undefined, at = now) => {
  const p = parsePeriod(text, at, TZ);
  return p && [p.from, p.to, p.label];
};

describe('parsePeriod', () => {
  it('reads the named periods, 本月 by default', () => {
    expect(days(undefined)).toEqual(['2026-10-01', '2026-10-31', '2026年10月']);
    expect(days('本周')).toEqual(['2026-10-05', '2026-10-11', '2026年10月5日至10月11日']);
    expect(days('上月')).toEqual(['2026-09-01', '2026-09-30', '2026年9月']);
    expect(days('本季')).toEqual(['2026-10-01', '2026-12-31', '2026年第四季度']);
    expect(days('本年')).toEqual(['2026-01-01', '2026-12-31', '2026年']);
    expect(days('2026-02')).toEqual(['2026-02-01', '2026-02-28', '2026年2月']);
    expect(days('２０２５')).toEqual(['2025-01-01', '2025-12-31', '2025年']);
    expect(days('last-month', Date.parse('2026-01-05T09:00:00+08:00'))).toEqual(['2025-12-01', '2025-12-31', '2025年12月']);
  });
  it('takes the day in DUCHA_TZ: 1 October 00:30 in Shanghai is still September in UTC', () => {
    expect(days('本月', Date.parse('2026-10-01T00:30:00+08:00'))?.[2]).toBe('2026年10月');
    const p = parsePeriod('2026-09', now, TZ)!;
    expect([p.fromMs, p.toMs]).toEqual([Date.parse('2026-09-01T00:00:00+08:00'), Date.parse('2026-10-01T00:00:00+08:00') - 1]);
  });
  it('refuses what names no period', () => {
    for (const bad of ['去年秋天', '2026-13', '1999', '26-09']) expect(parsePeriod(bad, now, TZ)).toBeUndefined();
  });
  it('knows the period after: across a year end too', () => {
    const next = (text: string, at = now) => {
      const p = nextPeriod(parsePeriod(text, at, TZ)!, TZ);
      return [p.from, p.to];
    };
    expect(next('2026-12')).toEqual(['2027-01-01', '2027-01-31']);
    expect(next('本周')).toEqual(['2026-10-12', '2026-10-18']);
    expect(next('本季')).toEqual(['2027-01-01', '2027-03-31']);
    expect(next('2026')).toEqual(['2027-01-01', '2027-12-31']);
  });
});
