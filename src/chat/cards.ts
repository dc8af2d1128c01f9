// Every card a user sees, drawn from the store's current record: the same key always shows the latest state.
import type { Directory } from '../directory/directory.ts';
import { categoryLabel } from '../domain/categories.ts';
import { dateInTz, formatDate, formatDateTime } from '../domain/dates.ts';
import { numberArg } from '../domain/item-number.ts';
import { REASON_MAX, REASONS, type ReasonedAction } from '../domain/reasons.ts';
import { STATE_LABELS } from '../domain/rules.ts';
import { DRAFT_KEPT_DAYS } from '../domain/drafts.ts';
import { everyText, type ProgressEvery } from '../domain/progress.ts';
import { isKey, isOverdue, noticeNumber, ownerOf, type Assignment, type ItemHeader, type ItemStatus, type Report, type Summons, type Visit } from '../domain/types.ts';
import { amendmentText } from './texts.ts';
import type { ActionName, ActionSigner } from './action-token.ts';
import { cardKey, type CardKey } from './card-key.ts';
import type { Button, ButtonInput, Card } from './message.ts';
import { attachmentBlock, attachmentLine } from './attachment-texts.ts';
import { leaderExtensionCard, officeExtensionCard } from './extension-cards.ts';
import { unitTimelinessLabel } from './deadline-texts.ts';
import { closingCard } from './closing-card.ts';
import { sourceLine } from '../domain/sources.ts';
import { jointCard, supportFields } from './joint-cards.ts';
import { jointRefusal } from '../domain/rules.ts';
import { leadsJoint, reportsToLead, supportStatus, unitList } from '../domain/joint.ts';

export interface CardContext {
  item: ItemHeader;
  /** The assignments the card shows: its unit's for a unit's card, every one for the preview. */
  assignments: readonly Assignment[];
  dir: Directory;
  tz: string;
  now: number;
  signer: ActionSigner;
  /** The item a follow-up (续办) follows, when the card's item is one (its number, for the 续办 line). */
  follows?: Pick<ItemHeader, 'status' | 'year' | 'seq' | 'draft'>;
}

/** Draws the card a key names, as the given person should see it (buttons are for them only). */
export function renderCard(key: CardKey, viewer: string, ctx: CardContext): Card {
  const card = drawCard(key, viewer, ctx);
  // A withdrawn item's cards all say so, and nothing on them can be pressed any more.
  if (ctx.item.status === 'withdrawn' && key.kind !== 'preview') {
    card.buttons = [];
    card.color = 'grey';
    card.note = withdrawnNote(ctx);
    for (const f of card.fields) if (f.label === '当前状态') f.value = '已撤回';
  }
  return card;
}

function drawCard(key: CardKey, viewer: string, ctx: CardContext): Card {
  switch (key.kind) {
    case 'preview':
      return previewCard(viewer, ctx);
    case 'notice':
      return noticeCard(key, viewer, ctx);
    case 'sign':
      return signCard(key, viewer, ctx);
    case 'review':
      return reviewCard(key, viewer, ctx);
    case 'summons':
      return summonsCard(key, viewer, ctx);
    case 'extension':
      return officeExtensionCard(key, viewer, ctx);
    case 'extension_ask':
      return leaderExtensionCard(key, viewer, ctx);
    case 'proposal':
      return proposalCard(key, viewer, ctx);
    case 'closing':
      return closingCard(ctx.item, ctx.assignments, ctx.dir, ctx.tz, Number(dateInTz(ctx.now, ctx.tz).slice(0, 4)), viewer, {
        read: (label) => button(ctx, key, viewer, 'read_review', label, 'primary', { title: `确认阅示${noticeNumber(ctx.item)}？`, text: '阅即表示认可办理结果，事项办结。' }),
        instruct: (label, input) => button(ctx, key, viewer, 'instruct', label, 'default', undefined, input),
      });
    case 'joint':
      return jointCard(key, ctx);
  }
}

/** 已由张伟于 2026年10月1日 10:00 撤回，不再办理。理由：… */
function withdrawnNote(ctx: CardContext): string {
  const { item, dir } = ctx;
  return `已由${personName(dir, item.withdrawnBy)}于 ${when(ctx, item.withdrawnAt)} 撤回，不再办理。理由：${item.withdrawReason ?? ''}`;
}

