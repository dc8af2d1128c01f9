// /约谈: the office summons a unit's head to report in person (听取汇报); the head confirms with a button. A second
// summons while one is still to be held is first put to the clerk (替换原约谈 / 保留原约谈), never sent twice.
import { requireAccess } from '../src/domain/access.ts';
import { dateInTz, formatDateTime } from '../src/domain/dates.ts';
import { parseDateTime } from '../src/domain/deadline.ts';
import { check } from '../src/domain/rules.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { itemIdFrom, oneUnit } from '../src/dispatch/handler-kit.ts';
import { addSummons, pendingSummons, propose } from '../src/dispatch/summons-and-visits.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';

export const summon: CommandHandler = {
  command: 'summon',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    requireAccess('summon', ctx.person.id, dir, '约谈');
    const now = rt.clock.now();
    const unit = oneUnit(dir, cmd.lists.unit, '约谈');
    const at = parseDateTime(cmd.options.at ?? '', dateInTz(now, rt.config.tz), rt.config.tz);
    if (at === undefined) throw new Refusal('bad_syntax', `时间「${cmd.options.at ?? ''}」看不懂，请写成 2026-05-20 15:00`);
    if (at < now) throw new Refusal('bad_syntax', '约谈时间不能早于现在');
    const place = (cmd.options.place ?? '').trim();
    const id = await itemIdFrom(rt, cmd.positional[0]);
    await mutateAssignment(rt, ctx.op, id, unit, (item, a, t) => {
      check('summon', ctx.person.id, item, a, dir);
      const head = dir.unit(unit)?.head;
      if (!head) throw new Refusal('not_found', '该单位在通讯录中没有一把手');
      const first = pendingSummons(a, t);
      if (first) return propose(item, a, { kind: 'summons', replaces: first.id, at, place, by: ctx.person.id, createdAt: t }, ctx.event.replyTo);
      const made = addSummons(item, a, { at, place, by: ctx.person.id }, t, head);
      return {
        audits: made.audits,
        deliveries: [
          ...made.deliveries,
          ctx.reply(`已通知${dir.personName(head)}（${dir.unitName(unit)}）于 ${formatDateTime(at, rt.config.tz)} 在${place}当面汇报，待其确认出席。`),
        ],
      };
    });
    return [];
  },
};
