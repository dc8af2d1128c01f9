// 退回: the office sends a signed report back to the unit for rework.
import { checkReport } from '../src/domain/report-rules.ts';
import { check } from '../src/domain/rules.ts';
import { noticeNumber } from '../src/domain/types.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { refreshAssignmentCards, sendText } from '../src/dispatch/handler-kit.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';

export const returnReport: ActionHandler = {
  actions: ['return'],
  run: (ctx) =>
    mutateAssignment(ctx.rt, ctx.op, ctx.key.item, ctx.key.unit, (item, a, now) => {
      const { report: r, to } = checkReport('return', a, ctx.key.n);
      const from = a.state;
      a.state = check('return', ctx.person.id, item, a, ctx.dir);
      r.status = to;
      r.reviewedBy = ctx.person.id;
      r.reviewedAt = now;
      const unitName = ctx.dir.unitName(a.unit);
      const notify = [...new Set([a.responsible, r.by])];
      return {
        audits: [{ action: 'return', unit: a.unit, from, to: a.state, detail: { version: r.version } }],
        deliveries: [
          ...notify.map((p) =>
            sendText(p, `${noticeNumber(item)}「${item.title}」${unitName}第 ${r.version} 稿报告被督查室退回，请修改后重新报送并签署。`),
          ),
          ...refreshAssignmentCards(item, a),
        ],
        toast: '已退回',
      };
    }),
};
