// Scheduled messages on the injectable clock: reminder slots over a week with a holiday and a 调休 Saturday, one
// message per person per slot, the receipt chase with 加急, the escalation ladder frozen at issue, moves (extension,
// completion, a new head), and the slot run twice or by two workers at once.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderByKey } from '../src/dispatch/dispatch.ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { Card } from '../src/chat/message.ts';
import { Directory } from '../src/directory/directory.ts';
import { parseDirectory } from '../src/directory/load-directory.ts';
import { runSlot } from '../src/schedule/slot.ts';
import { tick } from '../src/schedule/ticker.ts';
import { Store } from '../src/store/store.ts';
import { createHarness, FIXTURE_DIRECTORY, type Harness, type HarnessOptions } from './helpers/harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  // Nobody was shown an item's internal id.
  const shown = h?.shownInternalIds() ?? [];
  await h?.close();
  h = undefined;
  expect(shown).toEqual([]);
});

async function start(opts: HarnessOptions = {}): Promise<Harness> {
  h = await createHarness({ now: '2026-09-28T08:00:00+08:00', ...opts, env: { DUCHA_CHASE_AFTER: '200', ...opts.env } });
  // The first look starts the schedule: slots before it were nobody's to send.
  await tick(h.rt);
  return h;
}

/** Moves the clock and lets the service look at it once, then waits for what it queued. */
async function at(iso: string): Promise<void> {
  h!.clock.set(iso);
  await tick(h!.rt);
  await h!.settle();
}

function cards(person: string): Card[] {
  return h!.received(person).flatMap((s) => (s.message.kind === 'card' ? [s.message.card] : []));
}

function texts(person: string): string[] {
  return h!.received(person).flatMap((s) => (s.message.kind === 'text' ? [s.message.text] : []));
}

function reminders(person: string): Card[] {
  return cards(person).filter((c) => /^【(到期|逾期)提醒】/.test(c.title));
}

/** Creates and issues an item as the office clerk; returns its number. */
async function issue(args: string): Promise<void> {
  await h!.command('zhang', `/新建 ${args}`);
  const preview = h!.lastCard('zhang', '发出');
  const answer = await h!.press('zhang', { card: preview, label: '发出' });
  expect(answer.toast.type).toBe('success');
}

