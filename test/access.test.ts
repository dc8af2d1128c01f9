// Who may use which command, in three layers that must agree:
// 1. the access table (src/domain/access.ts) against an expectation written by hand from docs/domain.md;
// 2. /帮助 against the table: every command's 使用者 line, its help group and the group's title, and the option
//    lists (状态=, 类别=) the help and the refusals name;
// 3. the handlers against the table, through the service (real Redis): every command typed by every kind of person,
//    on a key and an ordinary item, is refused for who they are exactly when the table says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_HANDLERS } from '../handlers/index.ts';
import { COMMAND_NAMES, COMMANDS, helpText, usageOf, type CommandName } from '../src/chat/commands.ts';
import type { Message } from '../src/chat/message.ts';
import { parseCommand } from '../src/chat/parse-command.ts';
import { parseStatusFilter, STATUS_CHOICES, type StatusFilter } from '../src/chat/texts.ts';
import type { CommandContext } from '../src/dispatch/handler.ts';
import { ACCESS, whoLine, type Access } from '../src/domain/access.ts';
import { CATEGORIES, CATEGORY_CHOICES, parseCategory } from '../src/domain/categories.ts';
import { isRefusal, type RefusalCode } from '../src/domain/refusal.ts';
import type { Party } from '../src/domain/rules.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

// ---------------------------------------------------------------------------------------------
// 1. The table, by hand, from docs/domain.md ("Who may use which command").
// ---------------------------------------------------------------------------------------------

const EXPECT: Record<CommandName, Party[] | 'everyone'> = {
  new: ['office'],
  cancel: ['office'],
  amend: ['office'],
  withdraw: ['office'],
  handover: ['office'],
  // A 批办领导 reaches the items they instructed.
  list: ['office', 'head', 'deputy', 'contact', 'leader'],
  show: ['office', 'head', 'deputy', 'contact', 'responsible', 'leader'],
  // The attachments are part of the item: whoever may see it.
  attachment: ['office', 'head', 'deputy', 'contact', 'responsible', 'leader'],
  report: ['contact'],
  urge: ['office'],
  summon: ['office'],
  outcome: ['office'],
  onsite: ['office'],
  extend: ['head', 'responsible', 'contact'],
  return: ['office', 'responsible'],
  verify: ['office'],
  // The archive record: the office's; a unit's people get their unit's part; its 批办领导 theirs.
  archive: ['office', 'head', 'deputy', 'contact', 'leader'],
  instruct: ['leader'],
  stats: ['office', 'head', 'deputy', 'contact'],
  bulletin: ['office'],
  help: 'everyone',
};

const sorted = (a: Access) => (a === 'everyone' ? a : [...a].sort());

describe('the access table', () => {
  it('has every command, and only those', () => {
    expect(Object.keys(ACCESS).sort()).toEqual([...COMMAND_NAMES].sort());
  });

  for (const name of COMMAND_NAMES) {
    it(`/${COMMANDS[name].zh}: ${EXPECT[name] === 'everyone' ? 'everyone' : EXPECT[name].join(', ')}`, () => {
      expect(sorted(ACCESS[name])).toEqual(sorted(EXPECT[name]));
    });
  }
});

// ---------------------------------------------------------------------------------------------
// 2. /帮助 against the table.
// ---------------------------------------------------------------------------------------------

/** The words /帮助 uses for each party; 所有人 for everyone. */
const WORDS: [string, Party | 'everyone'][] = [
  ['督查室', 'office'],
  ['一把手', 'head'],
  ['班子成员', 'deputy'],
  ['负责领导', 'responsible'],
  ['联络员', 'contact'],
  ['批办领导', 'leader'],
  ['所有人', 'everyone'],
];

/** The parties a who line names, read back from its words. */
function partiesNamed(line: string): Access {
  const found = WORDS.filter(([w]) => line.includes(w)).map(([, p]) => p);
  if (found.includes('everyone')) return 'everyone';
  return (found as Party[]).sort();
}

const usageWho = (name: CommandName) => /^使用者：(.*)$/m.exec(usageOf(name))?.[1] ?? '';

/** Each help group: its title line and the commands listed under it. */
function helpGroups(): { title: string; commands: CommandName[] }[] {
  const groups: { title: string; commands: CommandName[] }[] = [];
  for (const line of helpText().split('\n')) {
    if (line.startsWith('【')) groups.push({ title: line, commands: [] });
    const m = /^\/\S+ {2}\/(\w+) {2}/.exec(line);
    if (m) groups.at(-1)!.commands.push(m[1] as CommandName);
  }
  return groups;
}

