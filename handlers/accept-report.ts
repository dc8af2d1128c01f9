// 受理: the office takes a signed report. A progress report sends the unit back to work; a final one completes it.
// An unsigned report is refused (不予受理), whatever the card says: see REPORT_RULES.
import { checkReport } from '../src/domain/report-rules.ts';
import { timeliness, TIMELINESS_LABELS } from '../src/domain/on-time.ts';
import { check } from '../src/domain/rules.ts';
import { noticeNumber } from '../src/domain/types.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { refreshAssignmentCards, sendText } from '../src/dispatch/handler-kit.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';

export const acceptReport: ActionHandler = {
  actions: ['accept'],
  run: (ctx) =>
    mutateAssignment(ctx.rt, ctx.op, ctx.key.item, ctx.key.unit, (item, a, now) => {
      const { report: r, to: status } = checkReport('accept', a, ctx.key.n);
      const from = a.state;
      const to = check('accept', ctx.person.id, item, a, ctx.dir);
      a.state = to;
      r.status = status;
      r.reviewedBy = ctx.person.id;
      r.reviewedAt = now;
      if (to === 'completed') a.completedAt = now;
      const unitName = ctx.dir.unitName(a.unit);
      const what = to === 'completed' ? `办结报告已受理，该单位事项办结（${TIMELINESS_LABELS[timeliness(a, now, ctx.rt.config.tz)]}）` : '进展报告已受理，请继续抓好落实';
      const notify = [...new Set([a.responsible, r.by])];
      return {
        audits: [{ action: 'accept', unit: a.unit, from, to, detail: { version: r.version, hash: r.hash, final: r.final } }],
        deliveries: [
          ...notify.map((p) => sendText(p, `${noticeNumber(item)}「${item.title}」${unitName}：${what}（${ctx.person.name}）。`)),
          ...refreshAssignmentCards(item, a),
        ],
        toast: to === 'completed' ? `已受理，${unitName}办结（${TIMELINESS_LABELS[timeliness(a, now, ctx.rt.config.tz)]}）` : '已受理',
      };
    }),
};
