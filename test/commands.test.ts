// Every chat command through the neutral entry point: its happy path (what is replied, what reaches whom,
// what is stored, which audit entry is written) and its bad inputs (a reply naming the mistake, the usage
// for syntax errors, and nothing changed).
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandEvent } from '../src/chat/event.ts';
import type { Card } from '../src/chat/message.ts';
import { helpText, parseItemRef, usageLine, usageOf, type CommandName } from '../src/chat/parse-command.ts';
import { NOT_IN_DIRECTORY } from '../src/chat/texts.ts';
import { runCommand } from '../src/dispatch/dispatch.ts';
import type { Item } from '../src/domain/types.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import type { Sent } from './helpers/recording-adapter.ts';

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

const NOW = Date.parse('2026-09-28T09:00:00+08:00');
/** The last millisecond of a local date in Asia/Shanghai. */
const endOf = (date: string) => Date.parse(`${date}T23:59:59.999+08:00`);

// ---- helpers ----

/** The internal id of the item a person would name so (`2026-1`, `草稿1`). */
async function idOf(ref: string): Promise<string> {
  const id = await h.rt.store.findItem(parseItemRef(ref, 2026)!);
  if (!id) throw new Error(`no item ${ref}`);
  return id;
}

async function item(ref: string): Promise<Item> {
  const found = await h.rt.store.getItem(await idOf(ref));
  if (!found) throw new Error(`no item ${ref}`);
  return found.item;
}

async function actions(ref?: string): Promise<string[]> {
  return (await h.rt.store.audit(ref === undefined ? undefined : await idOf(ref))).map((e) => e.action);
}

async function lastAudit(ref: string) {
  const all = await h.rt.store.audit(await idOf(ref));
  const e = all[all.length - 1];
  if (!e) throw new Error(`no audit for ${ref}`);
  return { ...e, detail: e.detail === undefined ? undefined : (JSON.parse(e.detail) as Record<string, unknown>) };
}

function fieldsOf(card: Card): Record<string, string> {
  return Object.fromEntries(card.fields.map((f) => [f.label, f.value]));
}

/** How a card's 编号 is typed: `2026-1`, or `草稿1` for a draft. */
function refOf(card: Card): string {
  const no = fieldsOf(card)['编号'] ?? '';
  const m = /〔(\d{4})〕(\d+)号/.exec(no);
  if (m) return `${m[1]}-${m[2]}`;
  const d = /草稿\d+/.exec(no);
  if (!d) throw new Error(`no number on card ${card.title}`);
  return d[0];
}

/** /新建 by an office clerk; returns the draft's reference (草稿N). */
async function draft(text: string, by = 'zhang'): Promise<string> {
  await h.command(by, text);
  return refOf(h.lastCard(by, '发出'));
}

/** /新建 then 发出; returns the issued item's number as typed (2026-N). */
async function issue(text: string, by = 'zhang'): Promise<string> {
  await h.command(by, text);
  const preview = h.lastCard(by, '发出');
  const answer = await h.press(by, { card: preview, label: '发出' });
  expect(answer.toast.type).toBe('success');
  return refOf(answer.card!);
}

/** The responsible leader presses 签收 on the last notice they got. */
async function receive(person: string): Promise<void> {
  const answer = await h.press(person, { card: h.lastCard(person, '签收'), label: '签收' });
  expect(answer.toast.type).toBe('success');
}

function allSent(): Sent[] {
  return [...h.feishu.sent, ...h.wecom.sent];
}

function textOf(s: Sent): string {
  return s.message.kind === 'text' ? s.message.text : '';
}

/** Messages sent straight to a person (not replies). */
function pushedTo(person: string): Sent[] {
  return allSent().filter((s) => s.kind === 'send' && s.person === person);
}

interface World {
  ids: string[];
  docs: Record<string, { item: Item; version: number } | undefined>;
  audit: number;
  feishu: number;
  wecom: number;
  updates: number;
}

async function world(): Promise<World> {
  const ids = await h.rt.store.itemIds();
  const docs: World['docs'] = {};
  for (const id of ids) docs[id] = await h.rt.store.getItem(id);
  return {
    ids,
    docs,
    audit: (await h.rt.store.audit()).length,
    feishu: h.feishu.sent.length,
    wecom: h.wecom.sent.length,
    updates: h.feishu.updates.length + h.wecom.updates.length,
  };
}

/**
 * Runs a command that must be refused: exactly one reply, in the sender's chat, naming the mistake
 * (each of `says`) on its first line, followed by the one usage line of the command when `usage` is a command (syntax
 * errors: never the whole usage or the whole help), without it when `usage` is false; no item created or changed, no
 * audit entry, nothing sent to anybody else.
 */
async function refused(person: string, text: string, says: string | string[], usage: CommandName | false): Promise<string> {
  const before = await world();
  await h.command(person, text);
  const after = await world();
  expect(after.ids).toEqual(before.ids);
  expect(after.docs).toEqual(before.docs);
  expect(after.audit).toBe(before.audit);
  expect(after.updates).toBe(before.updates);
  const fresh = [...h.feishu.sent.slice(before.feishu), ...h.wecom.sent.slice(before.wecom)];
  expect(fresh).toHaveLength(1);
  const reply = fresh[0]!;
  expect(reply.kind).toBe('reply');
  expect(reply.to?.chatId).toBe(`p2p-${person}`);
  expect(reply.message.kind).toBe('text');
  const t = textOf(reply);
  const [mistake, ...rest] = t.split('\n');
  for (const s of Array.isArray(says) ? says : [says]) expect(mistake).toContain(s);
  if (usage) expect(rest).toEqual([usageLine(usage)]);
  else expect(t).not.toContain('用法：');
  expect(t).not.toContain('例：');
  return t;
}

// ---- /新建 /new ----

