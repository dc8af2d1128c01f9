// 替换原约谈 / 替换原记录: the clerk who asked for a second summons (or a second visit of the same day) takes it in
// place of the first: the first is marked replaced (the head's card of it says so), and the new one is made and sent.
import { cardKey } from '../src/chat/card-key.ts';
import { formatDate, formatDateTime } from '../src/domain/dates.ts';
import { check } from '../src/domain/rules.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { proposalIn } from '../src/dispatch/handler-kit.ts';
import { addSummons, addVisit } from '../src/dispatch/summons-and-visits.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';

export const replaceProposal: ActionHandler = {
  actions: ['replace_proposal'],
  run: (ctx) =>
    mutateAssignment(ctx.rt, ctx.op, ctx.key.item, ctx.key.unit, (item, a, now) => {
      const p = proposalIn(a, ctx.key.n);
      check(p.kind === 'summons' ? 'summon' : 'onsite', ctx.person.id, item, a, ctx.dir);
      const head = ctx.dir.unit(a.unit)?.head ?? a.responsible;
      const unitName = ctx.dir.unitName(a.unit);
      const refresh = { kind: 'refresh' as const, cardKey: cardKey({ kind: 'proposal', item: item.id, unit: a.unit, n: p.id }) };
      p.status = 'replaced';
      p.decidedAt = now;
      if (p.kind === 'summons') {
        const first = a.summons.find((s) => s.id === p.replaces);
        if (!first || first.replacedBy !== undefined) throw new Refusal('wrong_state', '原约谈已被替换，请重新发送 /约谈');
        if (first.outcome !== undefined) throw new Refusal('wrong_state', '原约谈已记录结果，不能替换；如需再次约谈，请重新发送 /约谈');
        if (p.at === undefined || p.at < now) throw new Refusal('wrong_state', '新约谈的时间已过，请重新发送 /约谈');
        const made = addSummons(item, a, { at: p.at, place: p.place ?? '', by: p.by }, now, head, first.id);
        first.replacedBy = made.id;
        first.replacedAt = now;
        p.made = made.id;
        return {
          audits: made.audits,
          deliveries: [...made.deliveries, { kind: 'refresh', cardKey: cardKey({ kind: 'summons', item: item.id, unit: a.unit, n: first.id }) }, refresh],
          toast: `已替换原约谈，已通知${ctx.dir.personName(head)}（${unitName}）于 ${formatDateTime(p.at, ctx.rt.config.tz)} 在${p.place ?? ''}当面汇报`,
        };
      }
      const first = a.visits.find((v) => v.id === p.replaces);
      if (!first || first.replacedBy !== undefined) throw new Refusal('wrong_state', '原记录已被替换，请重新发送 /坐地督查');
      const made = addVisit(item, a, { on: p.on ?? first.on, note: p.note, by: p.by }, now, head, ctx.dir, first.id);
      first.replacedBy = made.id;
      first.replacedAt = now;
      p.made = made.id;
      return {
        audits: made.audits,
        deliveries: [...made.deliveries, refresh],
        toast: `已替换 ${formatDate(first.on)} 的坐地督查记录，并告知${unitName}一把手`,
      };
    }),
};
