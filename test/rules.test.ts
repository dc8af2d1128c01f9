// The state machine, table-driven, in two layers:
// 1. pure: every action × assignment state × kind of actor × key/ordinary item through check(), against an
//    expectation table written by hand from docs/domain.md (not derived from RULES);
// 2. through the service (real Redis): refused transitions change nothing (item document and both audit
//    streams byte-for-byte), and every allowed transition moves the state and adds exactly its audit line.
import { createHash } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ActionName } from '../src/chat/action-token.ts';
import type { Card, Message } from '../src/chat/message.ts';
import type { Directory } from '../src/directory/directory.ts';
import { loadDirectoryFile } from '../src/directory/load-directory.ts';
import { check, checkItem, ITEM_RULES, RULES, type AssignmentAction, type ItemAction } from '../src/domain/rules.ts';
import type { Assignment, AssignmentState, Item, ItemStatus, Report, ReportStatus } from '../src/domain/types.ts';
import { isRefusal, type RefusalCode } from '../src/domain/refusal.ts';
import { createHarness, recordsOf, type Harness } from './helpers/harness.ts';

// ---------------------------------------------------------------------------------------------
// The people of test/fixtures/directory.yaml, by their relation to an assignment of unit jtj.
// ---------------------------------------------------------------------------------------------

const ACTORS = {
  office: 'zhang', // 督查室
  head: 'li', // jtj 一把手
  otherHead: 'chen', // gaj 一把手
  respDeputy: 'wang', // jtj 班子成员, the one an ordinary item goes to (the first deputy)
  otherDeputy: 'sun', // jtj 班子成员, not responsible for anything here
  foreignDeputy: 'wu', // gaj 班子成员
  contact: 'zhao', // jtj 联络员
  foreignContact: 'zhou', // gaj 联络员
} as const;
type ActorKind = keyof typeof ACTORS;
const ACTOR_KINDS = Object.keys(ACTORS) as ActorKind[];

type Kind = 'key' | 'ordinary';
const KINDS: Kind[] = ['key', 'ordinary'];

const STATES: AssignmentState[] = ['issued', 'received', 'awaiting_signature', 'signed', 'returned', 'completed'];

// ---------------------------------------------------------------------------------------------
// The expectation table, by hand, from docs/domain.md.
// ---------------------------------------------------------------------------------------------

/** What should happen from one state: the state after (`same`: unchanged; `by_report`: progress → received,
 * final → completed), or the refusal code. */
type FromState = { to: AssignmentState | 'same' | 'by_report' } | { refuse: 'wrong_state' | 'unsigned' | 'not_allowed' };
const to = (s: AssignmentState | 'same' | 'by_report'): FromState => ({ to: s });
const SAME: FromState = { to: 'same' };
const NO: FromState = { refuse: 'wrong_state' };
const UNSIGNED: FromState = { refuse: 'unsigned' };
const NOT_JOINT: FromState = { refuse: 'not_allowed' };

/** The responsible leader: the head for a key item (rule 1), the named deputy for an ordinary one (rule 6). */
const responsible = (a: ActorKind, k: Kind) => (k === 'key' ? a === 'head' : a === 'respDeputy');
const officeOnly = (a: ActorKind) => a === 'office';

interface Expectation {
  /** May this actor take the action on an item of this kind? */
  who: (a: ActorKind, k: Kind) => boolean;
  /** Actors refused because they hold the needed role, but in the other unit (`wrong_unit`); others get `not_allowed`. */
  elsewhere: ActorKind[];
  from: Record<AssignmentState, FromState>;
}

const LEADERS_ELSEWHERE: ActorKind[] = ['otherHead', 'foreignDeputy'];

const EXPECT: Record<AssignmentAction, Expectation> = {
  // 签收: the responsible leader confirms receipt of the notice; only an issued notice can be received.
  receive: {
    who: responsible,
    elsewhere: LEADERS_ELSEWHERE,
    from: { issued: to('received'), received: NO, awaiting_signature: NO, signed: NO, returned: NO, completed: NO },
  },
  // 报送: the unit's contact drafts the report once the notice is received; a new version may replace one
  // waiting for signature or for review (it then needs a new signature). Not before 签收, not after 办结.
  submit: {
    who: (a) => a === 'contact',
    elsewhere: ['foreignContact'],
    from: {
      issued: NO,
      received: to('awaiting_signature'),
      awaiting_signature: to('awaiting_signature'),
      signed: to('awaiting_signature'),
      returned: to('awaiting_signature'),
      completed: NO,
    },
  },
  // 补充附件: the unit's contact adds a file to the report while it awaits signature; the state stays.
  attach: {
    who: (a) => a === 'contact',
    elsewhere: ['foreignContact'],
    from: { issued: NO, received: NO, awaiting_signature: SAME, signed: NO, returned: NO, completed: NO },
  },
  // 签署 / 退回修改: only the responsible leader, only a report that awaits signature.
  sign: {
    who: responsible,
    elsewhere: LEADERS_ELSEWHERE,
    from: { issued: NO, received: NO, awaiting_signature: to('signed'), signed: NO, returned: NO, completed: NO },
  },
  send_back: {
    who: responsible,
    elsewhere: LEADERS_ELSEWHERE,
    from: { issued: NO, received: NO, awaiting_signature: to('returned'), signed: NO, returned: NO, completed: NO },
  },
  // 受理: the office takes a signed report only; anything unsigned is 不予受理 (rule 2); an accepted final
  // report completes the unit, a progress report sends it back to work. A completed unit has nothing to take.
  accept: {
    who: officeOnly,
    elsewhere: [],
    from: {
      issued: UNSIGNED,
      received: UNSIGNED,
      awaiting_signature: UNSIGNED,
      signed: to('by_report'),
      returned: UNSIGNED,
      completed: NO,
    },
  },
  // 退回: the office sends a signed report back for rework.
  return: {
    who: officeOnly,
    elsewhere: [],
    from: { issued: NO, received: NO, awaiting_signature: NO, signed: to('returned'), returned: NO, completed: NO },
  },
  // 催办 / 听取汇报 / 坐地督查 / 延期审批: the office, on any unit not yet done; no state change.
  urge: {
    who: officeOnly,
    elsewhere: [],
    from: { issued: SAME, received: SAME, awaiting_signature: SAME, signed: SAME, returned: SAME, completed: NO },
  },
  summon: {
    who: officeOnly,
    elsewhere: [],
    from: { issued: SAME, received: SAME, awaiting_signature: SAME, signed: SAME, returned: SAME, completed: NO },
  },
  onsite: {
    who: officeOnly,
    elsewhere: [],
    from: { issued: SAME, received: SAME, awaiting_signature: SAME, signed: SAME, returned: SAME, completed: NO },
  },
  // 同意申请 / 不同意 a contact's extension request: the responsible leader, while the unit is open.
  agree_extension: {
    who: responsible,
    elsewhere: LEADERS_ELSEWHERE,
    from: { issued: SAME, received: SAME, awaiting_signature: SAME, signed: SAME, returned: SAME, completed: NO },
  },
  decide_extension: {
    who: officeOnly,
    elsewhere: [],
    from: { issued: SAME, received: SAME, awaiting_signature: SAME, signed: SAME, returned: SAME, completed: NO },
  },
  // 确认出席: the summons is to the unit's head (rule 3), whoever is responsible for the item; a summons made
  // while open may still be confirmed after the unit completes.
  confirm_summons: {
    who: (a) => a === 'head',
    elsewhere: ['otherHead'],
    from: { issued: SAME, received: SAME, awaiting_signature: SAME, signed: SAME, returned: SAME, completed: SAME },
  },
  // 记录约谈结果: the office records what the head reported, even after the unit has completed.
  record_summons: {
    who: officeOnly,
    elsewhere: [],
    from: { issued: SAME, received: SAME, awaiting_signature: SAME, signed: SAME, returned: SAME, completed: SAME },
  },
  // 随牵头单位办结: only on a joint item (牵头=), where the office's 受理 of the lead's final report completes each 配合
  // unit; these items have no lead rule, so the office is told each unit reports to it (test/joint.test.ts has the rest).
  complete_with_lead: {
    who: officeOnly,
    elsewhere: [],
    from: { issued: NOT_JOINT, received: NOT_JOINT, awaiting_signature: NOT_JOINT, signed: NOT_JOINT, returned: NOT_JOINT, completed: NOT_JOINT },
  },
  // 延期申请: the head or a contact (and the deputy who stands for the head on an ordinary item), while open.
  request_extension: {
    who: (a, k) => a === 'head' || a === 'contact' || responsible(a, k),
    elsewhere: ['otherHead', 'foreignDeputy', 'foreignContact'],
    from: { issued: SAME, received: SAME, awaiting_signature: SAME, signed: SAME, returned: SAME, completed: NO },
  },
};