describe('/新建 /new', () => {
  it('replies with a preview card to the clerk only, stores a draft and audits create', async () => {
    await h.command('zhang', '/新建 城区主干道积水整治 单位=jtj、市公安局 期限=2026-10-30 类别=重大 要求="汛期前完成 排查整改" 牵头=gaj');

    // The reply goes back to the chat the command came from, on the sender's platform.
    const replies = h.feishu.sent.filter((s) => s.kind === 'reply');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.to).toMatchObject({ platform: 'feishu', chatId: 'p2p-zhang' });
    const preview = h.lastCard('zhang', '发出');
    expect(preview.title).toBe('督查单预览（尚未发出）');
    // A draft has its draft reference; the 督字 number is given at 发出.
    expect(preview.subtitle).toBe('中共测试市委督查室 草稿1');
    expect(preview.color).toBe('red');
    expect(fieldsOf(preview)).toMatchObject({
      编号: '草稿1（保留 7 天）',
      事项: '城区主干道积水整治',
      类别: '重点事项·重大（影响全局的重大问题）',
      承办单位: '市交通运输局（配合）、市公安局（牵头）',
      接收人: '李明（市交通运输局一把手）、陈刚（市公安局一把手）',
      办结时限: '2026年10月30日',
    });
    expect(preview.body).toContain('汛期前完成 排查整改');
    expect(preview.buttons.map((b) => b.text)).toEqual(['发出', '取消']);
    expect(preview.note).toBe('督字编号在发出时给出。草稿保留 7 天：2026年10月5日 09:00 前未发出即作废。');
    // Nothing reaches the units before 发出.
    expect(allSent()).toHaveLength(1);

    const it1 = await item('草稿1');
    expect(it1.year).toBeUndefined();
    expect(it1.seq).toBeUndefined();
    expect(it1).toMatchObject({
      id: 'd1',
      draft: 1,
      expiresAt: NOW + 7 * 24 * 3600_000,
      title: '城区主干道积水整治',
      req: '汛期前完成 排查整改',
      category: 'major',
      status: 'draft',
      createdBy: 'zhang',
      createdAt: NOW,
      due: '2026-10-30',
      dueAt: endOf('2026-10-30'),
    });
    expect(it1.assignments.map((a) => [a.unit, a.lead, a.responsible, a.state, a.due, a.dueAt])).toEqual([
      ['jtj', false, 'li', 'issued', '2026-10-30', endOf('2026-10-30')],
      ['gaj', true, 'chen', 'issued', '2026-10-30', endOf('2026-10-30')],
    ]);
    for (const a of it1.assignments) {
      expect(a).toMatchObject({ reports: [], summons: [], visits: [], extensions: [], urges: [] });
    }

    expect(await actions('草稿1')).toEqual(['create']);
    const audit = await lastAudit('草稿1');
    expect(audit).toMatchObject({ actor: 'zhang', platform: 'feishu', action: 'create', item: 'd1', to: 'draft', at: NOW });
    // 牵头= was given: the lead rule applies, and the audit says so (src/domain/joint.ts).
    // The owner is whoever drafted it (zhang, the entry's actor): the trail names an owner only when one was named.
    expect(audit.detail).toEqual({ title: '城区主干道积水整治', units: ['jtj', 'gaj'], category: 'major', due: '2026-10-30', draft: 1, lead: 'gaj', leadRule: true });
    // No 督字 number is taken by a draft.
    expect(await h.redis.get(h.rt.store.k.seq(2026))).toBeNull();
  });

  it('English names: an ordinary item for a named deputy, replied on WeCom to a WeCom clerk', async () => {
    await h.command('qian', '/new 路灯维修 unit=jtj due=10d to=孙丽 req=夜间施工');
    const reply = h.wecom.sent.find((s) => s.kind === 'reply')!;
    expect(reply.to).toMatchObject({ platform: 'wecom', chatId: 'p2p-qian' });
    const preview = h.lastCard('qian', '发出');
    expect(preview.color).toBe('blue');
    expect(fieldsOf(preview)).toMatchObject({
      编号: '草稿1（保留 7 天）',
      类别: '一般事项',
      承办单位: '市交通运输局',
      接收人: '孙丽（市交通运输局班子成员）',
      办结时限: '2026年10月8日',
    });
    const it1 = await item('草稿1');
    expect(it1.category).toBeUndefined();
    expect(it1.req).toBe('夜间施工');
    expect(it1.assignments).toHaveLength(1);
    expect(it1.assignments[0]).toMatchObject({ unit: 'jtj', lead: true, responsible: 'sun', due: '2026-10-08' });
    expect((await lastAudit('草稿1')).detail).toEqual({ title: '路灯维修', units: ['jtj'], category: null, due: '2026-10-08', draft: 1 });

    // 发出 gives the year's first number and pushes the notice to that deputy only; the clerk is told the number.
    const issued = await h.press('qian', { card: preview, label: '发出' });
    expect(issued.toast).toEqual({ type: 'success', text: '已发出督字〔2026〕1号，督查单已直送 1 位负责领导' });
    expect(issued.card?.subtitle).toBe('中共测试市委督查室 督字〔2026〕1号');
    expect(fieldsOf(issued.card!)['编号']).toBe('督字〔2026〕1号');
    expect(h.lastCard('sun', '签收').title).toBe('督查通知 督字〔2026〕1号');
    expect((await item('2026-1')).id).toBe('d1');
    const issue = (await h.rt.store.audit('d1')).find((e) => e.action === 'issue')!;
    expect(JSON.parse(issue.detail!)).toEqual({ year: 2026, seq: 1 });
    expect(h.received('wang')).toHaveLength(0);
    expect(h.received('li')).toHaveLength(0);
  });

  it('取消 drops the draft; it never had a number, so the next item issued is the year\'s first', async () => {
    await h.command('zhang', '/新建 测试事项 单位=jtj 期限=5d 类别=紧急');
    const preview = h.lastCard('zhang', '取消');
    const answer = await h.press('zhang', { card: preview, label: '取消' });
    expect(answer.toast).toEqual({ type: 'success', text: '已取消草稿1「测试事项」' });
    expect(answer.card?.buttons).toHaveLength(0);
    expect(answer.card?.title).toBe('督查单草稿（已取消）');
    expect(answer.card?.note).toBe('已于 2026年9月28日 09:00 取消');
    expect(answer.card?.color).toBe('grey');
    expect(JSON.stringify(answer.card)).not.toContain('作废');

    const cancelled = await item('草稿1');
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.cancelledAt).toBe(NOW);
    expect(await actions('草稿1')).toEqual(['create', 'cancel']);
    expect(await lastAudit('草稿1')).toMatchObject({ actor: 'zhang', action: 'cancel', from: 'draft', to: 'cancelled' });
    expect(h.received('li')).toHaveLength(0);

    // 发出 on the cancelled preview is refused.
    const late = await h.press('zhang', { card: preview, label: '发出' });
    expect(late.toast.text).toBe('草稿1已取消，不能发出。请重新新建');
    expect((await item('草稿1')).status).toBe('cancelled');
    expect(h.received('li')).toHaveLength(0);

    await h.command('zhang', '/新建 另一事项 单位=jtj 期限=5d');
    expect(fieldsOf(h.lastCard('zhang', '发出'))['编号']).toBe('草稿2（保留 7 天）');
    expect((await item('草稿2')).status).toBe('draft');
    const issued = await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    expect(fieldsOf(issued.card!)['编号']).toBe('督字〔2026〕1号');
  });

  it('refuses bad input, naming the mistake, and creates nothing (not even a number)', async () => {
    await refused('zhang', '/新建 测试 单位=jtj', ['缺少「期限/due」', '期限='], 'new');
    await refused('zhang', '/new 测试 due=5d', ['缺少「单位/unit」'], 'new');
    await refused('zhang', '/新建 单位=jtj 期限=5d', '/新建 缺少标题', 'new');
    await refused('zhang', '/新建 测试 单位=jtj 期限=5d 颜色=红', ['没有「颜色」这个参数', '单位/unit'], 'new');
    await refused('zhang', '/新建 测试 单位=jtj 期限=2026-02-30', '日期不存在', 'new');
    await refused('zhang', '/新建 测试 单位=jtj 期限=下周五', '看不懂期限', 'new');
    await refused('zhang', '/新建 测试 单位=jtj 期限=2026-09-01', ['期限不能早于今天', '2026年9月1日'], 'new');
    await refused('zhang', '/新建 测试 单位=jtj 期限=0d', '1 到 365', 'new');
    await refused('zhang', '/新建 测试 单位=jtj、市教育局 期限=5d', '「市教育局」不是通讯录中的单位，请写单位编号或全称', 'new');
    await refused('zhang', '/新建 测试 单位=jtj 期限=5d 类别=普通', '「类别/key」不能是「普通」', 'new');
    await refused('zhang', '/新建 测试 单位=jtj 期限=5d 牵头=gaj', '牵头单位「gaj」须是承办单位之一', 'new');
    // 负责人= is for ordinary items only, and must name a deputy of a listed unit.
    await refused('zhang', '/新建 测试 单位=jtj 期限=5d 类别=重大 负责人=sun', '重点事项一律直送一把手', 'new');
    await refused('zhang', '/新建 测试 单位=jtj 期限=5d 负责人=李明', '负责人「李明」不是所列承办单位的班子成员', 'new');
    await refused('zhang', '/new 测试 unit=jtj due=5d to=wu', '负责人「wu」不是所列承办单位的班子成员', 'new');
    await refused('zhang', '/新建 测试 单位=jtj 期限=5d 负责人=nobody', '负责人「nobody」不是通讯录中的人员，请写姓名或编号', 'new');
    // Only the office creates items.
    await refused('li', '/新建 测试 单位=jtj 期限=5d', '只有督查室工作人员才能新建督查事项', false);
    await refused('zhao', '/new 测试 unit=jtj due=5d', '只有督查室工作人员才能新建督查事项', false);

    expect(await h.rt.store.itemIds()).toEqual([]);
    expect(await h.rt.store.audit()).toEqual([]);
    // No reference was used up by the refusals.
    await h.command('zhang', '/新建 测试 单位=jtj 期限=5d');
    expect(fieldsOf(h.lastCard('zhang', '发出'))['编号']).toBe('草稿1（保留 7 天）');
  });

  it('an unknown command is named in one line that points to /帮助, with the usage line of the command it comes close to', async () => {
    expect(await refused('zhang', '/发布 测试 单位=jtj', '没有「/发布」这个命令', false)).toBe('没有「/发布」这个命令。发送 /帮助 查看全部命令。');
    expect(await refused('li', '/newer 测试', '没有「/newer」这个命令。是不是要用 /新建？', 'new')).not.toContain(helpText());
    expect(await refused('zhao', '/', '「/」后面缺少命令名', false)).toBe('「/」后面缺少命令名。发送 /帮助 查看全部命令。');
  });

  it('a mistake gets one line naming it and one usage line; /帮助 <命令> still gives the whole usage', async () => {
    await h.command('zhang', '/新建 测试 单位=jtj');
    expect(h.lastText('zhang')).toBe(
      [
        '/新建 缺少「期限/due」，写成 期限=<YYYY-MM-DD | N工作日 | Nd>。',
        '用法：/新建 <标题> 单位=<单位编号或名称>[、…] 期限=<YYYY-MM-DD | N工作日 | Nd> [类别=重大|典型|紧急|民生|交办|疑难] [要求=<文字>] [牵头=<单位>] [负责人=<班子成员>] [来源=文件|批示|会议|交办|信访] [批办=<领导>] [文号=<文字>] [进度=周|月|季|半年|N工作日] [督查员=<督查室人员>]（详见 /帮助 新建）',
      ].join('\n'),
    );
    // A mistake the handler finds (not the parser) is answered the same way.
    await h.command('zhang', '/新建 测试 单位=jtj 期限=下周五');
    expect(h.lastText('zhang').split('\n')).toEqual([expect.stringContaining('看不懂期限'), usageLine('new')]);
    await h.command('zhang', '/帮助 新建');
    expect(h.lastText('zhang')).toBe(usageOf('new'));
    expect(usageOf('new')).toContain('例：');
    expect(usageOf('new').split('\n').length).toBeGreaterThan(5);
  });
});

// ---- did you mean ----

describe('a unit or a person the directory does not know', () => {
  const mean = (typed: string, label: string) => `「${typed}」不是通讯录中的单位，您是不是要找：${label}？`;

  it('is answered with the units it comes close to: short name, typo in the id, pinyin initials, part of the name', async () => {
    await refused('zhang', '/新建 测试 单位=交通局 期限=5d', mean('交通局', '市交通运输局（jtj）'), 'new');
    await refused('zhang', '/新建 测试 单位=jjt 期限=5d', mean('jjt', '市交通运输局（jtj）'), 'new');
    await refused('zhang', '/新建 测试 单位=jtj、gja 期限=5d', mean('gja', '市公安局（gaj）'), 'new');
    await refused('zhang', '/新建 测试 单位=jtysj 期限=5d', mean('jtysj', '市交通运输局（jtj）'), 'new');
    await refused('zhang', '/新建 测试 单位=jtj、gaj 期限=5d 牵头=公安', mean('公安', '市公安局（gaj）'), 'new');
    await refused('zhang', '/台账 单位=交通运输', mean('交通运输', '市交通运输局（jtj）'), 'list');
    // The same unit written in full-width letters or another case is no guess: it is taken.
    await h.command('zhang', '/新建 测试 单位=ＪＴＪ 期限=5d');
    expect(fieldsOf(h.lastCard('zhang', '发出'))['承办单位']).toContain('市交通运输局');
  });

  it('in /约谈, /催办 and /坐地督查 too, and says nothing of the kind when nothing is close', async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-30 类别=重大');
    await refused('zhang', '/约谈 1 单位=交通局 时间="2026-10-10 15:00" 地点=会议室', mean('交通局', '市交通运输局（jtj）'), 'summon');
    await refused('zhang', '/催办 1 单位=jtk', mean('jtk', '市交通运输局（jtj）'), 'urge');
    await refused('zhang', '/坐地督查 1 单位=交通运输局 日期=2026-09-28', mean('交通运输局', '市交通运输局（jtj）'), 'onsite');
    for (const far of ['市教育局', 'xyz', '局']) {
      const t = await refused('zhang', `/催办 1 单位=${far}`, `「${far}」不是通讯录中的单位，请写单位编号或全称`, 'urge');
      expect(t).not.toContain('是不是');
    }
  });

  it('负责人= is answered with the deputies of the units listed that come close: by name, sound, id', async () => {
    const who = (typed: string, label: string) => `负责人「${typed}」不是通讯录中的人员，您是不是要找：${label}？`;
    await refused('zhang', '/新建 测试 单位=jtj 期限=5d 负责人=王建图', who('王建图', '王建国（wang）'), 'new');
    await refused('zhang', '/新建 测试 单位=jtj 期限=5d 负责人=孙莉', who('孙莉', '孙丽（sun）'), 'new');
    await refused('zhang', '/new 测试 unit=jtj due=5d to=wnag', who('wnag', '王建国（wang）'), 'new');
    // Only deputies of the units listed are suggested: 吴强 (wu) is 市公安局's.
    await refused('zhang', '/新建 测试 单位=jtj 期限=5d 负责人=吴墙', '负责人「吴墙」不是通讯录中的人员，请写姓名或编号', 'new');
    await refused('zhang', '/新建 测试 单位=gaj 期限=5d 负责人=吴墙', who('吴墙', '吴强（wu）'), 'new');
  });
});

