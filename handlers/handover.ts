// /转交 <no> 督查员=<office member>: the office hands a draft or an open item to another owner (督查员), who gets its
// office-side cards from then on; audited, and both owners told (src/dispatch/handover.ts).
import { requireAccess } from '../src/domain/access.ts';
import { Refusal } from '../src/domain/refusal.ts';
import { checkItem } from '../src/domain/rules.ts';
import { noticeNumber, ownerOf } from '../src/domain/types.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { itemIdFrom } from '../src/dispatch/handler-kit.ts';
import { handOver } from '../src/dispatch/handover.ts';
import { ownerFrom } from '../src/dispatch/owner-arg.ts';
import { mutateItem } from '../src/store/apply-op.ts';

export const handover: CommandHandler = {
  command: 'handover',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    requireAccess('handover', ctx.person.id, dir, '转交督查事项');
    const to = ownerFrom(dir, cmd.options.owner ?? '');
    const id = await itemIdFrom(rt, cmd.positional[0]);
    await mutateItem(rt, ctx.op, id, (item, as) => {
      checkItem('handover', ctx.person.id, item, dir, cmd.positional[0]);
      const from = ownerOf(item);
      if (from === to.id) throw new Refusal('wrong_state', `${noticeNumber(item)}的督查员已是${to.name}，无需转交`);
      const { audits, deliveries } = handOver(item, as, to.id, dir, { by: ctx.person.id });
      // Told, besides the one handing over: the new owner, and the old one while still in the office.
      const told = [to.id, from].filter((p, k) => p !== ctx.person.id && (k === 0 || dir.isOffice(p))).map((p) => dir.personName(p));
      const reply = `已将${noticeNumber(item)}「${item.title}」转交${to.name}负责（原督查员：${dir.personName(from)}）。${told.length ? `已告知${told.join('、')}。` : ''}`;
      return { audits, deliveries: [...deliveries, ctx.reply(reply)] };
    });
    return [];
  },
};