describe('/帮助 says what the access table says', () => {
  for (const name of COMMAND_NAMES) {
    describe(`/${COMMANDS[name].zh}`, () => {
      it('its 使用者 line names exactly the parties of the table', () => {
        expect(partiesNamed(usageWho(name))).toEqual(sorted(ACCESS[name]));
      });

      it('a party that reaches only its own unit is said to, beside the office', () => {
        const access = ACCESS[name];
        const mixed = access !== 'everyone' && access.includes('office') && access.length > 1;
        expect(usageWho(name).includes('不限单位') && usageWho(name).includes('限本单位')).toBe(mixed);
      });

      it('it is listed once, in the group of who may use it, with its who line unless the group says it', () => {
        const access = ACCESS[name];
        const group = helpGroups().filter((g) => g.commands.includes(name));
        expect(group).toHaveLength(1);
        const officeOnly = access !== 'everyone' && access.every((p) => p === 'office');
        const unitsOnly = access !== 'everyone' && !access.includes('office');
        const leaderOnly = access !== 'everyone' && access.every((p) => p === 'leader');
        expect(group[0]!.title).toBe(officeOnly ? '【督查室】' : leaderOnly ? '【批办领导】' : unitsOnly ? '【承办单位】' : '【通用】');
        const line = helpText()
          .split('\n')
          .find((l) => l.startsWith(`/${COMMANDS[name].zh}  /${name}  `))!;
        if (!officeOnly) expect(partiesNamed(/（([^（）]*)）$/.exec(line)?.[1] ?? '')).toEqual(sorted(access));
      });

      it('says who the responsible leader is when it names them', () => {
        const access = ACCESS[name];
        expect(usageOf(name).includes('负责领导：重点事项为一把手')).toBe(access !== 'everyone' && access.includes('responsible'));
      });
    });
  }

  it('no group title promises a role a command under it refuses', () => {
    for (const g of helpGroups()) {
      const named = WORDS.filter(([w]) => g.title.includes(w)).map(([, p]) => p);
      for (const name of g.commands) {
        const access = ACCESS[name];
        for (const p of named) expect(access === 'everyone' || access.includes(p as Party), `${g.title} ${name} ${p}`).toBe(true);
      }
    }
  });

  it('/延期 names the head, the responsible leader and the contact; /台账 the deputies too', () => {
    expect(usageWho('extend')).toBe('承办单位的一把手、负责领导、联络员');
    expect(usageWho('list')).toBe('督查室不限单位；承办单位的一把手、班子成员、联络员限本单位；批办领导限其批办的事项');
    expect(usageWho('archive')).toBe('督查室不限单位；承办单位的一把手、班子成员、联络员限本单位；批办领导限其批办的事项');
    expect(usageWho('instruct')).toBe('批办领导限其批办的事项');
    expect(usageWho('report')).toBe('承办单位的联络员');
  });

  it('is written from the table: a change of the table is a change of the help', () => {
    for (const name of COMMAND_NAMES) expect(COMMANDS[name].who).toBe(whoLine(ACCESS[name]));
    expect(whoLine(['contact'])).toBe('承办单位的联络员');
    expect(partiesNamed(whoLine(['office', 'deputy']))).toEqual(['deputy', 'office']);
    expect(partiesNamed(whoLine(['head', 'deputy', 'responsible']))).toEqual(['deputy', 'head', 'responsible']);
    expect(whoLine(['office'])).toBe('督查室');
  });
});

