// /延期: the head, the responsible leader or a contact asks for a later deadline with a reason; the office approves or
// refuses by button.
import { cardKey } from '../src/chat/card-key.ts';
import { dateInTz, formatDate } from '../src/domain/dates.ts';
import { parseDate } from '../src/domain/deadline.ts';
import { check } from '../src/domain/rules.ts';
import { noticeNumber, type ItemHeader } from '../src/domain/types.ts';
import { Refusal } from '../src/domain/refusal.ts';
import { officeSide } from '../src/domain/office-side.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { itemIdFrom, unitOfPersonIn } from '../src/dispatch/handler-kit.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';

export const extend: CommandHandler = {
  command: 'extend',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    const now = rt.clock.now();
    const to = parseDate(cmd.options.to ?? '', dateInTz(now, rt.config.tz));
    if (!to) throw new Refusal('bad_syntax', `日期「${cmd.options.to ?? ''}」看不懂，请写成 2026-07-15`);
    const today = dateInTz(now, rt.config.tz);
    if (to < today) throw new Refusal('bad_syntax', `申请延至的日期 ${formatDate(to)} 已经过去，请写今天或以后的日期`);
    const reason = (cmd.options.reason ?? '').trim();
    if (!reason) throw new Refusal('bad_syntax', '缺少延期理由');
    const mine = (item: ItemHeader) => {
      const unit = unitOfPersonIn(item, ctx.person.id, dir);
      if (!unit) throw new Refusal('not_allowed', `${noticeNumber(item)}没有交办给您所在的单位`);
      return unit;
    };
    const id = await itemIdFrom(rt, cmd.positional[0]);
    await mutateAssignment(rt, ctx.op, id, mine, (item, a, t) => {
      check('request_extension', ctx.person.id, item, a, dir);
      if (to <= a.due) throw new Refusal('bad_syntax', `申请的日期须晚于现在的办结时限 ${formatDate(a.due)}`);
      if (a.extensions.some((e) => e.status === 'pending')) throw new Refusal('wrong_state', '已有一份延期申请在等待督查室审批');
      const eid = a.extensions.length + 1;
      a.extensions.push({ id: eid, to, reason, by: ctx.person.id, at: t, status: 'pending', oldDue: a.due });
      return {
        audits: [{ action: 'request_extension', unit: a.unit, detail: { extension: eid, from: a.due, to, reason } }],
        deliveries: [
          ...officeSide(item, dir).map((p) => ({
            kind: 'send' as const,
            person: p,
            cardKey: cardKey({ kind: 'extension', item: item.id, unit: a.unit, n: eid }),
          })),
          ctx.reply(`已提交延期申请（${noticeNumber(item)}，申请延至 ${formatDate(to)}），等待督查室审批。`),
        ],
      };
    });
    return [];
  },
};
