// 退回修改: the responsible leader sends the report back to the unit's contact instead of signing it.
import { check } from '../src/domain/rules.ts';
import { noticeNumber } from '../src/domain/types.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { refreshAssignmentCards, sendText } from '../src/dispatch/handler-kit.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';

export const sendBackReport: ActionHandler = {
  actions: ['send_back'],
  run: (ctx) =>
    mutateAssignment(ctx.rt, ctx.op, ctx.key.item, ctx.key.unit, (item, a, now) => {
      const r = a.reports.find((x) => x.version === ctx.key.n);
      if (!r) throw new Refusal('not_found', '找不到这份报告');
      if (r.status === 'superseded') throw new Refusal('stale', '这一稿已被新版本取代');
      if (r.status !== 'pending') throw new Refusal('wrong_state', r.signature ? '这份报告已经签署' : '这份报告已退回修改');
      const from = a.state;
      a.state = check('send_back', ctx.person.id, item, a, ctx.dir);
      r.status = 'sent_back';
      r.reviewedBy = ctx.person.id;
      r.reviewedAt = now;
      return {
        audits: [{ action: 'send_back', unit: a.unit, from, to: a.state, detail: { version: r.version } }],
        deliveries: [
          sendText(r.by, `${noticeNumber(item)}「${item.title}」第 ${r.version} 稿报告被${ctx.person.name}退回修改，请修改后用 /报送 重新报送。`),
          ...refreshAssignmentCards(item, a),
        ],
        toast: '已退回联络员修改',
      };
    }),
};
