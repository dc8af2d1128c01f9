// 签收: the responsible leader confirms in person that the notice reached them.
import { check } from '../src/domain/rules.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { refreshAssignmentCards } from '../src/dispatch/handler-kit.ts';
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
      return {
        audits: [{ action: 'receive', unit: a.unit, from, to: a.state }],
        deliveries: refreshAssignmentCards(item, a),
        toast: '已签收。请督促联络员按时报送办理情况。',
      };
    }),
};
