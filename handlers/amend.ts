// /修改: the office corrects an issued item (deadline, requirements, title) with a reason. Each unit not yet done gets
// the notice again, marked （更正）, saying what changed and why; every copy of the notice is redrawn. A new deadline
// moves each unit's (reminders and escalation follow it), but not a later one a unit was granted by extension, nor a
// completed unit's, which was judged against the deadline of its time.
import { cardKey } from '../src/chat/card-key.ts';
import { amendmentText } from '../src/chat/texts.ts';
import { requireAccess } from '../src/domain/access.ts';
import { parseDue } from '../src/domain/deadline.ts';
import { checkItem } from '../src/domain/rules.ts';
import { noticeNumber, type Amendment } from '../src/domain/types.ts';
import type { Delivery } from '../src/delivery/delivery.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { itemIdFrom } from '../src/dispatch/handler-kit.ts';
import { mutateItem, type AuditDraft } from '../src/store/apply-op.ts';

export const amend: CommandHandler = {
  command: 'amend',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    requireAccess('amend', ctx.person.id, dir, '修改督查事项');
    const reason = (cmd.options.reason ?? '').trim();
    if (!reason) throw new Refusal('bad_syntax', '缺少更正理由（理由=）');
    const title = cmd.options.title?.trim();
    const req = cmd.options.req?.trim();
    if (!title && !req && !cmd.options.due) throw new Refusal('bad_syntax', '请写明要更正的内容：期限=、要求= 或 标题=');
    const due = cmd.options.due === undefined ? undefined : parseDue(cmd.options.due, rt.clock.now(), rt.config.tz, rt.calendar);
    if (due && !due.ok) throw new Refusal('bad_syntax', due.error);
    const ref = cmd.positional[0];
    const id = await itemIdFrom(rt, ref);
    await mutateItem(rt, ctx.op, id, (item, assignments, now) => {
      checkItem('amend', ctx.person.id, item, dir, ref);
      const m: Amendment = { n: (item.amendments?.length ?? 0) + 1, at: now, by: ctx.person.id, reason };
      if (title && title !== item.title) m.title = { from: item.title, to: title };
      if (req && req !== item.req) m.req = { from: item.req ?? null, to: req };
      if (due?.ok && due.date !== item.due) m.due = { from: item.due, to: due.date };
      if (!m.title && !m.req && !m.due) throw new Refusal('wrong_state', `${noticeNumber(item)}的内容与所写相同，无需更正`);
      if (m.title) item.title = m.title.to;
      if (m.req) item.req = req;
      const audits: AuditDraft[] = [{ action: 'amend', detail: { n: m.n, reason, title: m.title, req: m.req, due: m.due } }];
      if (m.due && due?.ok) {
        const oldDue = item.due;
        item.due = due.date;
        item.dueAt = due.dueAt;
        if (due.note) item.dueNote = due.note;
        else delete item.dueNote;
        for (const a of assignments) {
          // A unit done keeps the deadline it was judged by; one granted a later deadline by extension keeps it.
          if (a.state === 'completed' || (a.due !== oldDue && a.due > due.date)) continue;
          if (a.due === due.date) continue;
          audits.push({ action: 'change_deadline', unit: a.unit, detail: { amend: m.n, from: a.due, to: due.date } });
          a.due = due.date;
          a.dueAt = due.dueAt;
          // The escalation ladder runs from the deadline in force: steps taken under the old one start again.
          delete a.escalated;
        }
      }
      item.amendments = [...(item.amendments ?? []), m];
      const open = assignments.filter((a) => a.state !== 'completed');
      const deliveries: Delivery[] = [
        // The notice again, to each leader who still has work on it; the earlier copies are redrawn the same.
        ...open.map((a) => ({ kind: 'send' as const, person: a.responsible, cardKey: cardKey({ kind: 'notice', item: item.id, unit: a.unit }) })),
        ...assignments.map((a) => ({ kind: 'refresh' as const, cardKey: cardKey({ kind: 'notice', item: item.id, unit: a.unit }) })),
        { kind: 'refresh', cardKey: cardKey({ kind: 'preview', item: item.id }) },
        ctx.reply(`已更正${noticeNumber(item)}「${item.title}」：${amendmentText(m)}。已向 ${open.length} 位负责领导重发督查单（更正）。`),
      ];
      return { audits, deliveries };
    });
    return [];
  },
};
