// /取消 草稿7: the office drops a draft by its reference, as the preview's 取消 button does.
import { requireAccess } from '../src/domain/access.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { itemIdFrom } from '../src/dispatch/handler-kit.ts';
import { mutateItem } from '../src/store/apply-op.ts';
import { dropDraft } from './cancel-draft.ts';

export const cancel: CommandHandler = {
  command: 'cancel',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    requireAccess('cancel', ctx.person.id, dir, '取消草稿');
    const ref = cmd.positional[0];
    const id = await itemIdFrom(rt, ref);
    const decide = dropDraft(ctx.person.id, dir, ref);
    await mutateItem(rt, ctx.op, id, (item, as, now) => {
      const d = decide(item, as, now);
      return { ...d, deliveries: [...d.deliveries, ctx.reply(`${d.toast!}。`)] };
    });
    return [];
  },
};
