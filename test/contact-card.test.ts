// The contact knows what the unit must do (issue 18, point 3): when the leader presses 签收, every contact of the unit
// gets a card with the item, the deadline, that the leader has it, and the exact /报送 lines; a unit with no contact
// is named to the issuer at 发出. Through the neutral entry points on real Redis.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../src/chat/parse-command.ts';
import type { Card } from '../src/chat/message.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ directory: 'test/fixtures/directory-no-contact.yaml' });
});
afterEach(async () => {
  await h.close();
});

const cardsTo = (person: string): Card[] => h.received(person).flatMap((s) => (s.message.kind === 'card' ? [s.message.card] : []));

describe('签收 tells the contacts', () => {
  it('sends each contact a card with the item, the deadline, who received it and the /报送 lines that work', async () => {
    await h.command('zhang', '/新建 城区主干道积水整治 单位=jtj、jyj 期限=2026-10-30 类别=民生 牵头=jtj 要求="汛期前完成排查整改"');
    expect((await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' })).toast.type).toBe('success');
    expect(cardsTo('zhao')).toHaveLength(0);

    h.clock.set('2026-09-28T10:30:00+08:00');
    const got = await h.press('li', { card: h.lastCard('li', '签收'), label: '签收' });
    expect(got.toast).toEqual({ type: 'success', text: '已签收，已告知联络员赵磊、周燕按时报送。' });
    for (const contact of ['zhao', 'zhou']) {
      const [card, ...more] = cardsTo(contact);
      expect(more).toHaveLength(0);
      expect(card).toEqual({
        title: '请报送办理情况：督字〔2026〕1号',
        subtitle: '中共测试市委督查室',
        color: 'red',
        fields: [
          { label: '事项', value: '城区主干道积水整治' },
          { label: '承办单位', value: '市交通运输局（牵头）' },
          { label: '办结时限', value: '2026年10月30日' },
          { label: '负责领导', value: '李明已于 2026年9月28日 10:30 签收' },
          { label: '报送进展', value: '/报送 1 <办理情况>' },
          { label: '报送办结', value: '/报送 1 办结 <办结报告>' },
        ],
        body: '**督查要求**\n汛期前完成排查整改',
        buttons: [],
        note: '请在办结时限前用上面的命令报送（编号后面的文字就是报告全文）。报告须经李明本人签署后，方报督查室受理。',
      });
      // The lines, with the placeholder filled in, are commands that report.
      for (const line of ['报送进展', '报送办结']) {
        const typed = card!.fields.find((f) => f.label === line)!.value.replace(/<[^>]+>/, '已完成排查');
        expect(parseCommand(typed)).toMatchObject({ ok: true, command: 'report', positional: ['1'], rest: '已完成排查' });
      }
    }
    // The line works as sent.
    await h.command('zhao', '/报送 1 已完成排查');
    expect((await h.rt.store.getAssignment('d1', 'jtj'))!.doc.state).toBe('awaiting_signature');
  });

  it('tells the issuer at 发出 which unit has no contact, and the leader at 签收', async () => {
    await h.command('zhang', '/新建 校园周边交通整治 单位=jtj、jyj 期限=2026-10-30 类别=民生');
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    expect(h.lastText('zhang')).toBe(
      '【提示】刚发出的「校园周边交通整治」的承办单位市教育局在通讯录中没有联络员：负责领导签收后无人用 /报送 报送办理情况。请系统管理员在通讯录中补充联络员（contacts）。',
    );
    // Said to the one who issued it, not to the other clerk.
    expect(h.received('qian')).toHaveLength(0);
    const got = await h.press('chen', { card: h.lastCard('chen', '签收'), label: '签收' });
    expect(got.toast).toEqual({ type: 'success', text: '已签收。本单位在通讯录中没有联络员，无人报送：请联系督查室补充通讯录。' });
  });

  it('says nothing at 发出 when every unit has a contact', async () => {
    await h.command('zhang', '/新建 路灯修复 单位=jtj 期限=2026-10-30 类别=民生');
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    expect(h.received('zhang').filter((s) => s.message.kind === 'text')).toHaveLength(0);
  });
});