describe('reminder slots', () => {
  it('follow working days through National Day and the 调休 Saturday: 3 and 1 working days before, on the day, and every working day after', async () => {
    await start();
    await issue('国庆期间道路保畅 单位=jtj 期限=2026-10-10 类别=民生');
    const days = ['09-28', '09-29', '09-30', '10-01', '10-02', '10-05', '10-07', '10-08', '10-09', '10-10', '10-11', '10-12', '10-13', '10-14', '10-15', '10-16', '10-19', '10-20', '10-21'];
    const got: Record<string, string> = {};
    const steps: Record<string, string> = {};
    for (const d of days) {
      const stepsBefore = cards('zhang').filter((c) => c.title.startsWith('【逾期升级】')).length;
      const before = reminders('li').length;
      // A minute before the slot: nothing yet.
      await at(`2026-${d}T08:59:00+08:00`);
      expect(reminders('li').length).toBe(before);
      await at(`2026-${d}T09:00:00+08:00`);
      const now = reminders('li');
      if (now.length > before) got[d] = now[now.length - 1]!.title + ' | ' + now[now.length - 1]!.body;
      expect(now.length - before).toBeLessThanOrEqual(1);
      const escalations = cards('zhang').filter((c) => c.title.startsWith('【逾期升级】'));
      if (escalations.length > stepsBefore) steps[d] = escalations.slice(stepsBefore).map((c) => c.title.split('：')[0]).join(',');
    }
    // The example week of docs/using.md, as it says.
    expect(Object.keys(got)).toEqual(['09-30', '10-09', '10-10', '10-12', '10-13', '10-14', '10-15', '10-16', '10-19', '10-20', '10-21']);
    expect(steps).toEqual({ '10-12': '【逾期升级】第 1 步', '10-14': '【逾期升级】第 2 步', '10-20': '【逾期升级】第 3 步' });
    expect(got['09-30']).toMatch(/^【到期提醒】您有 1 项督查事项待办/);
    expect(got['09-30']).toContain('还有 3 个工作日');
    expect(got['09-30']).toContain('请签收督查单');
    expect(got['10-09']).toContain('还有 1 个工作日');
    expect(got['10-10']).toContain('今天到期');
    expect(got['10-12']).toMatch(/^【逾期提醒】/);
    expect(got['10-12']).toContain('已逾期 1 个工作日');
    expect(got['10-13']).toContain('已逾期 2 个工作日');
    // Nobody else was reminded: the office holds nothing, and the contact owes no report before 签收.
    expect(reminders('zhao')).toHaveLength(0);
  });

  it('sends one card per person per slot, listing every item awaiting them, with a button for each', async () => {
    await start();
    await issue('事项甲 单位=jtj 期限=2026-09-29 类别=重大');
    await issue('事项乙 单位=jtj 期限=2026-09-29 类别=紧急');
    await issue('事项丙 单位=jtj,gaj 期限=2026-09-29 类别=交办');
    // One of li's notices is received: a report is now owed, so the contact is reminded of it instead.
    await h!.press('li', { card: h!.lastCard('li', '签收'), label: '签收' });
    await at('2026-09-28T09:00:00+08:00');
    const mine = reminders('li');
    expect(mine).toHaveLength(1);
    const card = mine[0]!;
    expect(card.title).toBe('【到期提醒】您有 2 项督查事项待办');
    expect(card.body).toContain('督字〔2026〕1号「事项甲」');
    expect(card.body).toContain('督字〔2026〕2号「事项乙」');
    expect(card.buttons.map((b) => b.text)).toEqual(['签收 1号', '签收 2号']);
    const { toFeishuCard } = await import('../src/platforms/feishu/render.ts');
    expect(JSON.stringify(toFeishuCard(card))).not.toContain('&#42;');
    const contact = reminders('zhao');
    expect(contact).toHaveLength(1);
    expect(contact[0]!.body).toContain('/报送 3 <办理情况>');
    expect(reminders('chen')).toHaveLength(1);
    // A reminder's list is kept while it can be pressed; where it landed is not kept at all.
    expect(await h!.redis.ttl(h!.rt.store.k.remindList('2026-09-28', 'li'))).toBeGreaterThan(13 * 24 * 3600);
    expect(await h!.redis.keys(`${h!.prefix}:card:remind:*`)).toEqual([]);

    // A press on the reminder acts on that item and redraws the reminder, with one button fewer.
    const answer = await h!.press('li', { card, label: '签收 2号' });
    expect(answer.toast.type).toBe('success');
    expect(answer.card?.title).toBe(card.title);
    expect(answer.card?.buttons.map((b) => b.text)).toEqual(['签收']);
    expect(answer.card?.body).toContain('已处理，当前状态：已签收办理中');
    expect((await h!.rt.store.getAssignment('d2', 'jtj'))?.doc.state).toBe('received');
    // Somebody else pressing it is refused.
    expect((await h!.press('wang', { card, label: '签收 1号' })).toast.type).toBe('error');

    // The slot run again (a crashed worker's retry) sends nothing twice.
    await runSlot(h!.rt, { date: '2026-09-28', at: Date.parse('2026-09-28T09:00:00+08:00') }, false);
    await h!.settle();
    expect(reminders('li')).toHaveLength(1);
    expect(reminders('zhao')).toHaveLength(1);
  });

  it('marks a slot missed while every worker was down （补发）, sends only the latest one, and only once', async () => {
    await start();
    await issue('事项 单位=jtj 期限=2026-09-30 类别=重大');
    // Down from Monday morning to Wednesday 11:00: Monday's, Tuesday's and Wednesday's slots all passed.
    await at('2026-09-30T11:00:00+08:00');
    const got = reminders('li');
    expect(got).toHaveLength(1);
    expect(got[0]!.title).toBe('【到期提醒】（补发）您有 1 项督查事项待办');
    expect(got[0]!.body).toContain('今天到期');
    await at('2026-09-30T11:01:00+08:00');
    expect(reminders('li')).toHaveLength(1);
  });

  it('moves with an approved extension (a request alone moves nothing) and stops on completion', async () => {
    await start();
    await issue('事项 单位=jtj 期限=2026-10-09 类别=重大');
    await h!.press('li', { card: h!.lastCard('li', '签收'), label: '签收' });
    await h!.command('zhao', '/延期 1 至=2026-10-16 理由=需协调多部门');
    await h!.press('li', { card: h!.lastCard('li', '同意申请'), label: '同意申请' });
    // Still due on the 9th: 3 working days before it is the 29th.
    await at('2026-09-29T09:00:00+08:00');
    expect(reminders('zhao')).toHaveLength(1);
    await h!.press('zhang', { card: h!.lastCard('zhang', '同意'), label: '同意' });
    await at('2026-10-09T09:00:00+08:00');
    expect(reminders('zhao')).toHaveLength(1);
    // Now due on the 16th: reminded 3 working days before (the 13th).
    await at('2026-10-13T09:00:00+08:00');
    expect(reminders('zhao')).toHaveLength(2);
    expect(reminders('zhao')[1]!.body).toContain('2026年10月16日（还有 3 个工作日）');

    await h!.command('zhao', '/报送 1 办结 已全部完成。');
    await h!.press('li', { card: h!.lastCard('li', '签署'), label: '签署' });
    await h!.press('zhang', { card: h!.lastCard('zhang', '受理'), label: '受理' });
    expect((await h!.rt.store.getHeader('d1'))?.doc.status).toBe('completed');
    const before = h!.received('zhao').length + h!.received('li').length + h!.received('zhang').length;
    await at('2026-10-15T09:00:00+08:00');
    await at('2026-10-19T09:00:00+08:00');
    // Nothing for a completed item, and no digest when nothing is open.
    expect(h!.received('zhao').length + h!.received('li').length + h!.received('zhang').length).toBe(before);
  });

  it('goes to the new head once the directory names one, recording the change', async () => {
    await start();
    await issue('事项 单位=jtj 期限=2026-09-29 类别=重大');
    const text = readFileSync(FIXTURE_DIRECTORY, 'utf8').replace('head: li', 'head: sun').replace('deputies: [wang, sun]', 'deputies: [wang]');
    const changed = new Directory(parseDirectory(text, FIXTURE_DIRECTORY));
    h!.rt.directory = () => changed;
    await at('2026-09-28T09:00:00+08:00');
    expect(reminders('li')).toHaveLength(0);
    const got = reminders('sun');
    expect(got).toHaveLength(1);
    // The new head can act on it; the office was told of the change, and it is in the audit trail.
    expect((await h!.press('sun', { card: got[0]!, label: '签收' })).toast.type).toBe('success');
    expect(texts('zhang').some((t) => t.startsWith('【人员变动】') && t.includes('由李明改为孙丽'))).toBe(true);
    const audit = await h!.rt.store.audit('d1');
    expect(audit.find((e) => e.action === 'reassign')).toMatchObject({ actor: 'system', from: 'li', to: 'sun' });
  });
});

