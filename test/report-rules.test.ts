// The life of one report, table-driven, in two layers:
// 1. pure: every report action × report status × latest or earlier × signature kept or broken through
//    checkReport(), against an expectation written by hand from docs/domain.md (not derived from REPORT_RULES);
// 2. through the service (real Redis): each of the four buttons, pressed by the one it is for on a report in each
//    status, is answered as REPORT_RULES says, and a refused press changes neither the item nor its audit trail.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../src/chat/message.ts';
import { checkReport, REPLACED_BY_NEW_VERSION, REPORT_RULES, type ReportAction } from '../src/domain/report-rules.ts';
import { isRefusal, type RefusalCode } from '../src/domain/refusal.ts';
import type { Assignment, Report, ReportStatus } from '../src/domain/types.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

const STATUSES: ReportStatus[] = ['pending', 'signed', 'sent_back', 'superseded', 'accepted', 'returned'];
const ACTIONS: ReportAction[] = ['sign', 'send_back', 'accept', 'return'];

// ---------------------------------------------------------------------------------------------
// The expectation, by hand, from docs/domain.md ("The life of one report").
// ---------------------------------------------------------------------------------------------

type Want = { to: ReportStatus } | { refuse: RefusalCode; says: RegExp };
const ALREADY_SIGNED: Want = { refuse: 'wrong_state', says: /已经签署/ };
const SUPERSEDED: Want = { refuse: 'stale', says: /已被新版本取代/ };

/** The leader signs or sends back the report waiting for them; one decided already, or replaced, is not theirs. */
const byLeader = (to: ReportStatus): Record<ReportStatus, Want> => ({
  pending: { to },
  signed: ALREADY_SIGNED,
  accepted: ALREADY_SIGNED,
  returned: ALREADY_SIGNED,
  sent_back: { refuse: 'wrong_state', says: /已退回修改/ },
  superseded: SUPERSEDED,
});

const EXPECT: Record<ReportAction, Record<ReportStatus, Want>> = {
  sign: byLeader('signed'),
  send_back: byLeader('sent_back'),
  // The office takes a signed report only: anything unsigned is 不予受理 (rule 2).
  accept: {
    signed: { to: 'accepted' },
    pending: { refuse: 'unsigned', says: /^不予受理：.*签署/ },
    sent_back: { refuse: 'unsigned', says: /^不予受理：.*退回/ },
    returned: { refuse: 'unsigned', says: /^不予受理：.*退回/ },
    accepted: { refuse: 'wrong_state', says: /已经受理/ },
    superseded: SUPERSEDED,
  },
  // The office sends a signed report back for rework.
  return: {
    signed: { to: 'returned' },
    pending: { refuse: 'wrong_state', says: /待签署.*不能退回/ },
    sent_back: { refuse: 'wrong_state', says: /已退回.*不能再退回/ },
    returned: { refuse: 'wrong_state', says: /已经退回/ },
    accepted: { refuse: 'wrong_state', says: /已经受理.*不能退回/ },
    superseded: SUPERSEDED,
  },
};

// ---------------------------------------------------------------------------------------------
// Pure layer.
// ---------------------------------------------------------------------------------------------

function report(version: number, status: ReportStatus): Report {
  const text = `第 ${version} 稿：已完成排查`;
  const hash = createHash('sha256').update(text, 'utf8').digest('hex');
  const r: Report = { version, text, hash, final: false, by: 'zhao', at: 0, status };
  // Every report that went past its leader signed was signed; the others never were.
  if (status === 'signed' || status === 'accepted' || status === 'returned') r.signature = { by: 'li', at: 0, platform: 'test', version, hash, text };
  return r;
}

/** One unit with report 1 in `status`; `earlier`: a later version 2 follows it, so report 1 is not the latest. */
function unitWith(status: ReportStatus, earlier: boolean): Assignment {
  const reports = [report(1, status)];
  if (earlier) reports.push(report(2, 'pending'));
  return { unit: 'jtj', lead: true, responsible: 'li', state: 'received', due: '2026-10-30', dueAt: 0, reports, summons: [], visits: [], extensions: [], urges: [] };
}

