// The life of one report, as a table: which reports each action on a report may take, to what, and what a press
// on any other is told. Handlers read it before the rules of the assignment (rules.ts); see docs/domain.md.
import { Refusal, type RefusalCode } from './refusal.ts';
import { latestReport, type Assignment, type Report, type ReportStatus } from './types.ts';

export type ReportAction = 'sign' | 'send_back' | 'accept' | 'return';

interface Answer {
  code: RefusalCode;
  message: string;
}

export interface ReportRule {
  /** The statuses the action takes a report from. */
  from: readonly ReportStatus[];
  /** The status it leaves the report in. */
  to: ReportStatus;
  /** Only the unit's latest report: an earlier one is answered as superseded (never the case in consistent records). */
  latest: boolean;
  /** Only a report whose signature binds its exact text; the answer for any other. */
  signed?: Answer;
  /** The answer for a report in each status not in `from` (and, superseded, for one that is not the latest). */
  refuse: Partial<Record<ReportStatus, Answer>> & { superseded: Answer };
}

const wrong = (message: string): Answer => ({ code: 'wrong_state', message });
const stale = (message: string): Answer => ({ code: 'stale', message });
const unsigned = (message: string): Answer => ({ code: 'unsigned', message });
const NOT_SIGNED = unsigned('不予受理：该报告尚未经负责领导本人签署');

/** What a leader is told pressing 签署 or 退回修改 on a report no longer waiting for them. */
const DECIDED = {
  signed: wrong('这份报告已经签署'),
  accepted: wrong('这份报告已经签署'),
  returned: wrong('这份报告已经签署'),
  sent_back: wrong('这份报告已退回修改'),
};

export const REPORT_RULES: Record<ReportAction, ReportRule> = {
  sign: { from: ['pending'], to: 'signed', latest: true, refuse: { ...DECIDED, superseded: stale('这一稿已被新版本取代，请签署最新一稿') } },
  send_back: { from: ['pending'], to: 'sent_back', latest: true, refuse: { ...DECIDED, superseded: stale('这一稿已被新版本取代') } },
  accept: {
    from: ['signed'],
    to: 'accepted',
    latest: true,
    signed: NOT_SIGNED,
    refuse: {
      // 不予受理: nothing unsigned is taken (rule 2), nor a report whose signature the office already sent back.
      pending: NOT_SIGNED,
      sent_back: unsigned('不予受理：该报告未经负责领导签署，已退回联络员修改'),
      returned: unsigned('不予受理：这份报告已被督查室退回，须修改后重新报送并签署'),
      accepted: wrong('这份报告已经受理'),
      superseded: stale('这一稿已被新版本取代，请审核最新一稿'),
    },
  },
  return: {
    from: ['signed'],
    to: 'returned',
    latest: true,
    refuse: {
      pending: wrong('这份报告待签署，尚未报督查室，不能退回'),
      sent_back: wrong('这份报告已退回联络员修改，不能再退回'),
      returned: wrong('这份报告已经退回'),
      accepted: wrong('这份报告已经受理，不能退回'),
      superseded: stale('这一稿已被新版本取代'),
    },
  },
};

/** What a new version does to the reports before it: one waiting for signature or review is replaced. */
export const REPLACED_BY_NEW_VERSION: readonly ReportStatus[] = ['pending', 'signed'];

/** Checks an action on version `n` of the unit's reports; throws a Refusal naming why not. */
export function checkReport(action: ReportAction, a: Assignment, n: number | undefined): { report: Report; to: ReportStatus } {
  const report = a.reports.find((r) => r.version === n);
  if (!report) throw new Refusal('not_found', '找不到这份报告');
  const rule = REPORT_RULES[action];
  if (!rule.from.includes(report.status)) {
    const why = rule.refuse[report.status];
    if (!why) throw new Error(`REPORT_RULES.${action} has no answer for a ${report.status} report`);
    throw new Refusal(why.code, why.message);
  }
  if (rule.latest && latestReport(a) !== report) throw new Refusal('stale', rule.refuse.superseded.message);
  const sig = report.signature;
  if (rule.signed && !(sig && sig.hash === report.hash && sig.version === report.version)) {
    throw new Refusal(rule.signed.code, rule.signed.message);
  }
  return { report, to: rule.to };
}
