// 签署: the responsible leader signs the exact text of the unit's report; it then goes to the office to review.
import { cardKey } from '../src/chat/card-key.ts';
import { check } from '../src/domain/rules.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { refreshAssignmentCards, sendText } from '../src/dispatch/handler-kit.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';
import { noticeNumber } from '../src/domain/types.ts';

export const signReport: ActionHandler = {
  actions: ['sign'],
  run: (ctx) =>
    mutateAssignment(ctx.rt, ctx.op, ctx.key.item, ctx.key.unit, (item, a, now) => {
      const r = a.reports.find((x) => x.version === ctx.key.n);
      if (!r) throw new Refusal('not_found', '找不到这份报告');
      if (r.status === 'superseded') throw new Refusal('stale', '这一稿已被新版本取代，请签署最新一稿');
      if (r.status !== 'pending') throw new Refusal('wrong_state', r.signature ? '这份报告已经签署' : '这份报告已退回修改');
      const from = a.state;
      a.state = check('sign', ctx.person.id, item, a, ctx.dir);
      r.status = 'signed';
      // The signature binds this exact text: a later edit is a new version and needs a new signature.
      r.signature = {
        by: ctx.person.id,
        at: now,
        platform: ctx.actor.platform,
        platformId: ctx.actor.platformId,
        version: r.version,
        hash: r.hash,
        text: r.text,
      };
      const unitName = ctx.dir.unitName(a.unit);
      return {
        audits: [{ action: 'sign', unit: a.unit, from, to: a.state, detail: { version: r.version, hash: r.hash } }],
        deliveries: [
          ...ctx.dir.office.map((p) => ({
            kind: 'send' as const,
            person: p,
            cardKey: cardKey({ kind: 'review', item: item.id, unit: a.unit, n: r.version }),
          })),
          sendText(r.by, `${noticeNumber(item)}「${item.title}」${unitName}第 ${r.version} 稿报告已由${ctx.person.name}签署，已报督查室。`),
          ...refreshAssignmentCards(item, a),
        ],
        toast: '已签署，报告已报督查室',
      };
    }),
};
