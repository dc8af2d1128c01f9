// 保留原约谈 / 保留原记录: the clerk who asked for a second summons (or a second visit of the same day) drops it;
// the first stands and nothing is sent.
import { cardKey } from '../src/chat/card-key.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { proposalIn, requireOffice } from '../src/dispatch/handler-kit.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';

export const keepProposal: ActionHandler = {
  actions: ['keep_proposal'],
  run: (ctx) =>
    mutateAssignment(ctx.rt, ctx.op, ctx.key.item, ctx.key.unit, (item, a, now) => {
      requireOffice(ctx.dir, ctx.person.id, '处理重复的约谈或坐地督查');
      const p = proposalIn(a, ctx.key.n);
      p.status = 'kept';
      p.decidedAt = now;
      const summons = p.kind === 'summons';
      return {
        audits: [{ action: summons ? 'keep_summons' : 'keep_onsite', unit: a.unit, detail: { proposal: p.id, [summons ? 'summons' : 'visit']: p.replaces } }],
        deliveries: [{ kind: 'refresh', cardKey: cardKey({ kind: 'proposal', item: item.id, unit: a.unit, n: p.id }) }],
        toast: summons ? '已保留原约谈，未发出新的约谈' : '已保留原记录，未记录新的坐地督查',
      };
    }),
};
