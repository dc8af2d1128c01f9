// 确认出席: the head confirms they will come to report in person (听取汇报).
import { check } from '../src/domain/rules.ts';
import { noticeNumber } from '../src/domain/types.ts';
import { formatDateTime } from '../src/domain/dates.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { sendText } from '../src/dispatch/handler-kit.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';
import { cardKey } from '../src/chat/card-key.ts';

export const confirmSummons: ActionHandler = {
  actions: ['confirm_summons'],
  run: (ctx) =>
    mutateAssignment(ctx.rt, ctx.op, ctx.key.item, ctx.key.unit, (item, a, now) => {
      const s = a.summons.find((x) => x.id === ctx.key.n);
      if (!s) throw new Refusal('not_found', '找不到这次约谈');
      check('confirm_summons', ctx.person.id, item, a, ctx.dir);
      if (s.replacedBy !== undefined) throw new Refusal('wrong_state', '这次约谈已被新的约谈替换，请以新的通知为准');
      if (s.confirmedAt !== undefined) throw new Refusal('wrong_state', '已经确认过出席');
      s.confirmedAt = now;
      s.confirmedBy = ctx.person.id;
      const unitName = ctx.dir.unitName(a.unit);
      return {
        audits: [{ action: 'confirm_summons', unit: a.unit, detail: { summons: s.id } }],
        deliveries: [
          sendText(s.by, `${unitName}${ctx.person.name}已确认出席 ${formatDateTime(s.at, ctx.rt.config.tz)} 在${s.place}的汇报（${noticeNumber(item)}）。`),
          { kind: 'refresh', cardKey: cardKey({ kind: 'summons', item: item.id, unit: a.unit, n: s.id }) },
        ],
        toast: '已确认出席',
      };
    }),
};