function run(action: ReportAction, a: Assignment, n: number): { to: ReportStatus } | { code: RefusalCode; message: string } {
  try {
    return { to: checkReport(action, a, n).to };
  } catch (e) {
    if (!isRefusal(e)) throw e;
    return { code: e.code, message: e.message };
  }
}

describe('checkReport(): every action × report status against docs/domain.md', () => {
  it('covers exactly the four actions on a report, and every status', () => {
    expect(Object.keys(REPORT_RULES).sort()).toEqual([...ACTIONS].sort());
    for (const action of ACTIONS) expect(Object.keys(EXPECT[action]).sort()).toEqual([...STATUSES].sort());
  });

  it('answers every status an action does not act on (the table has no hole)', () => {
    for (const action of ACTIONS) {
      const rule = REPORT_RULES[action];
      for (const status of STATUSES) if (!rule.from.includes(status)) expect(rule.refuse[status], `${action}/${status}`).toBeDefined();
    }
  });

  for (const action of ACTIONS) {
    for (const status of STATUSES) {
      const want = EXPECT[action][status];
      it(`${action} · ${status} (the latest) → ${'to' in want ? want.to : `refused ${want.refuse}`}`, () => {
        const a = unitWith(status, false);
        const before = structuredClone(a);
        const got = run(action, a, 1);
        // checkReport only decides.
        expect(a).toEqual(before);
        if ('to' in want) return expect(got).toEqual({ to: want.to });
        expect(got).toMatchObject({ code: want.refuse });
        expect('message' in got && got.message).toMatch(want.says);
      });

      // An earlier version: the same answer for a status the action never acts on; one it acts on is superseded.
      const earlierWant: Want = 'to' in want ? SUPERSEDED : want;
      it(`${action} · ${status} (an earlier version) → refused ${'refuse' in earlierWant ? earlierWant.refuse : ''}`, () => {
        const got = run(action, unitWith(status, true), 1);
        expect(got).toMatchObject({ code: (earlierWant as { refuse: RefusalCode }).refuse });
        expect('message' in got && got.message).toMatch((earlierWant as { says: RegExp }).says);
      });
    }
  }

  it('受理 takes a signed report only while its signature binds its exact text: else 不予受理', () => {
    for (const broken of ['text', 'version', 'none'] as const) {
      const a = unitWith('signed', false);
      const r = a.reports[0]!;
      if (broken === 'text') r.text = '签署后被改动的正文';
      if (broken === 'text') r.hash = createHash('sha256').update(r.text, 'utf8').digest('hex');
      if (broken === 'version') r.signature!.version = 2;
      if (broken === 'none') delete r.signature;
      expect(run('accept', a, 1), broken).toMatchObject({ code: 'unsigned', message: expect.stringMatching(/^不予受理/) });
      // The leader's own actions do not look at the signature: the status says it all.
      expect(run('return', a, 1), broken).toEqual({ to: 'returned' });
    }
  });

  it('a version that does not exist is not found', () => {
    for (const action of ACTIONS) expect(run(action, unitWith('pending', false), 7)).toMatchObject({ code: 'not_found' });
  });

  it('a new version replaces the reports waiting for signature or review, and no other', () => {
    expect([...REPLACED_BY_NEW_VERSION].sort()).toEqual(['pending', 'signed']);
  });
});

// ---------------------------------------------------------------------------------------------
// Through the service: the four buttons answer as the table says.
// ---------------------------------------------------------------------------------------------

