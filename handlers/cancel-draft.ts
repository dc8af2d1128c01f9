// 取消 (the preview's button, and /取消 草稿7): the office drops a draft never issued. It never had a 督字 number, so
// the year's numbering loses nothing.
import { cardKey } from '../src/chat/card-key.ts';
import { checkItem } from '../src/domain/rules.ts';
import { noticeNumber, type ItemHeader } from '../src/domain/types.ts';
import type { Decision } from '../src/store/apply-op.ts';
import type { Directory } from '../src/directory/directory.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { mutateItem } from '../src/store/apply-op.ts';

/** The decision to drop a draft, by the person acting; `ref` is how they named it (for a refusal's hint). */
export function dropDraft(person: string, dir: Directory, ref?: string) {
  return (item: ItemHeader, _as: unknown, now: number): Decision => {
    checkItem('cancel', person, item, dir, ref);
    item.status = 'cancelled';
    item.cancelledAt = now;
    delete item.expiresAt;
    return {
      audits: [{ action: 'cancel', from: 'draft', to: 'cancelled' }],
      deliveries: [{ kind: 'refresh', cardKey: cardKey({ kind: 'preview', item: item.id }) }],
      toast: `已取消${noticeNumber(item)}「${item.title}」`,
    };
  };
}

export const cancelDraft: ActionHandler = {
  actions: ['cancel'],
  run: (ctx) => mutateItem(ctx.rt, ctx.op, ctx.key.item, dropDraft(ctx.person.id, ctx.dir)),
};