// ---- /台账 /list ----

describe('/台账 /list', () => {
  // 1: key item of jtj, received; 2: ordinary of gaj, not received; 3: ordinary of both, not received; 4: a draft of jtj.
  beforeEach(async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-09 类别=民生');
    await receive('li');
    await issue('/新建 治安巡逻 单位=gaj 期限=2026-10-30');
    await issue('/新建 联合执法 单位=jtj、gaj 期限=2026-11-30');
    await draft('/新建 草稿事项 单位=jtj 期限=5d');
  });

  const L1 = '督字〔2026〕1号【重点】 积水整治｜市交通运输局：已签收办理中（期限 2026年10月9日）';
  const L2 = '督字〔2026〕2号 治安巡逻｜市公安局：已下发待签收（期限 2026年10月30日）';
  const L3 = '督字〔2026〕3号 联合执法｜市交通运输局：已下发待签收（期限 2026年11月30日）；市公安局：已下发待签收（期限 2026年11月30日）';
  const L4 = '草稿4 草稿事项｜草稿（2026年10月5日 09:00 前未发出即作废）';

  it('lists issued items only in the whole ledger, drafts and cancelled drafts under their own status, by draft reference', async () => {
    await draft('/新建 作废事项 单位=jtj 期限=5d');
    expect((await h.press('zhang', { card: h.lastCard('zhang', '取消'), label: '取消' })).toast.type).toBe('success');
    for (let i = 0; i < 50; i++) await draft(`/新建 批量草稿${i + 1} 单位=gaj 期限=5d`);
    await h.command('zhang', '/台账');
    expect(h.lastText('zhang')).toBe(['督查台账（共 3 项）', L3, L2, L1].join('\n'));
    await h.command('zhang', '/台账 状态=已取消');
    expect(h.lastText('zhang')).toBe(['督查台账（共 1 项）', '草稿5 作废事项｜已取消（未发出）'].join('\n'));
    await h.command('zhang', '/台账 状态=草稿');
    const drafts = h.lastText('zhang').split('\n');
    // 1 + 50 drafts, the newest 50 shown, newest first (all drafted at the same moment: by reference).
    expect(drafts[0]).toBe('督查台账（共 51 项，显示前 50 项）');
    expect(drafts[1]).toBe('草稿55 批量草稿50｜草稿（2026年10月5日 09:00 前未发出即作废）');
    expect(drafts[50]).toBe('草稿6 批量草稿1｜草稿（2026年10月5日 09:00 前未发出即作废）');
    expect(drafts).toHaveLength(51);
  });

  it('the office sees every item issued, highest number first, drafts left to 状态=草稿', async () => {
    const before = await world();
    await h.command('zhang', '/台账');
    expect(h.lastText('zhang')).toBe(['督查台账（共 3 项）', L3, L2, L1].join('\n'));
    // Reading changes nothing.
    const after = await world();
    expect(after.docs).toEqual(before.docs);
    expect(after.audit).toBe(before.audit);
  });

  it('a head or a contact sees only their own unit', async () => {
    await h.command('li', '/list');
    const li = h.lastText('li');
    expect(li).toBe(['督查台账（共 2 项）', '督字〔2026〕3号 联合执法｜市交通运输局：已下发待签收（期限 2026年11月30日）', L1].join('\n'));
    expect(li).not.toContain('市公安局');
    expect(li).not.toContain('草稿');

    await h.command('zhou', '/台账');
    expect(h.lastText('zhou')).toBe(
      ['督查台账（共 2 项）', '督字〔2026〕3号 联合执法｜市公安局：已下发待签收（期限 2026年11月30日）', L2].join('\n'),
    );
    // WeCom user: the reply went back on WeCom.
    expect(h.wecom.sent.some((s) => s.kind === 'reply' && s.to?.chatId === 'p2p-zhou')).toBe(true);

    await h.command('zhao', '/台账 单位=市交通运输局');
    expect(h.lastText('zhao')).toContain('共 2 项');
  });

  it('filters by unit and by status (Chinese and English)', async () => {
    await h.command('zhang', '/台账 状态=待签收');
    expect(h.lastText('zhang')).toBe(['督查台账（共 2 项）', L3, L2].join('\n'));
    await h.command('zhang', '/list status=received');
    expect(h.lastText('zhang')).toBe(['督查台账（共 1 项）', L1].join('\n'));
    await h.command('zhang', '/台账 状态=草稿');
    expect(h.lastText('zhang')).toBe(['督查台账（共 1 项）', L4].join('\n'));
    await h.command('zhang', '/台账 单位=市公安局');
    expect(h.lastText('zhang')).toBe(
      ['督查台账（共 2 项）', '督字〔2026〕3号 联合执法｜市公安局：已下发待签收（期限 2026年11月30日）', L2].join('\n'),
    );
    await h.command('zhang', '/台账 状态=已办结');
    expect(h.lastText('zhang')).toBe('台账中没有符合条件的督查事项。');
  });

  it('finds items by a keyword in their title (full-width and case folded, every word), with the other filters too', async () => {
    await h.command('zhang', '/台账 积水');
    expect(h.lastText('zhang')).toBe(['督查台账（标题含「积水」，共 1 项）', L1].join('\n'));
    // Drafts are not in the ledger: a keyword finds them among the drafts (状态=草稿) only.
    await h.command('zhang', '/list 草稿');
    expect(h.lastText('zhang')).toBe('台账中没有标题含「草稿」的督查事项。');
    await h.command('zhang', '/list 草稿 status=草稿');
    expect(h.lastText('zhang')).toBe(['督查台账（标题含「草稿」，共 1 项）', L4].join('\n'));
    await draft('/新建 “5G基站 选址” 单位=jtj 期限=5d');
    await h.command('zhang', '/台账 ５ｇ基站 状态=草稿');
    expect(h.lastText('zhang')).toMatch(/^督查台账（标题含「５ｇ基站」，共 1 项）\n草稿5 5G基站 选址｜草稿（/);
    await h.command('zhang', '/台账 选址 5g 状态=草稿');
    expect(h.lastText('zhang')).toContain('共 1 项');
    await h.command('zhang', '/台账 选址 积水');
    expect(h.lastText('zhang')).toBe('台账中没有标题含「选址 积水」的督查事项。');
    // With a unit, a status, 逾期.
    await h.command('zhang', '/台账 执法 单位=gaj');
    expect(h.lastText('zhang')).toBe(
      ['督查台账（标题含「执法」，共 1 项）', '督字〔2026〕3号 联合执法｜市公安局：已下发待签收（期限 2026年11月30日）'].join('\n'),
    );
    await h.command('zhang', '/台账 状态=待签收 执法');
    expect(h.lastText('zhang')).toBe(['督查台账（标题含「执法」，共 1 项）', L3].join('\n'));
    await h.command('zhang', '/台账 积水 状态=待签收');
    expect(h.lastText('zhang')).toBe('台账中没有符合条件且标题含「积水」的督查事项。');
    // A unit finds only among its own items.
    await h.command('li', '/台账 巡逻');
    expect(h.lastText('li')).toBe('台账中没有标题含「巡逻」的督查事项。');
    await h.command('zhou', '/台账 巡逻');
    expect(h.lastText('zhou')).toBe(['督查台账（标题含「巡逻」，共 1 项）', L2].join('\n'));
  });

  it('逾期 shows what is past its deadline, once the clock has passed it', async () => {
    await h.command('zhang', '/台账 逾期');
    expect(h.lastText('zhang')).toBe('台账中没有符合条件的督查事项。');

    h.clock.set('2026-10-20T10:00:00+08:00');
    await h.command('zhang', '/台账 逾期');
    expect(h.lastText('zhang')).toBe(
      ['督查台账（共 1 项）', '督字〔2026〕1号【重点】 积水整治｜市交通运输局：已签收办理中【逾期】（期限 2026年10月9日）'].join('\n'),
    );
    await h.command('li', '/list overdue');
    expect(h.lastText('li')).toContain('【逾期】');
    expect(h.lastText('li')).toContain('共 1 项');
    // The whole ledger marks it too.
    await h.command('zhang', '/台账');
    expect(h.lastText('zhang')).toContain('已签收办理中【逾期】');
    expect(h.lastText('zhang')).toContain(L2);
  });

  it('refuses another unit to a contact, a bad status, an unknown unit and an unknown key', async () => {
    await refused('zhao', '/台账 单位=gaj', '您只能查看本单位的台账，不能查看市公安局', false);
    await refused('chen', '/list unit=jtj', '您只能查看本单位的台账，不能查看市交通运输局', false);
    await refused('zhang', '/台账 状态=乱七八糟', ['状态「乱七八糟」不对', '待签收'], 'list');
    await refused('zhang', '/台账 单位=市教育局', '「市教育局」不是通讯录中的单位，请写单位编号或全称', 'list');
    await refused('zhang', '/台账 颜色=红', '/台账 没有「颜色」这个参数', 'list');
  });
});

