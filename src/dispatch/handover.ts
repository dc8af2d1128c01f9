// Handing an item to another owner (督查员), as /转交 does it and as the directory does when an owner leaves the office:
// the header's owner changes, the trail records who from whom (sealed with the header for /核验), the new owner is
// told and gets again the office-side cards still waiting (signed reports to 受理, extension requests, the draft's
// preview), and the old owner, when still in the office and not the one handing over, is told.
import { cardKey } from '../chat/card-key.ts';
import type { Directory } from '../directory/directory.ts';
import type { Delivery } from '../delivery/delivery.ts';
import { latestReport, noticeNumber, ownerOf, type Assignment, type ItemHeader } from '../domain/types.ts';
import type { AuditDraft } from '../store/apply-op.ts';
import { sendText } from './handler-kit.ts';

/** Why the owner changes: a clerk's /转交, or the old owner left the office (directory reload). */
export type HandoverCause = { by: string } | { left: true };

/** The cards of the item that wait for its owner: each signed report to review, each extension request, a draft's preview. */
export function waitingCards(item: Pick<ItemHeader, 'id' | 'status'>, as: readonly Assignment[]): string[] {
  if (item.status === 'draft') return [cardKey({ kind: 'preview', item: item.id })];
  const keys: string[] = [];
  for (const a of as) {
    const r = latestReport(a);
    if (a.state === 'signed' && r?.status === 'signed') keys.push(cardKey({ kind: 'review', item: item.id, unit: a.unit, n: r.version }));
    for (const e of a.extensions) if (e.status === 'pending') keys.push(cardKey({ kind: 'extension', item: item.id, unit: a.unit, n: e.id }));
  }
  return keys;
}

/** Changes the header's owner to `to`, and says what to record and send. */
export function handOver(
  item: ItemHeader,
  as: readonly Assignment[],
  to: string,
  dir: Directory,
  cause: HandoverCause,
): { audits: AuditDraft[]; deliveries: Delivery[] } {
  const from = ownerOf(item);
  item.owner = to;
  const fromName = dir.personName(from);
  const toName = dir.personName(to);
  const what = `${noticeNumber(item)}「${item.title}」`;
  const cards = waitingCards(item, as);
  const waiting = cards.length === 0 ? '' : item.status === 'draft' ? '草稿的预览卡片随后发给您，可发出或取消。' : `尚待处理的 ${cards.length} 张卡片随后发给您。`;
  const deliveries: Delivery[] = [];
  if ('left' in cause) {
    deliveries.push(sendText(to, `【转交】${what}的督查员${fromName}已不在督查室名录中，已按名录改由您负责：此后该事项的待受理报告、延期申请、逾期升级等发给您。${waiting}`));
  } else {
    const by = dir.personName(cause.by);
    const text =
      cause.by === to
        ? `【转交】您已接手${what}（原督查员：${fromName}）：此后该事项的待受理报告、延期申请、逾期升级等发给您。${waiting}`
        : `【转交】${by}已将${what}转交您负责（原督查员：${fromName}）：此后该事项的待受理报告、延期申请、逾期升级等发给您。${waiting}`;
    deliveries.push(sendText(to, text));
    if (from !== cause.by && dir.isOffice(from)) {
      deliveries.push(sendText(from, `【转交】${by}已将${what}转交${toName}负责，此后该事项的卡片发给${toName}，不再发给您。`));
    }
  }
  for (const key of cards) deliveries.push({ kind: 'send', person: to, cardKey: key });
  return {
    audits: [{ action: 'handover', from, to, detail: { fromName, toName, ...('left' in cause ? { cause: 'directory' } : {}) } }],
    deliveries,
  };
}