describe('【人员变动】 when the old leader has left the directory', () => {
  /** The fixture without 李明: 孙丽 heads the unit, and li is no longer among the people. */
  function withoutLi(): Directory {
    const text = readFileSync(FIXTURE_DIRECTORY, 'utf8')
      .replace('head: li', 'head: sun')
      .replace('deputies: [wang, sun]', 'deputies: [wang]')
      .replace(/\n {2}- \{ id: li, .*\}/, '');
    expect(text).not.toMatch(/\bli\b/);
    return new Directory(parseDirectory(text, FIXTURE_DIRECTORY));
  }

  it('names the head by the name kept with the record, and keeps the new one', async () => {
    await start();
    await issue('事项 单位=jtj 期限=2026-10-09 类别=重大');
    const changed = withoutLi();
    h!.rt.directory = () => changed;
    const { followDirectory } = await import('../src/schedule/follow-directory.ts');
    expect(await followDirectory(h!.rt)).toEqual({ checked: 1, moved: 1 });
    await h!.settle();
    expect(texts('zhang').filter((t) => t.startsWith('【人员变动】'))).toEqual([expect.stringContaining('负责领导已按通讯录由李明改为孙丽')]);
    expect((await h!.rt.store.getAssignment('d1', 'jtj'))?.doc.responsibleName).toBe('孙丽');
    const reassign = (await h!.rt.store.audit('d1')).find((e) => e.action === 'reassign')!;
    expect(JSON.parse(reassign.detail!)).toMatchObject({ fromName: '李明', toName: '孙丽' });
  });

  it('names the head by the audit trail when the record is an earlier version\'s, without the name', async () => {
    await start();
    await h!.command('zhang', '/新建 事项 单位=jtj 期限=2026-10-09 类别=重大');
    // The draft as an earlier version wrote it: no name beside the leader.
    const key = `${h!.prefix}:asg:d1:jtj`;
    const doc = JSON.parse((await h!.redis.hget(key, 'doc'))!) as Record<string, unknown>;
    expect(doc.responsibleName).toBe('李明');
    delete doc.responsibleName;
    await h!.redis.hset(key, 'doc', JSON.stringify(doc));
    const answer = await h!.press('zhang', { card: h!.lastCard('zhang', '发出'), label: '发出' });
    expect(answer.toast.type).toBe('success');
    expect((await h!.rt.store.getAssignment('d1', 'jtj'))?.doc.responsibleName).toBeUndefined();
    const changed = withoutLi();
    h!.rt.directory = () => changed;
    const { followDirectory } = await import('../src/schedule/follow-directory.ts');
    await followDirectory(h!.rt);
    await h!.settle();
    expect(texts('zhang').filter((t) => t.startsWith('【人员变动】'))).toEqual([expect.stringContaining('由李明改为孙丽')]);
  });
});

