// The 批办领导's review of a finished item they instructed (【办结报告】): 阅 makes it 办结; a new instruction (再批示 on the
// card, or /批示) is recorded, makes it 办结 too (it reopens nothing), tells the office, and drafts a follow-up item (续办)
// whose preview the office issues or cancels; with no answer in DUCHA_REVIEW_DAYS working days the service makes it
// 办结 itself (src/schedule/close-reviews.ts). Who may: LEADER_RULES in src/domain/rules.ts.
import { cardKey } from '../chat/card-key.ts';
import { REASON_MAX } from '../domain/reasons.ts';
import { Refusal } from '../domain/refusal.ts';
import { responsibleLeader } from '../domain/responsible-leader.ts';
import { checkLeader } from '../domain/rules.ts';
import { dateInTz } from '../domain/dates.ts';
import { parseDue } from '../domain/deadline.ts';
import { DRAFT_KEPT_MS } from '../domain/drafts.ts';
import { noticeNumber, numberArg } from '../domain/item-number.ts';
import { officeSide } from '../domain/office-side.ts';
import { draftItemId, newAssignment, ownerOf, type Assignment, type Item, type ItemHeader } from '../domain/types.ts';
import type { Delivery } from '../delivery/delivery.ts';
import type { Runtime } from '../infra/runtime.ts';
import { createItem, mutateItem, type Op, type Outcome } from '../store/apply-op.ts';
import { sendText } from './handler-kit.ts';

const closingKey = (item: Pick<ItemHeader, 'id'>) => cardKey({ kind: 'closing', item: item.id });

/** 阅: the result stands, the item is 办结. */
export function readReview(rt: Runtime, op: Op, itemId: string, person: string): Promise<Outcome> {
  return mutateItem(rt, op, itemId, (item, _as, now) => {
    const dir = rt.directory();
    checkLeader('read', person, item, dir);
    complete(item, { how: 'read', by: person, at: now });
    const text = `${noticeNumber(item)}「${item.title}」批办领导${dir.personName(person)}已阅，事项办结。`;
    return {
      audits: [{ action: 'review_read', from: 'review', to: 'completed' }],
      deliveries: [...officeSide(item, dir).map((p) => sendText(p, text)), { kind: 'refresh', cardKey: closingKey(item) }],
      toast: '已阅，事项办结',
    };
  });
}

/** The instruction typed, trimmed and checked: not empty, not too long. */
export function instructionText(raw: string | undefined): string {
  const text = (raw ?? '').trim();
  if (!text) throw new Refusal('needs_reason', '请填写批示内容');
  const n = [...text].length;
  if (n > REASON_MAX) throw new Refusal('needs_reason', `批示内容最多 ${REASON_MAX} 字，现有 ${n} 字，请精简后再提交`);
  return text;
}

/**
 * A new instruction (再批示, /批示) on a finished item: checked first, then the follow-up draft (续办: the instruction
 * as its requirement, the same units, as long to do as the first had), then the instruction recorded on the item,
 * which completes it if it was in review. The office gets the follow-up's preview to issue or cancel. Each step is
 * its own operation, derived from this one: a retry redoes neither.
 */
export async function instruct(rt: Runtime, op: Op, itemId: string, person: string, text: string): Promise<Outcome> {
  const dir = rt.directory();
  const found = await rt.store.getItem(itemId);
  if (!found) throw new Refusal('not_found', '没有这个督查事项');
  checkLeader('instruct', person, found.item, dir);
  const followUp = await draftFollowUp(rt, { id: `${op.id}:follow-up`, actor: op.actor }, found.item, person, text);
  return mutateItem(rt, op, itemId, (item, _as, now) => {
    checkLeader('instruct', person, item, dir);
    const from = item.status;
    const n = (item.instructions?.length ?? 0) + 1;
    item.instructions = [...(item.instructions ?? []), { n, text, by: person, at: now, followUp: followUp.id }];
    if (from === 'review') complete(item, { how: 'instructed', by: person, at: now });
    const no = noticeNumber(item);
    const draft = noticeNumber({ draft: followUp.draft });
    const told =
      `${no}「${item.title}」批办领导${dir.personName(person)}作出新的批示：${text}\n` +
      `${from === 'review' ? '原事项办结，不重新打开；' : ''}已据此拟出续办事项${draft}，请在预览卡片上发出或取消。`;
    const office = officeSide(item, dir);
    return {
      audits: [{ action: 'instruct', from, to: 'completed', detail: { n, text, followUp: followUp.id, draft: followUp.draft } }],
      deliveries: [
        ...office.map((p) => sendText(p, told)),
        ...office.map((p): Delivery => ({ kind: 'send', person: p, cardKey: cardKey({ kind: 'preview', item: followUp.id }) })),
        { kind: 'refresh', cardKey: closingKey(item) },
      ],
      toast: `已批示，督查室将拟出续办事项（${draft}）`,
    };
  });
}

/** What the press without text is told (WeCom's cards take none): the command to send. */
export function instructLine(item: Pick<ItemHeader, 'year' | 'seq' | 'draft'>, year: number): string {
  return `再批示请发送：/批示 ${numberArg(item, year)} <批示内容>（按“阅”则事项办结）`;
}

/** The leader's review ended: the item is 办结. */
function complete(item: ItemHeader, review: NonNullable<ItemHeader['review']>): void {
  item.status = 'completed';
  item.completedAt = review.at;
  item.review = review;
}

/** Drafts the follow-up item (续办) of a new instruction; a retry of the same operation gets the same draft back. */
async function draftFollowUp(rt: Runtime, op: Op, first: Item, leader: string, text: string): Promise<{ id: string; draft: number }> {
  const dir = rt.directory();
  const { config, calendar } = rt;
  const now = rt.clock.now();
  // As long to do as the first item had, in working days (at least one).
  const from = dateInTz(first.issuedAt ?? first.createdAt, config.tz);
  const days = Math.min(365, Math.max(1, calendar.countWorkdays(from, first.due)));
  const due = parseDue(`${days}工作日`, now, config.tz, calendar);
  if (!due.ok) throw new Error(`follow-up due: ${due.error}`);
  const assignments: Assignment[] = first.assignments.map((a) => {
    // The leader the first went to where the directory still makes them so; else as a new item would go.
    const responsible = responsibleLeader(first.category, a.unit, a.responsible, dir) ?? a.responsible;
    return newAssignment(a.unit, a.lead, responsible, dir.personName(responsible), due);
  });
  const out = await createItem(rt, op, (draft, at) => {
    const item: ItemHeader = {
      id: draftItemId(draft),
      draft,
      title: `${first.title}（续办）`,
      req: text,
      ...(first.category ? { category: first.category } : {}),
      status: 'draft',
      // The office's draft: its owner's, as the first item was.
      createdBy: ownerOf(first),
      createdAt: at,
      expiresAt: at + DRAFT_KEPT_MS,
      due: due.date,
      dueAt: due.dueAt,
      ...(due.note ? { dueNote: due.note } : {}),
      units: first.units,
      lead: first.lead,
      ...(first.leadRule ? { leadRule: true } : {}),
      source: 'instruction',
      instructedBy: leader,
      ...(first.owner ? { owner: first.owner } : {}),
      follows: first.id,
    };
    return {
      item,
      assignments,
      audits: [
        {
          action: 'create',
          to: 'draft',
          detail: { title: item.title, units: item.units, category: item.category ?? null, due: due.date, draft, source: 'instruction', instructedBy: leader, follows: first.id },
        },
      ],
      deliveries: [],
    };
  });
  const draft = Number(out.itemId.slice(1));
  return { id: out.itemId, draft };
}
