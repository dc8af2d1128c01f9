// 退回修改: the responsible leader sends the report back to the unit's contact instead of signing it, saying why.
import { reportLine } from '../src/chat/command-lines.ts';
import { checkReport } from '../src/domain/report-rules.ts';
import { check } from '../src/domain/rules.ts';
import { noticeNumber } from '../src/domain/types.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { currentYear, refreshAssignmentCards, sendText } from '../src/dispatch/handler-kit.ts';
import { reasonOf } from '../src/dispatch/reason-ask.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';

export const sendBackReport: ActionHandler = {
  actions: ['send_back'],
  run: (ctx) =>
    mutateAssignment(ctx.rt, ctx.op, ctx.key.item, ctx.key.unit, (item, a, now) => {
      const { report: r, to } = checkReport('send_back', a, ctx.key.n);
      const from = a.state;
      a.state = check('send_back', ctx.person.id, item, a, ctx.dir);
      const reason = reasonOf(ctx, 'send_back', item, a.unit, ctx.dir);
      r.status = to;
      r.reviewedBy = ctx.person.id;
      r.reviewedAt = now;
      r.returnReason = reason;
      return {
        audits: [{ action: 'send_back', unit: a.unit, from, to: a.state, detail: { version: r.version, reason } }],
        deliveries: [
          sendText(
            r.by,
            `${noticeNumber(item)}「${item.title}」第 ${r.version} 稿报告被${ctx.person.name}退回修改。\n退回理由：${reason}\n` +
              `请修改后重新报送：${reportLine(item, r.final, currentYear(ctx.rt))}`,
          ),
          ...refreshAssignmentCards(item, a),
        ],
        toast: '已退回联络员修改',
      };
    }),
};