function personName(dir: Directory, id: string | undefined): string {
  if (!id) return '';
  return dir.personName(id);
}

function button(
  ctx: CardContext,
  key: CardKey,
  viewer: string,
  a: ActionName,
  label: string,
  style: Button['style'],
  confirm?: Button['confirm'],
  input?: ButtonInput,
): Button {
  return { text: label, style, token: ctx.signer.sign({ a, k: cardKey(key), f: viewer }), ...(confirm ? { confirm } : {}), ...(input ? { input } : {}) };
}

/** The text box of a "no": a reason is required (REASONS). */
export function reasonInput(action: ReasonedAction): ButtonInput {
  const r = REASONS[action];
  return { name: 'reason', label: r.label, placeholder: r.placeholder, required: true, maxLength: REASON_MAX };
}

/** `。退回理由：…` after an outcome, when one was given (records made before reasons were asked for have none). */
function because(label: string, reason: string | undefined): string {
  return reason ? `。${label}：${reason}` : '';
}

/** The first lines of a report, for a confirm dialog: enough to know which text is meant. */
export function reportExcerpt(text: string, max = 80): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const head = lines.slice(0, 2).join(' ');
  return [...head].length > max ? `${[...head].slice(0, max - 1).join('')}…` : head;
}

/** What a leader confirms before signing (签字就表明认可，签字就必须负责): the text, and each attachment signed with it. */
export function signConfirm(r: Pick<Report, 'version' | 'final' | 'text' | 'attachments'>): Button['confirm'] {
  const files = r.attachments ?? [];
  return {
    title: `确认签署第 ${r.version} 稿${r.final ? '办结' : '进展'}报告？`,
    text:
      `「${reportExcerpt(r.text)}」\n` +
      (files.length ? `附件 ${files.length} 个：${files.map(attachmentLine).join('；')}\n` : '') +
      `签字就表明认可，签字就必须负责。签署即确认报告全文${files.length ? '和全部附件' : ''}。`,
  };
}

/** A report's text and, after it, its attachments with how to get one. */
function reportBody(ctx: CardContext, r: Pick<Report, 'text' | 'attachments'>): string {
  const files = attachmentBlock(r.attachments, numberArg(ctx.item, Number(dateInTz(ctx.now, ctx.tz).slice(0, 4))));
  return `**报告全文**\n${r.text}${files.length ? `\n\n**附件**\n${files.join('\n')}` : ''}`;
}

function when(ctx: CardContext, ms: number | undefined): string {
  return ms === undefined ? '' : formatDateTime(ms, ctx.tz);
}

function dueText(ctx: CardContext, due: string, dueAt: number): string {
  const overdue = ctx.now > dueAt ? '（已逾期）' : '';
  return `${formatDate(due)}${overdue}`;
}

/** Units named on a card at most; a city-wide item lists the first ones and says how many in all. */
const UNITS_SHOWN = 10;

function unitsLine(item: ItemHeader, dir: Directory): string {
  const many = item.units.length > 1;
  const names = item.units.slice(0, UNITS_SHOWN).map((u) => `${dir.unitName(u)}${many ? (u === item.lead ? '（牵头）' : '（配合）') : ''}`);
  const more = item.units.length > UNITS_SHOWN ? `等 ${item.units.length} 个单位` : '';
  return names.join('、') + more;
}

/** The responsible leader of each unit, for the preview; at most UNITS_SHOWN of them by name. */
function receiversLine(ctx: CardContext): string {
  const { item, dir } = ctx;
  const names = ctx.assignments
    .slice(0, UNITS_SHOWN)
    .map((a) => `${personName(dir, a.responsible)}（${dir.unitName(a.unit)}${isKey(item) ? '一把手' : '班子成员'}）`);
  const more = ctx.assignments.length > UNITS_SHOWN ? `等 ${ctx.assignments.length} 人` : '';
  return names.join('、') + more;
}

const PREVIEW_TITLES: Record<ItemStatus, string> = {
  draft: '督查单预览（尚未发出）',
  open: '督查单',
  review: '督查单',
  completed: '督查单',
  cancelled: '督查单草稿（已取消）',
  withdrawn: '督查单（已撤回）',
};