describe('people who have left the directory', () => {
  it('are still named on cards and in messages, after a restart with a directory that no longer has them', async () => {
    await start();
    await issue('事项 单位=jtj 期限=2026-10-09 类别=重大');
    await h!.press('li', { card: h!.lastCard('li', '签收'), label: '签收' });
    // The same records, served by a process whose directory file dropped 李明.
    const dir = mkdtempSync(join(tmpdir(), 'ducha-names-'));
    const file = join(dir, 'directory.yaml');
    writeFileSync(
      file,
      readFileSync(FIXTURE_DIRECTORY, 'utf8')
        .replace('head: li', 'head: sun')
        .replace('deputies: [wang, sun]', 'deputies: [wang]')
        .replace(/\n {2}- \{ id: li, .*\}/, ''),
    );
    const later = await createHarness({ directory: file, env: { DUCHA_PREFIX: h!.prefix } });
    try {
      expect(later.rt.directory().person('li')).toBeUndefined();
      expect(later.rt.directory().personName('li')).toBe('李明');
      const card = await renderByKey(later.rt, 'notice:d1:jtj', 'sun');
      expect(card?.note).toContain('已由李明于');
    } finally {
      await later.app.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the receipt chase', () => {
  it('chases after DUCHA_CHASE_AFTER working hours, then again with 加急 and the office told, each once', async () => {
    await start({ env: { DUCHA_CHASE_AFTER: '4' } });
    h!.clock.set('2026-09-28T10:30:00+08:00');
    await issue('事项 单位=jtj,gaj 期限=2026-10-09 类别=重大');
    await h!.press('chen', { card: h!.lastCard('chen', '签收'), label: '签收' });
    await at('2026-09-28T14:29:00+08:00');
    expect(cards('li').filter((c) => c.title.startsWith('【签收提醒】'))).toHaveLength(0);
    await at('2026-09-28T14:30:00+08:00');
    const first = cards('li').filter((c) => c.title.startsWith('【签收提醒】'));
    expect(first).toHaveLength(1);
    expect(first[0]!.buttons.map((b) => b.text)).toEqual(['签收']);
    expect(h!.feishu.sent.filter((s) => s.person === 'li' && s.message.kind === 'card' && s.message.card.title.startsWith('【签收提醒】'))[0]!.opts.urgent).toBeFalsy();
    // chen received: not chased.
    expect(cards('chen').filter((c) => c.title.startsWith('【签收提醒】'))).toHaveLength(0);
    // 4 working hours later: 14:30 + 3.5 h today (to 18:00) + 0.5 h tomorrow → 09:30 on the 29th.
    await at('2026-09-29T09:29:00+08:00');
    expect(cards('li').filter((c) => c.title.startsWith('【签收提醒】'))).toHaveLength(1);
    await at('2026-09-29T09:30:00+08:00');
    const chases = h!.feishu.sent.filter((s) => s.person === 'li' && s.message.kind === 'card' && s.message.card.title.startsWith('【签收提醒】'));
    expect(chases).toHaveLength(2);
    expect(chases[1]!.opts.urgent).toBe(true);
    expect(texts('zhang').filter((t) => t.startsWith('【签收提醒】'))).toEqual([expect.stringContaining('市交通运输局 李明')]);
    await at('2026-09-30T18:00:00+08:00');
    expect(cards('li').filter((c) => c.title.startsWith('【签收提醒】'))).toHaveLength(2);
    const audit = (await h!.rt.store.audit('d1')).filter((e) => e.action === 'chase');
    expect(audit.map((e) => [e.actor, e.unit, JSON.parse(e.detail!).stage])).toEqual([
      ['system', 'jtj', 1],
      ['system', 'jtj', 2],
    ]);
  });

  it('stops once the notice is received', async () => {
    await start({ env: { DUCHA_CHASE_AFTER: '4' } });
    h!.clock.set('2026-09-28T10:30:00+08:00');
    await issue('事项 单位=jtj 期限=2026-10-09 类别=重大');
    await at('2026-09-28T14:30:00+08:00');
    const chase = cards('li').find((c) => c.title.startsWith('【签收提醒】'))!;
    expect((await h!.press('li', { card: chase, label: '签收' })).card?.note).toMatch(/已由李明于 .* 签收/);
    await at('2026-09-30T18:00:00+08:00');
    expect(cards('li').filter((c) => c.title.startsWith('【签收提醒】'))).toHaveLength(1);
  });
});

describe('escalation of overdue key items', () => {
  it('takes steps 1–3 on the ladder frozen at issue, each once, and skips ordinary items', async () => {
    await start({ env: { DUCHA_ESCALATE: '1,3,5' } });
    await issue('重点事项 单位=jtj 期限=2026-09-29 类别=重大');
    await issue('一般事项 单位=gaj 期限=2026-09-29');
    // A later change of DUCHA_ESCALATE changes no issued item.
    (h!.rt.config as { escalate: number[] }).escalate = [1, 2, 3];
    const steps = () => cards('zhang').filter((c) => c.title.startsWith('【逾期升级】'));
    await at('2026-09-30T09:00:00+08:00');
    expect(steps().map((c) => c.title)).toEqual(['【逾期升级】第 1 步：已自动向负责领导催办']);
    expect(texts('li').filter((t) => t.startsWith('【催办】'))).toHaveLength(1);
    await at('2026-10-08T09:00:00+08:00');
    expect(steps()).toHaveLength(1);
    await at('2026-10-09T09:00:00+08:00');
    expect(steps()).toHaveLength(2);
    expect(steps()[1]!.body).toContain('/约谈 1 单位=jtj 时间="10月10日 15:00" 地点=督查室');
    // The 调休 Saturday counts: 4 working days overdue; the Monday after it, 5.
    await at('2026-10-10T09:00:00+08:00');
    expect(steps()).toHaveLength(2);
    await at('2026-10-12T09:00:00+08:00');
    expect(steps().map((c) => c.title.split('：')[0])).toEqual(['【逾期升级】第 1 步', '【逾期升级】第 2 步', '【逾期升级】第 3 步']);
    // The record of a visit, dated today: sent as proposed, the same day, it is taken.
    const proposed = /\/坐地督查 .*/.exec(steps()[2]!.body!)![0];
    expect(proposed).toBe('/坐地督查 1 单位=jtj 日期=2026-10-12 记录="发现的问题"');
    await h!.command('zhang', proposed);
    expect(h!.lastText('zhang')).not.toMatch(/晚于今天|看不懂/);
    expect((await h!.rt.store.getAssignment('d1', 'jtj'))!.doc.visits).toHaveLength(1);
    await at('2026-10-13T09:00:00+08:00');
    expect(steps()).toHaveLength(3);
    const audit = (await h!.rt.store.audit('d1')).filter((e) => e.action === 'escalate');
    expect(audit.map((e) => JSON.parse(e.detail!).step)).toEqual([1, 2, 3]);
    expect((await h!.rt.store.audit('d2')).filter((e) => e.action === 'escalate')).toHaveLength(0);
  });
});

describe('escalation waits while the office holds a signed report', () => {
  it('takes no step while the report waits for 受理, and takes the due one after a 退回', async () => {
    await start();
    await issue('重点事项 单位=jtj 期限=2026-09-29 类别=重大');
    await h!.press('li', { card: h!.lastCard('li', '签收'), label: '签收' });
    await h!.command('zhao', '/报送 1 办结 已全部整改');
    await h!.press('li', { card: h!.lastCard('li', '签署'), label: '签署' });
    const steps = () => cards('zhang').filter((c) => c.title.startsWith('【逾期升级】'));
    const urges = () => texts('li').filter((t) => t.startsWith('【催办】'));
    // Overdue by one working day, but the next move is the office's: no step, no automatic 催办 to the head.
    await at('2026-09-30T09:00:00+08:00');
    expect(steps()).toHaveLength(0);
    expect(urges()).toHaveLength(0);
    // The office returns the report: the unit must act again, and the step due is taken at the next slot.
    await h!.press('zhang', { card: h!.lastCard('zhang', '退回'), label: '退回', reason: '未附整改照片' });
    await at('2026-10-08T09:00:00+08:00');
    expect(steps().map((c) => c.title)).toEqual(['【逾期升级】第 1 步：已自动向负责领导催办']);
    expect(urges()).toHaveLength(1);
  });
});

describe('the daily digest', () => {
  it('tells each owner of an open item what is open, overdue, due soon, unreceived and waiting', async () => {
    await start();
    await issue('事项甲 单位=jtj 期限=2026-09-28 类别=重大');
    await issue('事项乙 单位=gaj 期限=2026-09-30 类别=重大 督查员=钱芳');
    await at('2026-09-29T09:00:00+08:00');
    for (const person of ['zhang', 'qian']) {
      const digest = cards(person).filter((c) => c.title.startsWith('【督查日报】'));
      expect(digest).toHaveLength(1);
      expect(digest[0]!.title).toBe('【督查日报】2026年9月29日');
      expect(digest[0]!.body).toContain('已下发待签收 2');
      expect(digest[0]!.body).toContain('【逾期（按单位）】1 项\n· 市交通运输局：1 项');
      expect(digest[0]!.body).toContain('【三个工作日内到期】1 项');
      expect(digest[0]!.body).toContain('【发出超过一天未签收】2 项');
      // Nothing in it that Feishu would show as escaped markup.
      const { toFeishuCard } = await import('../src/platforms/feishu/render.ts');
      expect(JSON.stringify(toFeishuCard(digest[0]!))).not.toContain('&#42;');
    }
  });
});

describe('the digest near a year the calendar does not know', () => {
  it('carries the warning, saying how to add the year', async () => {
    await start({ now: '2026-12-03T08:00:00+08:00' });
    await issue('事项 单位=jtj 期限=2026-12-31 类别=重大');
    await at('2026-12-03T09:00:00+08:00');
    const digest = cards('zhang').find((c) => c.title.startsWith('【督查日报】'))!;
    expect(digest.body).toMatch(/节假日日历缺少2027年的安排.*DUCHA_CALENDAR_FILE/);
  });
});

describe('several workers', () => {
  it('two processes looking at the clock at once send each reminder once', async () => {
    await start();
    await issue('事项 单位=jtj,gaj 期限=2026-09-29 类别=重大');
    const second = await createHarness({ now: '2026-09-28T09:00:00+08:00' });
    try {
      // A second process shares the first one's records and queues (same prefix) through a connection of its own.
      h!.clock.set('2026-09-28T09:00:00+08:00');
      const other = { ...h!.rt, store: new Store(second.redis, h!.prefix) };
      await Promise.all([tick(h!.rt), tick(other), tick(h!.rt), tick(other)]);
      await h!.settle();
      expect(reminders('li')).toHaveLength(1);
      expect(reminders('chen')).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});

describe('rebuilding the schedule', () => {
  it('gives back the deadlines and chases the records imply', async () => {
    await start({ env: { DUCHA_CHASE_AFTER: '4' } });
    await issue('事项甲 单位=jtj,gaj 期限=2026-10-09 类别=重大');
    await issue('事项乙 单位=jtj 期限=2026-10-12 类别=重大');
    await h!.press('li', { card: h!.lastCard('li', '签收'), label: '签收' });
    const { redis } = h!;
    const { store } = h!.rt;
    const read = async () => ({
      due: await redis.zrange(store.k.byDue, '0', '-1', 'WITHSCORES'),
      chase: await redis.zrange(store.k.chase, '0', '-1', 'WITHSCORES'),
    });
    const before = await read();
    expect(before.due).toHaveLength(6);
    expect(before.chase).toHaveLength(4);
    await redis.del(store.k.byDue, store.k.chase);
    const { rebuildSchedule } = await import('../src/store/rebuild-schedule.ts');
    expect(await rebuildSchedule(redis, store)).toMatchObject({ items: 2, open: 3, chases: 2 });
    expect(await read()).toEqual(before);
  });
});

describe('the timeline', () => {
  it('shows what the system did, in Chinese', async () => {
    await start({ env: { DUCHA_CHASE_AFTER: '4' } });
    h!.clock.set('2026-09-28T10:30:00+08:00');
    await issue('事项 单位=jtj 期限=2026-09-29 类别=重大');
    await at('2026-09-28T14:30:00+08:00');
    await at('2026-09-30T09:00:00+08:00');
    await h!.command('zhang', '/查看 1');
    const shown = h!.lastText('zhang');
    expect(shown).toMatch(/2026年9月28日 14:30 系统 签收提醒（市交通运输局）/);
    expect(shown).toMatch(/2026年9月30日 09:00 系统 逾期升级（市交通运输局）/);
    expect(shown).toMatch(/2026年9月30日 09:00 系统 催办（市交通运输局）/);
  });
});

describe('未办结的交办已按组织名录更换负责领导', () => {
  it('at once when the directory changes: /催办 then reaches the new head; an ordinary item whose deputy left goes to the next one', async () => {
    await start();
    await issue('重点事项 单位=jtj 期限=2026-10-09 类别=重大');
    await issue('一般事项 单位=jtj 期限=2026-10-09');
    expect((await h!.rt.store.getAssignment('d2', 'jtj'))?.doc.responsible).toBe('wang');
    const text = readFileSync(FIXTURE_DIRECTORY, 'utf8').replace('head: li', 'head: sun').replace('deputies: [wang, sun]', 'deputies: [zhou2]');
    const changed = new Directory(
      parseDirectory(text.replace('  - { id: zhou, name: 周燕', '  - { id: zhou2, name: 郑军, feishu: { open_id: ou_00000000000000000000000000000099 } }\n  - { id: zhou, name: 周燕'), FIXTURE_DIRECTORY),
    );
    h!.rt.directory = () => changed;
    const { followDirectory } = await import('../src/schedule/follow-directory.ts');
    expect(await followDirectory(h!.rt)).toEqual({ checked: 2, moved: 2 });
    await h!.settle();
    expect((await h!.rt.store.getAssignment('d1', 'jtj'))?.doc.responsible).toBe('sun');
    expect((await h!.rt.store.getAssignment('d2', 'jtj'))?.doc.responsible).toBe('zhou2');
    // The new leaders have the notices, and the office was told.
    expect(h!.lastCard('sun', '签收').title).toBe('督查通知 督字〔2026〕1号');
    expect(h!.lastCard('zhou2', '签收').title).toBe('督查通知 督字〔2026〕2号');
    expect(texts('zhang').filter((t) => t.startsWith('【人员变动】'))).toHaveLength(2);
    await h!.command('zhang', '/催办 1');
    expect(texts('sun').some((t) => t.startsWith('【催办】'))).toBe(true);
    expect(texts('zhang').some((t) => t.includes('送达失败'))).toBe(false);
    // Done once: looking again changes nothing.
    expect(await followDirectory(h!.rt)).toEqual({ checked: 2, moved: 0 });
  });
});

describe('/修改: a corrected deadline moves the schedule', () => {
  it('reminders and escalation follow the new deadline; the head gets the notice again, marked （更正）', async () => {
    await start();
    await issue('国庆期间道路保畅 单位=jtj 期限=2026-10-10 类别=民生');
    const notice = h!.lastCard('li', '签收');
    h!.clock.set('2026-09-29T10:00:00+08:00');
    await h!.command('zhang', '/修改 1 期限=2026-10-20 理由="市政府会议决定顺延"');
    expect(h!.lastText('zhang')).toBe(
      '已更正督字〔2026〕1号「国庆期间道路保畅」：办结时限由 2026年10月10日 改为 2026年10月20日；理由：市政府会议决定顺延。已向 1 位负责领导重发督查单（更正）。',
    );
    // A fresh notice, marked （更正）, saying what changed and why; still to be received.
    const fresh = h!.lastCard('li', '签收');
    expect(fresh).not.toBe(notice);
    expect(fresh.title).toBe('督查通知（更正） 督字〔2026〕1号');
    expect(fresh.fields.find((f) => f.label === '办结时限')?.value).toBe('2026年10月20日');
    expect(fresh.body).toBe('**更正**\n2026年9月29日 10:00：办结时限由 2026年10月10日 改为 2026年10月20日；理由：市政府会议决定顺延');
    // The copy he had is redrawn the same.
    const redrawn = [...h!.feishu.updates, ...h!.wecom.updates].filter((u) => u.viewer === 'li').at(-1)!;
    expect(redrawn.card.title).toBe('督查通知（更正） 督字〔2026〕1号');
    const audit = await h!.rt.store.audit('d1');
    expect(audit.filter((e) => e.action === 'amend' || e.action === 'change_deadline').map((e) => [e.action, e.unit, JSON.parse(e.detail!)])).toEqual([
      ['amend', undefined, { n: 1, reason: '市政府会议决定顺延', due: { from: '2026-10-10', to: '2026-10-20' } }],
      ['change_deadline', 'jtj', { amend: 1, from: '2026-10-10', to: '2026-10-20' }],
    ]);

    const days = ['09-30', '10-08', '10-09', '10-10', '10-12', '10-13', '10-14', '10-15', '10-16', '10-19', '10-20', '10-21', '10-22', '10-23', '10-26', '10-27', '10-28', '10-29'];
    const got: Record<string, string> = {};
    const steps: Record<string, string> = {};
    for (const d of days) {
      const stepsBefore = cards('zhang').filter((c) => c.title.startsWith('【逾期升级】')).length;
      const before = reminders('li').length;
      await at(`2026-${d}T09:00:00+08:00`);
      const now = reminders('li');
      if (now.length > before) got[d] = now.at(-1)!.body!;
      const escalations = cards('zhang').filter((c) => c.title.startsWith('【逾期升级】'));
      if (escalations.length > stepsBefore) steps[d] = escalations.slice(stepsBefore).map((c) => c.title.split('：')[0]).join(',');
    }
    // Nothing on the old deadline's days (30 Sep, 9, 10 and 12 Oct): 3 and 1 working days before the 20th, on it, after it.
    expect(Object.keys(got)).toEqual(['10-15', '10-19', '10-20', '10-21', '10-22', '10-23', '10-26', '10-27', '10-28', '10-29']);
    expect(got['10-15']).toContain('办结时限 2026年10月20日（还有 3 个工作日）');
    expect(got['10-21']).toContain('已逾期 1 个工作日');
    expect(steps).toEqual({ '10-21': '【逾期升级】第 1 步', '10-23': '【逾期升级】第 2 步', '10-29': '【逾期升级】第 3 步' });
  });

  it('a step taken under the old deadline is taken again after the new one; a unit granted a later date keeps it', async () => {
    await start();
    await issue('联合整治 单位=jtj,gaj 期限=2026-10-09 类别=重大');
    await h!.press('chen', { card: h!.lastCard('chen', '签收'), label: '签收' });
    await h!.command('zhou', '/延期 1 至=2026-10-30 理由=需协调多部门');
    await h!.press('chen', { card: h!.lastCard('chen', '同意申请'), label: '同意申请' });
    await h!.press('zhang', { card: h!.lastCard('zhang', '同意'), label: '同意' });
    const steps = () => cards('zhang').filter((c) => c.title.startsWith('【逾期升级】'));
    const urges = () => texts('li').filter((t) => t.startsWith('【催办】'));
    // 市交通运输局 is overdue on the 12th: step 1, an automatic 催办 to 李明.
    await at('2026-10-12T09:00:00+08:00');
    expect(steps().map((c) => c.fields.find((f) => f.label === '承办单位')?.value)).toEqual(['市交通运输局']);
    expect(urges()).toHaveLength(1);
    h!.clock.set('2026-10-12T10:00:00+08:00');
    await h!.command('zhang', '/修改 1 期限=2026-10-16 理由=原期限有误');
    const [jtj, gaj] = (await h!.rt.store.getItem('d1'))!.item.assignments;
    expect([jtj!.due, jtj!.escalated]).toEqual(['2026-10-16', undefined]);
    // 市公安局's approved extension, later than the new date, stands; and its leader has nothing new to receive.
    expect(gaj!.due).toBe('2026-10-30');
    expect(h!.lastCard('chen').title).toBe('督查通知（更正） 督字〔2026〕1号');
    expect(h!.lastCard('chen').fields.find((f) => f.label === '办结时限')?.value).toBe('2026年10月30日');
    await at('2026-10-13T09:00:00+08:00');
    await at('2026-10-16T09:00:00+08:00');
    expect(urges()).toHaveLength(1);
    // One working day after the new deadline, the ladder starts again.
    await at('2026-10-19T09:00:00+08:00');
    expect(steps()).toHaveLength(2);
    expect(steps()[1]!.title).toBe('【逾期升级】第 1 步：已自动向负责领导催办');
    expect(urges()).toHaveLength(2);
  });
});

describe('/撤回: a withdrawn item is followed up no more', () => {
  it('tells the heads, sends nothing more (no reminder, chase or escalation), keeps its number, and its buttons stop working', async () => {
    await start({ env: { DUCHA_CHASE_AFTER: '4' } });
    h!.clock.set('2026-09-28T10:30:00+08:00');
    await issue('重复交办的事项 单位=jtj,gaj 期限=2026-10-09 类别=重大');
    await h!.press('chen', { card: h!.lastCard('chen', '签收'), label: '签收' });
    const notice = h!.lastCard('li', '签收');
    h!.clock.set('2026-09-28T11:00:00+08:00');
    await h!.command('zhang', '/撤回 1 理由="与督字〔2026〕3号重复"');
    expect(h!.lastText('zhang')).toBe('已撤回督字〔2026〕1号「重复交办的事项」，已告知 3 人；此后不再提醒，编号保留不再使用。');
    const told = '【撤回】中共测试市委督查室：督字〔2026〕1号「重复交办的事项」已撤回，不再办理，也无需报送。理由：与督字〔2026〕3号重复';
    // Both leaders, and the contact of the unit already at work on it (市公安局 had received it).
    for (const p of ['li', 'chen', 'zhou']) expect(texts(p)).toContain(told);
    expect(texts('zhao')).not.toContain(told);
    expect((await h!.rt.store.audit('d1')).at(-1)).toMatchObject({ actor: 'zhang', action: 'withdraw', from: 'open', to: 'withdrawn' });

    // The notice 李明 had is redrawn as withdrawn, and pressing it changes nothing.
    const redrawn = [...h!.feishu.updates, ...h!.wecom.updates].filter((u) => u.viewer === 'li').at(-1)!.card;
    expect(redrawn.buttons).toEqual([]);
    expect(redrawn.fields.find((f) => f.label === '当前状态')?.value).toBe('已撤回');
    expect(redrawn.note).toBe('已由张伟于 2026年9月28日 11:00 撤回，不再办理。理由：与督字〔2026〕3号重复');
    const pressed = await h!.press('li', { card: notice, label: '签收' });
    expect(pressed.toast).toEqual({ type: 'info', text: '督字〔2026〕1号已撤回，不能签收' });
    expect(pressed.card?.buttons).toEqual([]);
    expect((await h!.rt.store.getAssignment('d1', 'jtj'))!.doc.state).toBe('issued');

    // Nothing more goes to anyone: no chase, reminder, escalation or digest, however long it stays overdue.
    const count = () => ['li', 'chen', 'zhou', 'zhao', 'zhang', 'qian'].reduce((n, p) => n + h!.received(p).length, 0);
    const before = count();
    for (const d of ['09-28T14:30', '09-29T09:30', '09-30T09:00', '10-09T09:00', '10-12T09:00', '10-14T09:00', '10-21T09:00']) {
      await at(`2026-${d}:00+08:00`);
    }
    expect(count()).toBe(before);
    expect(await h!.redis.zcard(h!.rt.store.k.byDue)).toBe(0);
    expect(await h!.redis.zcard(h!.rt.store.k.chase)).toBe(0);
    for (const p of ['li', 'chen']) expect(await h!.rt.store.refsOfPerson(p)).toEqual([]);

    // The ledger shows it 已撤回; the number stays used: the next item issued is the 2nd.
    await h!.command('zhang', '/台账');
    expect(h!.lastText('zhang')).toBe('督查台账（共 1 项）\n督字〔2026〕1号【重点】 重复交办的事项｜已撤回（2026年9月28日，理由：与督字〔2026〕3号重复）');
    await h!.command('chen', '/台账 状态=已撤回');
    expect(h!.lastText('chen')).toContain('督字〔2026〕1号【重点】 重复交办的事项｜已撤回');
    await issue('另一事项 单位=jtj 期限=2026-10-30');
    expect(h!.lastCard('wang', '签收').title).toBe('督查通知 督字〔2026〕2号');
    // Withdrawn is final: no 修改, no 撤回 again.
    await h!.command('zhang', '/撤回 1 理由=再撤一次');
    expect(h!.lastText('zhang')).toBe('督字〔2026〕1号已撤回');
    await h!.command('zhang', '/修改 1 期限=2026-11-30 理由=改期');
    expect(h!.lastText('zhang')).toBe('督字〔2026〕1号已撤回，不能修改');
  });
});

describe('drafts nobody issued', () => {
  it('expire a week after they were drafted, by the service: the preview says so, and nothing is numbered', async () => {
    await start();
    await h!.command('zhang', '/新建 忘了发出的事项 单位=jtj 期限=2026-10-30');
    const preview = h!.lastCard('zhang', '发出');
    expect(preview.note).toBe('督字编号在发出时给出。草稿保留 7 天：2026年10月5日 08:00 前未发出即作废。');
    await at('2026-10-05T07:59:00+08:00');
    expect((await h!.rt.store.getHeader('d1'))!.doc.status).toBe('draft');
    await at('2026-10-05T08:00:00+08:00');
    await h!.until('the draft expired', async () => (await h!.rt.store.getHeader('d1'))!.doc.status === 'cancelled');
    const header = (await h!.rt.store.getHeader('d1'))!.doc;
    expect(header).toMatchObject({ expired: true, cancelledAt: Date.parse('2026-10-05T08:00:00+08:00') });
    expect((await h!.rt.store.audit('d1')).at(-1)).toMatchObject({ actor: 'system', action: 'expire', from: 'draft', to: 'cancelled' });
    // The clerk's preview is redrawn: expired, no buttons.
    const redrawn = [...h!.feishu.updates, ...h!.wecom.updates].filter((u) => u.viewer === 'zhang').at(-1)!.card;
    expect(redrawn.title).toBe('督查单草稿（已过期作废）');
    expect(redrawn.buttons).toEqual([]);
    expect(redrawn.note).toBe('已于 2026年10月5日 08:00 过期作废（草稿保留 7 天）');
    expect((await h!.press('zhang', { card: preview, label: '发出' })).toast.text).toBe('草稿1已过期作废（7 天内未发出），不能发出。请重新新建');
    await h!.command('zhang', '/台账 状态=已取消');
    expect(h!.lastText('zhang')).toBe('督查台账（共 1 项）\n草稿1 忘了发出的事项｜已过期作废（7 天内未发出）');
    expect(await h!.redis.get(h!.rt.store.k.seq(2026))).toBeNull();
    // Looked at again, the sweep finds nothing more to do.
    await at('2026-10-06T08:00:00+08:00');
    expect((await h!.rt.store.audit('d1')).filter((e) => e.action === 'expire')).toHaveLength(1);
  });
});
