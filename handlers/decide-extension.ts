// 同意 / 不同意: the office decides an extension request (a leader's own, or one the leader agreed to); an approved one
// moves the unit's deadline, a refused one says why.
import { cardKey } from '../src/chat/card-key.ts';
import { dateInTz, endOfDay, formatDate } from '../src/domain/dates.ts';
import { checkExtension } from '../src/domain/rules.ts';
import { noticeNumber } from '../src/domain/types.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { refreshAssignmentCards, sendText } from '../src/dispatch/handler-kit.ts';
import { reasonOf } from '../src/dispatch/reason-ask.ts';
import { mutateAssignment, type AuditDraft } from '../src/store/apply-op.ts';

export const decideExtension: ActionHandler = {
  actions: ['approve_extension', 'refuse_extension'],
  run: (ctx) =>
    mutateAssignment(ctx.rt, ctx.op, ctx.key.item, ctx.key.unit, (item, a, now) => {
      const approve = ctx.payload.a === 'approve_extension';
      const e = a.extensions.find((x) => x.id === ctx.key.n);
      if (!e) throw new Refusal('not_found', '找不到这份延期申请');
      const status = checkExtension(approve ? 'approve' : 'refuse', ctx.person.id, item, a, e, ctx.dir);
      const reason = approve ? undefined : reasonOf(ctx, 'refuse_extension', item, a.unit, ctx.dir);
      e.status = status;
      if (reason) e.refuseReason = reason;
      e.decidedBy = ctx.person.id;
      e.decidedAt = now;
      const audits: AuditDraft[] = [
        { action: approve ? 'approve_extension' : 'refuse_extension', unit: a.unit, detail: { extension: e.id, to: e.to, ...(reason ? { reason } : {}) } },
      ];
      const oldDue = a.due;
      if (approve && e.to < dateInTz(now, ctx.rt.config.tz)) {
        throw new Refusal('wrong_state', `申请延至的 ${formatDate(e.to)} 已经过去，不能同意，请选择不同意并写明理由`);
      }
      // The deadline may have moved since the request (/修改): an extension never brings it forward.
      if (approve && e.to <= a.due) {
        throw new Refusal('wrong_state', `办结时限已是 ${formatDate(a.due)}，不早于申请延至的 ${formatDate(e.to)}，无需同意延期`);
      }
      if (approve) {
        e.oldDue = oldDue;
        a.due = e.to;
        a.dueAt = endOfDay(e.to, ctx.rt.config.tz);
        audits.push({ action: 'change_deadline', unit: a.unit, detail: { extension: e.id, from: oldDue, to: e.to } });
      }
      const msg = approve
        ? `${noticeNumber(item)}「${item.title}」延期申请已同意：办结时限由 ${formatDate(oldDue)} 延至 ${formatDate(e.to)}。`
        : `${noticeNumber(item)}「${item.title}」延期申请未获同意，仍须在 ${formatDate(a.due)} 前办结。\n理由：${reason ?? ''}`;
      return {
        audits,
        deliveries: [
          ...[...new Set([e.by, a.responsible])].map((p) => sendText(p, msg)),
          { kind: 'refresh', cardKey: cardKey({ kind: 'extension', item: item.id, unit: a.unit, n: e.id }) },
          // The leader's card of a contact's request says what the office decided.
          ...(e.agreedBy ? [{ kind: 'refresh' as const, cardKey: cardKey({ kind: 'extension_ask', item: item.id, unit: a.unit, n: e.id }) }] : []),
          ...refreshAssignmentCards(item, a),
        ],
        toast: approve ? '已同意延期' : '已不同意延期',
      };
    }),
};