function previewCard(viewer: string, ctx: CardContext): Card {
  const { item, dir } = ctx;
  const key: CardKey = { kind: 'preview', item: item.id };
  const card: Card = {
    title: item.expired ? '督查单草稿（已过期作废）' : PREVIEW_TITLES[item.status],
    subtitle: `${dir.issuer} ${noticeNumber(item)}`,
    color: item.status === 'cancelled' || item.status === 'withdrawn' ? 'grey' : isKey(item) ? 'red' : 'blue',
    fields: [
      // A draft has no 督字 number yet: it is given at 发出, the next of the year. How long it is kept is said here
      // too, where every platform shows it (a WeCom card shows the body or the note, not both).
      { label: '编号', value: item.status === 'draft' ? `${noticeNumber(item)}（保留 ${DRAFT_KEPT_DAYS} 天）` : noticeNumber(item) },
      { label: '事项', value: item.title },
      { label: '类别', value: categoryLabel(item.category) },
      { label: '承办单位', value: unitsLine(item, dir) },
      { label: '接收人', value: receiversLine(ctx) },
      { label: '办结时限', value: dueText(ctx, item.due, item.dueAt) },
      ...sourceFields(ctx),
      // The office member who gets its office-side cards (督查员).
      { label: '督查员', value: personName(dir, ownerOf(item)) },
    ],
    buttons: [],
  };
  if (item.req) card.body = `**督查要求**\n${item.req}`;
  if (item.dueNote) card.fields.push({ label: '说明', value: item.dueNote });
  if (item.progress) card.fields.push(progressField(item.progress));
  if (item.status === 'draft') {
    card.buttons.push(button(ctx, key, viewer, 'issue', '发出', 'primary'), button(ctx, key, viewer, 'cancel', '取消', 'default'));
    const number = item.seq === undefined ? '督字编号在发出时给出。' : '';
    card.note =
      item.expiresAt === undefined
        ? `${number}草稿保留 ${DRAFT_KEPT_DAYS} 天，到期未发出即作废。`
        : `${number}草稿保留 ${DRAFT_KEPT_DAYS} 天：${when(ctx, item.expiresAt)} 前未发出即作废。`;
  } else if (item.status === 'cancelled') {
    card.note = item.expired ? `已于 ${when(ctx, item.cancelledAt)} 过期作废（草稿保留 ${DRAFT_KEPT_DAYS} 天）` : `已于 ${when(ctx, item.cancelledAt)} 取消`;
  } else if (item.status === 'withdrawn') {
    card.note = withdrawnNote(ctx);
  } else {
    card.note = `已由${personName(dir, item.issuedBy)}于 ${when(ctx, item.issuedAt)} 发出`;
  }
  return card;
}

/** The item's source, instructing leader and reference, and the item it follows up (续办), where it has them. */
function sourceFields(ctx: CardContext): Card['fields'] {
  const { item, dir } = ctx;
  const line = sourceLine(item, (p) => dir.personName(p));
  const out: Card['fields'] = line ? [{ label: '来源', value: line }] : [];
  if (item.follows && ctx.follows) out.push({ label: '续办', value: `续${noticeNumber(ctx.follows)}` });
  return out;
}

function noticeCard(key: CardKey, viewer: string, ctx: CardContext): Card {
  const { item, dir } = ctx;
  const a = mustAssignment(ctx, key.unit);
  const amended = item.amendments ?? [];
  // Every correction, oldest first: the leader sees what changed since the notice first came, and why. (Plain text
  // after the requirements: a body has one heading only, see the platforms' renderers.)
  const corrections = amended.map((m) => `${when(ctx, m.at)}：${amendmentText(m)}`).join('\n');
  const body = item.req
    ? `**督查要求**\n${item.req}${corrections ? `\n\n【更正】\n${corrections}` : ''}`
    : corrections && `**更正**\n${corrections}`;
  const card: Card = {
    title: `督查通知${amended.length ? '（更正）' : ''} ${noticeNumber(item)}`,
    subtitle: dir.issuer,
    color: isKey(item) ? 'red' : 'blue',
    fields: [
      { label: '事项', value: item.title },
      { label: '类别', value: categoryLabel(item.category) },
      { label: '承办单位', value: `${dir.unitName(a.unit)}${item.units.length > 1 ? (a.lead ? '（牵头）' : '（配合）') : ''}` },
      { label: '负责领导', value: personName(dir, a.responsible) },
      { label: '办结时限', value: dueText(ctx, a.due, a.dueAt) },
      { label: '当前状态', value: stateText(a, ctx.now) },
      ...sourceFields(ctx),
    ],
    body: body || undefined,
    buttons: [],
  };
  if (item.units.length > 1) card.fields.splice(3, 0, { label: '全部承办单位', value: unitsLine(item, dir) });
  if (item.progress) card.fields.splice(card.fields.length - 1, 0, progressField(item.progress));
  if (a.state === 'issued') {
    card.buttons.push(button(ctx, key, viewer, 'receive', '签收', 'primary'));
    card.note = '请负责领导本人签收。签收后由联络员报送办理情况，报告须经您本人签署方可受理。';
  } else {
    card.note = `已由${personName(dir, a.responsible)}于 ${when(ctx, a.receivedAt)} 签收`;
  }
  return card;
}

