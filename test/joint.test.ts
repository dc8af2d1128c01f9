// Issue 19, point 3: a joint item (牵头=) reports through its lead unit, on the injectable clock. Two 配合 units report
// to the lead unit, whose accepted final report completes all three (records, audit on each, /核验 intact); the office
// has no 受理 for a 配合 report (no button, a press and /退回 refused); a 配合 unit is reminded by DUCHA_SUPPORT_LEAD
// and the lead unit is told who has not reported; an item without 牵头= is unchanged. Each new card and refusal is read
// back as Feishu, WeCom and the console show it.
import { afterEach, describe, expect, it } from 'vitest';
import { cardKey } from '../src/chat/card-key.ts';
import type { Card } from '../src/chat/message.ts';
import { timeliness } from '../src/domain/on-time.ts';
import { check } from '../src/domain/rules.ts';
import { isRefusal } from '../src/domain/refusal.ts';
import { toFeishuCard } from '../src/platforms/feishu/render.ts';
import { toWecomMessages } from '../src/platforms/wecom/render.ts';
import { runSlot } from '../src/schedule/slot.ts';
import { tick } from '../src/schedule/ticker.ts';
import { createHarness, type Harness, type HarnessOptions } from './helpers/harness.ts';
import { shownText } from './helpers/feishu-card-text.ts';

const DIRECTORY = 'test/fixtures/joint-directory.yaml';
const TZ = 'Asia/Shanghai';

let h: Harness | undefined;
afterEach(async () => {
  const shown = h?.shownInternalIds() ?? [];
  await h?.close();
  h = undefined;
  expect(shown).toEqual([]);
});

async function start(opts: HarnessOptions = {}): Promise<Harness> {
  h = await createHarness({ directory: DIRECTORY, now: '2026-09-28T08:00:00+08:00', ...opts, env: { DUCHA_CHASE_AFTER: '200', ...opts.env } });
  return h;
}

function cards(person: string): Card[] {
  return h!.received(person).flatMap((s) => (s.message.kind === 'card' ? [s.message.card] : []));
}
function texts(person: string): string[] {
  return h!.received(person).flatMap((s) => (s.message.kind === 'text' ? [s.message.text] : []));
}

/** The console page draws a card as its title, subtitle, fields (label, value), body (its one heading bold), note and buttons. */
function consoleShown(c: Card): string {
  return [c.title, c.subtitle ?? '', ...c.fields.map((f) => `${f.label}\n${f.value}`), (c.body ?? '').replace(/\*\*/g, ''), c.note ?? '', ...c.buttons.map((b) => b.text)].join('\n');
}
/** A card as each platform shows it: Feishu's words, WeCom's markdown (or template card), the console's page. */
function everywhere(c: Card): { feishu: string; wecom: string; console: string } {
  const wecom = toWecomMessages({ kind: 'card', card: c }, 'task').map((m) => (m.msgtype === 'markdown' ? m.markdown.content : JSON.stringify(m))).join('\n');
  return { feishu: shownText(toFeishuCard(c)), wecom, console: consoleShown(c) };
}
/** A text (a refusal sent back on WeCom, a message) as the platforms show it: WeCom splits, the others show it whole. */
function wecomText(t: string): string {
  return toWecomMessages({ kind: 'text', text: t }, 'task').map((m) => (m.msgtype === 'text' ? m.text.content : '')).join('');
}

async function issue(args: string): Promise<void> {
  await h!.command('zhang', `/新建 ${args}`);
  const answer = await h!.press('zhang', { card: h!.lastCard('zhang', '发出'), label: '发出' });
  expect(answer.toast.type).toBe('success');
}

async function receiveAll(...heads: string[]): Promise<void> {
  for (const p of heads) expect((await h!.press(p, { card: h!.lastCard(p, '签收'), label: '签收' })).toast.type).toBe('success');
}

/** A contact reports and the unit's head signs; returns the toast of the signature. */
async function reportAndSign(contact: string, head: string, text: string): Promise<string> {
  await h!.command(contact, `/报送 1 办结 ${text}`);
  const answer = await h!.press(head, { card: h!.lastCard(head, '签署'), label: '签署' });
  expect(answer.toast.type).toBe('success');
  return answer.toast.text;
}

const state = async (unit: string) => (await h!.rt.store.getAssignment('d1', unit))!.doc;

