// The cards of an extension request: the one a contact's request puts to the unit's responsible leader (同意申请 /
// 不同意), and the one the office decides (同意 / 不同意), which says how often the unit's deadline was moved already
// and what it was at first. Drawn from the assignment's record like every card (src/chat/cards.ts draws by key).
import type { Directory } from '../directory/directory.ts';
import { formatDate, formatDateTime } from '../domain/dates.ts';
import { originalDeadline } from '../domain/on-time.ts';
import { REASON_MAX, REASONS, type ReasonedAction } from '../domain/reasons.ts';
import { EXTENSION_RULES } from '../domain/rules.ts';
import { noticeNumber, type Assignment, type Extension, type ItemHeader } from '../domain/types.ts';
import type { ActionName, ActionSigner } from './action-token.ts';
import { cardKey, type CardKey } from './card-key.ts';
import type { Button, ButtonInput, Card } from './message.ts';

/** What an extension card is drawn from (the fields of cards.ts's CardContext it reads). */
export interface ExtensionCardContext {
  item: ItemHeader;
  assignments: readonly Assignment[];
  dir: Directory;
  tz: string;
  signer: ActionSigner;
}

function parts(key: CardKey, ctx: ExtensionCardContext): { a: Assignment; e: Extension } {
  const a = ctx.assignments.find((x) => x.unit === key.unit);
  if (!a) throw new Error(`item ${ctx.item.id} has no assignment for ${String(key.unit)}`);
  const e = a.extensions.find((x) => x.id === key.n);
  if (!e) throw new Error(`no extension ${String(key.n)}`);
  return { a, e };
}

function button(ctx: ExtensionCardContext, key: CardKey, viewer: string, a: ActionName, label: string, style: Button['style'], input?: ButtonInput): Button {
  return { text: label, style, token: ctx.signer.sign({ a, k: cardKey(key), f: viewer }), ...(input ? { input } : {}) };
}

/** The text box of a "no" (the same as cards.ts gives every "no"). */
function reasonBox(action: ReasonedAction): ButtonInput {
  const r = REASONS[action];
  return { name: 'reason', label: r.label, placeholder: r.placeholder, required: true, maxLength: REASON_MAX };
}

const at = (ctx: ExtensionCardContext, ms: number | undefined) => (ms === undefined ? '' : formatDateTime(ms, ctx.tz));
const name = (ctx: ExtensionCardContext, id: string | undefined) => (id ? ctx.dir.personName(id) : '');

/** Approved extensions of the unit before this request: how often its deadline was moved already. */
export function extendedBefore(a: Pick<Assignment, 'extensions'>, e: Pick<Extension, 'id'>): number {
  return a.extensions.filter((x) => x.status === 'approved' && x.id < e.id).length;
}

/** `0 次`, or `1 次，现为 2026年10月20日`: the deadline in force when the request was made. */
function timesField(a: Assignment, e: Extension): string {
  const n = extendedBefore(a, e);
  return n === 0 ? '0 次' : `${n} 次，现为 ${formatDate(e.oldDue ?? a.due)}`;
}

/** The office's card: 同意 / 不同意, with the original deadline and how many times it was moved already. */
export function officeExtensionCard(key: CardKey, viewer: string, ctx: ExtensionCardContext): Card {
  const { item, dir } = ctx;
  const { a, e } = parts(key, ctx);
  const card: Card = {
    title: `延期申请：${noticeNumber(item)}`,
    subtitle: item.title,
    color: 'orange',
    fields: [
      { label: '单位', value: dir.unitName(a.unit) },
      { label: '申请人', value: `${name(ctx, e.by)}（${at(ctx, e.at)}）` },
      ...(e.agreedBy ? [{ label: '单位意见', value: `${name(ctx, e.agreedBy)}已同意（${at(ctx, e.agreedAt)}）` }] : []),
      { label: '原定期限', value: formatDate(originalDeadline(a, ctx.tz).due) },
      { label: '已延期', value: timesField(a, e) },
      { label: '申请延至', value: formatDate(e.to) },
    ],
    body: `**理由**\n${e.reason}`,
    buttons: [],
  };
  if (e.status === 'pending') {
    card.buttons.push(
      button(ctx, key, viewer, 'approve_extension', EXTENSION_RULES.approve.label, 'primary'),
      button(ctx, key, viewer, 'refuse_extension', EXTENSION_RULES.refuse.label, 'danger', reasonBox('refuse_extension')),
    );
  } else {
    const refused = e.status === 'refused';
    card.note = `已由${name(ctx, e.decidedBy)}于 ${at(ctx, e.decidedAt)} ${refused ? '不同意' : '同意'}${refused && e.refuseReason ? `。理由：${e.refuseReason}` : ''}`;
  }
  return card;
}

/** The responsible leader's card of a contact's request: 同意申请 (it goes to the office) / 不同意 (with a reason). */
export function leaderExtensionCard(key: CardKey, viewer: string, ctx: ExtensionCardContext): Card {
  const { item, dir } = ctx;
  const { a, e } = parts(key, ctx);
  const n = extendedBefore(a, e);
  const card: Card = {
    title: `延期申请待您同意：${noticeNumber(item)}`,
    subtitle: item.title,
    color: 'orange',
    fields: [
      { label: '单位', value: dir.unitName(a.unit) },
      { label: '申请人', value: `${name(ctx, e.by)}（${at(ctx, e.at)}）` },
      { label: '办结时限', value: formatDate(e.oldDue ?? a.due) },
      ...(n > 0 ? [{ label: '已延期', value: `${n} 次（原定 ${formatDate(originalDeadline(a, ctx.tz).due)}）` }] : []),
      { label: '申请延至', value: formatDate(e.to) },
    ],
    body: `**理由**\n${e.reason}`,
    buttons: [],
  };
  if (e.status === 'pending_leader') {
    card.buttons.push(
      button(ctx, key, viewer, 'agree_extension', EXTENSION_RULES.agree.label, 'primary'),
      button(ctx, key, viewer, 'disagree_extension', EXTENSION_RULES.disagree.label, 'danger', reasonBox('disagree_extension')),
    );
    card.note = '同意后报督查室审批；不同意须写明理由，告知申请人。';
  } else if (e.leaderRefused) {
    card.note = `已由${name(ctx, e.decidedBy)}于 ${at(ctx, e.decidedAt)} 不同意${e.refuseReason ? `。理由：${e.refuseReason}` : ''}`;
  } else {
    const office =
      e.status === 'approved'
        ? `；督查室已同意（${name(ctx, e.decidedBy)}，${at(ctx, e.decidedAt)}）`
        : e.status === 'refused'
          ? `；督查室不同意（${name(ctx, e.decidedBy)}，${at(ctx, e.decidedAt)}）${e.refuseReason ? `，理由：${e.refuseReason}` : ''}`
          : '，待督查室审批';
    card.note = `已由${name(ctx, e.agreedBy)}于 ${at(ctx, e.agreedAt)} 同意，报督查室${office}`;
  }
  return card;
}
