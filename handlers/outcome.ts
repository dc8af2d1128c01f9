// /约谈结果: the office records what the head reported in person (听取汇报), and the head is told.
import { requireAccess } from '../src/domain/access.ts';
import { formatDateTime } from '../src/domain/dates.ts';
import { check } from '../src/domain/rules.ts';
import { noticeNumber } from '../src/domain/types.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { itemIdFrom, oneUnit, sendText } from '../src/dispatch/handler-kit.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';

export const outcome: CommandHandler = {
  command: 'outcome',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    requireAccess('outcome', ctx.person.id, dir, '记录约谈结果');
    const unit = oneUnit(dir, cmd.lists.unit, '约谈结果');
    const result = (cmd.options.result ?? '').trim();
    if (!result) throw new Refusal('bad_syntax', '缺少约谈结果（结果=）');
    const id = await itemIdFrom(rt, cmd.positional[0]);
    await mutateAssignment(rt, ctx.op, id, unit, (item, a, now) => {
      check('record_summons', ctx.person.id, item, a, dir);
      const s = a.summons[a.summons.length - 1];
      if (!s) throw new Refusal('not_found', `${dir.unitName(unit)}在该事项上还没有约谈，请先用 /约谈 通知一把手`);
      const previous = s.outcome;
      s.outcome = result;
      s.outcomeBy = ctx.person.id;
      s.outcomeAt = now;
      const head = dir.unit(unit)?.head ?? a.responsible;
      const when = formatDateTime(s.at, rt.config.tz);
      return {
        audits: [{ action: 'record_summons', unit, detail: { summons: s.id, outcome: result, previous: previous ?? null } }],
        deliveries: [
          sendText(head, `【约谈记录】${dir.issuer}：${noticeNumber(item)}「${item.title}」${when}听取汇报的结果已记录：\n${result}`),
          ctx.reply(`已${previous ? '更新' : '记录'}${dir.unitName(unit)}${when}约谈的结果，并告知其一把手。`),
        ],
      };
    });
    return [];
  },
};
