// Progress reports of long items (进度=) on the injectable clock: a monthly reminder on the last working day of the
// month at the reminder slot, a period answered by a signed report (no reminder), a period unanswered (进展报送逾期 in
// the digest and /查看, the leader told on the next reminder), none once the unit is done, every N working days,
// /新建 refusing a bad 进度=, and a slot run again, two workers at once or a rebuilt schedule sending nothing twice.
import { afterEach, describe, expect, it } from 'vitest';
import type { Card } from '../src/chat/message.ts';
import { runSlot } from '../src/schedule/slot.ts';
import { tick } from '../src/schedule/ticker.ts';
import { rebuildSchedule } from '../src/store/rebuild-schedule.ts';
import { Store } from '../src/store/store.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  const shown = h?.shownInternalIds() ?? [];
  await h?.close();
  h = undefined;
  expect(shown).toEqual([]);
});

async function start(): Promise<Harness> {
  h = await createHarness({ now: '2026-09-28T08:00:00+08:00', env: { DUCHA_CHASE_AFTER: '200' } });
  await tick(h.rt);
  return h;
}

async function at(iso: string): Promise<void> {
  h!.clock.set(iso);
  await tick(h!.rt);
  await h!.settle();
}

function cards(person: string): Card[] {
  return h!.received(person).flatMap((s) => (s.message.kind === 'card' ? [s.message.card] : []));
}

function progress(person: string): Card[] {
  return cards(person).filter((c) => c.title.startsWith('【进度报送提醒】'));
}

function digests(): Card[] {
  return cards('zhang').filter((c) => c.title.startsWith('【督查日报】'));
}

async function issue(args: string): Promise<void> {
  await h!.command('zhang', `/新建 ${args}`);
  const answer = await h!.press('zhang', { card: h!.lastCard('zhang', '发出'), label: '发出' });
  expect(answer.toast.type).toBe('success');
}

/** The contact reports, the leader signs (and the office accepts, for a final report). */
async function reportSigned(contact: string, leader: string, text: string, accept = false): Promise<void> {
  await h!.command(contact, `/报送 1 ${text}`);
  expect((await h!.press(leader, { card: h!.lastCard(leader, '签署'), label: '签署' })).toast.type).toBe('success');
  if (accept) expect((await h!.press('zhang', { card: h!.lastCard('zhang', '受理'), label: '受理' })).toast.type).toBe('success');
}

async function show(): Promise<string> {
  await h!.command('zhang', '/查看 2026-1');
  return h!.lastText('zhang');
}

