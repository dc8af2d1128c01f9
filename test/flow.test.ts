// The whole life of an item through the neutral interface: /new → 发出 → 签收 → /report → 签署 → 受理 → completed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  // Nobody was shown an item's internal id.
  const shown = h.shownInternalIds();
  await h.close();
  expect(shown).toEqual([]);
});

async function item(id: string) {
  const found = await h.rt.store.getItem(id);
  if (!found) throw new Error(`no item ${id}`);
  return found.item;
}

describe('a key item, end to end', () => {
  it('goes from /new to completed, the head receiving and signing in person', async () => {
    await h.command('zhang', '/新建 城区主干道积水整治 单位=jtj 期限=3工作日 类别=民生 要求="汛期前完成排查整改"');
    const preview = h.lastCard('zhang', '发出');
    expect(preview.title).toContain('预览');
    const fields = Object.fromEntries(preview.fields.map((f) => [f.label, f.value]));
    expect(fields['编号']).toBe('草稿1（保留 7 天）');
    expect(fields['接收人']).toBe('李明（市交通运输局一把手）');
    // 2026-09-28 + 3 working days crosses National Day: 29, 30, then Oct 8.
    expect(fields['办结时限']).toBe('2026年10月8日');
    expect(h.received('li')).toHaveLength(0);

    const issued = await h.press('zhang', { card: preview, label: '发出' });
    expect(issued.toast.type).toBe('success');
    expect(issued.card?.buttons).toHaveLength(0);
    expect(issued.card?.note).toContain('张伟');

    // The notice goes straight to the head, on the head's own platform, and only to the head.
    const notice = h.lastCard('li', '签收');
    expect(notice.title).toBe('督查通知 督字〔2026〕1号');
    expect(notice.color).toBe('red');
    expect(h.feishu.sent.filter((s) => s.person === 'li')).toHaveLength(1);
    expect(h.received('wang')).toHaveLength(0);

    // Somebody else pressing the head's button is refused and changes nothing.
    const wrong = await h.press('wang', { card: notice, label: '签收' });
    expect(wrong.toast.type).toBe('error');
    expect(wrong.toast.text).toContain('李明');
    expect(wrong.card).toBeUndefined();
    expect((await item('d1')).assignments[0]!.state).toBe('issued');

    const got = await h.press('li', { card: notice, label: '签收' });
    expect(got.toast.type).toBe('success');
    expect(got.card?.buttons).toHaveLength(0);
    expect(got.card?.note).toMatch(/已由李明于 2026年9月28日 09:00 签收/);
    expect((await item('d1')).assignments[0]!.state).toBe('received');
    // The copy in the head's chat is redrawn too.
    expect(h.feishu.updates.some((u) => u.viewer === 'li' && u.card.title === notice.title && u.card.buttons.length === 0)).toBe(true);

    await h.command('zhao', '/报送 1 办结 已完成全部 12 处积水点整治：排水管网疏通 3.2 公里。');
    expect(h.lastText('zhao')).toContain('送李明签署');
    const toSign = h.lastCard('li', '签署');
    expect(toSign.body).toContain('排水管网疏通 3.2 公里');
    expect((await item('d1')).assignments[0]!.state).toBe('awaiting_signature');

    await h.press('li', { card: toSign, label: '签署' });
    const a = (await item('d1')).assignments[0]!;
    expect(a.state).toBe('signed');
    expect(a.reports[0]!.signature).toMatchObject({ by: 'li', platform: 'feishu', version: 1, text: a.reports[0]!.text });

    // The item's owner (督查员: whoever drafted it) gets the signed report to review; the other clerk does not.
    const review = h.lastCard('zhang', '受理');
    expect(h.received('qian').some((s) => s.message.kind === 'card')).toBe(false);
    const accepted = await h.press('zhang', { card: review, label: '受理' });
    expect(accepted.toast.text).toContain('办结');

    const done = await item('d1');
    expect(done.status).toBe('completed');
    expect(done.assignments[0]!.state).toBe('completed');
    // The item's owner pressed it: the card shows the result, its buttons gone.
    expect(accepted.card?.buttons).toHaveLength(0);

    const audit = await h.rt.store.audit('d1');
    expect(audit.map((e) => e.action)).toEqual(['create', 'issue', 'assign', 'receive', 'submit', 'sign', 'accept', 'complete_item']);
    const sign = audit.find((e) => e.action === 'sign')!;
    expect(sign).toMatchObject({ actor: 'li', platform: 'feishu', unit: 'jtj', from: 'awaiting_signature', to: 'signed' });
    expect(JSON.parse(sign.detail!)).toMatchObject({ version: 1, hash: a.reports[0]!.hash });
    // The global stream holds the same entries.
    expect((await h.rt.store.audit()).length).toBe(audit.length);
  });

  it('ordinary items go to the first deputy, or the deputy named with 负责人=', async () => {
    await h.command('zhang', '/new 路灯维修 unit=jtj,gaj due=10d');
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    expect(h.lastCard('wang', '签收').color).toBe('blue');
    expect(h.lastCard('wu', '签收').title).toBe('督查通知 督字〔2026〕1号');
    expect(h.received('li')).toHaveLength(0);
    expect(h.received('chen')).toHaveLength(0);

    await h.command('zhang', '/新建 公交站台改造 单位=市交通运输局 期限=2026-10-30 负责人=sun 督查员=钱芳');
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    const notice = h.lastCard('sun', '签收');
    expect(h.wecom.sent.some((s) => s.person === 'sun')).toBe(true);

    // The ordinary item's whole flow runs through the deputy.
    await h.press('sun', { card: notice, label: '签收' });
    await h.command('zhao', '/报送 2 办结 站台已改造完毕');
    await h.press('sun', { card: h.lastCard('sun', '签署'), label: '签署' });
    await h.press('qian', { card: h.lastCard('qian', '受理'), label: '受理' });
    const it2 = await item('d2');
    expect(it2.status).toBe('completed');
    expect(it2.assignments[0]!.reports[0]!.signature?.by).toBe('sun');
  });

  it('a multi-unit item completes only when every unit has', async () => {
    // Without 牵头= the first unit listed is the lead in name only, and each unit reports to the office.
    await h.command('zhang', '/新建 联合整治 单位=gaj、jtj 期限=5d 类别=重大');
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    for (const [head, contact] of [
      ['li', 'zhao'],
      ['chen', 'zhou'],
    ] as const) {
      await h.press(head, { card: h.lastCard(head, '签收'), label: '签收' });
      await h.command(contact, '/报送 1 办结 已完成');
      await h.press(head, { card: h.lastCard(head, '签署'), label: '签署' });
      await h.press('zhang', { card: h.lastCard('zhang', '受理'), label: '受理' });
      const it1 = await item('d1');
      expect(it1.status).toBe(head === 'li' ? 'open' : 'completed');
    }
    expect((await item('d1')).assignments.find((a) => a.unit === 'gaj')!.lead).toBe(true);
  });

  it('/查看 shows the full text of each unit\'s latest report, and who signed it', async () => {
    await h.command('zhang', '/新建 长报告 单位=jtj 期限=5d 类别=重大');
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    await h.press('li', { card: h.lastCard('li', '签收'), label: '签收' });
    const long = '整改情况：' + '已完成排查整治。'.repeat(500);
    await h.command('zhao', `/报送 1 ${long}`);
    await h.command('li', '/查看 1');
    expect(h.lastText('li')).toContain(`市交通运输局第 1 稿进展报告（尚未签署）：\n${long}`);
    await h.press('li', { card: h.lastCard('li', '签署'), label: '签署' });
    await h.command('zhang', '/查看 1');
    expect(h.lastText('zhang')).toMatch(/第 1 稿进展报告（李明于 .* 签署）/);
  });
});

