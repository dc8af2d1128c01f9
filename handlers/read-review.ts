// 阅 on 【办结报告】: the 批办领导 accepts the result of an item they instructed; the item is 办结 and the office is told.
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { readReview } from '../src/dispatch/leader-review.ts';

export const readReviewPress: ActionHandler = {
  actions: ['read_review'],
  run: (ctx) => readReview(ctx.rt, ctx.op, ctx.key.item, ctx.person.id),
};
