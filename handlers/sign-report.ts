// 签署: the responsible leader signs the exact text of the unit's report and its attachments (by their hashes); it then
// goes to the office to review.
import { cardKey } from '../src/chat/card-key.ts';
import { checkReport } from '../src/domain/report-rules.ts';
import { check } from '../src/domain/rules.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { refreshAssignmentCards, sendText } from '../src/dispatch/handler-kit.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';
import { noticeNumber } from '../src/domain/types.ts';
import { officeSide } from '../src/domain/office-side.ts';

export const signReport: ActionHandler = {
  actions: ['sign'],
  run: (ctx) =>
    mutateAssignment(ctx.rt, ctx.op, ctx.key.item, ctx.key.unit, (item, a, now) => {
      const { report: r, to } = checkReport('sign', a, ctx.key.n);
      const from = a.state;
      a.state = check('sign', ctx.person.id, item, a, ctx.dir);
      r.status = to;
      // The signature binds this exact text: a later edit is a new version and needs a new signature.
      r.signature = {
        by: ctx.person.id,
        at: now,
        platform: ctx.actor.platform,
        platformId: ctx.actor.platformId,
        version: r.version,
        hash: r.hash,
        text: r.text,
        // The attachments are signed with the text: each by its hash, in their order.
        ...(r.attachments?.length ? { attachments: r.attachments.map((f) => f.sha256) } : {}),
      };
      const unitName = ctx.dir.unitName(a.unit);
      return {
        audits: [
          {
            action: 'sign',
            unit: a.unit,
            from,
            to: a.state,
            detail: { version: r.version, hash: r.hash, ...(r.signature.attachments ? { attachments: r.signature.attachments } : {}) },
          },
        ],
        deliveries: [
          ...officeSide(item, ctx.dir).map((p) => ({
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
