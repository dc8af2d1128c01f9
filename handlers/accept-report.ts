// 受理: the office takes a signed report. A progress report sends the unit back to work; a final one completes it.
// An unsigned report is refused (不予受理), whatever the card says.
import { check } from '../src/domain/rules.ts';
import { latestReport, noticeNumber } from '../src/domain/types.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { refreshAssignmentCards, sendText } from '../src/dispatch/handler-kit.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';

export const acceptReport: ActionHandler = {
  actions: ['accept'],
  run: (ctx) =>
    mutateAssignment(ctx.rt, ctx.op, ctx.key.item, ctx.key.unit, (item, a, now) => {
      const r = a.reports.find((x) => x.version === ctx.key.n);
      if (!r) throw new Refusal('not_found', '找不到这份报告');
      if (r.status === 'accepted') throw new Refusal('wrong_state', '这份报告已经受理');
      if (latestReport(a) !== r || r.status === 'superseded') throw new Refusal('stale', '这一稿已被新版本取代，请审核最新一稿');
      const from = a.state;
      const to = check('accept', ctx.person.id, item, a, ctx.dir);
      const sig = r.signature;
      if (!sig || sig.hash !== r.hash || sig.version !== r.version) {
        throw new Refusal('unsigned', '不予受理：该报告尚未经负责领导本人签署');
      }
      a.state = to;
      r.status = 'accepted';
      r.reviewedBy = ctx.person.id;
      r.reviewedAt = now;
      if (to === 'completed') a.completedAt = now;
      const unitName = ctx.dir.unitName(a.unit);
      const what = to === 'completed' ? '办结报告已受理，该单位事项办结' : '进展报告已受理，请继续抓好落实';
      const notify = [...new Set([a.responsible, r.by])];
      return {
        audits: [{ action: 'accept', unit: a.unit, from, to, detail: { version: r.version, hash: r.hash, final: r.final } }],
        deliveries: [
          ...notify.map((p) => sendText(p, `${noticeNumber(item)}「${item.title}」${unitName}：${what}（${ctx.person.name}）。`)),
          ...refreshAssignmentCards(item, a),
        ],
        toast: to === 'completed' ? `已受理，${unitName}办结` : '已受理',
      };
    }),
};
