// 签收: the responsible leader confirms in person that the notice reached them; the unit's contacts are told what to
// report, by when, and with which command.
import { contactBriefCard } from '../src/chat/contact-brief.ts';
import { check } from '../src/domain/rules.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { currentYear, refreshAssignmentCards } from '../src/dispatch/handler-kit.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';

export const receive: ActionHandler = {
  actions: ['receive'],
  run: (ctx) =>
    mutateAssignment(ctx.rt, ctx.op, ctx.key.item, ctx.key.unit, (item, a, now) => {
      if (a.state !== 'issued' && a.responsible === ctx.person.id && item.status !== 'draft') {
        throw new Refusal('wrong_state', '您已签收过该督查单');
      }
      const from = a.state;
      a.state = check('receive', ctx.person.id, item, a, ctx.dir);
      a.receivedAt = now;
      const contacts = ctx.dir.unit(a.unit)?.contacts ?? [];
      const brief = contactBriefCard(item, a, ctx.dir, ctx.rt.config.tz, currentYear(ctx.rt));
      return {
        audits: [{ action: 'receive', unit: a.unit, from, to: a.state }],
        deliveries: [...contacts.map((p) => ({ kind: 'send' as const, person: p, message: { kind: 'card' as const, card: brief } })), ...refreshAssignmentCards(item, a)],
        toast: contacts.length
          ? `已签收，已告知联络员${contacts.map((p) => ctx.dir.personName(p)).join('、')}按时报送。`
          : '已签收。本单位在通讯录中没有联络员，无人报送：请联系督查室补充通讯录。',
      };
    }),
};
