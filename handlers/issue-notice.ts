// 发出: the office issues a previewed item; each unit's responsible leader gets the notice card directly.
import { cardKey } from '../src/chat/card-key.ts';
import { isIssued, isKey } from '../src/domain/types.ts';
import { addWorkHours } from '../src/domain/work-hours.ts';
import { Refusal } from '../src/domain/refusal.ts';
import { requireOffice } from '../src/dispatch/handler-kit.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { mutateItem } from '../src/store/apply-op.ts';

export const issueNotice: ActionHandler = {
  actions: ['issue'],
  run: (ctx) =>
    mutateItem(ctx.rt, ctx.op, ctx.key.item, (item, assignments, now) => {
      requireOffice(ctx.dir, ctx.person.id, '发出督查单');
      if (isIssued(item)) throw new Refusal('wrong_state', '该督查单已经发出');
      if (item.status === 'cancelled') throw new Refusal('wrong_state', '该督查单已取消，编号作废，请重新新建');
      item.status = 'open';
      item.issuedBy = ctx.person.id;
      item.issuedAt = now;
      const { config, calendar } = ctx.rt;
      // The escalation ladder is the one in force today: changing DUCHA_ESCALATE later changes no issued item.
      if (isKey(item)) item.escalate = [...config.escalate];
      const chaseAt = addWorkHours(now, config.chaseAfter, { calendar, tz: config.tz, workHours: config.workHours });
      for (const a of assignments) a.chaseAt = chaseAt;
      return {
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
        ],
        toast: `已发出，督查单已直送 ${assignments.length} 位负责领导`,
      };
    }),
};
