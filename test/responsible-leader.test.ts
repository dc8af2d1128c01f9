// One rule for who answers for an item in a unit, at /新建 and when the directory changes: a key item's head; an
// ordinary item's named deputy while they are one, else the unit's first deputy; never the head for an ordinary item
// (docs/domain.md, rule 6). With no deputy left, /新建 refuses and an open assignment keeps its leader, the office told once.
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Directory } from '../src/directory/directory.ts';
import { loadDirectoryFile, parseDirectory } from '../src/directory/load-directory.ts';
import { responsibleLeader } from '../src/domain/responsible-leader.ts';
import { followDirectory } from '../src/schedule/follow-directory.ts';
import { tick } from '../src/schedule/ticker.ts';
import { createHarness, FIXTURE_DIRECTORY, type Harness } from './helpers/harness.ts';

/** The fixture directory with jtj's deputies replaced. */
function withDeputies(list: string): Directory {
  const text = readFileSync(FIXTURE_DIRECTORY, 'utf8').replace('deputies: [wang, sun]', `deputies: [${list}]`);
  return new Directory(parseDirectory(text, FIXTURE_DIRECTORY));
}

describe('responsibleLeader()', () => {
  let dir: Directory;
  beforeAll(async () => {
    dir = await loadDirectoryFile(FIXTURE_DIRECTORY);
    expect(dir.unit('jtj')).toMatchObject({ head: 'li', deputies: ['wang', 'sun'] });
  });

  it('a key item: the head, whoever is named or on record', () => {
    for (const named of [undefined, 'wang', 'sun', 'zhao', 'li']) expect(responsibleLeader('major', 'jtj', named, dir)).toBe('li');
  });

  it('an ordinary item: the deputy named while they are one, else the first deputy', () => {
    expect(responsibleLeader(undefined, 'jtj', undefined, dir)).toBe('wang');
    expect(responsibleLeader(undefined, 'jtj', 'wang', dir)).toBe('wang');
    expect(responsibleLeader(undefined, 'jtj', 'sun', dir)).toBe('sun');
    // Someone who is not (or no longer) a deputy of the unit: the unit's first deputy.
    expect(responsibleLeader(undefined, 'jtj', 'wu', dir)).toBe('wang');
    expect(responsibleLeader(undefined, 'jtj', 'zhao', dir)).toBe('wang');
    expect(responsibleLeader(undefined, 'jtj', 'gone', dir)).toBe('wang');
    expect(responsibleLeader(undefined, 'jtj', 'sun', withDeputies('sun'))).toBe('sun');
    expect(responsibleLeader(undefined, 'jtj', 'wang', withDeputies('sun'))).toBe('sun');
  });

  it('the head never stands in for the team: an ordinary item of a unit without deputies has nobody, even the head on record', () => {
    const none = withDeputies('');
    expect(none.unit('jtj')!.deputies).toEqual([]);
    expect(responsibleLeader(undefined, 'jtj', undefined, none)).toBeUndefined();
    expect(responsibleLeader(undefined, 'jtj', 'wang', none)).toBeUndefined();
    expect(responsibleLeader(undefined, 'jtj', 'li', none)).toBeUndefined();
    // A head on record for an ordinary item (as an earlier version could leave it) gives way to a deputy.
    expect(responsibleLeader(undefined, 'jtj', 'li', dir)).toBe('wang');
    expect(responsibleLeader('major', 'jtj', 'li', none)).toBe('li');
  });

  it('a unit gone from the directory has nobody', () => {
    expect(responsibleLeader('major', 'zzz', undefined, dir)).toBeUndefined();
    expect(responsibleLeader(undefined, 'zzz', 'wang', dir)).toBeUndefined();
  });
});

