// /坐地督查: the office records an on-site visit to a unit and tells its head. A second record for the same day is
// first put to the clerk (替换原记录 / 保留原记录), never recorded twice.
import { requireAccess } from '../src/domain/access.ts';
import { formatDate, dateInTz } from '../src/domain/dates.ts';
import { parseDate } from '../src/domain/deadline.ts';
import { check } from '../src/domain/rules.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { itemIdFrom, oneUnit } from '../src/dispatch/handler-kit.ts';
import { addVisit, propose, visitOn } from '../src/dispatch/summons-and-visits.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';

export const onsite: CommandHandler = {
  command: 'onsite',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    requireAccess('onsite', ctx.person.id, dir, '记录坐地督查');
    const now = rt.clock.now();
    const unit = oneUnit(dir, cmd.lists.unit, '坐地督查');
    const on = parseDate(cmd.options.on ?? '', dateInTz(now, rt.config.tz));
    if (!on) throw new Refusal('bad_syntax', `日期「${cmd.options.on ?? ''}」看不懂，请写成 2026-05-22`);
    const today = dateInTz(now, rt.config.tz);
    // A record of a visit made: not a date to come, nor one before the item was issued.
    if (on > today) throw new Refusal('bad_syntax', `坐地督查日期 ${formatDate(on)} 晚于今天；请在督查开展后再记录`);
    const note = cmd.options.note?.trim();
    const id = await itemIdFrom(rt, cmd.positional[0]);
    await mutateAssignment(rt, ctx.op, id, unit, (item, a, t) => {
      check('onsite', ctx.person.id, item, a, dir);
      if (item.issuedAt !== undefined && on < dateInTz(item.issuedAt, rt.config.tz)) {
        throw new Refusal('bad_syntax', `坐地督查日期 ${formatDate(on)} 早于督查单发出的日期`);
      }
      const first = visitOn(a, on);
      if (first) return propose(item, a, { kind: 'visit', replaces: first.id, on, note, by: ctx.person.id, createdAt: t }, ctx.event.replyTo);
      const head = dir.unit(unit)?.head ?? a.responsible;
      const made = addVisit(item, a, { on, note, by: ctx.person.id }, t, head, dir);
      return {
        audits: made.audits,
        deliveries: [...made.deliveries, ctx.reply(`已记录 ${formatDate(on)} 对${dir.unitName(unit)}的坐地督查，并告知其一把手。`)],
      };
    });
    return [];
  },
};
