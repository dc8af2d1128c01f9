// "如领导无新的批示，可视为办结": an item in its 批办领导's review for DUCHA_REVIEW_DAYS working days with no answer is
// 办结 by the service itself (as `system`, why: no new instruction). The ticker finds it in the review schedule the
// commit step wrote (by when the review ends); the leader's card and the office are told.
import { cardKey } from '../chat/card-key.ts';
import { sendText } from '../dispatch/handler-kit.ts';
import { noticeNumber } from '../domain/item-number.ts';
import { officeSide } from '../domain/office-side.ts';
import { isRefusal, Refusal } from '../domain/refusal.ts';
import type { Runtime } from '../infra/runtime.ts';
import { mutateItem } from '../store/apply-op.ts';
import { SYSTEM } from './follow-leader.ts';

/** Closes one item's review if it is still on and its time is over; false when there was nothing to do. */
export async function closeReview(rt: Runtime, itemId: string): Promise<boolean> {
  try {
    await mutateItem(rt, { id: `review-silence:${itemId}`, actor: SYSTEM }, itemId, (item, _as, now) => {
      if (item.status !== 'review') throw new Refusal('wrong_state', 'not in review');
      if (item.reviewDueAt !== undefined && item.reviewDueAt > now) throw new Refusal('wrong_state', 'not yet');
      item.status = 'completed';
      item.completedAt = now;
      item.review = { how: 'silence', by: 'system', at: now };
      const dir = rt.directory();
      const leader = item.instructedBy ? dir.personName(item.instructedBy) : '';
      const text = `${noticeNumber(item)}「${item.title}」批办领导${leader}在 ${rt.config.reviewDays} 个工作日内未有新的批示，视为办结。`;
      return {
        audits: [{ action: 'review_silence', from: 'review', to: 'completed', detail: { why: '领导无新的批示', days: rt.config.reviewDays } }],
        deliveries: [...officeSide(item, dir).map((p) => sendText(p, text)), { kind: 'refresh', cardKey: cardKey({ kind: 'closing', item: item.id }) }],
      };
    });
    return true;
  } catch (e) {
    if (isRefusal(e)) return false;
    throw e;
  }
}
