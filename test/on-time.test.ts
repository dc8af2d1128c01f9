// The one function that says 按期 / 延期后按期 / 逾期办结 / 逾期未办结, on hand-written cases.
import { describe, expect, it } from 'vitest';
import { endOfDay } from '../src/domain/dates.ts';
import { deadlineAt, deliveredAt, extensionCount, leadFor, originalDeadline, timeliness, TIMELINESS_LABELS } from '../src/domain/on-time.ts';
import type { Assignment, Extension, Report } from '../src/domain/types.ts';

const TZ = 'Asia/Shanghai';
const at = (s: string) => Date.parse(`${s}+08:00`);

function unit(over: Partial<Assignment> = {}): Assignment {
  return {
    unit: 'jtj', lead: false, responsible: 'li', state: 'received', due: '2026-10-30', dueAt: endOfDay('2026-10-30', TZ),
    reports: [], summons: [], visits: [], extensions: [], urges: [], ...over,
  };
}
function finalReport(signedAt: string, status: Report['status'] = 'accepted', version = 1): Report {
  return {
    version, text: '已完成', hash: 'h', final: true, by: 'zhao', at: at(signedAt) - 3_600_000, status,
    signature: { by: 'li', at: at(signedAt), platform: 'test', version, hash: 'h', text: '已完成' },
  };
}
function extension(from: string, to: string, decided: string, status: Extension['status'] = 'approved'): Extension {
  return { id: 1, to, reason: '需要时间', by: 'zhao', at: at(decided) - 86_400_000, status, decidedBy: 'office', decidedAt: at(decided), oldDue: from };
}
/** An assignment extended from 10-30 to `to` (approved at `decided`), as the store keeps it: due is the new one. */
function extended(to: string, decided: string, over: Partial<Assignment> = {}): Assignment {
  return unit({ due: to, dueAt: endOfDay(to, TZ), extensions: [extension('2026-10-30', to, decided)], ...over });
}
const completed = (signed: string, over: Partial<Assignment> = {}): Partial<Assignment> => ({
  state: 'completed', completedAt: at(signed) + 7_200_000, reports: [finalReport(signed)], ...over,
});