describe('option lists: the help and the refusals name the one list', () => {
  const ALL_FILTERS: StatusFilter[] = ['issued', 'received', 'awaiting_signature', 'signed', 'returned', 'completed', 'draft', 'cancelled', 'withdrawn'];

  it('状态=: each value the help names is a distinct filter, together every one, and English names work too', () => {
    const choices = STATUS_CHOICES.split('、');
    expect(usageOf('list')).toContain(STATUS_CHOICES);
    expect(new Set(choices.map((c) => parseStatusFilter(c)))).toEqual(new Set(ALL_FILTERS));
    expect(choices).toHaveLength(ALL_FILTERS.length);
    for (const f of ALL_FILTERS) {
      expect(parseStatusFilter(f)).toBe(f);
      expect(parseStatusFilter(f.toUpperCase())).toBe(f);
    }
    expect(parseStatusFilter('乱七八糟')).toBeUndefined();
    expect(parseStatusFilter('constructor')).toBeUndefined();
  });

  it('类别=: the help and the refusal name every category, from the one list', () => {
    const shorts = Object.values(CATEGORIES).map((c) => c.short);
    expect(CATEGORY_CHOICES.split('、')).toEqual(shorts);
    for (const s of shorts) {
      expect(parseCategory(s)).toBeDefined();
      expect(usageOf('new')).toContain(`类别 ${s}`);
    }
    expect(usageOf('new')).toContain(`[类别=${shorts.join('|')}]`);
    expect(usageOf('new')).toContain(`key=${Object.keys(CATEGORIES).join('|')}`);
    const bad = parseCommand('/新建 t 单位=jtj 期限=5d 类别=普通');
    expect(bad.ok).toBe(false);
    if (!bad.ok) for (const s of shorts) expect(bad.message).toContain(s);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. The handlers against the table, through the service.
// ---------------------------------------------------------------------------------------------

/** The people of test/fixtures/directory.yaml, by their relation to an item of unit jtj. */
const ACTORS = {
  office: 'zhang',
  head: 'li',
  deputy: 'wang', // the first deputy: an ordinary item's responsible leader
  otherDeputy: 'sun',
  contact: 'zhao',
  foreignHead: 'chen',
  foreignDeputy: 'wu',
  foreignContact: 'zhou',
} as const;
type Actor = keyof typeof ACTORS;
type Kind = 'key' | 'ordinary';

/** Is this kind of person this party for an assignment of jtj? */
function holds(p: Party, actor: Actor, kind: Kind): boolean {
  switch (p) {
    case 'office':
      return actor === 'office';
    case 'head':
      return actor === 'head';
    case 'deputy':
      return actor === 'deputy' || actor === 'otherDeputy';
    case 'contact':
      return actor === 'contact';
    case 'responsible':
      return kind === 'key' ? actor === 'head' : actor === 'deputy';
    case 'leader':
      // The test directory names no 批办领导: test/leader-review.test.ts covers them.
      return false;
  }
}

/** Does the person hold, in any unit, a role of the party (as the help's group promises them the command)? */
function holdsAnywhere(p: Party, actor: Actor): boolean {
  const unitRoles: Record<Actor, Party[]> = {
    office: ['office'],
    head: ['head', 'responsible'],
    deputy: ['deputy', 'responsible'],
    otherDeputy: ['deputy', 'responsible'],
    contact: ['contact'],
    foreignHead: ['head', 'responsible'],
    foreignDeputy: ['deputy', 'responsible'],
    foreignContact: ['contact'],
  };
  return unitRoles[actor].includes(p);
}

/** What each command is typed as, for an item (`id`) of jtj; `reach`: its item or unit is jtj's (else: any unit). */
const TYPED: { name: CommandName; text: (id: string) => string; reach: 'item' | 'any' }[] = [
  { name: 'new', text: () => '/新建 访问测试 单位=jtj 期限=2026-10-30', reach: 'any' },
  { name: 'list', text: () => '/台账', reach: 'any' },
  { name: 'list', text: () => '/台账 单位=jtj', reach: 'item' },
  { name: 'show', text: (id) => `/查看 ${id}`, reach: 'item' },
  { name: 'attachment', text: (id) => `/附件 ${id} 1`, reach: 'item' },
  { name: 'report', text: (id) => `/报送 ${id} 已完成排查。`, reach: 'item' },
  { name: 'urge', text: (id) => `/催办 ${id}`, reach: 'item' },
  { name: 'summon', text: (id) => `/约谈 ${id} 单位=jtj 时间="2026-10-10 15:00" 地点=会议室`, reach: 'item' },
  { name: 'outcome', text: (id) => `/约谈结果 ${id} 单位=jtj 结果=已听取汇报`, reach: 'item' },
  { name: 'onsite', text: (id) => `/坐地督查 ${id} 单位=jtj 日期=2026-09-28`, reach: 'item' },
  { name: 'extend', text: (id) => `/延期 ${id} 至=2026-11-30 理由=汛期施工受限`, reach: 'item' },
  { name: 'return', text: (id) => `/退回 ${id} 理由=数据不全`, reach: 'item' },
  { name: 'verify', text: (id) => `/核验 ${id}`, reach: 'item' },
  { name: 'archive', text: (id) => `/归档 ${id}`, reach: 'item' },
  { name: 'list', text: () => '/台账 导出', reach: 'any' },
  { name: 'list', text: () => '/台账 单位=jtj 导出', reach: 'item' },
  { name: 'handover', text: (id) => `/转交 ${id} 督查员=qian`, reach: 'item' },
  { name: 'instruct', text: (id) => `/批示 ${id} 请继续跟踪。`, reach: 'item' },
  // Last: the office's 修改 and 撤回 change the item (the office's 取消 of an issued item is refused for its state).
  { name: 'cancel', text: (id) => `/取消 ${id}`, reach: 'item' },
  { name: 'amend', text: (id) => `/修改 ${id} 要求=全部点位整改到位 理由=要求不完整`, reach: 'item' },
  { name: 'withdraw', text: (id) => `/撤回 ${id} 理由=与其他事项重复`, reach: 'item' },
  { name: 'help', text: () => '/帮助', reach: 'any' },
];

const ACCESS_CODES: RefusalCode[] = ['not_allowed', 'wrong_unit'];

describe('the handlers do what the access table says', () => {
  let h: Harness;
  const items: Record<Kind, string> = { key: '', ordinary: '' };
  let runs = 0;

  beforeAll(async () => {
    h = await createHarness();
    for (const kind of ['key', 'ordinary'] as const) {
      await h.command('zhang', `/新建 ${kind} 单位=jtj 期限=2026-10-30${kind === 'key' ? ' 类别=重大' : ''}`);
      const issued = await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
      expect(issued.toast.type).toBe('success');
      // The number given at 发出, as the preview redrawn in place shows it.
      const m = /〔(\d{4})〕(\d+)号/.exec(issued.card!.fields.find((f) => f.label === '编号')!.value)!;
      items[kind] = `${m[1]}-${m[2]}`;
      const leader = kind === 'key' ? 'li' : 'wang';
      expect((await h.press(leader, { card: h.lastCard(leader, '签收'), label: '签收' })).toast.type).toBe('success');
    }
  });
  afterAll(async () => {
    await h.close();
  });

  /** Runs the command's handler as the person; the refusal, or undefined when it was not refused. */
  async function refusalOf(person: string, text: string, options: Record<string, string> = {}): Promise<{ code: RefusalCode; message: string } | undefined> {
    const parsed = parseCommand(text);
    if (!parsed.ok) throw new Error(`${text}: ${parsed.message}`);
    Object.assign(parsed.options, options);
    const p = h.rt.directory().person(person)!;
    const actor = { person, platform: 'test' as const };
    const event = h.commandEvent(person, text, `access-${++runs}`);
    const ctx: CommandContext = {
      rt: h.rt,
      dir: h.rt.directory(),
      person: p,
      actor,
      op: { id: `cmd:test:${event.id}`, actor },
      event,
      cmd: parsed,
      reply: (m: Message | string) => ({ kind: 'reply', to: event.replyTo, message: typeof m === 'string' ? { kind: 'text', text: m } : m }),
    };
    try {
      await COMMAND_HANDLERS.get(parsed.command)!.run(ctx);
      return undefined;
    } catch (e) {
      if (!isRefusal(e)) throw e;
      return { code: e.code, message: e.message };
    }
  }

  it('the refusals of a bad 状态= and 类别= name the lists the help names', async () => {
    expect((await refusalOf('zhang', '/台账 状态=乱七八糟'))?.message).toBe(`状态「乱七八糟」不对，可选：${STATUS_CHOICES}`);
    // The parser already refuses an unknown 类别 with the same list; the handler's own check says it too.
    expect((await refusalOf('zhang', '/新建 t 单位=jtj 期限=5d', { key: '普通' }))?.message).toBe(`类别「普通」不对，可选：${CATEGORY_CHOICES}`);
  });

  for (const typed of TYPED) {
    for (const kind of ['key', 'ordinary'] as const) {
      for (const actor of Object.keys(ACTORS) as Actor[]) {
        const access = ACCESS[typed.name];
        const may =
          access === 'everyone' ||
          access.some((p) => (typed.reach === 'item' || p === 'office' ? holds(p, actor, kind) : holdsAnywhere(p, actor)));
        it(`${typed.text('N')} · ${kind} item · ${actor} → ${may ? 'may' : 'refused'}`, async () => {
          const code = (await refusalOf(ACTORS[actor], typed.text(items[kind])))?.code;
          if (may) expect(ACCESS_CODES).not.toContain(code);
          else expect(ACCESS_CODES).toContain(code);
        });
      }
    }
  }
});