describe('a joint item reports through its lead unit', () => {
  it('two 配合 units report to the lead; the office has no 受理 for them; the lead’s accepted final report completes all three', async () => {
    await start();
    await issue('联合整治占道经营 单位=jtj,gaj,zjj 期限=2026-10-30 类别=民生 牵头=市公安局');
    const header = (await h!.rt.store.getHeader('d1'))!.doc;
    expect(header).toMatchObject({ lead: 'gaj', leadRule: true });
    await receiveAll('li', 'chen', 'he');
    // The 配合 unit's contact is told at 签收 where its report goes.
    expect(everywhere(cards('lin').at(-1)!).feishu).toContain('报告须经何涛本人签署后，报牵头单位市公安局汇总，不单独报督查室。');
    expect(cards('zhou').at(-1)!.note).toContain('方报督查室受理');

    // The first 配合 unit: its signed report goes to the lead unit, not to the office.
    expect(await reportAndSign('lin', 'he', '住建局：已清理占道摊点 120 处。\n下一步：长效巡查。')).toBe('已签署，报告已报牵头单位市公安局');
    expect(texts('lin').at(-1)).toBe('督字〔2026〕1号「联合整治占道经营」市住建局第 1 稿报告已由何涛签署，已报牵头单位市公安局。');
    for (const p of ['chen', 'zhou']) {
      const c = cards(p).at(-1)!;
      expect(c.title).toBe('配合单位报告：督字〔2026〕1号');
      expect(c.buttons).toEqual([]);
      const seen = everywhere(c);
      for (const shown of Object.values(seen)) {
        expect(shown).toContain('市住建局办结报告第 1 稿，何涛 2026年9月28日 08:00 签署');
        expect(shown).toContain('已报送：市住建局；未报送：市交通运输局');
        expect(shown).toContain('「住建局：已清理占道摊点 120 处。 下一步：长效巡查。」');
        expect(shown).toContain('市交通运输局：尚未报送（已签收办理中）');
        expect(shown).toContain('配合单位的报告报市公安局汇总，不单独报督查室');
        expect(shown).toContain('/报送 1 办结 <报告>');
      }
    }
    // The office got nothing to 受理.
    for (const p of ['zhang', 'qian']) expect(cards(p).filter((c) => c.buttons.some((b) => b.text === '受理'))).toEqual([]);

    // The second 配合 unit: a new card, listing both.
    expect(await reportAndSign('zhao', 'li', '交通局：已调整公交站点 8 处。')).toBe('已签署，报告已报牵头单位市公安局');
    const second = cards('zhou').at(-1)!;
    expect(second.fields.find((f) => f.label === '本次报送')?.value).toContain('市交通运输局办结报告第 1 稿');
    expect(everywhere(second).wecom).toContain('配合单位：已报送：市交通运输局、市住建局；未报送：无');
    expect(cards('zhou').filter((c) => c.title.startsWith('配合单位报告'))).toHaveLength(2);

    // The office cannot take a 配合 report by any route: the card it would press (drawn now) has no 受理 …
    const jtjBefore = await state('jtj');
    const { renderByKey } = await import('../src/dispatch/dispatch.ts');
    const review = (await renderByKey(h!.rt, cardKey({ kind: 'review', item: 'd1', unit: 'jtj', n: 1 }), 'zhang'))!;
    expect(review.buttons).toEqual([]);
    for (const shown of Object.values(everywhere(review))) {
      expect(shown).toContain('配合单位已签署的办结报告（报牵头单位）：督字〔2026〕1号');
      expect(shown).toContain('市交通运输局是配合单位，其报告报牵头单位市公安局汇总，由市公安局的办结报告一并报督查室，督查室无需受理。');
    }
    // … a press of a 受理 payload signed for the clerk is refused, …
    const pressed = await h!.press('zhang', h!.rt.signer.sign({ a: 'accept', k: cardKey({ kind: 'review', item: 'd1', unit: 'jtj', n: 1 }), f: 'zhang' }));
    const refusal = '不予受理：市交通运输局是配合单位，其报告报牵头单位市公安局汇总，由市公安局的办结报告一并报督查室';
    expect(pressed.toast).toEqual({ type: 'error', text: refusal });
    expect(wecomText(pressed.toast.text)).toBe(refusal);
    // … and so is 退回 by command, naming the unit; without one, only the lead unit's report would be the office's.
    await h!.command('qian', '/退回 1 单位=市交通运输局 理由=数据不全');
    expect(wecomText(texts('qian').at(-1)!)).toBe('市交通运输局是配合单位，其报告报牵头单位市公安局汇总，督查室不单独退回；请审核市公安局的报告');
    await h!.command('zhang', '/退回 1 理由=数据不全');
    expect(texts('zhang').at(-1)).toBe('督字〔2026〕1号没有已签署、待受理的报告，无可退回');
    expect(await state('jtj')).toEqual(jtjBefore);
    // The office sees every report in /查看.
    await h!.command('zhang', '/查看 1');
    const shown = texts('zhang').at(-1)!;
    expect(shown).toContain('牵头单位：市公安局（配合单位的报告报牵头单位汇总，由牵头单位的办结报告报督查室）');
    expect(shown).toContain('· 市交通运输局（配合），负责领导李明：已签署报牵头单位');
    expect(shown).toContain('市住建局第 1 稿办结报告（何涛于 2026年9月28日 08:00 签署）：\n住建局：已清理占道摊点 120 处。');

    // The lead unit's final report: its sign card and the office's card name who reported.
    h!.clock.set('2026-10-29T15:00:00+08:00');
    await h!.command('zhou', '/报送 1 办结 综合两家配合单位情况，整治全部完成。');
    const toSign = h!.lastCard('chen', '签署');
    expect(everywhere(toSign).console).toContain('配合单位\n已报送：市交通运输局、市住建局；未报送：无');
    expect((await h!.press('chen', { card: toSign, label: '签署' })).toast.text).toBe('已签署，报告已报督查室');
    expect((await state('gaj')).reports[0]!.supporting).toEqual({ reported: ['jtj', 'zjj'], missing: [] });
    const toAccept = h!.lastCard('zhang', '受理');
    const accept = toAccept.buttons.find((b) => b.text === '受理')!;
    expect(accept.confirm?.text).toContain('受理后本事项办结，配合单位市交通运输局、市住建局一并办结。');
    for (const shown of Object.values(everywhere(toAccept))) expect(shown).toContain('已报送：市交通运输局、市住建局；未报送：无');

    h!.clock.set('2026-11-02T10:00:00+08:00');
    expect((await h!.press('zhang', { card: toAccept, label: '受理' })).toast).toEqual({ type: 'success', text: '已受理，市公安局及各配合单位办结（按期）' });
    const item = await h!.rt.store.getItem('d1');
    expect(item!.item.status).toBe('completed');
    const acceptedAt = Date.parse('2026-11-02T10:00:00+08:00');
    const signedAt = Date.parse('2026-10-29T15:00:00+08:00');
    for (const a of item!.item.assignments) {
      expect(a.state).toBe('completed');
      expect(a.completedAt).toBe(acceptedAt);
      // Signed by the lead on 10-29, accepted after the deadline: every unit of the joint delivery is 按期.
      expect(timeliness(a, acceptedAt, TZ)).toBe('on_time');
    }
    for (const u of ['jtj', 'zjj']) expect((await state(u)).completedWith).toEqual({ unit: 'gaj', version: 1, signedAt });
    const trail = await h!.rt.store.audit('d1');
    const withLead = trail.filter((e) => e.action === 'complete_with_lead');
    expect(withLead.map((e) => [e.unit, e.from, e.to, e.actor])).toEqual([
      ['jtj', 'signed', 'completed', 'zhang'],
      ['zjj', 'signed', 'completed', 'zhang'],
    ]);
    expect(texts('lin').at(-1)).toBe('督字〔2026〕1号「联合整治占道经营」牵头单位市公安局的办结报告已受理，本事项办结，市住建局（配合）一并办结。');
    // The lead unit's cards of the 配合 reports are redrawn to say so.
    const redrawn = [...h!.wecom.updates, ...h!.feishu.updates].filter((u) => u.card.title.startsWith('配合单位报告')).map((u) => u.card.note);
    expect(redrawn).toContain('本事项已于 2026年11月2日 10:00 办结，各配合单位一并办结');
    await h!.command('zhang', '/查看 1');
    expect(texts('zhang').at(-1)).toContain('· 市住建局（配合），负责领导何涛：随牵头单位办结');
    expect(texts('zhang').at(-1)).toContain('随牵头单位办结（市住建局）');
    expect(texts('zhang').at(-1)).toContain('综合两家配合单位情况，整治全部完成。\n（签署时配合单位已报送：市交通运输局、市住建局；未报送：无）');
    await h!.command('zhang', '/核验 1');
    expect(texts('zhang').at(-1)).toContain('结论：记录完整，未发现事后改动。');
  });

  it('a 配合 unit that never reported is completed with the lead too, and the lead’s report says it had not', async () => {
    await start();
    await issue('联合整治 单位=jtj,gaj,zjj 期限=2026-10-30 类别=民生 牵头=gaj');
    await receiveAll('li', 'chen');
    await reportAndSign('zhao', 'li', '交通局已完成。');
    await h!.command('zhou', '/报送 1 办结 已完成（住建局未报）。');
    expect(everywhere(h!.lastCard('chen', '签署')).feishu).toContain('已报送：市交通运输局；未报送：市住建局');
    await h!.press('chen', { card: h!.lastCard('chen', '签署'), label: '签署' });
    const toAccept = h!.lastCard('zhang', '受理');
    expect(toAccept.buttons.find((b) => b.text === '受理')!.confirm?.text).toContain('一并办结（其中市住建局未向牵头单位报送）');
    await h!.press('zhang', { card: toAccept, label: '受理' });
    const zjj = await state('zjj');
    expect(zjj.state).toBe('completed');
    const entry = (await h!.rt.store.audit('d1')).find((e) => e.action === 'complete_with_lead' && e.unit === 'zjj')!;
    expect([entry.from, JSON.parse(entry.detail!)]).toEqual(['issued', { lead: 'gaj', version: 1, reported: false }]);
    // Not waiting for 签收 any more: nothing chases it.
    expect(await h!.redis.zscore(h!.rt.store.k.chase, 'd1/zjj')).toBeNull();
    await h!.command('zhang', '/核验 1');
    expect(texts('zhang').at(-1)).toContain('结论：记录完整，未发现事后改动。');
  });

  it('without 牵头= nothing changes: each unit’s signed report goes to the office, and 受理 completes that unit only', async () => {
    await start();
    await issue('普通联合事项 单位=jtj,gaj 期限=2026-10-30 类别=民生');
    expect((await h!.rt.store.getHeader('d1'))!.doc.leadRule).toBeUndefined();
    await receiveAll('li', 'chen');
    expect(await reportAndSign('zhao', 'li', '交通局已完成。')).toBe('已签署，报告已报督查室');
    expect(cards('chen').some((c) => c.title.startsWith('配合单位报告'))).toBe(false);
    const review = h!.lastCard('zhang', '受理');
    expect(review.fields.some((f) => f.label === '配合单位')).toBe(false);
    expect(review.buttons.find((b) => b.text === '受理')!.confirm?.text).toContain('受理办结报告后，该单位即告办结。');
    await h!.press('zhang', { card: review, label: '受理' });
    expect((await state('jtj')).state).toBe('completed');
    expect((await state('gaj')).state).toBe('received');
  });
});

