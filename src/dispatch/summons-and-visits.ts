// Summons (约谈) and on-site visits (坐地督查) made once: a second summons while one is still to be held, or a second
// visit recorded for the same day, is not made at once but put to the clerk who asked (替换 / 保留) as a proposal.
import { cardKey } from '../chat/card-key.ts';
import type { ReplyTarget } from '../chat/event.ts';
import type { Directory } from '../directory/directory.ts';
import { formatDate } from '../domain/dates.ts';
import { noticeNumber, type Assignment, type ItemHeader, type Proposal, type Summons, type Visit } from '../domain/types.ts';
import type { Delivery } from '../delivery/delivery.ts';
import type { AuditDraft } from '../store/apply-op.ts';
import { sendText } from './handler-kit.ts';

/** The unit's summons still to be held: not replaced, no outcome recorded, its time not yet come. */
export function pendingSummons(a: Assignment, now: number): Summons | undefined {
  return a.summons.findLast((s) => s.replacedBy === undefined && s.outcome === undefined && s.at > now);
}

/** The unit's visit recorded for that day, unless replaced. */
export function visitOn(a: Assignment, on: string): Visit | undefined {
  return a.visits.findLast((v) => v.on === on && v.replacedBy === undefined);
}

interface Made {
  id: number;
  audits: AuditDraft[];
  deliveries: Delivery[];
}

/** Adds a summons and sends its card to the head; `replaces`: the summons it takes the place of. */
export function addSummons(
  item: Pick<ItemHeader, 'id'>,
  a: Assignment,
  s: { at: number; place: string; by: string },
  now: number,
  head: string,
  replaces?: number,
): Made {
  const id = a.summons.length + 1;
  a.summons.push({ id, at: s.at, place: s.place, by: s.by, createdAt: now });
  return {
    id,
    audits: [{ action: 'summon', unit: a.unit, detail: { summons: id, at: s.at, place: s.place, ...(replaces ? { replaces } : {}) } }],
    deliveries: [{ kind: 'send', person: head, cardKey: cardKey({ kind: 'summons', item: item.id, unit: a.unit, n: id }), urgent: true }],
  };
}

/** Records a visit and tells the head; `replaces`: the record of the same day it corrects. */
export function addVisit(
  item: Pick<ItemHeader, 'year' | 'seq' | 'title'>,
  a: Assignment,
  v: { on: string; note?: string; by: string },
  now: number,
  head: string,
  dir: Directory,
  replaces?: number,
): Made {
  const id = a.visits.length + 1;
  a.visits.push({ id, on: v.on, by: v.by, note: v.note, createdAt: now });
  const corrected = replaces ? '（更正：以本条为准，此前当日的记录作废）' : '';
  return {
    id,
    audits: [{ action: 'onsite', unit: a.unit, detail: { visit: id, on: v.on, note: v.note ?? null, ...(replaces ? { replaces } : {}) } }],
    deliveries: [
      sendText(
        head,
        `【坐地督查】${corrected}${dir.issuer}于 ${formatDate(v.on)} 就${noticeNumber(item)}「${item.title}」到${dir.unitName(a.unit)}开展坐地督查（${dir.personName(v.by)}）。` +
          (v.note ? `\n记录：${v.note}` : ''),
        true,
      ),
    ],
  };
}

/**
 * Keeps what was asked for as a proposal and answers the clerk with the question card (替换 / 保留), for them alone:
 * nothing is sent to the unit yet.
 */
export function propose(
  item: Pick<ItemHeader, 'id'>,
  a: Assignment,
  p: Omit<Proposal, 'id' | 'status'>,
  replyTo: ReplyTarget,
): { audits: AuditDraft[]; deliveries: Delivery[] } {
  const proposals = (a.proposals ??= []);
  const id = proposals.length + 1;
  proposals.push({ ...p, id, status: 'pending' });
  const asked = p.kind === 'summons' ? { summons: p.replaces, at: p.at, place: p.place } : { visit: p.replaces, on: p.on, note: p.note ?? null };
  return {
    audits: [{ action: p.kind === 'summons' ? 'propose_summons' : 'propose_onsite', unit: a.unit, detail: { proposal: id, ...asked } }],
    deliveries: [{ kind: 'reply', to: replyTo, cardKey: cardKey({ kind: 'proposal', item: item.id, unit: a.unit, n: id }), viewer: p.by }],
  };
}
