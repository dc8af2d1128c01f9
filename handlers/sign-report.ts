// 签署: the responsible leader signs the exact text of the unit's report and its attachments (by their hashes); it then
// goes to the office to review, or, from a 配合 unit of a joint item (牵头=), to the lead unit.
import { cardKey } from '../src/chat/card-key.ts';
import { checkReport } from '../src/domain/report-rules.ts';
import { check } from '../src/domain/rules.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { refreshAssignmentCards, sendText } from '../src/dispatch/handler-kit.ts';
import { toLeadDeliveries, unitsForReport } from '../src/dispatch/joint-kit.ts';
import { leadsJoint, reportsToLead, supportStatus } from '../src/domain/joint.ts';
import { officeSide } from '../src/domain/office-side.ts';
import { mutateAssignments } from '../src/store/apply-op.ts';
import { noticeNumber } from '../src/domain/types.ts';

export const signReport: ActionHandler = {
  actions: ['sign'],
  run: (ctx) =>
    mutateAssignments(ctx.rt, ctx.op, ctx.key.item, unitsForReport(ctx.key.unit!), (item, as, now) => {
      const a = as[0]!;
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
      // The lead unit's final report names which 配合 units had reported to it when its leader signed it.
      if (r.final && leadsJoint(item, a.unit)) r.supporting = supportStatus(item, as);
      const unitName = ctx.dir.unitName(a.unit);
      const lead = reportsToLead(item, a.unit) ? as.find((x) => x.unit === item.lead) : undefined;
      const goesTo = lead ? `牵头单位${ctx.dir.unitName(lead.unit)}` : '督查室';
      return {
        audits: [
          {
            action: 'sign',
            unit: a.unit,
            from,
            to: a.state,
            detail: {
              version: r.version,
              hash: r.hash,
              ...(r.signature.attachments ? { attachments: r.signature.attachments } : {}),
              ...(lead ? { to: lead.unit } : {}),
              ...(r.supporting ? { supporting: r.supporting } : {}),
            },
          },
        ],
        deliveries: [
          ...(lead
            ? toLeadDeliveries(item, a, r.version, lead, ctx.dir)
            : officeSide(item, ctx.dir).map((p) => ({
                kind: 'send' as const,
                person: p,
                cardKey: cardKey({ kind: 'review', item: item.id, unit: a.unit, n: r.version }),
              }))),
          sendText(r.by, `${noticeNumber(item)}「${item.title}」${unitName}第 ${r.version} 稿报告已由${ctx.person.name}签署，已报${goesTo}。`),
          ...refreshAssignmentCards(item, a),
        ],
        toast: `已签署，报告已报${goesTo}`,
      };
    }),
};
