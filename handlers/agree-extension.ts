// 同意申请 / 不同意: the unit's responsible leader on a contact's extension request. Agreed, it goes to the office (which
// then sees only requests the leader stands behind); refused, it says why. The contact is told either way.
import { cardKey } from '../src/chat/card-key.ts';
import { formatDate } from '../src/domain/dates.ts';
import { officeSide } from '../src/domain/office-side.ts';
import { checkExtension } from '../src/domain/rules.ts';
import { noticeNumber } from '../src/domain/types.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { sendText } from '../src/dispatch/handler-kit.ts';
import { reasonOf } from '../src/dispatch/reason-ask.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';

export const agreeExtension: ActionHandler = {
  actions: ['agree_extension', 'disagree_extension'],
  run: (ctx) =>
    mutateAssignment(ctx.rt, ctx.op, ctx.key.item, ctx.key.unit, (item, a, now) => {
      const agree = ctx.payload.a === 'agree_extension';
      const e = a.extensions.find((x) => x.id === ctx.key.n);
      if (!e) throw new Refusal('not_found', '找不到这份延期申请');
      const status = checkExtension(agree ? 'agree' : 'disagree', ctx.person.id, item, a, e, ctx.dir);
      const reason = agree ? undefined : reasonOf(ctx, 'disagree_extension', item, a.unit, ctx.dir);
      e.status = status;
      const what = `${noticeNumber(item)}「${item.title}」的延期申请（延至 ${formatDate(e.to)}）`;
      const thisCard = { kind: 'refresh' as const, cardKey: cardKey({ kind: 'extension_ask', item: item.id, unit: a.unit, n: e.id }) };
      if (agree) {
        e.agreedBy = ctx.person.id;
        e.agreedAt = now;
        return {
          audits: [{ action: 'agree_extension', unit: a.unit, detail: { extension: e.id, to: e.to } }],
          deliveries: [
            ...officeSide(item, ctx.dir).map((p) => ({ kind: 'send' as const, person: p, cardKey: cardKey({ kind: 'extension', item: item.id, unit: a.unit, n: e.id }) })),
            sendText(e.by, `${what}${ctx.person.name}已同意，已报督查室审批。`),
            thisCard,
          ],
          toast: '已同意，报督查室审批',
        };
      }
      e.leaderRefused = true;
      e.decidedBy = ctx.person.id;
      e.decidedAt = now;
      e.refuseReason = reason;
      return {
        audits: [{ action: 'disagree_extension', unit: a.unit, detail: { extension: e.id, to: e.to, reason } }],
        deliveries: [sendText(e.by, `${what}${ctx.person.name}不同意，仍须在 ${formatDate(a.due)} 前办结。\n理由：${reason ?? ''}`), thisCard],
        toast: '已不同意延期申请',
      };
    }),
};