// ---------------------------------------------------------------------------------------------
// Pure layer: records built in memory, each consistent with its state.
// ---------------------------------------------------------------------------------------------

/** What every press types in a card's text box: the buttons that say no must say why. */
const REASON = '数据不全，请补充各区县明细';

const T0 = Date.parse('2026-09-28T09:00:00+08:00');
const DUE_AT = Date.parse('2026-10-30T23:59:59+08:00');

/** A state, and for `signed` which kind of report waits for review. */
type Fixture = { state: AssignmentState; final: boolean; label: string };
const FIXTURES: Fixture[] = STATES.flatMap((state): Fixture[] =>
  state === 'signed'
    ? [
        { state, final: false, label: 'signed (progress report)' },
        { state, final: true, label: 'signed (final report)' },
      ]
    : [{ state, final: state === 'completed', label: state }],
);

function report(final: boolean, status: ReportStatus, signer?: string): Report {
  const text = final ? '全部整改到位' : '已完成排查，分三批推进';
  const hash = createHash('sha256').update(text, 'utf8').digest('hex');
  const r: Report = { version: 1, text, hash, final, by: ACTORS.contact, at: T0, status };
  if (signer) r.signature = { by: signer, at: T0, platform: 'test', version: 1, hash, text };
  return r;
}

function build(kind: Kind, f: Fixture, status: ItemStatus = 'open'): { item: Item; a: Assignment } {
  const resp = kind === 'key' ? ACTORS.head : ACTORS.respDeputy;
  const reports: Report[] = {
    issued: [],
    received: [],
    awaiting_signature: [report(f.final, 'pending')],
    signed: [report(f.final, 'signed', resp)],
    returned: [report(f.final, 'returned', resp)],
    completed: [report(true, 'accepted', resp)],
  }[f.state];
  const a: Assignment = {
    unit: 'jtj',
    lead: true,
    responsible: resp,
    state: f.state,
    due: '2026-10-30',
    dueAt: DUE_AT,
    reports,
    summons: [],
    visits: [],
    extensions: [],
    urges: [],
  };
  if (f.state !== 'issued') a.receivedAt = T0;
  if (f.state === 'completed') a.completedAt = T0;
  // A draft (or a draft cancelled) has its draft reference only; the 督字 number comes at 发出.
  const numbered = status !== 'draft' && status !== 'cancelled';
  const item: Item = {
    id: 'd1',
    draft: 1,
    ...(numbered ? { year: 2026, seq: 1 } : {}),
    title: '城区主干道积水整治',
    status: f.state === 'completed' && status === 'open' ? 'completed' : status,
    createdBy: ACTORS.office,
    createdAt: T0,
    due: '2026-10-30',
    dueAt: DUE_AT,
    units: ['jtj'],
    lead: 'jtj',
    assignments: [a],
  };
  if (kind === 'key') item.category = 'major';
  if (status !== 'draft') {
    item.issuedBy = ACTORS.office;
    item.issuedAt = T0;
  }
  if (status === 'cancelled') item.cancelledAt = T0;
  if (status === 'withdrawn') Object.assign(item, { withdrawnAt: T0, withdrawnBy: ACTORS.office, withdrawReason: '重复交办' });
  return { item, a };
}

type Verdict = { ok: true; to: AssignmentState } | { ok: false; code: RefusalCode };

function expected(action: AssignmentAction, actor: ActorKind, kind: Kind, f: Fixture, status: ItemStatus): Verdict {
  if (status === 'draft' || status === 'cancelled' || status === 'withdrawn') return { ok: false, code: 'wrong_state' };
  const e = EXPECT[action];
  if (!e.who(actor, kind)) return { ok: false, code: e.elsewhere.includes(actor) ? 'wrong_unit' : 'not_allowed' };
  const from = e.from[f.state];
  if ('refuse' in from) return { ok: false, code: from.refuse };
  if (from.to === 'same') return { ok: true, to: f.state };
  if (from.to === 'by_report') return { ok: true, to: f.final ? 'completed' : 'received' };
  return { ok: true, to: from.to };
}

/** Leaders of the unit who are not the responsible one: refused `not_allowed` (the role is not theirs here). */
const SAME_UNIT_LEADERS: ActorKind[] = ['head', 'respDeputy', 'otherDeputy'];
const RESPONSIBLE_ACTIONS: AssignmentAction[] = ['receive', 'sign', 'send_back', 'request_extension', 'agree_extension'];

function run(action: AssignmentAction, person: string, item: Item, a: Assignment, dir: Directory): Verdict & { message?: string } {
  try {
    return { ok: true, to: check(action, person, item, a, dir) };
  } catch (e) {
    if (!isRefusal(e)) throw e;
    return { ok: false, code: e.code, message: e.message };
  }
}

const ACTIONS = Object.keys(RULES) as AssignmentAction[];
const HAN = /[\u4e00-\u9fff]/;