describe('monthly progress reports', () => {
  it('reminds on the last working day of the month at the slot, answered or not, names the leader after a missed month, stops once the unit is done', async () => {
    await start();
    await issue('全年重点项目推进 单位=jtj,gaj 期限=2027-03-31 类别=重大 进度=月');
    // The notice says how often progress is reported.
    expect(h!.lastCard('li', '签收').fields).toContainEqual({ label: '进度报送', value: '每月一次（每期最后一个工作日提醒）' });
    await h!.press('li', { card: h!.lastCard('li', '签收'), label: '签收' });
    await h!.press('chen', { card: h!.lastCard('chen', '签收'), label: '签收' });

    // Issued late in September: the first period runs to the end of October, reminded on Friday 30 October at 09:00.
    await at('2026-10-29T09:00:00+08:00');
    await at('2026-10-30T08:59:00+08:00');
    expect(progress('zhao')).toHaveLength(0);
    await at('2026-10-30T09:00:00+08:00');
    const [oct] = progress('zhao');
    expect(oct?.title).toBe('【进度报送提醒】1 项督查事项本期进展待报送');
    expect(oct?.body).toBe('1. 督字〔2026〕1号「全年重点项目推进」\n市交通运输局 · 请今天报送2026年10月进展（每月报送）：发送 /报送 1 <办理情况>');
    expect(progress('zhou')).toHaveLength(1);
    expect(progress('li')).toHaveLength(0);
    // The next look is November's last working day.
    expect(await h!.redis.zscore(h!.rt.store.k.progress, 'd1')).toBe(String(Date.parse('2026-11-30T09:00:00+08:00')));

    // The slot run again (a retried job), and by two workers at once: nothing twice.
    await runSlot(h!.rt, { date: '2026-10-30', at: Date.parse('2026-10-30T09:00:00+08:00') }, false);
    await h!.settle();
    // A crash after queuing and before the schedule moved: run again from where it was, the same cards, queued once.
    await h!.redis.zadd(h!.rt.store.k.progress, Date.parse('2026-10-30T09:00:00+08:00'), 'd1');
    const other = { ...h!.rt, store: new Store(h!.redis, h!.prefix) };
    await Promise.all([
      runSlot(h!.rt, { date: '2026-10-30', at: Date.parse('2026-10-30T09:00:00+08:00') }, false),
      runSlot(other, { date: '2026-10-30', at: Date.parse('2026-10-30T09:00:00+08:00') }, false),
    ]);
    await h!.settle();
    expect(progress('zhao')).toHaveLength(1);
    expect(progress('zhou')).toHaveLength(1);

    // October passed unanswered by both: the next working day's digest and /查看 count it.
    await at('2026-11-02T09:00:00+08:00');
    expect(digests().at(-1)!.body).toContain('【进展报送逾期】2 项\n· 1号 市交通运输局：2026年10月进展未报送\n· 1号 市公安局：2026年10月进展未报送');
    expect(await show()).toContain('市交通运输局（牵头），负责领导李明：已签收办理中，期限 2027年3月31日；进展报送逾期 1 期（2026年10月）');

    // 市公安局 finishes in November: no more reminders for it. 市交通运输局 stays silent in November too.
    await reportSigned('zhou', 'chen', '办结 全部完成', true);
    await at('2026-11-30T09:00:00+08:00');
    expect(progress('zhou')).toHaveLength(1);
    const nov = progress('zhao').at(-1)!;
    expect(nov.body).toContain('请今天报送2026年11月进展');
    expect(nov.body).toContain('上期（2026年10月）进展未报送，已告知负责领导李明。');
    expect(nov.color).toBe('red');
    // The leader is told, on a card of their own.
    const told = progress('li');
    expect(told).toHaveLength(1);
    expect(told[0]!.body).toBe('1. 督字〔2026〕1号「全年重点项目推进」\n市交通运输局 · 2026年11月进展尚未报送，请督促联络员今天报送并签署\n上期（2026年10月）进展未报送。');

    // December answered: a report signed during the month, so no reminder on its last working day.
    await at('2026-12-10T10:00:00+08:00');
    await reportSigned('zhao', 'li', '12月进展：完成投资8亿元', true);
    await at('2026-12-31T09:00:00+08:00');
    expect(progress('zhao')).toHaveLength(2);
    expect(progress('li')).toHaveLength(1);
    // The last period is answered: no longer behind in the digest; /查看 keeps the two missed.
    await at('2027-01-04T09:00:00+08:00');
    expect(digests().at(-1)!.body).not.toContain('进展报送逾期');
    expect(await show()).toContain('进展报送逾期 2 期（2026年10月、2026年11月）');
    // January unanswered: reminded, the month before was answered, so no leader named.
    await at('2027-01-29T09:00:00+08:00');
    expect(progress('zhao').at(-1)!.body).not.toContain('上期');
    expect(progress('li')).toHaveLength(1);
  });

  it('a unit that completes leaves the schedule with its item; the deadline’s own reminders stay as they were', async () => {
    await start();
    await issue('短期事项 单位=jtj 期限=2026-11-13 类别=重大 进度=月');
    await h!.press('li', { card: h!.lastCard('li', '签收'), label: '签收' });
    await at('2026-10-30T09:00:00+08:00');
    expect(progress('zhao')).toHaveLength(1);
    await reportSigned('zhao', 'li', '办结 已完成', true);
    expect((await h!.rt.store.getHeader('d1'))?.doc.status).toBe('completed');
    // The slot that next looks at it (November's last working day) drops it, and sends nothing.
    await at('2026-11-30T09:00:00+08:00');
    expect(await h!.redis.zscore(h!.rt.store.k.progress, 'd1')).toBeNull();
    expect(progress('zhao')).toHaveLength(1);
  });
});

