// No silent duplicates (issue 18, point 7): a second /约谈 for a unit and item while one is still to be held, or a
// second /坐地督查 of the same day, is put to the clerk who asked (替换 / 保留) instead of being sent; replacing marks
// the first replaced (the head's card of it says so) and sends the new one; keeping sends nothing. Real Redis.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Card } from '../src/chat/message.ts';
import type { Assignment } from '../src/domain/types.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
  await h.command('zhang', '/新建 城区主干道积水整治 单位=jtj 期限=2026-10-30 类别=民生');
  await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
  await h.press('li', { card: h.lastCard('li', '签收'), label: '签收' });
});
afterEach(async () => {
  await h.close();
});

async function jtj(): Promise<Assignment> {
  return (await h.rt.store.getAssignment('d1', 'jtj'))!.doc;
}

const cardsTo = (person: string): Card[] => h.received(person).flatMap((s) => (s.message.kind === 'card' ? [s.message.card] : []));
const fieldsOf = (card: Card) => Object.fromEntries(card.fields.map((f) => [f.label, f.value]));
const updatesOf = (person: string, title: string) => h.feishu.updates.filter((u) => u.viewer === person && u.card.title === title).map((u) => u.card);

describe('a second /约谈 while one is still to be held', () => {
  it('asks the clerk; 替换原约谈 replaces the first (the head’s card says so) and sends the new one', async () => {
    await h.command('zhang', '/约谈 1 单位=jtj 时间="2026-10-10 15:00" 地点=市委3号楼302会议室');
    const first = h.lastCard('li', '确认出席');
    const toLi = h.received('li').length;

    await h.command('zhang', '/约谈 1 单位=市交通运输局 时间="2026-10-12 09:00" 地点=督查室');
    expect(h.received('li')).toHaveLength(toLi);
    const question = h.lastCard('zhang', '替换原约谈');
    expect(question.title).toBe('已有尚未举行的约谈：督字〔2026〕1号');
    expect(question.buttons.map((b) => b.text)).toEqual(['替换原约谈', '保留原约谈']);
    expect(fieldsOf(question)).toEqual({ 单位: '市交通运输局', 原约谈: '2026年10月10日 15:00，市委3号楼302会议室（未确认出席）', 新约谈: '2026年10月12日 09:00，督查室' });
    expect((await jtj()).summons).toHaveLength(1);
    expect((await jtj()).proposals).toMatchObject([{ id: 1, kind: 'summons', replaces: 1, status: 'pending', place: '督查室' }]);
    expect((await h.rt.store.audit('d1')).at(-1)).toMatchObject({ action: 'propose_summons', actor: 'zhang', unit: 'jtj' });

    // Another clerk cannot choose for the one who asked.
    expect((await h.press('qian', { card: question, label: '替换原约谈' })).toast.text).toBe('这张卡片是发给张伟的，您不能代为操作');

    const replaced = await h.press('zhang', { card: question, label: '替换原约谈' });
    expect(replaced.toast).toEqual({ type: 'success', text: '已替换原约谈，已通知李明（市交通运输局）于 2026年10月12日 09:00 在督查室当面汇报' });
    expect(replaced.card!.buttons).toHaveLength(0);
    expect(replaced.card!.note).toBe('已由张伟于 2026年9月28日 09:00 替换原约谈，新通知已发李明');
    const a = await jtj();
    expect(a.summons.map((s) => [s.id, s.place, s.replacedBy])).toEqual([
      [1, '市委3号楼302会议室', 2],
      [2, '督查室', undefined],
    ]);
    expect(a.proposals![0]).toMatchObject({ status: 'replaced', made: 2 });
    const audit = (await h.rt.store.audit('d1')).at(-1)!;
    expect([audit.action, JSON.parse(audit.detail!)]).toEqual(['summon', { summons: 2, at: Date.parse('2026-10-12T09:00:00+08:00'), place: '督查室', replaces: 1 }]);

    // The head: the new summons, and the first card redrawn as replaced.
    const second = h.lastCard('li', '确认出席');
    expect(fieldsOf(second)['地点']).toBe('督查室');
    const redrawn = updatesOf('li', first.title).at(-1)!;
    expect(redrawn.buttons).toHaveLength(0);
    expect(redrawn.note).toBe('已被新的约谈替换（2026年9月28日 09:00）');
    expect(redrawn.body).toBe('本次约谈已取消，请以新的通知为准：2026年10月12日 09:00，督查室。');
    expect((await h.press('li', { card: first, label: '确认出席' })).toast.text).toBe('这次约谈已被新的约谈替换，请以新的通知为准');
    expect((await h.press('li', { card: second, label: '确认出席' })).toast.type).toBe('success');

    // Pressed again: already done.
    expect((await h.press('zhang', { card: question, label: '保留原约谈' })).toast.text).toBe('已经替换过了');
  });

  it('保留原约谈 sends nothing; once the first has been held, a new /约谈 goes out at once', async () => {
    await h.command('zhang', '/约谈 1 单位=jtj 时间="2026-10-10 15:00" 地点=302会议室');
    const toLi = h.received('li').length;
    await h.command('zhang', '/约谈 1 单位=jtj 时间="2026-10-11 15:00" 地点=302会议室');
    const kept = await h.press('zhang', { card: h.lastCard('zhang', '保留原约谈'), label: '保留原约谈' });
    expect(kept.toast).toEqual({ type: 'success', text: '已保留原约谈，未发出新的约谈' });
    expect(kept.card!.note).toBe('已由张伟于 2026年9月28日 09:00 保留原约谈，未发出新的约谈');
    expect(h.received('li')).toHaveLength(toLi);
    const a = await jtj();
    expect(a.summons).toHaveLength(1);
    expect(a.summons[0]!.replacedBy).toBeUndefined();
    expect(a.proposals![0]!.status).toBe('kept');
    expect((await h.rt.store.audit('d1')).at(-1)).toMatchObject({ action: 'keep_summons', actor: 'zhang' });

    // After its time, the first counts as held: a new summons is no duplicate.
    h.clock.set('2026-10-10T16:00:00+08:00');
    await h.command('zhang', '/约谈 1 单位=jtj 时间="2026-10-20 15:00" 地点=302会议室');
    expect(cardsTo('li').filter((c) => c.buttons.some((b) => b.text === '确认出席'))).toHaveLength(2);
    expect((await jtj()).summons).toHaveLength(2);
  });
});

