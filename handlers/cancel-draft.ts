// 取消: the office drops a previewed item; its number is kept as void (作废) so the year's numbering has no silent gap.
import { cardKey } from '../src/chat/card-key.ts';
import { Refusal } from '../src/domain/refusal.ts';
import { requireOffice } from '../src/dispatch/handler-kit.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { mutateItem } from '../src/store/apply-op.ts';

export const cancelDraft: ActionHandler = {
  actions: ['cancel'],
  run: (ctx) =>
    mutateItem(ctx.rt, ctx.op, ctx.key.item, (item, _as, now) => {
      requireOffice(ctx.dir, ctx.person.id, '取消督查单');
      if (item.status !== 'draft') throw new Refusal('wrong_state', item.status === 'cancelled' ? '该督查单已取消' : '该督查单已经发出，不能取消');
      item.status = 'cancelled';
      item.cancelledAt = now;
      return {
        audits: [{ action: 'cancel', from: 'draft', to: 'cancelled' }],
        deliveries: [{ kind: 'refresh', cardKey: cardKey({ kind: 'preview', item: item.id }) }],
        toast: '已取消，编号作废',
      };
    }),
};