describe('every N working days', () => {
  it('reminds on the Nth working day from issue (a 调休 Saturday counts), not when the period was answered', async () => {
    await start();
    await issue('专项整治 单位=jtj 期限=2026-12-31 进度=5工作日');
    await h!.press('wang', { card: h!.lastCard('wang', '签收'), label: '签收' });
    // 29, 30 September, then National Day: the fifth working day is the 调休 Saturday, 10 October.
    await at('2026-10-09T09:00:00+08:00');
    expect(progress('zhao')).toHaveLength(0);
    await at('2026-10-10T09:00:00+08:00');
    expect(progress('zhao')).toHaveLength(1);
    expect(progress('zhao')[0]!.body).toContain('请今天报送9月28日至10月10日进展（每 5 个工作日报送）');
    // Answered in the next period (11 to 16 October): nothing on the 16th.
    await at('2026-10-12T10:00:00+08:00');
    await reportSigned('zhao', 'wang', '第二期进展');
    await at('2026-10-16T09:00:00+08:00');
    expect(progress('zhao')).toHaveLength(1);
    // The next period (17 to 23 October) has no report yet: reminded, the one before was answered, no leader named.
    await at('2026-10-23T09:00:00+08:00');
    expect(progress('zhao')).toHaveLength(2);
    expect(progress('zhao')[1]!.body).not.toContain('上期');
    await at('2026-10-30T09:00:00+08:00');
    const last = progress('zhao').at(-1)!;
    expect(progress('zhao')).toHaveLength(3);
    expect(last.body).toContain('请今天报送10月24日至10月30日进展');
    // 17–23 October went unanswered: the leader is told, and named.
    expect(last.body).toContain('上期（10月17日至10月23日）进展未报送，已告知负责领导王建国。');
    expect(progress('wang')).toHaveLength(1);
  });
});

describe('/新建 with 进度=', () => {
  it('refuses a value it does not know, or a period that ends after the deadline, with the usage; nothing is created', async () => {
    await start();
    await h!.command('zhang', '/新建 事项 单位=jtj 期限=2026-12-31 进度=两周');
    expect(h!.lastText('zhang')).toContain('「进度/every」不能是「两周」，只能是：周、月、季、半年，或 N工作日（如 10工作日）');
    expect(h!.lastText('zhang')).toContain('进度=周|月|季|半年|N工作日');
    await h!.command('zhang', '/新建 事项 单位=jtj 期限=2026-10-20 进度=月');
    expect(h!.lastText('zhang')).toContain('办结时限 2026年10月20日 在第一期进展报送（每月）之前，无需 进度=');
    expect(await h!.rt.store.itemIds()).toEqual([]);
  });
});

describe('rebuilding the schedule', () => {
  it('gives the open items with progress periods back, and the next slot sends nothing a slot already sent', async () => {
    await start();
    await issue('全年项目 单位=jtj 期限=2027-03-31 类别=重大 进度=月');
    await h!.press('li', { card: h!.lastCard('li', '签收'), label: '签收' });
    await issue('无进度的事项 单位=jtj 期限=2027-03-31 类别=重大');
    await at('2026-10-30T09:00:00+08:00');
    expect(progress('zhao')).toHaveLength(1);
    const { redis } = h!;
    const { store } = h!.rt;
    await redis.del(store.k.progress);
    expect(await rebuildSchedule(redis, store)).toMatchObject({ items: 2, progress: 1 });
    expect(await redis.zrange(store.k.progress, '0', '-1')).toEqual(['d1']);
    // The same day later, the next working day: nothing again; November's last working day: reminded.
    await runSlot(h!.rt, { date: '2026-10-30', at: Date.parse('2026-10-30T09:00:00+08:00') }, false);
    await at('2026-11-02T09:00:00+08:00');
    expect(progress('zhao')).toHaveLength(1);
    await at('2026-11-30T09:00:00+08:00');
    expect(progress('zhao')).toHaveLength(2);
  });
});
