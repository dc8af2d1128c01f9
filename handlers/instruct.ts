// /批示: the 批办领导's new instruction on a finished item they instructed (as 再批示 on 【办结报告】): recorded, the
// item (if in review) is 办结, and the office gets a follow-up item's preview to issue or cancel.
import { requireAccess } from '../src/domain/access.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { itemIdFrom } from '../src/dispatch/handler-kit.ts';
import { instruct, instructionText } from '../src/dispatch/leader-review.ts';

export const instructCommand: CommandHandler = {
  command: 'instruct',
  async run(ctx) {
    const { rt, cmd } = ctx;
    requireAccess('instruct', ctx.person.id, ctx.dir, '批示');
    if (!(cmd.rest ?? '').trim()) throw new Refusal('bad_syntax', '缺少批示内容');
    const text = instructionText(cmd.rest);
    const id = await itemIdFrom(rt, cmd.positional[0]);
    const out = await instruct(rt, ctx.op, id, ctx.person.id, text);
    return [ctx.reply(out.toast ?? '已批示')];
  },
};