describe('the lead rule in the rules table', () => {
  it('check(): 受理 and 退回 only on the lead unit; 随牵头单位办结 only on a 配合 unit of a joint item', async () => {
    await start();
    const dir = h!.rt.directory();
    const item = { status: 'open' as const, leadRule: true, lead: 'gaj', units: ['jtj', 'gaj', 'zjj'] };
    const a = (unit: string) => ({ unit, lead: unit === 'gaj', responsible: 'li', state: 'signed' as const, due: '2026-10-30', dueAt: 0, reports: [{ version: 1, text: 't', hash: 'h', final: true, by: 'zhao', at: 0, status: 'signed' as const }], summons: [], visits: [], extensions: [], urges: [] });
    const verdict = (action: Parameters<typeof check>[0], unit: string, it = item) => {
      try {
        return check(action, 'zhang', it, a(unit), dir);
      } catch (e) {
        if (!isRefusal(e)) throw e;
        return `${e.code}: ${e.message}`;
      }
    };
    expect(verdict('accept', 'gaj')).toBe('completed');
    expect(verdict('accept', 'jtj')).toBe('not_allowed: 不予受理：市交通运输局是配合单位，其报告报牵头单位市公安局汇总，由市公安局的办结报告一并报督查室');
    expect(verdict('return', 'zjj')).toBe('not_allowed: 市住建局是配合单位，其报告报牵头单位市公安局汇总，督查室不单独退回；请审核市公安局的报告');
    expect(verdict('complete_with_lead', 'jtj')).toBe('completed');
    expect(verdict('complete_with_lead', 'gaj')).toBe('not_allowed: 市公安局是牵头单位，须受理其办结报告');
    // Without 牵头=, the first unit is the lead as a label only.
    const plain = { status: 'open' as const, leadRule: false, lead: 'jtj', units: ['jtj', 'gaj'] };
    expect(verdict('accept', 'gaj', plain)).toBe('completed');
    expect(verdict('complete_with_lead', 'gaj', plain)).toBe('not_allowed: 该事项没有指定牵头单位（牵头=），各单位的报告各自报督查室受理');
  });
});

