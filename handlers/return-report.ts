// 退回: the office sends a signed report back to the unit for rework.
import { check } from '../src/domain/rules.ts';
import { latestReport, noticeNumber } from '../src/domain/types.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { refreshAssignmentCards, sendText } from '../src/dispatch/handler-kit.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';

export const returnReport: ActionHandler = {
  actions: ['return'],
  run: (ctx) =>
    mutateAssignment(ctx.rt, ctx.op, ctx.key.item, ctx.key.unit, (item, a, now) => {
      const r = a.reports.find((x) => x.version === ctx.key.n);
      if (!r) throw new Refusal('not_found', '找不到这份报告');
      if (r.status === 'returned') throw new Refusal('wrong_state', '这份报告已经退回');
      if (latestReport(a) !== r || r.status === 'superseded') throw new Refusal('stale', '这一稿已被新版本取代');
      const from = a.state;
      a.state = check('return', ctx.person.id, item, a, ctx.dir);
      r.status = 'returned';
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
