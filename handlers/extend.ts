// /延期: a later deadline asked with a reason, before the deadline in force (after it, the unit reports how things
// stand with /报送 instead). A contact's request goes to the unit's responsible leader first (同意申请 / 不同意); a
// leader's own goes straight to the office, which approves or refuses by button (src/domain/rules.ts, EXTENSION_RULES).
import { cardKey } from '../src/chat/card-key.ts';
import { reportLine } from '../src/chat/command-lines.ts';
import { dateInTz, formatDate } from '../src/domain/dates.ts';
import { parseDate } from '../src/domain/deadline.ts';
import { officeSide } from '../src/domain/office-side.ts';
import { check, extensionStart, extensionStatusText } from '../src/domain/rules.ts';
import { noticeNumber, type ItemHeader } from '../src/domain/types.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { currentYear, itemIdFrom, unitOfPersonIn } from '../src/dispatch/handler-kit.ts';
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
      const status = extensionStart(ctx.person.id, a, dir);
      // Asked before the deadline in force, or not at all: after it, the unit says how things stand and why.
      if (t > a.dueAt) {
        const line = reportLine(item, false, currentYear(rt));
        const how = status === 'pending_leader' ? `请如实报送办理情况和未能按期办结的原因：${line}` : `请联络员如实报送办理情况和未能按期办结的原因（${line}），经负责领导签署后报督查室`;
        throw new Refusal('wrong_state', `${noticeNumber(item)}的办结时限 ${formatDate(a.due)} 已过，不能再申请延期。${how}`);
      }
      if (to <= a.due) throw new Refusal('bad_syntax', `申请的日期须晚于现在的办结时限 ${formatDate(a.due)}`);
      const waiting = a.extensions.find((e) => e.status === 'pending' || e.status === 'pending_leader');
      if (waiting) throw new Refusal('wrong_state', `已有一份延期申请（延至 ${formatDate(waiting.to)}）${extensionStatusText(waiting, a, dir)}`);
      const eid = a.extensions.length + 1;
      a.extensions.push({ id: eid, to, reason, by: ctx.person.id, at: t, status, oldDue: a.due });
      const toLeader = status === 'pending_leader';
      const asked = `已提交延期申请（${noticeNumber(item)}，申请延至 ${formatDate(to)}）`;
      return {
        audits: [{ action: 'request_extension', unit: a.unit, detail: { extension: eid, from: a.due, to, reason, ...(toLeader ? { leader: a.responsible } : {}) } }],
        deliveries: [
          ...(toLeader ? [a.responsible] : officeSide(item, dir)).map((p) => ({
            kind: 'send' as const,
            person: p,
            cardKey: cardKey({ kind: toLeader ? 'extension_ask' : 'extension', item: item.id, unit: a.unit, n: eid }),
          })),
          ctx.reply(toLeader ? `${asked}，等待${dir.personName(a.responsible)}同意后报督查室审批。` : `${asked}，等待督查室审批。`),
        ],
      };
    });
    return [];
  },
};