/** 进度报送：每月一次（每期最后一个工作日提醒）. */
function progressField(every: ProgressEvery): { label: string; value: string } {
  return { label: '进度报送', value: `${everyText(every)}一次（每期最后一个工作日提醒）` };
}

function stateText(a: Assignment, now: number): string {
  return `${STATE_LABELS[a.state]}${isOverdue(a, now) ? '（已逾期）' : ''}`;
}

function reportOf(a: Assignment, version: number | undefined) {
  const r = a.reports.find((x) => x.version === version);
  if (!r) throw new Error(`no report v${String(version)} for ${a.unit}`);
  return r;
}

function signCard(key: CardKey, viewer: string, ctx: CardContext): Card {
  const { item, dir } = ctx;
  const a = mustAssignment(ctx, key.unit);
  const r = reportOf(a, key.n);
  const card: Card = {
    title: `请签署${r.final ? '办结报告' : '进展报告'}：${noticeNumber(item)}`,
    subtitle: item.title,
    color: 'orange',
    fields: [
      { label: '单位', value: dir.unitName(a.unit) },
      { label: '报送人', value: `${personName(dir, r.by)}（${when(ctx, r.at)}）` },
      { label: '版本', value: `第 ${r.version} 稿` },
      ...filesField(r),
      ...supportFields(r, a, ctx),
    ],
    body: reportBody(ctx, r),
    buttons: [],
  };
  if (r.status === 'pending') {
    card.buttons.push(
      button(ctx, key, viewer, 'sign', '签署', 'primary', signConfirm(r)),
      button(ctx, key, viewer, 'send_back', '退回修改', 'danger', undefined, reasonInput('send_back')),
    );
    card.note = `签字就表明认可，签字就必须负责。签署即确认以上全文${r.attachments?.length ? '和全部附件' : ''}。`;
  } else if (r.signature) {
    const toLead = reportsToLead(item, a.unit) && r.status === 'signed' ? `，已报牵头单位${dir.unitName(item.lead)}` : '';
    card.note = `已由${personName(dir, r.signature.by)}于 ${when(ctx, r.signature.at)} 签署${toLead}${reviewSuffix(r.status)}${because('退回理由', r.status === 'returned' ? r.returnReason : undefined)}`;
  } else if (r.status === 'sent_back') {
    const by = r.reviewedBy ? `由${personName(dir, r.reviewedBy)}于 ${when(ctx, r.reviewedAt)} ` : `（${when(ctx, r.reviewedAt)}）`;
    card.note = `已${by}退回联络员修改${because('退回理由', r.returnReason)}`;
  } else {
    card.note = '本稿已被新版本取代，无需签署';
  }
  return card;
}

/** `附件：2 个（共 3.1 MB）`, for a report that has any. */
function filesField(r: Pick<Report, 'attachments'>): Card['fields'] {
  const files = r.attachments ?? [];
  return files.length ? [{ label: '附件', value: `${files.length} 个（${files.map((f) => `附件${f.n}`).join('、')}）` }] : [];
}

function reviewSuffix(status: string): string {
  if (status === 'accepted') return '，督查室已受理';
  if (status === 'returned') return '，督查室已退回';
  if (status === 'superseded') return '，已被新版本取代';
  return '';
}

