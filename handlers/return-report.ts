// 退回: the office sends a signed report back to the unit for rework, saying why.
import { reportLine } from '../src/chat/command-lines.ts';
import { checkReport } from '../src/domain/report-rules.ts';
import { check } from '../src/domain/rules.ts';
import { noticeNumber } from '../src/domain/types.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { currentYear, refreshAssignmentCards, sendText } from '../src/dispatch/handler-kit.ts';
import { reasonOf } from '../src/dispatch/reason-ask.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';

export const returnReport: ActionHandler = {
  actions: ['return'],
  run: (ctx) =>
    mutateAssignment(ctx.rt, ctx.op, ctx.key.item, ctx.key.unit, (item, a, now) => {
      const { report: r, to } = checkReport('return', a, ctx.key.n);
      const from = a.state;
      a.state = check('return', ctx.person.id, item, a, ctx.dir);
      const reason = reasonOf(ctx, 'return', item, a.unit, ctx.dir);
      r.status = to;
      r.reviewedBy = ctx.person.id;
      r.reviewedAt = now;
      r.returnReason = reason;
      const unitName = ctx.dir.unitName(a.unit);
      const said = `${noticeNumber(item)}「${item.title}」${unitName}第 ${r.version} 稿报告被督查室（${ctx.person.name}）退回。\n退回理由：${reason}\n`;
      return {
        audits: [{ action: 'return', unit: a.unit, from, to: a.state, detail: { version: r.version, reason } }],
        deliveries: [
          sendText(r.by, `${said}请修改后重新报送：${reportLine(item, r.final, currentYear(ctx.rt))}，并经${ctx.dir.personName(a.responsible)}签署。`),
          ...(a.responsible === r.by ? [] : [sendText(a.responsible, `${said}联络员修改重报后，请再签署。`)]),
          ...refreshAssignmentCards(item, a),
        ],
        toast: '已退回',
      };
    }),
};