// ---- /查看 /show ----

describe('/查看 /show', () => {
  it("shows each unit's state and the timeline to the office and to the units", async () => {
    await issue('/新建 联合整治 单位=jtj、gaj 期限=2026-10-30 类别=重大 要求=限期整改');
    h.clock.set('2026-09-28T10:30:00+08:00');
    await receive('li');
    const before = await world();

    await h.command('zhang', '/查看 1');
    const t = h.lastText('zhang');
    expect(t).toContain('中共测试市委督查室 督字〔2026〕1号');
    expect(t).toContain('事项：联合整治');
    expect(t).toContain('类别：重点事项·重大（影响全局的重大问题）');
    expect(t).toContain('状态：办理中');
    expect(t).toContain('要求：限期整改');
    expect(t).toContain('· 市交通运输局（牵头），负责领导李明：已签收办理中，期限 2026年10月30日');
    expect(t).toContain('· 市公安局（配合），负责领导陈刚：已下发待签收，期限 2026年10月30日');
    const timeline = t.slice(t.indexOf('办理过程：')).split('\n').slice(1);
    expect(timeline).toEqual([
      '2026年9月28日 09:00 张伟 新建（预览）',
      '2026年9月28日 09:00 张伟 发出督查单',
      '2026年9月28日 09:00 张伟 交办（市交通运输局）',
      '2026年9月28日 09:00 张伟 交办（市公安局）',
      '2026年9月28日 10:30 李明 签收（市交通运输局）',
    ]);

    // A contact of an assigned unit may see it too, by any form of the number.
    await h.command('zhou', '/show 2026-1');
    expect(h.lastText('zhou')).toContain('· 市公安局（配合），负责领导陈刚：已下发待签收');
    await h.command('wang', '/查看 督字〔2026〕1号');
    expect(h.lastText('wang')).toContain('办理过程：');

    const after = await world();
    expect(after.docs).toEqual(before.docs);
    expect(after.audit).toBe(before.audit);

    // Past the deadline the unit line says so.
    h.clock.set('2026-10-31T09:00:00+08:00');
    await h.command('zhang', '/查看 1');
    expect(h.lastText('zhang')).toContain('已签收办理中【逾期】');
  });

  it('refuses a person of an unassigned unit, an unknown number, a draft to units, and bad syntax', async () => {
    await issue('/新建 公交站台改造 单位=jtj 期限=10d');
    await draft('/新建 草稿 单位=gaj 期限=10d');
    await refused('zhou', '/查看 1', '督字〔2026〕1号没有交办给您所在的单位，无权查看', false);
    await refused('chen', '/show 1', '无权查看', false);
    await refused('zhang', '/查看 99', '没有督字〔2026〕99号这个督查事项', false);
    await refused('chen', '/查看 2', '没有督字〔2026〕2号这个督查事项', false);
    await refused('zhang', '/查看 abc', '「abc」不是有效的事项编号', 'show');
    await refused('zhang', '/查看', '/查看 缺少事项编号', 'show');
    await refused('zhang', '/查看 1 单位=jtj', '/查看 没有「单位」这个参数', 'show');
    await refused('zhang', '/查看 1 2', '多余的内容「2」', 'show');
  });
});

// ---- /报送 /report ----

describe('/报送 /report', () => {
  it('before 签收 it is refused; after, the report goes to the responsible leader to sign', async () => {
    await issue('/新建 积水整治 单位=jtj、gaj 期限=2026-10-30 类别=民生');
    await refused('zhao', '/报送 1 已完成排查', '督查单尚未签收', false);

    await receive('li');
    h.clock.set('2026-09-29T11:00:00+08:00');
    const text = '已完成全部 12 处积水点整治：排水管网疏通 3.2 公里。';
    await h.command('zhao', `/report 1 final ${text}`);
    expect(h.lastText('zhao')).toBe('已将办结报告（第 1 稿）送李明签署：督字〔2026〕1号「积水整治」。');
    const toSign = h.lastCard('li', '签署');
    expect(toSign.title).toBe('请签署办结报告：督字〔2026〕1号');
    expect(toSign.body).toContain(text);
    expect(fieldsOf(toSign)).toMatchObject({ 单位: '市交通运输局', 版本: '第 1 稿', 报送人: '赵磊（2026年9月29日 11:00）' });
    expect(toSign.buttons.map((b) => b.text)).toEqual(['签署', '退回修改']);
    // Only the leader gets it: not the other unit, not the office.
    expect(pushedTo('chen').filter((s) => s.message.kind === 'card' && s.message.card.title.startsWith('请签署'))).toHaveLength(0);
    expect(pushedTo('zhang')).toHaveLength(0);

    const a = (await item('2026-1')).assignments.find((x) => x.unit === 'jtj')!;
    expect(a.state).toBe('awaiting_signature');
    expect(a.reports).toEqual([
      {
        version: 1,
        text,
        hash: createHash('sha256').update(text, 'utf8').digest('hex'),
        final: true,
        by: 'zhao',
        at: Date.parse('2026-09-29T11:00:00+08:00'),
        status: 'pending',
      },
    ]);
    expect((await item('2026-1')).assignments.find((x) => x.unit === 'gaj')!.state).toBe('issued');
    const audit = await lastAudit('2026-1');
    expect(audit).toMatchObject({ actor: 'zhao', action: 'submit', unit: 'jtj', from: 'received', to: 'awaiting_signature' });
    expect(audit.detail).toMatchObject({ version: 1, final: true, superseded: [] });

    // A new version replaces the one waiting for signature.
    await h.command('zhao', '/报送 1 阶段进展：已完成一半');
    expect(h.lastText('zhao')).toContain('已将进展报告（第 2 稿）送李明签署');
    expect(h.lastText('zhao')).toContain('此前第 1 稿作废');
    const reports = (await item('2026-1')).assignments.find((x) => x.unit === 'jtj')!.reports;
    expect(reports.map((r) => [r.version, r.status, r.final])).toEqual([
      [1, 'superseded', true],
      [2, 'pending', false],
    ]);
  });

  it('refuses a contact of another unit, a non-contact, missing text, bad and unknown numbers', async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-30 类别=民生');
    await receive('li');
    await refused('zhou', '/报送 1 我们也做了', ['督字〔2026〕1号没有交办给您所在的单位', '只有承办单位的联络员才能报送'], false);
    await refused('li', '/报送 1 我来报', '只有市交通运输局的联络员才能报送报告', false);
    await refused('zhang', '/report 1 office text', '没有交办给您所在的单位', false);
    await refused('zhao', '/报送 1', '缺少报告内容', 'report');
    await refused('zhao', '/报送 1 办结', '缺少报告内容', 'report');
    await refused('zhao', '/报送', '缺少事项编号和报告内容', 'report');
    await refused('zhao', '/报送 abc 内容', '「abc」不是有效的事项编号', 'report');
    await refused('zhao', '/报送 9 内容', '没有督字〔2026〕9号这个督查事项', false);
  });
});

// ---- /催办 /urge ----

describe('/催办 /urge', () => {
  it('pushes an urgent text to each unfinished unit’s responsible leader, stores the urge and audits it', async () => {
    await issue('/新建 联合整治 单位=jtj、gaj 期限=2026-10-30 类别=重大');
    await receive('li');
    const liBefore = pushedTo('li').length;
    const chenBefore = pushedTo('chen').length;

    await h.command('zhang', '/催办 1');
    expect(h.lastText('zhang')).toBe('已催办：市交通运输局、市公安局（督字〔2026〕1号）');

    const toLi = pushedTo('li').slice(liBefore);
    expect(toLi).toHaveLength(1);
    expect(h.feishu.sent).toContain(toLi[0]);
    expect(toLi[0]!.opts.urgent).toBe(true);
    expect(textOf(toLi[0]!)).toBe(
      '【催办】中共测试市委督查室：督字〔2026〕1号「联合整治」办结时限 2026年10月30日，当前状态「已签收办理中」。请李明同志亲自过问，抓紧办理并按时报送。',
    );
    // chen has not received yet: the urgent text, and the notice again (to 签收).
    const toChen = pushedTo('chen').slice(chenBefore);
    expect(toChen).toHaveLength(2);
    const chenText = toChen.find((s) => s.message.kind === 'text')!;
    expect(h.wecom.sent).toContain(chenText);
    expect(chenText.opts.urgent).toBe(true);
    expect(textOf(chenText)).toContain('当前状态「已下发待签收」');
    const chenCard = toChen.find((s) => s.message.kind === 'card')!;
    expect(chenCard.message.kind === 'card' && chenCard.message.card.title).toBe('督查通知 督字〔2026〕1号');
    // Nobody else is urged.
    expect(pushedTo('wang')).toHaveLength(0);
    // The contact has only what 签收 sent them.
    expect(pushedTo('zhao').map((s) => (s.message.kind === 'card' ? s.message.card.title : s.message.text))).toEqual(['请报送办理情况：督字〔2026〕1号']);

    const it1 = await item('2026-1');
    expect(it1.assignments.map((a) => a.urges)).toEqual([[NOW], [NOW]]);
    expect(it1.assignments.map((a) => a.state)).toEqual(['received', 'issued']);
    const audit = (await h.rt.store.audit(await idOf('2026-1'))).filter((e) => e.action === 'urge');
    expect(audit.map((e) => [e.actor, e.unit, e.from, e.to, JSON.parse(e.detail!)])).toEqual([
      ['zhang', 'jtj', 'received', 'received', { count: 1 }],
      ['zhang', 'gaj', 'issued', 'issued', { count: 1 }],
    ]);
  });

  it('English, one unit, overdue: says so and reaches only that unit', async () => {
    await issue('/new 治安巡逻 unit=jtj,gaj due=2026-10-09');
    h.clock.set('2026-10-20T10:00:00+08:00');
    const wangBefore = pushedTo('wang').length;
    await h.command('qian', '/urge 1 unit=gaj');
    expect(h.lastText('qian')).toBe('已催办：市公安局（督字〔2026〕1号）');
    // ordinary item: the deputy wu is the responsible leader
    const toWu = pushedTo('wu').find((s) => s.message.kind === 'text')!;
    expect(toWu.opts.urgent).toBe(true);
    expect(textOf(toWu)).toContain('已逾期，办结时限 2026年10月9日');
    expect(textOf(toWu)).toContain('请吴强同志亲自过问');
    expect(pushedTo('wang')).toHaveLength(wangBefore);
    expect(pushedTo('chen')).toHaveLength(0);
    const it1 = await item('2026-1');
    expect(it1.assignments.find((a) => a.unit === 'jtj')!.urges).toEqual([]);
    expect(it1.assignments.find((a) => a.unit === 'gaj')!.urges).toEqual([Date.parse('2026-10-20T10:00:00+08:00')]);
    expect(await lastAudit('2026-1')).toMatchObject({ actor: 'qian', platform: 'wecom', action: 'urge', unit: 'gaj' });
  });

  it('refuses non-office people, unknown or unassigned units, unknown items, drafts and bad syntax', async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-30');
    await draft('/新建 草稿 单位=jtj 期限=2026-10-30');
    await refused('li', '/催办 1', '只有督查室工作人员才能催办', false);
    await refused('zhao', '/urge 1', '只有督查室工作人员才能催办', false);
    await refused('zhang', '/催办 1 单位=市教育局', '「市教育局」不是通讯录中的单位，请写单位编号或全称', 'urge');
    await refused('zhang', '/催办 1 单位=gaj', '督字〔2026〕1号没有交办给市公安局', false);
    await refused('zhang', '/催办 99', '没有督字〔2026〕99号这个督查事项', false);
    // A draft is named by its reference; it has no 督字 number yet.
    await refused('zhang', '/催办 2', '没有督字〔2026〕2号这个督查事项', false);
    await refused('zhang', '/催办 草稿2', '草稿2尚未发出，不能催办', false);
    await refused('zhang', '/催办', '/催办 缺少事项编号', 'urge');
    await refused('zhang', '/催办 1 颜色=红', '/催办 没有「颜色」这个参数', 'urge');
  });
});

