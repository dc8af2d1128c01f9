// 再批示 on 【办结报告】: the 批办领导's new instruction, typed in the card's text box; where the card takes no text (WeCom)
// the press is answered with the /批示 line to send. Recorded; the office drafts a follow-up item (续办).
import { Refusal } from '../src/domain/refusal.ts';
import { checkLeader } from '../src/domain/rules.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { currentYear } from '../src/dispatch/handler-kit.ts';
import { instruct, instructionText, instructLine } from '../src/dispatch/leader-review.ts';

export const instructPress: ActionHandler = {
  actions: ['instruct'],
  run: async (ctx) => {
    if (ctx.input === undefined) {
      const header = await ctx.rt.store.getHeader(ctx.key.item);
      if (!header) throw new Refusal('not_found', '没有这个督查事项');
      // Who and when are answered first: the line to send is for the leader, while the review is on.
      checkLeader('instruct', ctx.person.id, header.doc, ctx.dir);
      throw new Refusal('needs_reason', instructLine(header.doc, currentYear(ctx.rt)));
    }
    return instruct(ctx.rt, ctx.op, ctx.key.item, ctx.person.id, instructionText(ctx.input.reason));
  },
};