describe('check(): the full cross product against docs/domain.md', () => {
  let dir: Directory;
  beforeAll(async () => {
    dir = await loadDirectoryFile('test/fixtures/directory.yaml');
  });

  it('covers exactly the actions of the domain', () => {
    expect(ACTIONS.sort()).toEqual(Object.keys(EXPECT).sort());
  });

  it('the fixture directory has the people this table assumes', () => {
    expect(dir.unit('jtj')).toMatchObject({ head: 'li', deputies: ['wang', 'sun'], contacts: ['zhao'] });
    expect(dir.unit('gaj')).toMatchObject({ head: 'chen', deputies: ['wu'], contacts: ['zhou'] });
    expect([...dir.office]).toContain('zhang');
  });

  for (const action of ACTIONS) {
    describe(`${RULES[action].label} (${action})`, () => {
      for (const f of FIXTURES) {
        for (const kind of KINDS) {
          for (const actor of ACTOR_KINDS) {
            const person = ACTORS[actor];
            const want = expected(action, actor, kind, f, 'open');
            const title = `${f.label} · ${kind} item · ${actor} (${person}) → ${want.ok ? want.to : `refused ${want.code}`}`;
            it(title, () => {
              const { item, a } = build(kind, f);
              const before = structuredClone(item);
              const got = run(action, person, item, a, dir);
              // check() only decides: it never changes the record it is given.
              expect(item).toEqual(before);
              if (want.ok) {
                expect(got).toEqual({ ok: true, to: want.to });
                return;
              }
              expect(got.ok).toBe(false);
              if (got.ok) return;
              expect(got.code).toBe(want.code);
              expect(got.message).toMatch(HAN);
              if (want.code === 'unsigned') expect(got.message).toContain('不予受理');
              if (want.code === 'not_allowed' || want.code === 'wrong_unit') {
                // The refusal names who may do it: the office, or the leader / contact of the unit.
                expect(got.message).toContain(EXPECT[action].who('office', kind) ? '督查室' : '市交通运输局');
              }
            });
          }
        }
      }
    });
  }

  describe('a draft, a cancelled draft or a withdrawn item refuses everything, to everyone, saying which', () => {
    const says = { draft: '草稿1尚未发出，不能', cancelled: '草稿1已取消，不能', withdrawn: '督字〔2026〕1号已撤回，不能' };
    for (const status of ['draft', 'cancelled', 'withdrawn'] as const) {
      for (const action of ACTIONS) {
        for (const kind of KINDS) {
          for (const actor of ACTOR_KINDS) {
            it(`${status} · ${action} · ${kind} · ${actor}`, () => {
              const { item, a } = build(kind, FIXTURES[0]!, status);
              const got = run(action, ACTORS[actor], item, a, dir);
              expect(got).toMatchObject(expected(action, actor, kind, FIXTURES[0]!, status));
              expect(got.message).toContain(says[status] + RULES[action].label);
            });
          }
        }
      }
    }
  });

  it('a same-unit leader who is not the responsible one is refused not_allowed, not wrong_unit', () => {
    const wrong: string[] = [];
    for (const action of RESPONSIBLE_ACTIONS) {
      for (const f of FIXTURES) {
        for (const kind of KINDS) {
          for (const actor of SAME_UNIT_LEADERS) {
            const want = expected(action, actor, kind, f, 'open');
            if (want.ok || want.code !== 'not_allowed') continue;
            const { item, a } = build(kind, f);
            const got = run(action, ACTORS[actor], item, a, dir);
            if (got.ok || got.code !== 'not_allowed') wrong.push(`${action}/${f.label}/${kind}/${actor}: ${got.ok ? 'allowed' : got.code}`);
          }
        }
      }
    }
    // e.g. sun (deputy of 市交通运输局) pressing 签署 on a report of his own unit that li must sign.
    expect(wrong).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The item itself: 发出, 取消, 修改, 撤回, by hand from docs/domain.md ("The life of an item").
// ---------------------------------------------------------------------------------------------

describe('checkItem(): every action on the item × its status × who, against docs/domain.md', () => {
  let dir: Directory;
  beforeAll(async () => {
    dir = await loadDirectoryFile('test/fixtures/directory.yaml');
  });
  const ITEM_STATUSES: ItemStatus[] = ['draft', 'open', 'completed', 'cancelled', 'withdrawn'];
  /** From which status each action may be taken (the office's alone); what anyone else is told. */
  const FROM: Record<ItemAction, ItemStatus | ItemStatus[]> = { issue: 'draft', cancel: 'draft', amend: 'open', withdraw: 'open', handover: ['draft', 'open'] };
  /** The refusal of each action from each other status, word for word (the item: 草稿1 until 发出, then 督字〔2026〕1号). */
  const REFUSED: Record<ItemAction, Partial<Record<ItemStatus, string>>> = {
    issue: {
      open: '督字〔2026〕1号已经发出',
      completed: '督字〔2026〕1号已办结',
      withdrawn: '督字〔2026〕1号已撤回',
      cancelled: '草稿1已取消，不能发出。请重新新建',
    },
    cancel: {
      open: '督字〔2026〕1号已经发出，不能取消。如需撤回，请用 /撤回 1 理由=…',
      completed: '督字〔2026〕1号已办结，不能取消',
      withdrawn: '督字〔2026〕1号已撤回，不能取消',
      cancelled: '草稿1已取消',
    },
    amend: {
      draft: '草稿1尚未发出，不能修改。草稿可 /取消 1 后重新新建',
      completed: '督字〔2026〕1号已办结，不能修改',
      withdrawn: '督字〔2026〕1号已撤回，不能修改',
      cancelled: '草稿1已取消，不能修改',
    },
    withdraw: {
      draft: '草稿1尚未发出，不能撤回。草稿不必撤回，可用 /取消 1',
      completed: '督字〔2026〕1号已办结，不能撤回',
      withdrawn: '督字〔2026〕1号已撤回',
      cancelled: '草稿1已取消，不能撤回',
    },
    handover: {
      completed: '督字〔2026〕1号已办结，不能转交',
      withdrawn: '督字〔2026〕1号已撤回，不能转交',
      cancelled: '草稿1已取消，不能转交',
    },
  };
  const DOING: Record<ItemAction, string> = { issue: '发出督查单', cancel: '取消草稿', amend: '修改督查事项', withdraw: '撤回督查事项', handover: '转交督查事项' };

  it('covers exactly the actions on the item', () => {
    expect(Object.keys(ITEM_RULES).sort()).toEqual(Object.keys(FROM).sort());
  });

  for (const action of Object.keys(FROM) as ItemAction[]) {
    for (const status of ITEM_STATUSES) {
      for (const actor of ACTOR_KINDS) {
        const want = actor !== 'office' ? `只有督查室工作人员才能${DOING[action]}` : [FROM[action]].flat().includes(status) ? 'ok' : REFUSED[action][status]!;
        it(`${action} · ${status} · ${actor} → ${want}`, () => {
          const numbered = status !== 'draft' && status !== 'cancelled';
          const item = { status, draft: 1, ...(numbered ? { year: 2026, seq: 1 } : {}) };
          try {
            checkItem(action, ACTORS[actor], item, dir, '1');
            expect('ok').toBe(want);
          } catch (e) {
            if (!isRefusal(e)) throw e;
            expect(e.code).toBe(actor === 'office' ? 'wrong_state' : 'not_allowed');
            expect(e.message).toBe(want);
          }
        });
      }
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Through the service, on real Redis.
// ---------------------------------------------------------------------------------------------

describe('through the service', () => {
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

  /** One item under test. */
  interface Ctx {
    /** The internal id (keys, card keys). */
    id: string;
    /** 督字〔2026〕1号 (草稿1 while a draft) */
    no: string;
    /** How a command names it: 2026-1 (草稿1 while a draft). */
    ref: string;
    key: boolean;
    /** The responsible leader of jtj. */
    resp: string;
  }

  type Drive = 'draft' | 'cancelled' | 'issued' | 'received' | 'awaiting_signature' | 'signed' | 'returned' | 'sent_back' | 'completed';

  const DRIVE_STATE: Record<Exclude<Drive, 'draft' | 'cancelled'>, AssignmentState> = {
    issued: 'issued',
    received: 'received',
    awaiting_signature: 'awaiting_signature',
    signed: 'signed',
    returned: 'returned',
    sent_back: 'returned',
    completed: 'completed',
  };

  function cards(person: string): Card[] {
    return h
      .received(person)
      .map((s) => s.message)
      .filter((m): m is Extract<Message, { kind: 'card' }> => m.kind === 'card')
      .map((m) => m.card);
  }

  function texts(person: string): string[] {
    return h
      .received(person)
      .map((s) => s.message)
      .filter((m): m is Extract<Message, { kind: 'text' }> => m.kind === 'text')
      .map((m) => m.text);
  }

  /** The last card a person got for this item with that button (and that report version, when given). */
  function cardOf(person: string, label: string, c: Ctx, version?: number): Card {
    const found = cards(person).filter(
      (card) =>
        card.title.includes(c.no) &&
        card.buttons.some((b) => b.text === label) &&
        (version === undefined || card.fields.some((f) => f.label === '版本' && f.value === `第 ${version} 稿`)),
    );
    const card = found[found.length - 1];
    if (!card) throw new Error(`${person} has no card of ${c.no} with ${label}${version ? ` v${version}` : ''}`);
    return card;
  }

  // Every press types a reason: the buttons that ask for one (退回修改, 退回, 不同意) take it, the others ignore it.
  async function press(person: string, label: string, c: Ctx, version?: number): Promise<void> {
    const answer = await h.press(person, { card: cardOf(person, label, c, version), label, reason: REASON });
    expect(answer.toast.type, answer.toast.text).toBe('success');
  }

  /** A command that must succeed: its reply is not a refusal (the item changes). */
  async function command(person: string, text: string, c: Ctx): Promise<void> {
    const before = await h.rt.store.getItem(c.id);
    await h.command(person, text);
    const after = await h.rt.store.getItem(c.id);
    expect(after?.version, `${text} → ${texts(person).at(-1)}`).toBe((before?.version ?? 0) + 1);
  }

  async function itemOf(c: Ctx): Promise<Item> {
    const found = await h.rt.store.getItem(c.id);
    if (!found) throw new Error(`no item ${c.id}`);
    return found.item;
  }

  async function stateOf(c: Ctx, unit = 'jtj'): Promise<AssignmentState> {
    const a = (await itemOf(c)).assignments.find((x) => x.unit === unit);
    if (!a) throw new Error(`no assignment ${unit}`);
    return a.state;
  }

  const submit = (c: Ctx, final = false, text = '已完成排查，整改方案分三批推进。') =>
    command(ACTORS.contact, `/报送 ${c.ref} ${final ? '办结 ' : ''}${text}`, c);

  /** Creates one item (jtj alone unless told) and drives jtj's assignment to a state with real commands and presses. */
  async function drive(state: Drive, opts: { key?: boolean; units?: string } = {}): Promise<Ctx> {
    const key = opts.key ?? true;
    await h.command('zhang', `/新建 城区主干道积水整治 单位=${opts.units ?? 'jtj'} 期限=2026-10-30${key ? ' 类别=重大' : ''}`);
    const preview = cards('zhang').filter((card) => card.buttons.some((b) => b.text === '发出')).at(-1)!;
    const draft = /草稿(\d+)/.exec(preview.fields.find((f) => f.label === '编号')!.value)!;
    const id = (await h.rt.store.findItem({ draft: Number(draft[1]) }))!;
    const c: Ctx = { id, no: draft[0], ref: draft[0], key, resp: key ? ACTORS.head : ACTORS.respDeputy };
    if (state === 'draft') return c;
    if (state === 'cancelled') {
      expect((await h.press('zhang', { card: preview, label: '取消' })).toast.type).toBe('success');
      expect((await itemOf(c)).status).toBe('cancelled');
      return c;
    }
    const issued = await h.press('zhang', { card: preview, label: '发出' });
    expect(issued.toast.type).toBe('success');
    // The 督字 number, given at 发出.
    c.no = issued.card!.fields.find((f) => f.label === '编号')!.value;
    const m = /〔(\d{4})〕(\d+)号/.exec(c.no)!;
    c.ref = `${m[1]}-${m[2]}`;
    if (state !== 'issued') await press(c.resp, '签收', c);
    if (state === 'completed') {
      await submit(c, true, '全部整改到位，群众满意。');
      await press(c.resp, '签署', c);
      await press(ACTORS.office, '受理', c);
    } else if (state !== 'issued' && state !== 'received') {
      await submit(c);
      if (state === 'sent_back') await press(c.resp, '退回修改', c);
      if (state === 'signed' || state === 'returned') await press(c.resp, '签署', c);
      if (state === 'returned') await press(ACTORS.office, '退回', c);
    }
    expect(await stateOf(c)).toBe(DRIVE_STATE[state]);
    return c;
  }

  /** A request as the office gets it: the contact's, agreed by the unit's leader (同意申请); or as `who` asks it. */
  const requestExtension = async (c: Ctx, who?: string) => {
    await command(who ?? ACTORS.contact, `/延期 ${c.ref} 至=2026-11-30 理由=汛期施工受限`, c);
    if (who === undefined) await press(c.resp, '同意申请', c);
  };
  /** A contact's request waiting for the unit's leader. */
  const askLeader = (c: Ctx) => command(ACTORS.contact, `/延期 ${c.ref} 至=2026-11-30 理由=汛期施工受限`, c);
  const summon = (c: Ctx) => command(ACTORS.office, `/约谈 ${c.ref} 单位=jtj 时间="2026-10-10 15:00" 地点=市委3号楼302会议室`, c);

  /** Everything that must not move when a transition is refused, as stored (raw strings), plus the parsed views. */
  async function snapshot(c: Ctx) {
    const { k } = h.rt.store;
    const redis = h.redis;
    return {
      /** Every record and index, as stored (the item's, its units', the indexes, the outbox…). */
      records: await recordsOf(redis, h.prefix),
      itemRaw: await redis.hgetall(k.item(c.id)),
      auditItemRaw: await redis.lrange(k.auditItem(c.id), '0', '-1'),
      auditAllRaw: await redis.xrange(k.auditAll, '-', '+'),
      item: await h.rt.store.getItem(c.id),
      audit: await h.rt.store.audit(c.id),
      auditAll: await h.rt.store.audit(),
    };
  }

  // --- refused transitions ---------------------------------------------------------------------

  type Answer = { text: string; type?: string };

  /** A press of a token signed for `person`: passes the "card is for someone else" check, so the rule decides. */
  const forged =
    (person: string, a: ActionName, cardKey: (c: Ctx) => string) =>
    async (c: Ctx): Promise<Answer> => {
      const answer = await h.press(person, h.rt.signer.sign({ a, k: cardKey(c), f: person }), undefined, { reason: REASON });
      return { text: answer.toast.text, type: answer.toast.type };
    };

  /** A press of a real button on a card the person really got. */
  const pressed =
    (person: string, label: string, version?: number, owner?: string) =>
    async (c: Ctx): Promise<Answer> => {
      const answer = await h.press(person, { card: cardOf(owner ?? person, label, c, version), label, reason: REASON });
      return { text: answer.toast.text, type: answer.toast.type };
    };

  const typed =
    (person: string, text: (c: Ctx) => string) =>
    async (c: Ctx): Promise<Answer> => {
      const before = texts(person).length;
      await h.command(person, text(c));
      const after = texts(person);
      expect(after.length, 'a reply in chat').toBe(before + 1);
      return { text: after.at(-1)! };
    };

  const notice = (c: Ctx) => `notice:${c.id}:jtj`;
  const signKey = (n: number) => (c: Ctx) => `sign:${c.id}:jtj:${n}`;
  const review = (n: number, unit = 'jtj') => (c: Ctx) => `review:${c.id}:${unit}:${n}`;
  const extension = (unit = 'jtj') => (c: Ctx) => `extension:${c.id}:${unit}:1`;
  const askCard = (unit = 'jtj') => (c: Ctx) => `extension_ask:${c.id}:${unit}:1`;
  const summons = (c: Ctx) => `summons:${c.id}:jtj:1`;

  interface RefusedCase {
    name: string;
    from: Drive;
    key?: boolean;
    units?: string;
    prepare?: (c: Ctx) => Promise<void>;
    attempt: (c: Ctx) => Promise<Answer>;
    /** Toast type for a press; absent for a command (the refusal is the chat reply). */
    type?: 'error' | 'info';
    text: RegExp;
  }


  const ORDINARY = { key: false };

  const REFUSED: RefusedCase[] = [
    // 签收
    { name: '签收 · wrong role: a deputy of the unit, not responsible for a key item', from: 'issued', attempt: forged('wang', 'receive', notice), type: 'error', text: /负责领导才能签收/ },
    { name: '签收 · wrong role: the head, on an ordinary item sent to a deputy', from: 'issued', ...ORDINARY, attempt: forged('li', 'receive', notice), type: 'error', text: /负责领导才能签收/ },
    { name: '签收 · wrong role: the contact', from: 'issued', attempt: forged('zhao', 'receive', notice), type: 'error', text: /负责领导才能签收/ },
    { name: '签收 · wrong role: an office clerk', from: 'issued', attempt: forged('zhang', 'receive', notice), type: 'error', text: /负责领导才能签收/ },
    { name: '签收 · wrong unit: the head of another unit', from: 'issued', attempt: forged('chen', 'receive', notice), type: 'error', text: /市交通运输局.*签收/ },
    { name: '签收 · wrong person: the head\'s own card pressed by a deputy', from: 'issued', attempt: pressed('wang', '签收', undefined, 'li'), type: 'error', text: /发给李明的/ },
    { name: '签收 · wrong state: already received', from: 'received', attempt: pressed('li', '签收'), type: 'info', text: /已签收过/ },
    { name: '签收 · wrong state: already received (ordinary item)', from: 'signed', ...ORDINARY, attempt: pressed('wang', '签收'), type: 'info', text: /已签收过/ },
    { name: '签收 · wrong state: a draft item', from: 'draft', attempt: forged('li', 'receive', notice), type: 'info', text: /草稿\d+尚未发出，不能签收/ },
    { name: '签收 · wrong state: a cancelled item', from: 'cancelled', attempt: forged('li', 'receive', notice), type: 'info', text: /草稿\d+已取消，不能签收/ },
    // 签署
    { name: '签署 · wrong role: the contact who drafted it', from: 'awaiting_signature', attempt: forged('zhao', 'sign', signKey(1)), type: 'error', text: /负责领导才能签署/ },
    { name: '签署 · wrong role: the head, on an ordinary item', from: 'awaiting_signature', ...ORDINARY, attempt: forged('li', 'sign', signKey(1)), type: 'error', text: /负责领导才能签署/ },
    { name: '签署 · wrong role: another deputy of the unit', from: 'awaiting_signature', attempt: forged('sun', 'sign', signKey(1)), type: 'error', text: /负责领导才能签署/ },
    { name: '签署 · wrong role: an office clerk', from: 'awaiting_signature', attempt: forged('zhang', 'sign', signKey(1)), type: 'error', text: /负责领导才能签署/ },
    { name: '签署 · wrong unit: the head of another unit', from: 'awaiting_signature', attempt: forged('chen', 'sign', signKey(1)), type: 'error', text: /市交通运输局.*签署/ },
    { name: '签署 · wrong unit: a deputy of another unit (ordinary item)', from: 'awaiting_signature', ...ORDINARY, attempt: forged('wu', 'sign', signKey(1)), type: 'error', text: /市交通运输局.*签署/ },
    { name: '签署 · wrong state: already signed', from: 'signed', attempt: pressed('li', '签署'), type: 'info', text: /已经签署/ },
    { name: '签署 · wrong state: sent back to the contact', from: 'sent_back', attempt: pressed('li', '签署'), type: 'info', text: /已退回修改/ },
    { name: '签署 · wrong state: accepted and completed', from: 'completed', attempt: pressed('li', '签署'), type: 'info', text: /已经签署/ },
    {
      name: '签署 · stale: a newer version replaced the one on the card',
      from: 'awaiting_signature',
      prepare: (c) => submit(c, false, '第二稿：补充了资金安排。'),
      attempt: pressed('li', '签署', 1),
      type: 'info',
      text: /已被新版本取代/,
    },
    // 退回修改
    { name: '退回修改 · wrong role: an office clerk', from: 'awaiting_signature', attempt: forged('zhang', 'send_back', signKey(1)), type: 'error', text: /负责领导才能退回修改/ },
    { name: '退回修改 · wrong role: the contact', from: 'awaiting_signature', attempt: forged('zhao', 'send_back', signKey(1)), type: 'error', text: /负责领导才能退回修改/ },
    { name: '退回修改 · wrong role: a deputy on a key item', from: 'awaiting_signature', attempt: forged('sun', 'send_back', signKey(1)), type: 'error', text: /负责领导才能退回修改/ },
    { name: '退回修改 · wrong unit: a deputy of another unit (ordinary item)', from: 'awaiting_signature', ...ORDINARY, attempt: forged('wu', 'send_back', signKey(1)), type: 'error', text: /市交通运输局.*退回修改/ },
    { name: '退回修改 · wrong state: already signed', from: 'signed', attempt: pressed('li', '退回修改'), type: 'info', text: /已经签署/ },
    { name: '退回修改 · wrong state: already sent back', from: 'sent_back', attempt: pressed('li', '退回修改'), type: 'info', text: /已退回修改/ },
    // 受理
    { name: '受理 · wrong role: the head who signed', from: 'signed', attempt: forged('li', 'accept', review(1)), type: 'error', text: /督查室工作人员才能受理/ },
    { name: '受理 · wrong role: the contact', from: 'signed', attempt: forged('zhao', 'accept', review(1)), type: 'error', text: /督查室工作人员才能受理/ },
    { name: '受理 · wrong unit: a unit the item is not assigned to', from: 'signed', attempt: forged('zhang', 'accept', review(1, 'gaj')), type: 'error', text: /没有交办给市公安局/, },
    { name: '受理 · 不予受理: the report awaits signature', from: 'awaiting_signature', attempt: forged('zhang', 'accept', review(1)), type: 'error', text: /不予受理/ },
    { name: '受理 · 不予受理: the report was sent back unsigned', from: 'sent_back', attempt: forged('zhang', 'accept', review(1)), type: 'error', text: /不予受理/ },
    { name: '受理 · 不予受理: returned by the office', from: 'returned', attempt: pressed('zhang', '受理'), type: 'error', text: /不予受理/ },
    { name: '受理 · wrong state: no report at all', from: 'received', attempt: forged('zhang', 'accept', review(1)), type: 'error', text: /找不到这份报告/, },
    {
      name: '受理 · stale: the signed version was replaced by an unsigned one',
      from: 'signed',
      prepare: (c) => submit(c, true, '办结报告（改）：数字有更新。'),
      attempt: pressed('zhang', '受理', 1),
      type: 'info',
      text: /已被新版本取代/,
    },
    // The other clerk: not the item's owner, so without a card of it (the owner gets them), but the rules let any clerk act.
    { name: '受理 · wrong state: already accepted (by the other clerk)', from: 'completed', attempt: forged('qian', 'accept', review(1)), type: 'info', text: /已经受理/ },
    // 退回
    { name: '退回 · wrong role: the head who signed', from: 'signed', attempt: forged('li', 'return', review(1)), type: 'error', text: /督查室工作人员才能退回/ },
    { name: '退回 · wrong role: the contact', from: 'signed', attempt: forged('zhao', 'return', review(1)), type: 'error', text: /督查室工作人员才能退回/ },
    { name: '退回 · wrong unit: a unit the item is not assigned to', from: 'signed', attempt: forged('zhang', 'return', review(1, 'gaj')), type: 'error', text: /没有交办给市公安局/, },
    { name: '退回 · wrong state: the report awaits signature', from: 'awaiting_signature', attempt: forged('zhang', 'return', review(1)), type: 'info', text: /报告待签署.*不能退回/ },
    { name: '退回 · wrong state: already returned', from: 'returned', attempt: forged('qian', 'return', review(1)), type: 'info', text: /已经退回/ },
    { name: '退回 · wrong state: accepted and completed', from: 'completed', attempt: forged('qian', 'return', review(1)), type: 'info', text: /已经受理.*不能退回/ },
    // /报送
    { name: '/报送 · wrong role: the head', from: 'received', attempt: typed('li', (c) => `/报送 ${c.ref} 已完成`), text: /联络员才能报送/ },
    { name: '/报送 · wrong role: the responsible deputy (ordinary item)', from: 'received', ...ORDINARY, attempt: typed('wang', (c) => `/报送 ${c.ref} 已完成`), text: /联络员才能报送/ },
    { name: '/报送 · wrong role: an office clerk', from: 'received', attempt: typed('zhang', (c) => `/报送 ${c.ref} 已完成`), text: /联络员才能报送/ },
    { name: '/报送 · wrong unit: the contact of another unit', from: 'received', attempt: typed('zhou', (c) => `/报送 ${c.ref} 已完成`), text: /没有交办给您所在的单位/ },
    { name: '/报送 · wrong state: the notice is not received yet', from: 'issued', attempt: typed('zhao', (c) => `/报送 ${c.ref} 已完成`), text: /尚未签收/ },
    { name: '/报送 · wrong state: completed', from: 'completed', attempt: typed('zhao', (c) => `/报送 ${c.ref} 办结 再报一次`), text: /已办结.*不能报送/ },
    { name: '/报送 · wrong state: a draft item', from: 'draft', attempt: typed('zhao', (c) => `/报送 ${c.ref} 已完成`), text: /草稿\d+尚未发出，不能报送/ },
    // /催办
    { name: '/催办 · wrong role: the head', from: 'received', attempt: typed('li', (c) => `/催办 ${c.ref}`), text: /督查室工作人员才能催办/ },
    { name: '/催办 · wrong role: the contact', from: 'received', attempt: typed('zhao', (c) => `/催办 ${c.ref}`), text: /督查室工作人员才能催办/ },
    { name: '/催办 · wrong unit: a unit the item is not assigned to', from: 'received', attempt: typed('zhang', (c) => `/催办 ${c.ref} 单位=gaj`), text: /没有交办给市公安局/ },
    { name: '/催办 · wrong state: every unit completed', from: 'completed', attempt: typed('zhang', (c) => `/催办 ${c.ref}`), text: /均已办结/ },
    { name: '/催办 · wrong state: the named unit completed', from: 'completed', attempt: typed('zhang', (c) => `/催办 ${c.ref} 单位=jtj`), text: /已办结.*不能催办/ },
    { name: '/催办 · wrong state: a draft item', from: 'draft', attempt: typed('zhang', (c) => `/催办 ${c.ref}`), text: /草稿\d+尚未发出，不能催办/ },
    // /延期
    { name: '/延期 · wrong role: an office clerk', from: 'received', attempt: typed('zhang', (c) => `/延期 ${c.ref} 至=2026-11-30 理由=施工受限`), text: /没有交办给您所在的单位/ },
    { name: '/延期 · wrong role: a deputy not responsible (key item)', from: 'received', attempt: typed('sun', (c) => `/延期 ${c.ref} 至=2026-11-30 理由=施工受限`), text: /才能申请延期/ },
    { name: '/延期 · wrong role: another deputy (ordinary item)', from: 'received', ...ORDINARY, attempt: typed('sun', (c) => `/延期 ${c.ref} 至=2026-11-30 理由=施工受限`), text: /才能申请延期/ },
    { name: '/延期 · wrong unit: the head of another unit', from: 'received', attempt: typed('chen', (c) => `/延期 ${c.ref} 至=2026-11-30 理由=施工受限`), text: /没有交办给您所在的单位/ },
    { name: '/延期 · wrong unit: the contact of another unit', from: 'received', attempt: typed('zhou', (c) => `/延期 ${c.ref} 至=2026-11-30 理由=施工受限`), text: /没有交办给您所在的单位/ },
    { name: '/延期 · wrong state: completed', from: 'completed', attempt: typed('zhao', (c) => `/延期 ${c.ref} 至=2026-11-30 理由=施工受限`), text: /已办结.*不能申请延期/ },
    {
      name: '/延期 · wrong state: a request already waits for the office',
      from: 'received',
      prepare: (c) => requestExtension(c),
      attempt: typed('li', (c) => `/延期 ${c.ref} 至=2026-12-15 理由=再延`),
      text: /已有一份延期申请/,
    },
    // 同意 / 不同意
    { name: '同意 · wrong role: the head', from: 'received', prepare: (c) => requestExtension(c), attempt: forged('li', 'approve_extension', extension()), type: 'error', text: /督查室工作人员才能审批延期/ },
    { name: '同意 · wrong role: the contact who asked', from: 'received', prepare: (c) => requestExtension(c), attempt: forged('zhao', 'approve_extension', extension()), type: 'error', text: /督查室工作人员才能审批延期/ },
    { name: '不同意 · wrong role: the head', from: 'received', prepare: (c) => requestExtension(c), attempt: forged('li', 'refuse_extension', extension()), type: 'error', text: /督查室工作人员才能审批延期/ },
    { name: '同意 · wrong unit: a unit the item is not assigned to', from: 'received', prepare: (c) => requestExtension(c), attempt: forged('zhang', 'approve_extension', extension('gaj')), type: 'error', text: /没有交办给市公安局/, },
    {
      name: '同意 · wrong state: already approved (by the other clerk)',
      from: 'received',
      prepare: async (c) => {
        await requestExtension(c);
        await press('zhang', '同意', c);
      },
      attempt: forged('qian', 'approve_extension', extension()),
      type: 'info',
      text: /已同意/,
    },
    {
      name: '同意 · wrong state: the unit completed before the decision',
      from: 'received',
      prepare: async (c) => {
        await requestExtension(c);
        await submit(c, true, '全部整改到位。');
        await press('li', '签署', c);
        await press('zhang', '受理', c);
      },
      attempt: pressed('zhang', '同意'),
      type: 'info',
      text: /已办结.*不能审批延期/,
    },
    // 同意申请 / 不同意: the unit's responsible leader on a contact's request
    { name: '同意申请 · wrong role: an office clerk', from: 'received', prepare: askLeader, attempt: forged('zhang', 'agree_extension', askCard()), type: 'error', text: /市交通运输局的负责领导才能审核延期申请/ },
    { name: '同意申请 · wrong role: the contact who asked', from: 'received', prepare: askLeader, attempt: forged('zhao', 'agree_extension', askCard()), type: 'error', text: /负责领导才能审核延期申请/ },
    { name: '不同意 (leader) · wrong role: a deputy not responsible', from: 'received', prepare: askLeader, attempt: forged('sun', 'disagree_extension', askCard()), type: 'error', text: /负责领导才能审核延期申请/ },
    { name: '同意 · wrong state: the request still waits for the unit’s leader', from: 'received', prepare: askLeader, attempt: forged('zhang', 'approve_extension', extension()), type: 'info', text: /这份延期申请尚待李明同意/ },
    {
      name: '同意申请 · wrong state: already agreed',
      from: 'received',
      prepare: async (c) => {
        await askLeader(c);
        await press('li', '同意申请', c);
      },
      attempt: pressed('li', '同意申请'),
      type: 'info',
      text: /这份延期申请已报督查室，等待审批/,
    },
    // 确认出席, /约谈, /坐地督查
    { name: '确认出席 · wrong role: a deputy of the unit', from: 'received', prepare: (c) => summon(c), attempt: forged('sun', 'confirm_summons', summons), type: 'error', text: /一把手才能确认出席/ },
    { name: '确认出席 · wrong role: the responsible deputy of an ordinary item', from: 'received', ...ORDINARY, prepare: (c) => summon(c), attempt: forged('wang', 'confirm_summons', summons), type: 'error', text: /一把手才能确认出席/ },
    { name: '确认出席 · wrong unit: the head of another unit', from: 'received', prepare: (c) => summon(c), attempt: forged('chen', 'confirm_summons', summons), type: 'error', text: /市交通运输局.*确认出席/ },
    {
      name: '确认出席 · wrong state: already confirmed',
      from: 'received',
      prepare: async (c) => {
        await summon(c);
        await press('li', '确认出席', c);
      },
      attempt: pressed('li', '确认出席'),
      type: 'info',
      text: /已经确认过出席/,
    },
    { name: '/约谈 · wrong role: the head', from: 'received', attempt: typed('li', (c) => `/约谈 ${c.ref} 单位=jtj 时间="2026-10-10 15:00" 地点=会议室`), text: /督查室工作人员才能约谈/ },
    { name: '/约谈 · wrong state: completed', from: 'completed', attempt: typed('zhang', (c) => `/约谈 ${c.ref} 单位=jtj 时间="2026-10-10 15:00" 地点=会议室`), text: /已办结/ },
    { name: '/坐地督查 · wrong role: the contact', from: 'received', attempt: typed('zhao', (c) => `/坐地督查 ${c.ref} 单位=jtj 日期=2026-09-28`), text: /督查室工作人员才能记录坐地督查/ },
    { name: '/坐地督查 · wrong state: completed', from: 'completed', attempt: typed('zhang', (c) => `/坐地督查 ${c.ref} 单位=jtj 日期=2026-09-28`), text: /已办结/ },
  ];

  describe('a refused transition answers in Chinese and changes nothing', () => {
    it.each(REFUSED)('$name', async (tc) => {
      const c = await drive(tc.from, { key: tc.key, units: tc.units });
      if (tc.prepare) await tc.prepare(c);
      const before = await snapshot(c);
      const answer = await tc.attempt(c);
      expect(answer.text).toMatch(HAN);
      expect(answer.text).toMatch(tc.text);
      if (tc.type) expect(answer.type).toBe(tc.type);
      const after = await snapshot(c);
      expect(after.records).toEqual(before.records);
      expect(after.itemRaw).toEqual(before.itemRaw);
      expect(after.auditItemRaw).toEqual(before.auditItemRaw);
      expect(after.auditAllRaw).toEqual(before.auditAllRaw);
      expect(after).toEqual(before);
    });
  });

  // --- allowed transitions ----------------------------------------------------------------------

  interface AuditLine {
    action: string;
    actor: string;
    unit?: string;
    /** Absent for an action that leaves the state: then from/to, if written, must both be the state. */
    from?: string;
    to?: string;
  }

  interface AllowedCase {
    name: string;
    from: Drive;
    key?: boolean;
    units?: string;
    prepare?: (c: Ctx) => Promise<void>;
    act: (c: Ctx) => Promise<void>;
    to: AssignmentState;
    audits: AuditLine[];
    after?: (item: Item, c: Ctx) => void;
  }

  const jtj = (item: Item) => item.assignments.find((a) => a.unit === 'jtj')!;

  const ALLOWED: AllowedCase[] = [
    {
      name: '签收 · the head receives a key item',
      from: 'issued',
      act: (c) => press('li', '签收', c),
      to: 'received',
      audits: [{ action: 'receive', actor: 'li', unit: 'jtj', from: 'issued', to: 'received' }],
      after: (item) => expect(jtj(item).receivedAt).toBe(T0),
    },
    {
      name: '签收 · the responsible deputy receives an ordinary item',
      from: 'issued',
      key: false,
      act: (c) => press('wang', '签收', c),
      to: 'received',
      audits: [{ action: 'receive', actor: 'wang', unit: 'jtj', from: 'issued', to: 'received' }],
    },
    {
      name: '/报送 · from received',
      from: 'received',
      act: (c) => submit(c),
      to: 'awaiting_signature',
      audits: [{ action: 'submit', actor: 'zhao', unit: 'jtj', from: 'received', to: 'awaiting_signature' }],
      after: (item) => expect(jtj(item).reports.map((r) => r.status)).toEqual(['pending']),
    },
    {
      name: '/报送 · a new version while one awaits signature replaces it',
      from: 'awaiting_signature',
      act: (c) => submit(c, false, '第二稿'),
      to: 'awaiting_signature',
      audits: [{ action: 'submit', actor: 'zhao', unit: 'jtj', from: 'awaiting_signature', to: 'awaiting_signature' }],
      after: (item) => expect(jtj(item).reports.map((r) => r.status)).toEqual(['superseded', 'pending']),
    },
    {
      name: '/报送 · a new version after signature needs a new signature',
      from: 'signed',
      act: (c) => submit(c, false, '第二稿'),
      to: 'awaiting_signature',
      audits: [{ action: 'submit', actor: 'zhao', unit: 'jtj', from: 'signed', to: 'awaiting_signature' }],
      after: (item) => {
        expect(jtj(item).reports.map((r) => r.status)).toEqual(['superseded', 'pending']);
        expect(jtj(item).reports[1]!.signature).toBeUndefined();
      },
    },
    {
      name: '/报送 · after the office returned it',
      from: 'returned',
      act: (c) => submit(c, false, '第二稿'),
      to: 'awaiting_signature',
      audits: [{ action: 'submit', actor: 'zhao', unit: 'jtj', from: 'returned', to: 'awaiting_signature' }],
    },
    {
      name: '/报送 · after the leader sent it back',
      from: 'sent_back',
      act: (c) => submit(c, false, '第二稿'),
      to: 'awaiting_signature',
      audits: [{ action: 'submit', actor: 'zhao', unit: 'jtj', from: 'returned', to: 'awaiting_signature' }],
    },
    {
      name: '签署 · the head signs a key item\'s report',
      from: 'awaiting_signature',
      act: (c) => press('li', '签署', c),
      to: 'signed',
      audits: [{ action: 'sign', actor: 'li', unit: 'jtj', from: 'awaiting_signature', to: 'signed' }],
      after: (item) => expect(jtj(item).reports[0]!.signature).toMatchObject({ by: 'li', platform: 'feishu', version: 1 }),
    },
    {
      name: '签署 · the responsible deputy signs an ordinary item\'s report',
      from: 'awaiting_signature',
      key: false,
      act: (c) => press('wang', '签署', c),
      to: 'signed',
      audits: [{ action: 'sign', actor: 'wang', unit: 'jtj', from: 'awaiting_signature', to: 'signed' }],
    },
    {
      name: '退回修改 · the head sends it back to the contact',
      from: 'awaiting_signature',
      act: (c) => press('li', '退回修改', c),
      to: 'returned',
      audits: [{ action: 'send_back', actor: 'li', unit: 'jtj', from: 'awaiting_signature', to: 'returned' }],
      after: (item) => expect(jtj(item).reports[0]!.status).toBe('sent_back'),
    },
    {
      name: '受理 · a progress report goes back to work',
      from: 'signed',
      act: (c) => press('zhang', '受理', c),
      to: 'received',
      audits: [{ action: 'accept', actor: 'zhang', unit: 'jtj', from: 'signed', to: 'received' }],
      after: (item) => {
        expect(jtj(item).reports[0]!.status).toBe('accepted');
        expect(item.status).toBe('open');
      },
    },
    {
      name: '受理 · a final report completes the unit (another unit still open)',
      from: 'received',
      units: 'jtj、gaj',
      prepare: async (c) => {
        await submit(c, true, '全部整改到位。');
        await press('li', '签署', c);
      },
      act: (c) => press('zhang', '受理', c),
      to: 'completed',
      audits: [{ action: 'accept', actor: 'zhang', unit: 'jtj', from: 'signed', to: 'completed' }],
      after: (item) => {
        expect(item.status).toBe('open');
        expect(jtj(item).completedAt).toBe(T0);
      },
    },
    {
      name: '受理 · a final report of the only unit completes the item too',
      from: 'received',
      prepare: async (c) => {
        await submit(c, true, '全部整改到位。');
        await press('li', '签署', c);
      },
      act: (c) => press('zhang', '受理', c),
      to: 'completed',
      // The item's own completion is its own line, written in the same step.
      audits: [
        { action: 'accept', actor: 'zhang', unit: 'jtj', from: 'signed', to: 'completed' },
        { action: 'complete_item', actor: 'zhang', from: 'open', to: 'completed' },
      ],
      after: (item) => expect(item.status).toBe('completed'),
    },
    {
      name: '退回 · the office returns a signed report',
      from: 'signed',
      act: (c) => press('zhang', '退回', c),
      to: 'returned',
      audits: [{ action: 'return', actor: 'zhang', unit: 'jtj', from: 'signed', to: 'returned' }],
      after: (item) => expect(jtj(item).reports[0]!.status).toBe('returned'),
    },
    ...(['issued', 'received', 'awaiting_signature', 'signed', 'returned'] as const).map(
      (s): AllowedCase => ({
        name: `/催办 · ${s}: no state change`,
        from: s,
        act: (c) => command('zhang', `/催办 ${c.ref}`, c),
        to: s,
        audits: [{ action: 'urge', actor: 'zhang', unit: 'jtj', from: s, to: s }],
        after: (item) => expect(jtj(item).urges).toEqual([T0]),
      }),
    ),
    {
      name: '/约谈 · no state change',
      from: 'awaiting_signature',
      act: (c) => summon(c),
      to: 'awaiting_signature',
      audits: [{ action: 'summon', actor: 'zhang', unit: 'jtj' }],
      after: (item) => expect(jtj(item).summons).toHaveLength(1),
    },
    {
      name: '确认出席 · the head confirms (key item)',
      from: 'received',
      prepare: (c) => summon(c),
      act: (c) => press('li', '确认出席', c),
      to: 'received',
      audits: [{ action: 'confirm_summons', actor: 'li', unit: 'jtj' }],
      after: (item) => expect(jtj(item).summons[0]).toMatchObject({ confirmedBy: 'li', confirmedAt: T0 }),
    },
    {
      name: '确认出席 · the head confirms on an ordinary item too',
      from: 'signed',
      key: false,
      prepare: (c) => summon(c),
      act: (c) => press('li', '确认出席', c),
      to: 'signed',
      audits: [{ action: 'confirm_summons', actor: 'li', unit: 'jtj' }],
    },
    {
      name: '确认出席 · after the unit completed',
      from: 'received',
      prepare: async (c) => {
        await summon(c);
        await submit(c, true, '全部整改到位。');
        await press('li', '签署', c);
        await press('zhang', '受理', c);
      },
      act: (c) => press('li', '确认出席', c),
      to: 'completed',
      audits: [{ action: 'confirm_summons', actor: 'li', unit: 'jtj' }],
    },
    {
      name: '/坐地督查 · no state change',
      from: 'returned',
      act: (c) => command('zhang', `/坐地督查 ${c.ref} 单位=jtj 日期=2026-09-28 记录=现场查看`, c),
      to: 'returned',
      audits: [{ action: 'onsite', actor: 'zhang', unit: 'jtj' }],
      after: (item) => expect(jtj(item).visits).toHaveLength(1),
    },
    {
      name: '/延期 · asked by the head',
      from: 'received',
      act: (c) => requestExtension(c, 'li'),
      to: 'received',
      audits: [{ action: 'request_extension', actor: 'li', unit: 'jtj' }],
      after: (item) => expect(jtj(item).extensions[0]).toMatchObject({ by: 'li', status: 'pending', to: '2026-11-30' }),
    },
    {
      name: '/延期 · asked by the head on an ordinary item',
      from: 'issued',
      key: false,
      act: (c) => requestExtension(c, 'li'),
      to: 'issued',
      audits: [{ action: 'request_extension', actor: 'li', unit: 'jtj' }],
    },
    {
      name: '/延期 · asked by the responsible deputy (ordinary item)',
      from: 'awaiting_signature',
      key: false,
      act: (c) => requestExtension(c, 'wang'),
      to: 'awaiting_signature',
      audits: [{ action: 'request_extension', actor: 'wang', unit: 'jtj' }],
    },
    {
      name: '/延期 · asked by the contact',
      from: 'signed',
      act: (c) => requestExtension(c, 'zhao'),
      to: 'signed',
      audits: [{ action: 'request_extension', actor: 'zhao', unit: 'jtj' }],
      // A contact's request goes to the unit's responsible leader first.
      after: (item) => expect(jtj(item).extensions[0]).toMatchObject({ by: 'zhao', status: 'pending_leader' }),
    },
    {
      name: '同意申请 · the unit’s leader agrees: the request goes to the office',
      from: 'received',
      prepare: askLeader,
      act: (c) => press('li', '同意申请', c),
      to: 'received',
      audits: [{ action: 'agree_extension', actor: 'li', unit: 'jtj' }],
      after: (item) => expect(jtj(item).extensions[0]).toMatchObject({ status: 'pending', agreedBy: 'li' }),
    },
    {
      name: '不同意 · the unit’s leader refuses: the office never sees it',
      from: 'awaiting_signature',
      prepare: askLeader,
      act: (c) => press('li', '不同意', c),
      to: 'awaiting_signature',
      audits: [{ action: 'disagree_extension', actor: 'li', unit: 'jtj' }],
      after: (item) => expect(jtj(item).extensions[0]).toMatchObject({ status: 'refused', leaderRefused: true, decidedBy: 'li', refuseReason: REASON }),
    },
    {
      name: '同意 · the office approves: the deadline moves',
      from: 'received',
      prepare: (c) => requestExtension(c),
      act: (c) => press('zhang', '同意', c),
      to: 'received',
      // The change of deadline is its own audit line (docs/domain.md: an agreed extension moves the deadline, and the change is in the audit trail).
      audits: [
        { action: 'approve_extension', actor: 'zhang', unit: 'jtj' },
        { action: 'change_deadline', actor: 'zhang', unit: 'jtj' },
      ],
      after: (item) => {
        expect(jtj(item).due).toBe('2026-11-30');
        expect(jtj(item).extensions[0]).toMatchObject({ status: 'approved', decidedBy: 'zhang', oldDue: '2026-10-30' });
      },
    },
    {
      name: '不同意 · the office refuses: the deadline stays',
      from: 'received',
      prepare: (c) => requestExtension(c),
      act: (c) => press('zhang', '不同意', c),
      to: 'received',
      audits: [{ action: 'refuse_extension', actor: 'zhang', unit: 'jtj' }],
      after: (item) => {
        expect(jtj(item).due).toBe('2026-10-30');
        expect(jtj(item).extensions[0]).toMatchObject({ status: 'refused', decidedBy: 'zhang' });
      },
    },
  ];

  describe('an allowed transition moves the state and writes exactly its audit line', () => {
    it.each(ALLOWED)('$name', async (tc) => {
      const c = await drive(tc.from, { key: tc.key, units: tc.units });
      if (tc.prepare) await tc.prepare(c);
      const state = await stateOf(c);
      const before = await snapshot(c);
      await tc.act(c);
      const after = await snapshot(c);
      expect(after.item!.version).toBe(before.item!.version + 1);
      const item = after.item!.item;
      expect(jtj(item).state).toBe(tc.to);

      const added = after.audit.slice(before.audit.length);
      expect(after.audit.slice(0, before.audit.length)).toEqual(before.audit);
      expect(added).toHaveLength(tc.audits.length);
      tc.audits.forEach((want, i) => {
        const got = added[i]!;
        expect(got).toMatchObject({ action: want.action, actor: want.actor, item: c.id, at: T0 });
        expect(got.unit).toBe(want.unit);
        if (want.from !== undefined || want.to !== undefined) {
          expect({ from: got.from, to: got.to }).toEqual({ from: want.from, to: want.to });
        } else {
          // Nothing moved: from/to, when written at all, say so.
          expect(got.from ?? state).toBe(state);
          expect(got.to ?? state).toBe(state);
        }
      });
      // The global stream got the very same lines, and nothing else.
      const strip = ({ id: _id, ...rest }: { id: string }) => rest;
      expect(after.auditAll.slice(0, before.auditAll.length)).toEqual(before.auditAll);
      expect(after.auditAll.slice(before.auditAll.length).map(strip)).toEqual(added.map(strip));
      tc.after?.(item, c);
    });
  });
});