// ---- /约谈 /summon ----

describe('/约谈 /summon', () => {
  it('summons the head with an urgent card; 确认出席 records it and tells the clerk', async () => {
    await issue('/新建 积水整治 单位=jtj、gaj 期限=2026-10-30 类别=重大');
    await h.command('zhang', '/约谈 1 单位=市交通运输局 时间="2026-10-10 15:00" 地点=市委3号楼302会议室');
    expect(h.lastText('zhang')).toBe('已通知李明（市交通运输局）于 2026年10月10日 15:00 在市委3号楼302会议室当面汇报，待其确认出席。');

    const sent = pushedTo('li').filter((s) => s.message.kind === 'card' && s.message.card.title.startsWith('听取汇报'));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.opts.urgent).toBe(true);
    const card = h.lastCard('li', '确认出席');
    expect(card.title).toBe('听取汇报通知：督字〔2026〕1号');
    expect(fieldsOf(card)).toEqual({ 事项: '积水整治', 单位: '市交通运输局', 时间: '2026年10月10日 15:00', 地点: '市委3号楼302会议室' });
    expect(card.body).toContain('请李明同志按时到场');
    expect(pushedTo('chen').some((s) => s.message.kind === 'card' && s.message.card.title.startsWith('听取汇报'))).toBe(false);

    const at = Date.parse('2026-10-10T15:00:00+08:00');
    expect((await item('2026-1')).assignments[0]!.summons).toEqual([{ id: 1, at, place: '市委3号楼302会议室', by: 'zhang', createdAt: NOW }]);
    const audit = await lastAudit('2026-1');
    expect(audit).toMatchObject({ actor: 'zhang', action: 'summon', unit: 'jtj' });
    expect(audit.detail).toEqual({ summons: 1, at, place: '市委3号楼302会议室' });

    // Only the head may confirm.
    const wrong = await h.press('wang', { card, label: '确认出席' });
    expect(wrong.toast.type).toBe('error');
    expect((await item('2026-1')).assignments[0]!.summons[0]!.confirmedAt).toBeUndefined();

    h.clock.set('2026-09-28T14:00:00+08:00');
    const ok = await h.press('li', { card, label: '确认出席' });
    expect(ok.toast).toEqual({ type: 'success', text: '已确认出席' });
    expect(ok.card?.buttons).toHaveLength(0);
    expect(ok.card?.note).toBe('已由李明于 2026年9月28日 14:00 确认出席');
    const s = (await item('2026-1')).assignments[0]!.summons[0]!;
    expect(s).toMatchObject({ confirmedBy: 'li', confirmedAt: Date.parse('2026-09-28T14:00:00+08:00') });
    expect(h.lastText('zhang')).toBe('市交通运输局李明已确认出席 2026年10月10日 15:00 在市委3号楼302会议室的汇报（督字〔2026〕1号）。');
    expect(await lastAudit('2026-1')).toMatchObject({ actor: 'li', action: 'confirm_summons', unit: 'jtj', detail: { summons: 1 } });

    const again = await h.press('li', { card, label: '确认出席' });
    expect(again.toast.text).toContain('已经确认过出席');
  });

  it('English names; an ordinary item still summons the head, not the deputy', async () => {
    await issue('/new 治安巡逻 unit=gaj due=2026-10-30');
    await h.command('qian', '/summon 1 unit=gaj at=2026-10-12 09:30 place=公安局会议室');
    expect(h.lastText('qian')).toContain('已通知陈刚（市公安局）于 2026年10月12日 09:30 在公安局会议室当面汇报');
    const card = h.lastCard('chen', '确认出席');
    expect(fieldsOf(card)['时间']).toBe('2026年10月12日 09:30');
    expect(h.wecom.sent.some((s) => s.person === 'chen' && s.opts.urgent === true)).toBe(true);
    expect(pushedTo('wu').some((s) => s.message.kind === 'card' && s.message.card.title.startsWith('听取汇报'))).toBe(false);
    expect((await item('2026-1')).assignments[0]!.summons[0]!.at).toBe(Date.parse('2026-10-12T09:30:00+08:00'));
  });

  it('refuses two units, missing keys, bad or past times, unknown units and non-office people', async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-30 类别=重大');
    await issue('/新建 联合整治 单位=jtj、gaj 期限=2026-10-30 类别=重大');
    await refused('zhang', '/约谈 2 单位=jtj、gaj 时间="2026-10-10 15:00" 地点=会议室', '约谈一次只能写一个单位', 'summon');
    await refused('zhang', '/约谈 1 单位=jtj 时间="2026-10-10 15:00"', '/约谈 缺少「地点/place」', 'summon');
    await refused('zhang', '/约谈 1 时间="2026-10-10 15:00" 地点=会议室', '/约谈 缺少「单位/unit」', 'summon');
    await refused('zhang', '/约谈 1 单位=jtj 时间=下周 地点=会议室', '时间「下周」看不懂', 'summon');
    await refused('zhang', '/约谈 1 单位=jtj 时间=2026-10-10 地点=会议室', '时间「2026-10-10」看不懂', 'summon');
    await refused('zhang', '/约谈 1 单位=jtj 时间="2026-09-27 10:00" 地点=会议室', '约谈时间不能早于现在', 'summon');
    await refused('zhang', '/约谈 1 单位=市教育局 时间="2026-10-10 15:00" 地点=会议室', '「市教育局」不是通讯录中的单位，请写单位编号或全称', 'summon');
    await refused('zhang', '/约谈 1 单位=gaj 时间="2026-10-10 15:00" 地点=会议室', '督字〔2026〕1号没有交办给市公安局', false);
    await refused('zhang', '/约谈 9 单位=jtj 时间="2026-10-10 15:00" 地点=会议室', '没有督字〔2026〕9号这个督查事项', false);
    await refused('li', '/约谈 1 单位=jtj 时间="2026-10-10 15:00" 地点=会议室', '只有督查室工作人员才能约谈', false);
    await refused('zhang', '/约谈 1 单位=jtj 时间="2026-10-10 15:00" 地点=会议室 主题=汇报', '/约谈 没有「主题」这个参数', 'summon');
  });
});

// ---- /坐地督查 /onsite ----