describe('timeliness', () => {
  const now = at('2026-12-01T10:00:00');
  it('按期: delivered by the original deadline, even when the office accepts after it', () => {
    const a = unit(completed('2026-10-30T20:00:00', { completedAt: at('2026-11-02T09:00:00') }));
    expect(TIMELINESS_LABELS[timeliness(a, now, TZ)]).toBe('按期');
  });
  it('按期: delivered by the original deadline though an extension was approved', () => {
    expect(timeliness(extended('2026-11-20', '2026-10-20T10:00:00', completed('2026-10-29T10:00:00')), now, TZ)).toBe('on_time');
  });
  it('延期后按期: an extension approved before delivery, delivered after the original deadline and by the new one', () => {
    const a = extended('2026-11-20', '2026-10-28T10:00:00', completed('2026-11-15T10:00:00'));
    expect(timeliness(a, now, TZ)).toBe('extended_on_time');
    expect(extensionCount(a)).toBe(1);
    expect(originalDeadline(a, TZ).due).toBe('2026-10-30');
  });
  it('逾期办结: an extension approved only after delivery does not make it punctual', () => {
    const a = extended('2026-11-20', '2026-11-10T10:00:00', completed('2026-11-05T10:00:00'));
    expect(timeliness(a, now, TZ)).toBe('late');
    expect(deadlineAt(a, at('2026-11-05T10:00:00'), TZ).extended).toBe(false);
  });
  it('逾期办结: delivered after the extended deadline', () => {
    expect(timeliness(extended('2026-11-20', '2026-10-28T10:00:00', completed('2026-11-23T10:00:00')), now, TZ)).toBe('late');
  });
  it('逾期办结: without an extension, one second past the end of the deadline day', () => {
    const a = unit({ state: 'completed', completedAt: at('2026-10-31T00:00:00'), reports: [finalReport('2026-10-31T00:00:00')] });
    expect(timeliness(a, now, TZ)).toBe('late');
  });
  it('a returned report: the accepted version counts, not the first one sent', () => {
    const first = finalReport('2026-10-29T10:00:00', 'returned', 1);
    const second = finalReport('2026-11-03T10:00:00', 'accepted', 2);
    const a = unit({ state: 'completed', completedAt: at('2026-11-03T15:00:00'), reports: [first, second] });
    expect(timeliness(a, now, TZ)).toBe('late');
  });
  it('逾期未办结 and 在办: open after and before the deadline in force', () => {
    expect(TIMELINESS_LABELS[timeliness(unit({ state: 'returned' }), now, TZ)]).toBe('逾期未办结');
    expect(timeliness(extended('2026-12-20', '2026-10-28T10:00:00'), now, TZ)).toBe('open');
    expect(timeliness(unit(), at('2026-10-30T23:59:00'), TZ)).toBe('open');
  });
  it('two extensions: the deadline in force at delivery is the one approved by then', () => {
    const a = unit({
      due: '2026-12-10', dueAt: endOfDay('2026-12-10', TZ),
      extensions: [extension('2026-10-30', '2026-11-10', '2026-10-25T10:00:00'), { ...extension('2026-11-10', '2026-12-10', '2026-11-20T10:00:00'), id: 2 }],
      ...completed('2026-11-15T10:00:00'),
    });
    // Delivered on 11-15: the deadline then was 11-10 (the second extension came on 11-20).
    expect(deadlineAt(a, at('2026-11-15T10:00:00'), TZ).due).toBe('2026-11-10');
    expect(timeliness(a, now, TZ)).toBe('late');
    expect(extensionCount(a)).toBe(2);
  });
  it('a 配合 unit completed with its lead unit (no report of its own): when it was completed counts', () => {
    expect(timeliness(unit({ state: 'completed', completedAt: at('2026-10-30T12:00:00') }), now, TZ)).toBe('on_time');
  });
  it('a 配合 unit of a joint item (牵头=) completed with its lead: judged by the lead leader’s signature, not by the office’s 受理', () => {
    // The lead unit's final report was signed on the deadline day and accepted two days later: every unit of it is 按期.
    const withLead = { unit: 'gaj', version: 1, signedAt: at('2026-10-30T17:00:00') };
    const a = unit({ state: 'completed', completedAt: at('2026-11-02T09:00:00'), completedWith: withLead, reports: [finalReport('2026-10-20T10:00:00', 'signed')] });
    expect(timeliness(a, now, TZ)).toBe('on_time');
    // Signed by the lead after the deadline: late, whenever the 配合 unit itself reported to the lead.
    expect(timeliness({ ...a, completedWith: { ...withLead, signedAt: at('2026-10-31T09:00:00') } }, now, TZ)).toBe('late');
  });
  it('refused and pending extensions change nothing', () => {
    const a = unit({ extensions: [extension('2026-10-30', '2026-11-20', '2026-10-28T10:00:00', 'refused')], ...completed('2026-11-02T10:00:00') });
    expect(timeliness(a, now, TZ)).toBe('late');
    expect(extensionCount(a)).toBe(0);
  });
  it('requests the office has not approved (waiting for the leader, agreed and waiting, refused by the leader) change nothing', () => {
    const waiting = (status: Extension['status'], more: Partial<Extension> = {}) => ({ ...extension('2026-10-30', '2026-11-20', '2026-10-28T10:00:00', status), ...more });
    for (const e of [waiting('pending_leader'), waiting('pending', { agreedBy: 'li', agreedAt: at('2026-10-28T09:00:00') }), waiting('refused', { leaderRefused: true })]) {
      const a = unit({ extensions: [e], ...completed('2026-11-02T10:00:00') });
      expect(timeliness(a, now, TZ)).toBe('late');
      expect(originalDeadline(a, TZ).due).toBe('2026-10-30');
      expect(extensionCount(a)).toBe(0);
    }
  });
});

describe('a unit of an item run by its lead unit (牵头=)', () => {
  const now = at('2026-12-01T10:00:00');
  const item = { leadRule: true, lead: 'jtj' };
  const lead = unit({ unit: 'jtj', lead: true, ...completed('2026-10-30T20:00:00', { completedAt: at('2026-11-02T09:00:00') }) });
  // Completed with the lead unit, when the office accepted the lead unit's final report (after the deadline).
  const support = unit({ unit: 'gaj', state: 'completed', completedAt: at('2026-11-02T09:00:00') });

  it('a 配合 unit completed with the lead unit delivered when the lead unit signed its final report: 按期', () => {
    expect(leadFor(item, support, [lead, support])).toBe(lead);
    expect(deliveredAt(support, lead)).toBe(at('2026-10-30T20:00:00'));
    expect(timeliness(support, now, TZ, lead)).toBe('on_time');
    // Judged alone, the office's acceptance two days later would make it late.
    expect(timeliness(support, now, TZ)).toBe('late');
  });
  it('the lead unit answers for itself; without the lead rule every unit does', () => {
    expect(leadFor(item, lead, [lead, support])).toBeUndefined();
    expect(leadFor({ lead: 'jtj' }, support, [lead, support])).toBeUndefined();
    expect(timeliness(lead, now, TZ)).toBe('on_time');
  });
  it('a 配合 unit with its own deadline extended is judged by it, at the lead unit’s delivery', () => {
    const leadLate = unit({ unit: 'jtj', lead: true, ...completed('2026-11-10T10:00:00', { completedAt: at('2026-11-11T09:00:00') }) });
    const ext = unit({ unit: 'gaj', state: 'completed', completedAt: at('2026-11-11T09:00:00'), due: '2026-11-20', dueAt: endOfDay('2026-11-20', TZ), extensions: [extension('2026-10-30', '2026-11-20', '2026-10-20T10:00:00')] });
    expect(timeliness(ext, now, TZ, leadLate)).toBe('extended_on_time');
    expect(timeliness(leadLate, now, TZ)).toBe('late');
  });
});