describe('a signature is deliberate', () => {
  it('签署, 受理 and 退回 ask first, showing the report’s version and first lines; the dialog reaches Feishu', async () => {
    await h.command('zhang', '/新建 城区主干道积水整治 单位=jtj 期限=3工作日 类别=民生');
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    await h.press('li', { card: h.lastCard('li', '签收'), label: '签收' });
    expect(h.lastCard('li').buttons.every((b) => b.confirm === undefined)).toBe(true);
    await h.command('zhao', '/报送 1 办结 已完成全部 12 处积水点整治。\n排水管网疏通 3.2 公里。\n附：照片 12 张。');
    const sign = h.lastCard('li', '签署').buttons.find((b) => b.text === '签署')!;
    expect(sign.confirm).toEqual({
      title: '确认签署第 1 稿办结报告？',
      text: '「已完成全部 12 处积水点整治。 排水管网疏通 3.2 公里。」\n签字就表明认可，签字就必须负责。签署即确认报告全文。',
    });
    await h.press('li', { card: h.lastCard('li', '签署'), label: '签署' });
    const review = h.lastCard('zhang', '受理');
    expect(review.buttons.map((b) => b.confirm?.title)).toEqual(['确认受理市交通运输局第 1 稿办结报告？', '确认退回市交通运输局第 1 稿办结报告？']);
    expect(review.buttons[0]!.confirm!.text).toContain('受理办结报告后，该单位即告办结');
    const { toFeishuCard } = await import('../src/platforms/feishu/render.ts');
    expect(JSON.stringify(toFeishuCard(review))).toContain('"confirm":{"title":{"tag":"plain_text","content":"确认受理市交通运输局第 1 稿办结报告？"}');
  });
});

describe('every copy of a card', () => {
  it('is redrawn when its state changes: a notice re-sent by /催办, then received on the second copy', async () => {
    await h.command('zhang', '/新建 城区主干道积水整治 单位=jtj 期限=3工作日 类别=民生');
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    await h.command('zhang', '/催办 1');
    const copies = h.feishu.sent.filter((s) => s.person === 'li' && s.message.kind === 'card' && s.message.card.title.startsWith('督查通知'));
    expect(copies).toHaveLength(2);
    await h.press('li', { card: h.lastCard('li', '签收'), label: '签收' });
    // Both copies in 李明's chat now show it received, the first one too.
    for (const copy of copies) {
      const redrawn = h.feishu.updates.filter((u) => u.ref.messageId === copy.ref.messageId);
      expect(redrawn.length, copy.ref.messageId).toBeGreaterThan(0);
      expect(redrawn[redrawn.length - 1]!.card.buttons).toHaveLength(0);
    }
  });
});
