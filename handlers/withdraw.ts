// /撤回: the office withdraws an issued item with a reason. The leaders (and the contacts already at work on it) of
// every unit not yet done are told 【撤回】; from then on nothing more is sent about it, its cards' buttons stop
// working, and its 督字 number stays used (the ledger shows it 已撤回).
import { cardKey } from '../src/chat/card-key.ts';
import { requireAccess } from '../src/domain/access.ts';
import { checkItem } from '../src/domain/rules.ts';
import { noticeNumber } from '../src/domain/types.ts';
import type { Delivery } from '../src/delivery/delivery.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { itemIdFrom, refreshAssignmentCards, sendText } from '../src/dispatch/handler-kit.ts';
import { mutateItem } from '../src/store/apply-op.ts';

export const withdraw: CommandHandler = {
  command: 'withdraw',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    requireAccess('withdraw', ctx.person.id, dir, '撤回督查事项');
    const reason = (cmd.options.reason ?? '').trim();
    if (!reason) throw new Refusal('bad_syntax', '缺少撤回理由（理由=）');
    const ref = cmd.positional[0];
    const id = await itemIdFrom(rt, ref);
    await mutateItem(rt, ctx.op, id, (item, assignments, now) => {
      checkItem('withdraw', ctx.person.id, item, dir, ref);
      item.status = 'withdrawn';
      item.withdrawnAt = now;
      item.withdrawnBy = ctx.person.id;
      item.withdrawReason = reason;
      const open = assignments.filter((a) => a.state !== 'completed');
      // The leader had the notice; the contacts are at work once it was received.
      const told = [
        ...new Set(open.flatMap((a) => [a.responsible, ...(a.state === 'issued' ? [] : (dir.unit(a.unit)?.contacts ?? []))])),
      ];
      const text = `【撤回】${dir.issuer}：${noticeNumber(item)}「${item.title}」已撤回，不再办理，也无需报送。理由：${reason}`;
      const deliveries: Delivery[] = [
        ...told.map((p) => sendText(p, text)),
        // Every card of it is redrawn as withdrawn, its buttons gone.
        { kind: 'refresh', cardKey: cardKey({ kind: 'preview', item: item.id }) },
        ...assignments.flatMap((a) => [
          ...refreshAssignmentCards(item, a),
          ...a.summons.map((s) => ({ kind: 'refresh' as const, cardKey: cardKey({ kind: 'summons', item: item.id, unit: a.unit, n: s.id }) })),
          ...a.extensions.map((e) => ({ kind: 'refresh' as const, cardKey: cardKey({ kind: 'extension', item: item.id, unit: a.unit, n: e.id }) })),
          ...a.extensions.map((e) => ({ kind: 'refresh' as const, cardKey: cardKey({ kind: 'extension_ask', item: item.id, unit: a.unit, n: e.id }) })),
        ]),
        ctx.reply(`已撤回${noticeNumber(item)}「${item.title}」，已告知 ${told.length} 人；此后不再提醒，编号保留不再使用。`),
      ];
      return { audits: [{ action: 'withdraw', from: 'open', to: 'withdrawn', detail: { reason } }], deliveries };
    });
    return [];
  },
};