function reviewCard(key: CardKey, viewer: string, ctx: CardContext): Card {
  const { item, dir } = ctx;
  const a = mustAssignment(ctx, key.unit);
  const r = reportOf(a, key.n);
  const card: Card = {
    title: `已签署的${r.final ? '办结报告' : '进展报告'}待受理：${noticeNumber(item)}`,
    subtitle: item.title,
    color: 'blue',
    fields: [
      { label: '单位', value: dir.unitName(a.unit) },
      { label: '签署人', value: r.signature ? `${personName(dir, r.signature.by)}（${when(ctx, r.signature.at)}）` : '未签署' },
      { label: '版本', value: `第 ${r.version} 稿` },
      ...filesField(r),
      ...supportFields(r, a, ctx),
    ],
    body: reportBody(ctx, r),
    buttons: [],
  };
  // A 配合 unit's report of a joint item is the lead unit's to take, never the office's (RULES.accept.joint).
  const notOurs = jointRefusal('accept', item, a.unit, dir);
  if (r.status === 'signed' && notOurs) {
    card.title = `配合单位已签署的${r.final ? '办结报告' : '进展报告'}（报牵头单位）：${noticeNumber(item)}`;
    card.note = `${notOurs.replace(/^不予受理：/, '')}，督查室无需受理。`;
  } else if (r.status === 'signed') {
    const which = `${dir.unitName(a.unit)}第 ${r.version} 稿${r.final ? '办结' : '进展'}报告`;
    card.buttons.push(
      button(ctx, key, viewer, 'accept', '受理', 'primary', {
        title: `确认受理${which}？`,
        text: `「${reportExcerpt(r.text)}」\n${r.final ? finalAccepted(item, a, ctx) : '受理后该单位继续办理。'}`,
      }),
      button(
        ctx,
        key,
        viewer,
        'return',
        '退回',
        'danger',
        { title: `确认退回${which}？`, text: `「${reportExcerpt(r.text)}」\n退回后由该单位修改重报，退回理由将告知该单位。` },
        reasonInput('return'),
      ),
    );
  } else if (r.status === 'accepted') {
    const done = r.final && a.state === 'completed' ? `（${unitTimelinessLabel(item, a, ctx.assignments, ctx.now, ctx.tz)}）` : '';
    card.note = `已由${personName(dir, r.reviewedBy)}于 ${when(ctx, r.reviewedAt)} 受理${r.final ? `，该单位已办结${done}` : ''}`;
  } else if (r.status === 'returned') {
    card.note = `已由${personName(dir, r.reviewedBy)}于 ${when(ctx, r.reviewedAt)} 退回${because('退回理由', r.returnReason)}`;
  } else {
    card.note = '本稿已被新版本取代';
  }
  return card;
}

/** What 受理 of a final report does, said before the press: the unit completes; a joint item's lead takes its 配合 units along. */
function finalAccepted(item: ItemHeader, a: Assignment, ctx: CardContext): string {
  if (!leadsJoint(item, a.unit)) return '受理办结报告后，该单位即告办结。';
  const s = supportStatus(item, ctx.assignments);
  const missing = s.missing.length ? `（其中${unitList(s.missing, ctx.dir)}未向牵头单位报送）` : '';
  return `受理后本事项办结，配合单位${unitList([...s.reported, ...s.missing], ctx.dir)}一并办结${missing}。`;
}

function summonsCard(key: CardKey, viewer: string, ctx: CardContext): Card {
  const { item, dir } = ctx;
  const a = mustAssignment(ctx, key.unit);
  const s = a.summons.find((x) => x.id === key.n);
  if (!s) throw new Error(`no summons ${String(key.n)}`);
  const card: Card = {
    title: `听取汇报通知：${noticeNumber(item)}`,
    subtitle: dir.issuer,
    color: 'orange',
    fields: [
      { label: '事项', value: item.title },
      { label: '单位', value: dir.unitName(a.unit) },
      { label: '时间', value: when(ctx, s.at) },
      { label: '地点', value: s.place },
    ],
    body: `请${personName(dir, dir.unit(a.unit)?.head)}同志按时到场，当面汇报该事项的办理情况。`,
    buttons: [],
  };
  const next = s.replacedBy === undefined ? undefined : a.summons.find((x) => x.id === s.replacedBy);
  if (next) {
    card.color = 'grey';
    card.body = `本次约谈已取消，请以新的通知为准：${when(ctx, next.at)}，${next.place}。`;
    card.note = `已被新的约谈替换（${when(ctx, s.replacedAt)}）`;
  } else if (s.confirmedAt === undefined) {
    card.buttons.push(button(ctx, key, viewer, 'confirm_summons', '确认出席', 'primary'));
  } else {
    card.note = `已由${personName(dir, s.confirmedBy)}于 ${when(ctx, s.confirmedAt)} 确认出席`;
  }
  return card;
}

