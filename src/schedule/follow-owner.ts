// After the directory changes (and at start-up): an owner (督查员) no longer in the office hands each of their drafts
// and open items to the first office head (with no heads named, the first office member): audited as done by the
// system because of the directory, the new owner told per item (with the cards waiting for them), and the whole
// office told once, in one message listing the items.
import { createHash } from 'node:crypto';
import { enqueueDeliveries } from '../delivery/delivery.ts';
import { successorOwner } from '../domain/office-side.ts';
import { isRefusal } from '../domain/refusal.ts';
import { noticeNumber, ownerOf, parseAssignmentRef, type AssignmentState, type ItemHeader } from '../domain/types.ts';
import { handOver } from '../dispatch/handover.ts';
import { sendText } from '../dispatch/handler-kit.ts';
import type { Directory } from '../directory/directory.ts';
import type { Runtime } from '../infra/runtime.ts';
import { mutateItem } from '../store/apply-op.ts';
import { SYSTEM } from './follow-leader.ts';

const OPEN_STATES: AssignmentState[] = ['issued', 'received', 'awaiting_signature', 'signed', 'returned'];
const CHUNK = 500;
/** Items named in the office's message at most. */
const LISTED = 20;

/** Hands over what owners who left the office held; how many items changed owner. */
export async function followOwners(rt: Runtime): Promise<number> {
  const dir = rt.directory();
  const to = successorOwner(dir);
  const refs = (await Promise.all(OPEN_STATES.map((s) => rt.store.refsInState(s)))).flat();
  const drafts = (await rt.store.itemIdsInStatus('draft')).ids;
  const ids = [...new Set([...refs.map((r) => parseAssignmentRef(r).item), ...drafts])];
  const moved: { item: ItemHeader; from: string }[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    for (const h of await rt.store.getHeaders(ids.slice(i, i + CHUNK))) {
      const from = ownerOf(h);
      if ((h.status !== 'open' && h.status !== 'draft') || dir.isOffice(from)) continue;
      let changed = false;
      try {
        // Named by the item and both owners: two workers following the same directory hand it over once.
        const out = await mutateItem(rt, { id: `owner-left:${h.id}:${from}:${to}`, actor: SYSTEM }, h.id, (item, as) => {
          if (ownerOf(item) !== from || (item.status !== 'open' && item.status !== 'draft')) return { audits: [], deliveries: [] };
          changed = true;
          return handOver(item, as, to, dir, { left: true });
        });
        if (changed || out.replayed) moved.push({ item: h, from });
      } catch (e) {
        if (!isRefusal(e)) throw e;
      }
    }
  }
  if (moved.length === 0) return 0;
  moved.sort((a, b) => (a.item.id < b.item.id ? -1 : 1));
  const text = ownersLeftText(moved, to, dir);
  // Named by what was handed over: a second worker doing the same tells the office nothing more.
  const key = createHash('sha256').update(moved.map((m) => `${m.item.id}:${m.from}`).join(',') + `>${to}`).digest('hex').slice(0, 24);
  await enqueueDeliveries(rt.queues.deliver, `owner-left:${key}`, dir.office.map((p) => sendText(p, text)));
  rt.log.info({ items: moved.length, to }, '离开督查室人员负责的事项已转交');
  return moved.length;
}

/** The one message the office gets: who left, how many items, which (the first LISTED), and who has them now. */
export function ownersLeftText(moved: readonly { item: ItemHeader; from: string }[], to: string, dir: Directory): string {
  const who = [...new Set(moved.map((m) => dir.personName(m.from)))].join('、');
  const listed = moved.slice(0, LISTED).map((m) => `${noticeNumber(m.item)}「${m.item.title}」`);
  return (
    `【督查员变动】${who}已不在督查室名录中，其负责的 ${moved.length} 个事项已按名录改由${dir.personName(to)}负责：` +
    `${listed.join('、')}${moved.length > LISTED ? ` 等 ${moved.length} 项` : ''}。如需改由他人负责，请用 /转交。`
  );
}