describe('a second /坐地督查 of the same day', () => {
  it('asks the clerk; 替换原记录 corrects the record and tells the head, 保留 records nothing', async () => {
    await h.command('zhang', '/坐地督查 1 单位=jtj 日期=2026-09-28 记录=现场查看3处积水点');
    const toLi = h.received('li').length;
    await h.command('zhang', '/坐地督查 1 单位=jtj 日期=2026-09-28 记录="现场查看3处积水点，2处未整改"');
    expect(h.received('li')).toHaveLength(toLi);
    const question = h.lastCard('zhang', '替换原记录');
    expect(question.title).toBe('该日已有坐地督查记录：督字〔2026〕1号');
    expect(question.buttons.map((b) => b.text)).toEqual(['替换原记录', '保留原记录']);
    expect(fieldsOf(question)).toMatchObject({ 原记录: '2026年9月28日，张伟：现场查看3处积水点', 新记录: '2026年9月28日，张伟：现场查看3处积水点，2处未整改' });

    const replaced = await h.press('zhang', { card: question, label: '替换原记录' });
    expect(replaced.toast.text).toBe('已替换 2026年9月28日 的坐地督查记录，并告知市交通运输局一把手');
    expect(h.lastText('li')).toBe(
      '【坐地督查】（更正：以本条为准，此前当日的记录作废）中共测试市委督查室于 2026年9月28日 就督字〔2026〕1号「城区主干道积水整治」到市交通运输局开展坐地督查（张伟）。\n记录：现场查看3处积水点，2处未整改',
    );
    expect((await jtj()).visits.map((v) => [v.id, v.note, v.replacedBy])).toEqual([
      [1, '现场查看3处积水点', 2],
      [2, '现场查看3处积水点，2处未整改', undefined],
    ]);

    // A third for the same day asks again (about the record in force); 保留 records nothing.
    await h.command('zhang', '/坐地督查 1 单位=jtj 日期=2026-09-28');
    const again = h.lastCard('zhang', '保留原记录');
    expect(fieldsOf(again)['原记录']).toBe('2026年9月28日，张伟：现场查看3处积水点，2处未整改');
    const toLiNow = h.received('li').length;
    expect((await h.press('zhang', { card: again, label: '保留原记录' })).toast.text).toBe('已保留原记录，未记录新的坐地督查');
    expect(h.received('li')).toHaveLength(toLiNow);
    expect((await jtj()).visits).toHaveLength(2);

    // Another day is another visit.
    h.clock.set('2026-09-29T10:00:00+08:00');
    await h.command('zhang', '/坐地督查 1 单位=jtj 日期=2026-09-29');
    expect((await jtj()).visits).toHaveLength(3);
  });
});