describe('the four report buttons, through the service', () => {
  let h: Harness;
  let n = 0;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const lastCard = (person: string, label: string, no: string): Card => {
    const found = h
      .received(person)
      .flatMap((s) => (s.message.kind === 'card' ? [s.message.card] : []))
      .filter((c) => c.title.includes(no) && c.buttons.some((b) => b.text === label));
    const card = found.at(-1);
    if (!card) throw new Error(`${person} has no card of ${no} with ${label}`);
    return card;
  };

  /** A key item of jtj whose report 1 is in `status` (report 2 follows it when `earlier`). */
  async function itemWith(status: ReportStatus, earlier: boolean): Promise<string> {
    n++;
    await h.command('zhang', `/新建 报告第${n}项 单位=jtj 期限=2026-10-30 类别=重大`);
    const issued = await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    expect(issued.toast).toMatchObject({ type: 'success' });
    // The number given at 发出; the item's own id is the store's.
    const no = issued.card!.fields.find((f) => f.label === '编号')!.value;
    const m = /〔(\d{4})〕(\d+)号/.exec(no)!;
    const typed = `${m[1]}-${m[2]}`;
    const id = (await h.rt.store.findItem({ year: Number(m[1]), seq: Number(m[2]) }))!;
    const press = async (person: string, label: string, card = lastCard(person, label, no)) => {
      const answer = await h.press(person, { card, label, reason: '数据不全，请补充' });
      expect(answer.toast, `${person} ${label}`).toMatchObject({ type: 'success' });
    };
    await press('li', '签收');
    await h.command('zhao', `/报送 ${typed} 第一稿：已完成排查。`);
    if (status === 'signed' || status === 'accepted' || status === 'returned') await press('li', '签署');
    if (status === 'sent_back') await press('li', '退回修改');
    if (status === 'accepted') await press('zhang', '受理');
    if (status === 'returned') await press('zhang', '退回');
    if (status === 'superseded' || earlier) await h.command('zhao', `/报送 ${typed} 第二稿：补充了资金安排。`);
    const a = (await h.rt.store.getAssignment(id, 'jtj'))!.doc;
    expect(a.reports[0]!.status).toBe(status);
    expect(a.reports.length).toBe(status === 'superseded' || earlier ? 2 : 1);
    return id;
  }

  const BUTTON: Record<ReportAction, { by: string; card: 'sign' | 'review' }> = {
    sign: { by: 'li', card: 'sign' },
    send_back: { by: 'li', card: 'sign' },
    accept: { by: 'zhang', card: 'review' },
    return: { by: 'zhang', card: 'review' },
  };

  // Every status a report can reach, as the latest; and those an earlier version is left in by what follows it.
  const CASES: [ReportStatus, boolean][] = [
    ...STATUSES.filter((s) => s !== 'superseded').map((s): [ReportStatus, boolean] => [s, false]),
    ['superseded', true],
    ['sent_back', true],
    ['returned', true],
    ['accepted', true],
  ];

  for (const action of ACTIONS) {
    for (const [status, earlier] of CASES) {
      const rule = REPORT_RULES[action];
      const acts = rule.from.includes(status) && !earlier;
      const why = earlier && rule.from.includes(status) ? rule.refuse.superseded : rule.refuse[status];
      it(`${action} on a${earlier ? 'n earlier' : ''} ${status} report → ${acts ? rule.to : why?.message}`, async () => {
        const id = await itemWith(status, earlier);
        const { by, card } = BUTTON[action];
        const records = async () => ({ item: await h.rt.store.getItem(id), audit: await h.rt.store.audit(id) });
        const before = await records();
        const token = h.rt.signer.sign({ a: action, k: `${card}:${id}:jtj:1`, f: by });
        const answer = await h.press(by, token, undefined, { reason: '数据不全，请补充' });
        const a = (await h.rt.store.getAssignment(id, 'jtj'))!.doc;
        if (acts) {
          expect(answer.toast.type).toBe('success');
          expect(a.reports[0]!.status).toBe(rule.to);
          return;
        }
        expect(answer.toast.text).toBe(why!.message);
        expect(answer.toast.type).toBe(why!.code === 'wrong_state' || why!.code === 'stale' ? 'info' : 'error');
        expect(await records()).toEqual(before);
      });
    }
  }
});