describe('/坐地督查 /onsite', () => {
  it('records the visit, tells the head with an urgent text, audits onsite', async () => {
    await issue('/新建 积水整治 单位=jtj、gaj 期限=2026-10-30 类别=重大');
    await h.command('zhang', '/坐地督查 1 单位=市交通运输局 日期=2026-09-28 记录=“现场查看3处积水点，2处未整改”');
    expect(h.lastText('zhang')).toBe('已记录 2026年9月28日 对市交通运输局的坐地督查，并告知其一把手。');
    const toLi = pushedTo('li').filter((s) => s.message.kind === 'text');
    expect(toLi).toHaveLength(1);
    expect(toLi[0]!.opts.urgent).toBe(true);
    expect(textOf(toLi[0]!)).toBe(
      '【坐地督查】中共测试市委督查室于 2026年9月28日 就督字〔2026〕1号「积水整治」到市交通运输局开展坐地督查（张伟）。\n记录：现场查看3处积水点，2处未整改',
    );
    expect(pushedTo('chen').filter((s) => s.message.kind === 'text')).toHaveLength(0);
    const it1 = await item('2026-1');
    expect(it1.assignments[0]!.visits).toEqual([{ id: 1, on: '2026-09-28', by: 'zhang', note: '现场查看3处积水点，2处未整改', createdAt: NOW }]);
    expect(it1.assignments[1]!.visits).toEqual([]);
    expect(it1.assignments[0]!.state).toBe('issued');
    const audit = await lastAudit('2026-1');
    expect(audit).toMatchObject({ actor: 'zhang', action: 'onsite', unit: 'jtj' });
    expect(audit.detail).toEqual({ visit: 1, on: '2026-09-28', note: '现场查看3处积水点，2处未整改' });
  });

  it('English names, no note; an ordinary item still tells the head', async () => {
    await issue('/new 治安巡逻 unit=gaj due=2026-10-30');
    await h.command('qian', '/onsite 1 unit=gaj on=2026-09-28');
    expect(h.lastText('qian')).toBe('已记录 2026年9月28日 对市公安局的坐地督查，并告知其一把手。');
    const toChen = h.wecom.sent.filter((s) => s.kind === 'send' && s.person === 'chen');
    expect(toChen).toHaveLength(1);
    expect(toChen[0]!.opts.urgent).toBe(true);
    expect(textOf(toChen[0]!)).not.toContain('记录：');
    expect((await item('2026-1')).assignments[0]!.visits).toEqual([{ id: 1, on: '2026-09-28', by: 'qian', createdAt: NOW }]);
    expect((await lastAudit('2026-1')).detail).toEqual({ visit: 1, on: '2026-09-28', note: null });
  });

  it('refuses missing or bad dates, two units, unknown units and non-office people', async () => {
    await issue('/新建 联合整治 单位=jtj、gaj 期限=2026-10-30 类别=重大');
    await refused('zhang', '/坐地督查 1 单位=jtj', '/坐地督查 缺少「日期/on」', 'onsite');
    await refused('zhang', '/坐地督查 1 单位=jtj 日期=2026-13-01', '日期「2026-13-01」看不懂', 'onsite');
    await refused('zhang', '/坐地督查 1 单位=jtj、gaj 日期=2026-09-28', '坐地督查一次只能写一个单位', 'onsite');
    await refused('zhang', '/onsite 1 unit=市教育局 on=2026-09-28', '「市教育局」不是通讯录中的单位，请写单位编号或全称', 'onsite');
    await refused('zhang', '/坐地督查 7 单位=jtj 日期=2026-09-28', '没有督字〔2026〕7号这个督查事项', false);
    await refused('zhao', '/坐地督查 1 单位=jtj 日期=2026-09-28', '只有督查室工作人员才能记录坐地督查', false);
    await refused('li', '/onsite 1 unit=jtj on=2026-09-28', '只有督查室工作人员才能记录坐地督查', false);
  });
});

// ---- /延期 /extend ----

describe('/延期 /extend', () => {
  beforeEach(async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-09 类别=民生');
    await receive('li');
  });

  it('head asks → the item’s owner gets 同意/不同意 → 同意 moves the deadline and audits change_deadline', async () => {
    await h.command('li', '/延期 1 至=2026-10-30 理由=“汛期施工受限，需顺延”');
    expect(h.lastText('li')).toBe('已提交延期申请（督字〔2026〕1号，申请延至 2026年10月30日），等待督查室审批。');

    const card = h.lastCard('zhang', '同意');
    expect(card.title).toBe('延期申请：督字〔2026〕1号');
    // The office sees the original deadline and how often it was moved already; a leader's own request has no 单位意见.
    expect(fieldsOf(card)).toEqual({ 单位: '市交通运输局', 申请人: '李明（2026年9月28日 09:00）', 原定期限: '2026年10月9日', 已延期: '0 次', 申请延至: '2026年10月30日' });
    expect(card.body).toContain('汛期施工受限，需顺延');
    expect(card.buttons.map((b) => b.text)).toEqual(['同意', '不同意']);
    // The item's owner (督查员) gets it, not every clerk.
    expect(h.received('qian').some((s) => s.message.kind === 'card')).toBe(false);

    let a = (await item('2026-1')).assignments[0]!;
    expect(a.extensions).toEqual([
      { id: 1, to: '2026-10-30', reason: '汛期施工受限，需顺延', by: 'li', at: NOW, status: 'pending', oldDue: '2026-10-09' },
    ]);
    expect(a.due).toBe('2026-10-09');
    const req = await lastAudit('2026-1');
    expect(req).toMatchObject({ actor: 'li', action: 'request_extension', unit: 'jtj' });
    expect(req.detail).toEqual({ extension: 1, from: '2026-10-09', to: '2026-10-30', reason: '汛期施工受限，需顺延' });

    // A clerk is not the head: the head cannot decide their own request.
    const wrong = await h.press('li', { card, label: '同意' });
    expect(wrong.toast.type).toBe('error');

    h.clock.set('2026-09-29T09:00:00+08:00');
    const ok = await h.press('zhang', { card, label: '同意' });
    expect(ok.toast).toEqual({ type: 'success', text: '已同意延期' });
    expect(ok.card?.buttons).toHaveLength(0);
    expect(ok.card?.note).toBe('已由张伟于 2026年9月29日 09:00 同意');
    a = (await item('2026-1')).assignments[0]!;
    expect(a.due).toBe('2026-10-30');
    expect(a.dueAt).toBe(endOf('2026-10-30'));
    expect(a.extensions[0]).toMatchObject({ status: 'approved', decidedBy: 'zhang', decidedAt: Date.parse('2026-09-29T09:00:00+08:00'), oldDue: '2026-10-09' });
    const audit = await h.rt.store.audit(await idOf('2026-1'));
    expect(audit.slice(-2).map((e) => [e.action, e.actor, e.unit, JSON.parse(e.detail!)])).toEqual([
      ['approve_extension', 'zhang', 'jtj', { extension: 1, to: '2026-10-30' }],
      ['change_deadline', 'zhang', 'jtj', { extension: 1, from: '2026-10-09', to: '2026-10-30' }],
    ]);
    expect(h.lastText('li')).toBe('督字〔2026〕1号「积水整治」延期申请已同意：办结时限由 2026年10月9日 延至 2026年10月30日。');
    // A press on the card again later changes nothing.
    const late = await h.press('zhang', { card, label: '不同意', reason: '已过时' });
    expect(late.toast.text).toContain('已同意');
    expect((await item('2026-1')).assignments[0]!.due).toBe('2026-10-30');

    // The ledger follows the new deadline: not overdue on Oct 20 any more.
    h.clock.set('2026-10-20T10:00:00+08:00');
    await h.command('zhang', '/台账 逾期');
    expect(h.lastText('zhang')).toBe('台账中没有符合条件的督查事项。');
  });

  it('a contact asks in English; the leader agrees; 不同意 keeps the deadline and tells both the asker and the leader', async () => {
    // Handed to 钱芳 (on WeCom) first: the request reaches her, the item's owner now.
    await h.command('zhang', '/转交 1 督查员=钱芳');
    await h.command('zhao', '/extend 1 to=2026-11-15 reason="need more time"');
    expect(h.lastText('zhao')).toBe('已提交延期申请（督字〔2026〕1号，申请延至 2026年11月15日），等待李明同意后报督查室审批。');
    // The office sees nothing until the leader stands behind it.
    expect(() => h.lastCard('qian', '不同意')).toThrow();
    await h.press('li', { card: h.lastCard('li', '同意申请'), label: '同意申请' });
    const card = h.lastCard('qian', '不同意');
    expect(fieldsOf(card)['单位意见']).toBe('李明已同意（2026年9月28日 09:00）');
    expect(fieldsOf(card)['申请人']).toContain('赵磊');
    const before = (await item('2026-1')).assignments[0]!;

    // A "no" says why: without a reason it is refused, and nothing changes.
    const bare = await h.press('qian', { card, label: '不同意', reason: ' ' });
    expect(bare.toast).toEqual({ type: 'warning', text: '不同意延期须写明理由：请填写不同意的理由' });
    expect((await item('2026-1')).assignments[0]!.extensions[0]!.status).toBe('pending');

    const no = await h.press('qian', { card, label: '不同意', reason: '理由不充分，须按原期限办结' });
    expect(no.toast).toEqual({ type: 'success', text: '已不同意延期' });
    const a = (await item('2026-1')).assignments[0]!;
    expect(a.due).toBe('2026-10-09');
    expect(a.dueAt).toBe(before.dueAt);
    expect(a.extensions[0]).toMatchObject({ status: 'refused', decidedBy: 'qian', refuseReason: '理由不充分，须按原期限办结' });
    expect(await actions('2026-1')).not.toContain('change_deadline');
    expect(await lastAudit('2026-1')).toMatchObject({ actor: 'qian', action: 'refuse_extension', unit: 'jtj' });
    expect((await lastAudit('2026-1')).detail).toEqual({ extension: 1, to: '2026-11-15', reason: '理由不充分，须按原期限办结' });
    const msg = '督字〔2026〕1号「积水整治」延期申请未获同意，仍须在 2026年10月9日 前办结。\n理由：理由不充分，须按原期限办结';
    expect(h.lastText('zhao')).toBe(msg);
    expect(h.lastText('li')).toBe(msg);

    // Once decided, a new request may be made.
    await h.command('li', '/延期 1 至=2026-10-20 理由=再申请');
    expect((await item('2026-1')).assignments[0]!.extensions.map((e) => [e.id, e.status])).toEqual([
      [1, 'refused'],
      [2, 'pending'],
    ]);
  });

  it('refuses a date not after the deadline, a second pending request, bad dates, missing keys and outsiders', async () => {
    await issue('/新建 治安巡逻 单位=gaj 期限=2026-10-30');
    await refused('li', '/延期 1 至=2026-10-09 理由=顺延', '申请的日期须晚于现在的办结时限 2026年10月9日', 'extend');
    await refused('li', '/延期 1 至=2026-10-01 理由=顺延', '申请的日期须晚于现在的办结时限', 'extend');
    await refused('li', '/延期 1 至=下个月 理由=顺延', '日期「下个月」看不懂', 'extend');
    await refused('li', '/延期 1 至=2026-02-30 理由=顺延', '日期「2026-02-30」看不懂', 'extend');
    await refused('li', '/延期 1 至=2026-10-30', '/延期 缺少「理由/reason」', 'extend');
    await refused('li', '/extend 1 reason=late', '/延期 缺少「至/to」', 'extend');
    await refused('li', '/延期 至=2026-10-30 理由=顺延', '/延期 缺少事项编号', 'extend');
    await refused('li', '/延期 1 至=2026-10-30 理由=顺延 单位=jtj', '/延期 没有「单位」这个参数', 'extend');
    await refused('zhou', '/延期 1 至=2026-10-30 理由=顺延', '督字〔2026〕1号没有交办给您所在的单位', false);
    await refused('zhang', '/延期 1 至=2026-10-30 理由=顺延', '没有交办给您所在的单位', false);
    // A deputy who is not the responsible leader of a key item may not ask.
    await refused('wang', '/延期 1 至=2026-10-30 理由=顺延', '才能申请延期', false);
    await refused('li', '/延期 9 至=2026-10-30 理由=顺延', '没有督字〔2026〕9号这个督查事项', false);

    await h.command('li', '/延期 1 至=2026-10-30 理由=顺延');
    await refused('zhao', '/延期 1 至=2026-11-30 理由=再顺延', '已有一份延期申请（延至 2026年10月30日）已报督查室，等待审批', false);
    expect((await item('2026-1')).assignments[0]!.extensions).toHaveLength(1);
  });
});

