// A draft nobody issued is dropped a week after it was drafted, by the service itself (as `system`, in the audit
// trail): the draft sweep of the ticker finds it in the drafts sorted by when they expire, and its preview card is
// redrawn as 已过期作废. It never had a 督字 number, so nothing is lost from the year's numbering.
import { cardKey } from '../chat/card-key.ts';
import { isRefusal, Refusal } from '../domain/refusal.ts';
import type { Runtime } from '../infra/runtime.ts';
import { mutateItem } from '../store/apply-op.ts';
import { SYSTEM } from './follow-leader.ts';

/** Expires one draft if it is still a draft and its week is over; false when there was nothing to do. */
export async function expireDraft(rt: Runtime, itemId: string): Promise<boolean> {
  try {
    await mutateItem(rt, { id: `expire:${itemId}`, actor: SYSTEM }, itemId, (item, _as, now) => {
      if (item.status !== 'draft') throw new Refusal('wrong_state', 'no longer a draft');
      // A draft of an earlier version has no time of its own: the sweep found it at the one the upgrade gave it.
      if (item.expiresAt !== undefined && item.expiresAt > now) throw new Refusal('wrong_state', 'not yet');
      item.status = 'cancelled';
      item.expired = true;
      item.cancelledAt = now;
      delete item.expiresAt;
      return {
        audits: [{ action: 'expire', from: 'draft', to: 'cancelled' }],
        deliveries: [{ kind: 'refresh', cardKey: cardKey({ kind: 'preview', item: item.id }) }],
      };
    });
    return true;
  } catch (e) {
    if (isRefusal(e)) return false;
    throw e;
  }
}