/** A summons as a line: its time and place, and whether the head has confirmed. */
function summonsLine(ctx: CardContext, s: Summons): string {
  return `${when(ctx, s.at)}，${s.place}${s.confirmedAt === undefined ? '（未确认出席）' : `（${personName(ctx.dir, s.confirmedBy)}已确认出席）`}`;
}

function visitLine(ctx: CardContext, v: Pick<Visit, 'on' | 'note' | 'by'>): string {
  return `${formatDate(v.on)}，${personName(ctx.dir, v.by)}${v.note ? `：${v.note}` : '（无记录）'}`;
}

/**
 * The question put to the clerk who asked for a second summons while one is still to be held, or a second visit on
 * a day that has one: replace the first with it, or keep the first.
 */
function proposalCard(key: CardKey, viewer: string, ctx: CardContext): Card {
  const { item, dir } = ctx;
  const a = mustAssignment(ctx, key.unit);
  const p = (a.proposals ?? []).find((x) => x.id === key.n);
  if (!p) throw new Error(`no proposal ${String(key.n)}`);
  const summons = p.kind === 'summons';
  const first = summons ? a.summons.find((x) => x.id === p.replaces) : a.visits.find((x) => x.id === p.replaces);
  if (!first) throw new Error(`proposal ${p.id} replaces nothing`);
  const what = summons ? '约谈' : '坐地督查记录';
  const head = personName(dir, dir.unit(a.unit)?.head);
  const card: Card = {
    title: summons ? `已有尚未举行的约谈：${noticeNumber(item)}` : `该日已有坐地督查记录：${noticeNumber(item)}`,
    subtitle: item.title,
    color: 'orange',
    fields: [
      { label: '单位', value: dir.unitName(a.unit) },
      summons
        ? { label: '原约谈', value: summonsLine(ctx, first as Summons) }
        : { label: '原记录', value: visitLine(ctx, first as Visit) },
      summons
        ? { label: '新约谈', value: `${when(ctx, p.at)}，${p.place ?? ''}` }
        : { label: '新记录', value: visitLine(ctx, { on: p.on ?? '', note: p.note, by: p.by }) },
    ],
    body: summons
      ? `替换：原约谈取消，${head}收到新的约谈通知，原通知显示已被替换。\n保留：不发新的约谈，原约谈照常。`
      : `替换：原记录作废，以新记录为准，并告知${head}。\n保留：不记新的记录。`,
    buttons: [],
  };
  if (p.status === 'pending') {
    card.buttons.push(
      button(ctx, key, viewer, 'replace_proposal', `替换原${summons ? '约谈' : '记录'}`, 'primary'),
      button(ctx, key, viewer, 'keep_proposal', `保留原${summons ? '约谈' : '记录'}`, 'default'),
    );
    card.note = `同一单位同一事项不重复${summons ? '约谈' : '记录'}：请选择。`;
  } else if (p.status === 'replaced') {
    card.color = 'grey';
    card.note = `已由${personName(dir, p.by)}于 ${when(ctx, p.decidedAt)} 替换原${what}${summons ? `，新通知已发${head}` : ''}`;
  } else {
    card.color = 'grey';
    card.note = `已由${personName(dir, p.by)}于 ${when(ctx, p.decidedAt)} 保留原${what}，未${summons ? '发出新的约谈' : '记录新的坐地督查'}`;
  }
  return card;
}

function mustAssignment(ctx: CardContext, unit: string | undefined): Assignment {
  const a = unit ? ctx.assignments.find((x) => x.unit === unit) : undefined;
  if (!a) throw new Error(`item ${ctx.item.id} has no assignment for ${String(unit)}`);
  return a;
}