describe('the same rule at /新建 and when the directory changes', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const texts = (person: string) => h!.received(person).flatMap((s) => (s.message.kind === 'text' ? [s.message.text] : []));
  const leaderOf = async (id: string) => (await h!.rt.store.getAssignment(id, 'jtj'))?.doc.responsible;

  async function issueOrdinary(): Promise<void> {
    await h!.command('zhang', '/新建 一般事项 单位=jtj 期限=2026-10-09');
    expect((await h!.press('zhang', { card: h!.lastCard('zhang', '发出'), label: '发出' })).toast.type).toBe('success');
  }

  it('/新建 refuses an ordinary item to a unit without deputies, with what to do, and creates nothing', async () => {
    h = await createHarness();
    const none = withDeputies('');
    h.rt.directory = () => none;
    await h.command('zhang', '/新建 一般事项 单位=jtj 期限=2026-10-09');
    expect(h.lastText('zhang')).toContain('市交通运输局在通讯录中没有班子成员，一般事项无人可送；请联系管理员补充，或改为重点事项');
    expect(await h.rt.store.itemIds()).toEqual([]);
    // A key item goes to the head as ever.
    await h.command('zhang', '/新建 重点事项 单位=jtj 期限=2026-10-09 类别=重大');
    expect((await h.rt.store.getAssignment('d1', 'jtj'))?.doc.responsible).toBe('li');
  });

  it('an ordinary item whose deputy left goes to the unit\'s first deputy, as /新建 would send it', async () => {
    h = await createHarness({ now: '2026-09-28T08:00:00+08:00' });
    await issueOrdinary();
    expect(await leaderOf('d1')).toBe('wang');
    const changed = withDeputies('sun');
    h.rt.directory = () => changed;
    expect(await followDirectory(h.rt)).toEqual({ checked: 1, moved: 1 });
    expect(await leaderOf('d1')).toBe('sun');
    await h.command('zhang', '/新建 一般事项二 单位=jtj 期限=2026-10-09');
    expect((await h.rt.store.getAssignment('d2', 'jtj'))?.doc.responsible).toBe('sun');
  });

  it('with no deputy left, the leader on record stays (not the head), the office is told once, and a deputy added later takes it', async () => {
    h = await createHarness({ now: '2026-09-28T08:00:00+08:00' });
    await tick(h.rt);
    await issueOrdinary();
    const none = withDeputies('');
    h.rt.directory = () => none;
    expect(await followDirectory(h.rt)).toEqual({ checked: 1, moved: 0 });
    await h.settle();
    expect(await leaderOf('d1')).toBe('wang');
    const told = () => texts('zhang').filter((t) => t.startsWith('【人员变动】'));
    expect(told()).toEqual([
      '【人员变动】督字〔2026〕1号「一般事项」市交通运输局的负责领导王建国已不是该单位的班子成员，通讯录中也没有可以接替的班子成员，' +
        '此事项仍由王建国负责，通知和提醒可能无法送达。请联系系统管理员补充通讯录，补充后自动改由新的班子成员负责。',
    ]);
    // The item's owner is told, not every clerk.
    expect(texts('qian').filter((t) => t.startsWith('【人员变动】'))).toHaveLength(0);
    // Looking again (a restart, the next reminder) says nothing more and moves nothing.
    expect(await followDirectory(h.rt)).toEqual({ checked: 1, moved: 0 });
    h.clock.set('2026-09-29T09:00:00+08:00');
    await tick(h.rt);
    await h.settle();
    // The receipt chase looked at the leader (and went to the one on record), and said nothing more to the office.
    const titles = (person: string) => h!.received(person).flatMap((s) => (s.message.kind === 'card' ? [s.message.card.title] : []));
    expect(titles('wang')).toEqual(expect.arrayContaining([expect.stringMatching(/^【到期提醒】/), expect.stringMatching(/^【签收提醒】/)]));
    expect(titles('li')).toEqual([]);
    expect(told()).toHaveLength(1);
    expect(await leaderOf('d1')).toBe('wang');
    const audit = await h.rt.store.audit('d1');
    expect(audit.filter((e) => e.action === 'reassign')).toEqual([]);
    // The directory is completed: the new deputy takes it over.
    const completed = withDeputies('sun');
    h.rt.directory = () => completed;
    expect(await followDirectory(h.rt)).toEqual({ checked: 1, moved: 1 });
    expect(await leaderOf('d1')).toBe('sun');
  });
});
