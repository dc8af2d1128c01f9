// 发出: the office issues a previewed draft; the commit step gives it the year's next 督字 number, and each unit's
// responsible leader gets the notice card directly.
import { cardKey } from '../src/chat/card-key.ts';
import { checkItem } from '../src/domain/rules.ts';
import { isKey, noticeNumber } from '../src/domain/types.ts';
import { addWorkHours } from '../src/domain/work-hours.ts';
import { currentYear, sendText } from '../src/dispatch/handler-kit.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { mutateItem } from '../src/store/apply-op.ts';

export const issueNotice: ActionHandler = {
  actions: ['issue'],
  run: async (ctx) => {
    const out = await mutateItem(ctx.rt, ctx.op, ctx.key.item, (item, assignments, now) => {
      checkItem('issue', ctx.person.id, item, ctx.dir);
      item.status = 'open';
      item.issuedBy = ctx.person.id;
      item.issuedAt = now;
      delete item.expiresAt;
      const { config, calendar } = ctx.rt;
      // The escalation ladder is the one in force today: changing DUCHA_ESCALATE later changes no issued item.
      if (isKey(item)) item.escalate = [...config.escalate];
      const chaseAt = addWorkHours(now, config.chaseAfter, { calendar, tz: config.tz, workHours: config.workHours });
      for (const a of assignments) a.chaseAt = chaseAt;
      // Whoever must report is told at 签收; a unit without a contact would have nobody to tell, so the office hears now.
      const noContact = assignments.filter((a) => (ctx.dir.unit(a.unit)?.contacts.length ?? 0) === 0).map((a) => ctx.dir.unitName(a.unit));
      return {
        // The number is given by the commit step (and recorded on this first entry); a draft of an earlier version
        // took its number when it was drafted, and keeps it.
        ...(item.seq === undefined ? { numberYear: currentYear(ctx.rt) } : {}),
        audits: [
          { action: 'issue', from: 'draft', to: 'open' },
          ...assignments.map((a) => ({
            action: 'assign',
            unit: a.unit,
            to: a.state,
            // With the name: the trail still says who it was once the directory no longer lists them.
            detail: { responsible: a.responsible, name: a.responsibleName ?? ctx.dir.personName(a.responsible), due: a.due },
          })),
        ],
        deliveries: [
          ...assignments.map((a) => ({
            kind: 'send' as const,
            person: a.responsible,
            cardKey: cardKey({ kind: 'notice', item: item.id, unit: a.unit }),
          })),
          { kind: 'refresh', cardKey: cardKey({ kind: 'preview', item: item.id }) },
          ...(noContact.length
            ? [
                sendText(
                  ctx.person.id,
                  // Written before the commit step gives the number: the title names the item.
                  `【提示】刚发出的「${item.title}」的承办单位${noContact.join('、')}在通讯录中没有联络员：` +
                    '负责领导签收后无人用 /报送 报送办理情况。请系统管理员在通讯录中补充联络员（contacts）。',
                ),
              ]
            : []),
        ],
        toast: `已发出，督查单已直送 ${assignments.length} 位负责领导`,
      };
    });
    // The number is known once committed: the clerk is told it (a replay answers the stored line, without it).
    if (out.view && out.toast) out.toast = out.toast.replace('已发出', `已发出${noticeNumber(out.view.item)}`);
    return out;
  },
};