// ---- /帮助 /help ----

describe('/帮助 /help', () => {
  it('answers anyone with all commands, or one command’s usage, and changes nothing', async () => {
    await h.command('wang', '/帮助');
    expect(h.lastText('wang')).toBe(helpText());
    expect(helpText()).toContain('/新建');
    expect(helpText()).toContain('/延期');

    await h.command('zhao', '/help report');
    expect(h.lastText('zhao')).toBe(usageOf('report'));
    expect(usageOf('report')).toContain('用法：/报送 <事项编号> [办结] <报告内容>');
    await h.command('zhang', '/帮助 /延期');
    expect(h.lastText('zhang')).toBe(usageOf('extend'));
    await h.command('qian', '/帮助 坐地督查');
    expect(h.lastText('qian')).toBe(usageOf('onsite'));
    // "/报送 ?" asks for the usage of 报送.
    await h.command('zhao', '/报送 ?');
    expect(h.lastText('zhao')).toBe(usageOf('report'));
    // A message that is not a command gets a pointer to /帮助.
    await h.command('li', '你好');
    expect(h.lastText('li')).toContain('发送 /帮助');

    expect(await h.rt.store.itemIds()).toEqual([]);
    expect(await h.rt.store.audit()).toEqual([]);
    expect(allSent().every((s) => s.kind === 'reply')).toBe(true);
  });

  it('an unknown command name is named, with the usage of /帮助', async () => {
    await refused('zhang', '/帮助 乱说', '没有「乱说」这个命令', 'help');
  });
});

// ---- who is asking ----

describe('senders', () => {
  it('an unknown sender gets the polite not-in-directory reply and nothing else happens', async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-30 类别=民生');
    const before = await world();
    for (const [platform, id, text] of [
      ['feishu', 'ou_stranger', '/新建 测试 单位=jtj 期限=5d'],
      ['wecom', 'Stranger', '/催办 1'],
      ['feishu', 'ou_stranger', '/台账'],
    ] as const) {
      const event: CommandEvent = {
        kind: 'command',
        id: `ev-stranger-${platform}-${text}`,
        sender: { platform, ids: [id] },
        text,
        replyTo: { platform, chatId: `p2p-stranger-${platform}`, direct: true },
      };
      await runCommand(h.rt, event);
      await h.settle();
    }
    const after = await world();
    expect(after.ids).toEqual(before.ids);
    expect(after.docs).toEqual(before.docs);
    expect(after.audit).toBe(before.audit);
    expect(after.updates).toBe(before.updates);
    const fresh = [...h.feishu.sent.slice(before.feishu), ...h.wecom.sent.slice(before.wecom)];
    expect(fresh).toHaveLength(3);
    for (const s of fresh) {
      expect(s.kind).toBe('reply');
      expect(s.to?.chatId).toMatch(/^p2p-stranger-/);
      expect(textOf(s)).toBe(NOT_IN_DIRECTORY);
    }
    expect(NOT_IN_DIRECTORY).toContain('不在督查系统的通讯录中');
    expect(pushedTo('li').filter((s) => s.message.kind === 'text')).toHaveLength(0);
  });

  it('a person is recognised by any of their ids; the reply goes back to the chat the command came from', async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-30 类别=民生');
    // li prefers Feishu but also has a WeCom id: a command from WeCom is li's, answered in that WeCom chat.
    await runCommand(h.rt, {
      kind: 'command',
      id: 'ev-li-wecom',
      sender: { platform: 'wecom', ids: ['LiMing'] },
      text: '/台账',
      replyTo: { platform: 'wecom', chatId: 'group-42', direct: false },
    });
    await h.settle();
    const reply = h.wecom.sent.find((s) => s.kind === 'reply' && s.to?.chatId === 'group-42')!;
    expect(textOf(reply)).toContain('督字〔2026〕1号【重点】 积水整治');

    // …and by the Feishu user_id as well as the open_id.
    await runCommand(h.rt, {
      kind: 'command',
      id: 'ev-li-userid',
      sender: { platform: 'feishu', ids: ['liming'] },
      text: '/查看 1',
      replyTo: { platform: 'feishu', chatId: 'p2p-li-2', direct: true },
    });
    await h.settle();
    expect(textOf(h.feishu.sent.find((s) => s.to?.chatId === 'p2p-li-2')!)).toContain('事项：积水整治');
  });
});

// ---- /取消 /修改 /撤回 ----

describe('/取消 /cancel', () => {
  it('drops a draft by its reference, as the preview\'s button does', async () => {
    await draft('/新建 打错的事项 单位=jtj 期限=5d');
    await h.command('zhang', '/取消 草稿1');
    expect(h.lastText('zhang')).toBe('已取消草稿1「打错的事项」。');
    expect((await item('草稿1')).status).toBe('cancelled');
    expect(await lastAudit('草稿1')).toMatchObject({ actor: 'zhang', action: 'cancel', from: 'draft', to: 'cancelled' });
    // The preview the clerk has is redrawn, its buttons gone.
    const redrawn = h.feishu.updates.filter((u) => u.viewer === 'zhang').at(-1)!.card;
    expect(redrawn.buttons).toEqual([]);
    expect(redrawn.title).toBe('督查单草稿（已取消）');
    await h.command('qian', '/cancel draft2');
    expect(h.lastText('qian')).toBe('没有草稿2这个督查事项');
  });

  it('refuses an issued item (saying how to withdraw it), a cancelled draft, an unknown one, a bad reference and non-office people', async () => {
    const no = await issue('/新建 已发出的事项 单位=jtj 期限=5d');
    await draft('/新建 草稿 单位=jtj 期限=5d');
    await draft('/新建 另一草稿 单位=jtj 期限=5d');
    await h.command('zhang', '/取消 草稿3');
    await refused('li', '/取消 草稿2', '只有督查室工作人员才能取消草稿', false);
    await refused('zhang', `/取消 ${no}`, '督字〔2026〕1号已经发出，不能取消。如需撤回，请用 /撤回 2026-1 理由=…', false);
    await refused('zhang', '/取消 1', '督字〔2026〕1号已经发出，不能取消。如需撤回，请用 /撤回 1 理由=…', false);
    await refused('zhang', '/取消 草稿1', '督字〔2026〕1号已经发出，不能取消', false);
    await refused('zhang', '/取消 草稿3', '草稿3已取消', false);
    await refused('zhang', '/取消 草稿9', '没有草稿9这个督查事项', false);
    await refused('zhang', '/取消 abc', ['「abc」不是有效的事项编号', '草稿7'], 'cancel');
    await refused('zhang', '/取消', '/取消 缺少草稿编号', 'cancel');
  });
});

