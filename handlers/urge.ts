// /催办: the office pushes an urge notice now to the responsible leader of each unit not yet done.
import { requireAccess } from '../src/domain/access.ts';
import { check } from '../src/domain/rules.ts';
import { noticeNumber } from '../src/domain/types.ts';
import type { Delivery } from '../src/delivery/delivery.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { itemIdFrom, unitIdFrom, urgeDeliveries } from '../src/dispatch/handler-kit.ts';
import { mutateAssignments } from '../src/store/apply-op.ts';

export const urge: CommandHandler = {
  command: 'urge',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    requireAccess('urge', ctx.person.id, dir, '催办');
    const named = [...new Set((cmd.lists.unit ?? []).map((u) => unitIdFrom(dir, u)))];
    // The units named, or every unit of the item (those already done are left out below).
    const id = await itemIdFrom(rt, cmd.positional[0]);
    await mutateAssignments(rt, ctx.op, id, (item) => (named.length ? named : item.units), (item, assignments, now) => {
      const targets = named.length ? assignments : assignments.filter((a) => a.state !== 'completed');
      if (targets.length === 0) throw new Refusal('wrong_state', `${noticeNumber(item)}各单位均已办结，无需催办`);
      for (const a of targets) check('urge', ctx.person.id, item, a, dir);
      const deliveries: Delivery[] = [];
      for (const a of targets) {
        a.urges.push(now);
        deliveries.push(...urgeDeliveries(item, a, dir, now));
      }
      deliveries.push(ctx.reply(`已催办：${targets.map((a) => dir.unitName(a.unit)).join('、')}（${noticeNumber(item)}）`));
      return {
        audits: targets.map((a) => ({ action: 'urge', unit: a.unit, from: a.state, to: a.state, detail: { count: a.urges.length } })),
        deliveries,
      };
    });
    return [];
  },
};