describe('a 配合 unit is reminded early (DUCHA_SUPPORT_LEAD), and the lead unit is told who has not reported', () => {
  async function slot(day: string): Promise<void> {
    h!.clock.set(`2026-${day}T09:00:00+08:00`);
    await tick(h!.rt);
    await h!.settle();
  }
  const reminders = (person: string) => cards(person).filter((c) => /^【(到期|逾期)提醒】/.test(c.title));

  it('by 2 working days before the deadline; the lead told on that day and on the deadline; an item without 牵头= as before', async () => {
    await start();
    await tick(h!.rt);
    await issue('联合整治 单位=jtj,gaj,zjj 期限=2026-10-30 类别=民生 牵头=gaj');
    await receiveAll('li', 'chen', 'he');
    await issue('普通事项 单位=jtj,gaj 期限=2026-10-30 类别=民生');
    await receiveAll('li', 'chen');
    // 市住建局 reported to the lead; 市交通运输局 has not.
    await reportAndSign('lin', 'he', '住建局已完成。');

    const got: Record<string, string[]> = {};
    const told: Record<string, string> = {};
    for (const d of ['10-22', '10-23', '10-26', '10-27', '10-28', '10-29', '10-30']) {
      const before = { zhao: reminders('zhao').length, zhou: reminders('zhou').length, lin: reminders('lin').length, chenTexts: texts('chen').length };
      await slot(d);
      for (const p of ['zhao', 'zhou', 'lin'] as const) {
        const now = reminders(p);
        if (now.length > before[p]) (got[p] ??= []).push(`${d} ${now.at(-1)!.body!.match(/\d+号/g)!.join(',')}`);
      }
      const t = texts('chen').slice(before.chenTexts).filter((x) => x.startsWith('【配合单位未报送】'));
      if (t.length) told[d] = t.join('\n');
    }
    // 配合 (jtj) on item 1: 3 and 1 working days before 10-28, on it, and every day after; item 2 as ever (10-27, 10-29, 10-30).
    expect(got.zhao).toEqual(['10-23 1号', '10-27 1号,2号', '10-28 1号', '10-29 1号,2号', '10-30 1号,2号']);
    // The lead unit's contact: its own deadline, for both items.
    expect(got.zhou).toEqual(['10-27 1号,2号', '10-29 1号,2号', '10-30 1号,2号']);
    // A 配合 unit that has reported waits for its lead: nobody reminds it.
    expect(got.lin).toBeUndefined();
    // Nor does the office's digest list its signed report as waiting for 受理.
    const digest = cards('zhang').filter((c) => c.title.startsWith('【督查日报】')).at(-1)!;
    expect(digest.body).toContain('【已签署待受理】无');
    expect(Object.keys(told)).toEqual(['10-28', '10-30']);
    const msg = told['10-28']!;
    expect(msg).toBe(
      '【配合单位未报送】督字〔2026〕1号「联合整治」\n以下配合单位尚未向牵头单位市公安局报送：\n市交通运输局：应于 2026年10月28日 前报送，已签收办理中\n市公安局办结时限 2026年10月30日。请督促其报送，汇总后报送办结报告。',
    );
    expect(texts('zhou').filter((x) => x.startsWith('【配合单位未报送】'))).toHaveLength(2);
    // The slot of 10-28 run again (a worker's retry): nothing is sent twice.
    await runSlot(h!.rt, { date: '2026-10-28', at: Date.parse('2026-10-28T09:00:00+08:00') }, false);
    await h!.settle();
    expect(texts('zhou').filter((x) => x.startsWith('【配合单位未报送】'))).toHaveLength(2);
    expect(wecomText(msg)).toBe(msg);

    // The 配合 unit's line says to whom and by when, as each platform shows it.
    const early = reminders('zhao')[0]!;
    for (const shown of Object.values(everywhere(early))) {
      expect(shown).toContain('市交通运输局（配合） · 请向牵头单位市公安局报送办理情况：发送 /报送 1 <办理情况>');
      expect(shown).toContain('向牵头单位市公安局报送时限 2026年10月28日（还有 3 个工作日），办结时限 2026年10月30日（还有 5 个工作日）');
    }
    const plainLine = reminders('zhao')[1]!.body!.split('\n\n').find((l) => l.includes('2号'))!;
    expect(plainLine).not.toContain('牵头');
  });
});