describe('/修改 /amend', () => {
  it('corrects the title and requirements with a reason: audited from → to, each unit not done gets the notice again, marked （更正）', async () => {
    await issue('/新建 积水整治 单位=jtj、gaj 期限=2026-10-30 类别=重大 要求=排查');
    await receive('li');
    await h.command('zhao', '/报送 1 办结 已全部整改');
    await h.press('li', { card: h.lastCard('li', '签署'), label: '签署' });
    await h.press('zhang', { card: h.lastCard('zhang', '受理'), label: '受理' });
    const before = { li: pushedTo('li').length, chen: pushedTo('chen').length };
    await h.command('zhang', '/修改 1 标题=城区积水点整治 要求="汛期前完成全部点位整改" 理由="标题和要求写得不全"');
    expect(h.lastText('zhang')).toBe(
      '已更正督字〔2026〕1号「城区积水点整治」：标题由「积水整治」改为「城区积水点整治」；督查要求改为「汛期前完成全部点位整改」；理由：标题和要求写得不全。已向 1 位负责领导重发督查单（更正）。',
    );
    const it1 = await item('2026-1');
    expect(it1).toMatchObject({ title: '城区积水点整治', req: '汛期前完成全部点位整改', due: '2026-10-30' });
    expect(it1.amendments).toEqual([
      {
        n: 1,
        at: NOW,
        by: 'zhang',
        reason: '标题和要求写得不全',
        title: { from: '积水整治', to: '城区积水点整治' },
        req: { from: '排查', to: '汛期前完成全部点位整改' },
      },
    ]);
    expect(await lastAudit('2026-1')).toMatchObject({
      actor: 'zhang',
      action: 'amend',
      detail: { n: 1, reason: '标题和要求写得不全', title: { from: '积水整治', to: '城区积水点整治' }, req: { from: '排查', to: '汛期前完成全部点位整改' } },
    });
    // 市交通运输局 is done: nothing new to it; 市公安局's head gets the notice again.
    expect(pushedTo('li')).toHaveLength(before.li);
    expect(pushedTo('chen')).toHaveLength(before.chen + 1);
    const fresh = h.lastCard('chen', '签收');
    expect(fresh.title).toBe('督查通知（更正） 督字〔2026〕1号');
    expect(fresh.fields.find((f) => f.label === '事项')?.value).toBe('城区积水点整治');
    expect(fresh.body).toBe(
      '**督查要求**\n汛期前完成全部点位整改\n\n【更正】\n2026年9月28日 09:00：标题由「积水整治」改为「城区积水点整治」；督查要求改为「汛期前完成全部点位整改」；理由：标题和要求写得不全',
    );
    // Every copy of the notice is redrawn, the done unit's too (its title changed).
    expect(h.feishu.updates.some((u) => u.viewer === 'li' && u.card.title === '督查通知（更正） 督字〔2026〕1号')).toBe(true);
    await h.command('zhang', '/查看 1');
    expect(h.lastText('zhang')).toContain('更正：标题由「积水整治」改为「城区积水点整治」');
    expect(h.lastText('zhang')).toContain('更正督查事项');
    // /核验 follows the correction: the record is intact, the title and deadline as last corrected.
    await h.command('zhang', '/核验 1');
    expect(h.lastText('zhang')).toContain('结论：记录完整');
  });

  it('an extension asked before a correction that already gave a later date is not approved: the deadline never comes forward', async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-09 类别=重大 督查员=钱芳');
    await receive('li');
    await h.command('li', '/延期 1 至=2026-10-20 理由=施工受限');
    await h.command('zhang', '/修改 1 期限=2026-10-30 理由=市政府会议决定顺延');
    const answer = await h.press('qian', { card: h.lastCard('qian', '同意'), label: '同意' });
    expect(answer.toast).toEqual({ type: 'info', text: '办结时限已是 2026年10月30日，不早于申请延至的 2026年10月20日，无需同意延期' });
    expect((await item('2026-1')).assignments[0]).toMatchObject({ due: '2026-10-30', extensions: [expect.objectContaining({ status: 'pending' })] });
    // 不同意 still closes the request.
    expect((await h.press('qian', { card: h.lastCard('qian', '不同意'), label: '不同意', reason: '已更正期限' })).toast.type).toBe('success');
  });

  it('refuses without a reason or a change, a past date, a draft, a completed or withdrawn item, and non-office people', async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-30 类别=重大');
    await draft('/新建 草稿 单位=jtj 期限=2026-10-30');
    await refused('li', '/修改 1 期限=2026-11-30 理由=顺延', '只有督查室工作人员才能修改督查事项', false);
    await refused('zhang', '/修改 1 期限=2026-11-30', '/修改 缺少「理由/reason」', 'amend');
    await refused('zhang', '/修改 1 理由=顺延', '请写明要更正的内容：期限=、要求= 或 标题=', 'amend');
    await refused('zhang', '/修改 1 期限=2026-09-01 理由=顺延', '期限不能早于今天', 'amend');
    await refused('zhang', '/修改 1 期限=2026-10-30 标题=积水整治 理由=顺延', '督字〔2026〕1号的内容与所写相同，无需更正', false);
    await refused('zhang', '/修改 草稿2 期限=2026-11-30 理由=顺延', '草稿2尚未发出，不能修改。草稿可 /取消 草稿2 后重新新建', false);
    await refused('zhang', '/修改 9 期限=2026-11-30 理由=顺延', '没有督字〔2026〕9号这个督查事项', false);
    await h.command('zhang', '/撤回 1 理由=重复');
    await refused('zhang', '/修改 1 期限=2026-11-30 理由=顺延', '督字〔2026〕1号已撤回，不能修改', false);
  });
});

describe('/撤回 /withdraw', () => {
  it('refuses without a reason, a draft (pointing to /取消), a completed item and non-office people', async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-30 类别=重大');
    await receive('li');
    await h.command('zhao', '/报送 1 办结 已全部整改');
    await h.press('li', { card: h.lastCard('li', '签署'), label: '签署' });
    await h.press('zhang', { card: h.lastCard('zhang', '受理'), label: '受理' });
    await draft('/新建 草稿 单位=jtj 期限=2026-10-30');
    await refused('zhao', '/撤回 1 理由=重复', '只有督查室工作人员才能撤回督查事项', false);
    await refused('zhang', '/撤回 1', '/撤回 缺少「理由/reason」', 'withdraw');
    await refused('zhang', '/撤回 1 理由=重复', '督字〔2026〕1号已办结，不能撤回', false);
    await refused('zhang', '/撤回 草稿2 理由=重复', '草稿2尚未发出，不能撤回。草稿不必撤回，可用 /取消 草稿2', false);
  });

  it('shows the item 已撤回 in /查看, and the ledger keeps its line', async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-30 类别=重大');
    await h.command('zhang', '/撤回 1 理由=与其他事项重复');
    await h.command('li', '/查看 1');
    expect(h.lastText('li')).toContain('状态：已撤回（2026年9月28日，理由：与其他事项重复）');
    expect(h.lastText('li')).toContain('撤回督查事项');
    await h.command('li', '/台账');
    expect(h.lastText('li')).toBe('督查台账（共 1 项）\n督字〔2026〕1号【重点】 积水整治｜已撤回（2026年9月28日，理由：与其他事项重复）');
    await h.command('zhang', '/台账 状态=待签收');
    expect(h.lastText('zhang')).toBe('台账中没有符合条件的督查事项。');
    await h.command('zhang', '/核验 1');
    expect(h.lastText('zhang')).toContain('结论：记录完整');
  });
});

describe('fixed bugs', () => {
  // handlers/urge.ts does not de-duplicate `unit=` (handlers/new.ts does): the same unit named twice,
  // by id and by name, is urged twice: two urgent texts, two urges stored, two audit entries, and the
  // reply lists the unit twice ("已催办：市交通运输局、市交通运输局").
  it('/催办 with the same unit named twice urges it once', async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-09 类别=民生');
    await receive('li');
    await h.command('zhang', '/催办 1 单位=jtj、市交通运输局');
    expect(pushedTo('li').filter((s) => s.message.kind === 'text' && s.opts.urgent)).toHaveLength(1);
    expect((await item('2026-1')).assignments[0]!.urges).toHaveLength(1);
    expect((await actions('2026-1')).filter((a) => a === 'urge')).toHaveLength(1);
  });

  // handlers/extend.ts only checks `to > a.due`; once the deadline has passed, a date that is later
  // than the old deadline but already in the past is accepted, and 同意 then sets a deadline that is
  // already over (the item stays 逾期). /新建 refuses a past 期限 ("期限不能早于今天"); /延期 should too.
  it('/延期 to a date already in the past is refused and changes nothing', async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-09 类别=民生');
    await receive('li');
    h.clock.set('2026-10-20T10:00:00+08:00');
    const before = await world();
    await h.command('li', '/延期 1 至=2026-10-15 理由=顺延');
    expect((await item('2026-1')).assignments[0]!.extensions).toEqual([]);
    expect((await world()).audit).toBe(before.audit);
    expect(pushedTo('zhang').filter((s) => s.message.kind === 'card')).toHaveLength(0);
  });

  it('/坐地督查 refuses a date to come or before the item was issued', async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-09 类别=民生');
    await refused('zhang', '/坐地督查 1 单位=jtj 日期=2027-03-01', '晚于今天', 'onsite');
    await refused('zhang', '/坐地督查 1 单位=jtj 日期=2020-03-01', '早于督查单发出的日期', 'onsite');
  });

  it('同意 an extension whose date has gone by meanwhile is refused', async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-09 类别=民生');
    await h.command('li', '/延期 1 至=2026-10-15 理由=顺延');
    h.clock.set('2026-10-20T10:00:00+08:00');
    const answer = await h.press('zhang', { card: h.lastCard('zhang', '同意'), label: '同意' });
    expect(answer.toast.text).toContain('已经过去');
    expect((await item('2026-1')).assignments[0]!.due).toBe('2026-10-09');
  });

  it('units never see a cancelled draft', async () => {
    await draft('/新建 作废测试 单位=jtj 期限=5d');
    await h.press('zhang', { card: h.lastCard('zhang', '取消'), label: '取消' });
    await h.command('zhao', '/台账 状态=已取消');
    expect(h.lastText('zhao')).toContain('没有符合条件');
    await refused('zhao', '/查看 1', '没有督字〔2026〕1号这个督查事项', false);
    await refused('zhao', '/查看 草稿1', '没有草稿1这个督查事项', false);
  });
});

describe('/约谈结果 /outcome', () => {
  it('records what the head reported, tells the head, and refuses without a summons', async () => {
    await issue('/新建 积水整治 单位=jtj 期限=2026-10-30 类别=民生');
    await refused('zhang', '/约谈结果 1 单位=jtj 结果=已汇报', '还没有约谈', false);
    await h.command('zhang', '/约谈 1 单位=jtj 时间="2026-10-09 15:00" 地点=302会议室');
    await refused('zhao', '/约谈结果 1 单位=jtj 结果=已汇报', '只有督查室工作人员才能记录约谈结果', false);
    await refused('zhang', '/约谈结果 1 单位=jtj', '结果', 'outcome');
    await h.command('zhang', '/约谈结果 1 单位=jtj 结果="已听取汇报，要求10月底前完成剩余2处整改"');
    expect(h.lastText('zhang')).toContain('已记录市交通运输局');
    expect(h.lastText('li')).toContain('【约谈记录】');
    expect(h.lastText('li')).toContain('要求10月底前完成剩余2处整改');
    const s = (await item('2026-1')).assignments[0]!.summons[0]!;
    expect(s).toMatchObject({ outcome: '已听取汇报，要求10月底前完成剩余2处整改', outcomeBy: 'zhang' });
    expect((await actions('2026-1')).at(-1)).toBe('record_summons');
    await h.command('zhang', '/outcome 1 unit=jtj result=补充：已全部整改');
    expect(h.lastText('zhang')).toContain('已更新');
    expect((await item('2026-1')).assignments[0]!.summons[0]!.outcome).toBe('补充：已全部整改');
  });
});
