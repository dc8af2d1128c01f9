// /查看: one item in full: each unit's state, deadline and reports, the reports' attachments, and the timeline from the
// audit log.
import { reaches } from '../src/domain/access.ts';
import { categoryLabel } from '../src/domain/categories.ts';
import { formatDate, formatDateTime } from '../src/domain/dates.ts';
import { STATE_LABELS } from '../src/domain/rules.ts';
import { isIssued, isOverdue, latestReport, noticeNumber, ownerOf, type Report } from '../src/domain/types.ts';
import { ACTION_LABELS, amendmentText, itemStatusText } from '../src/chat/texts.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { itemIdFrom } from '../src/dispatch/handler-kit.ts';
import { attachmentLine } from '../src/chat/attachment-texts.ts';
import { deadlineHistory, unitTimelinessLabel } from '../src/chat/deadline-texts.ts';
import { progressNote, progressSetting } from '../src/chat/progress-texts.ts';
import { leaderLines } from '../src/chat/leader-lines.ts';
import { hasLeadRule, jointState, supportLine } from '../src/domain/joint.ts';

export const show: CommandHandler = {
  command: 'show',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    const now = rt.clock.now();
    const tz = rt.config.tz;
    const id = await itemIdFrom(rt, cmd.positional[0]);
    const found = await rt.store.getItem(id);
    if (!found) throw new Refusal('not_found', '没有这个督查事项');
    const item = found.item;
    // A draft is the office's alone: to anyone else it does not exist yet.
    if (!dir.isOffice(ctx.person.id) && !isIssued(item)) throw new Refusal('not_found', `没有${noticeNumber(item)}这个督查事项`);
    if (!reaches('show', ctx.person.id, item.assignments, dir, item)) {
      const why = dir.isLeader(ctx.person.id) && dir.unitsOf(ctx.person.id).length === 0 ? '不是您批办的事项' : '没有交办给您所在的单位';
      throw new Refusal('not_allowed', `${noticeNumber(item)}${why}，无权查看`);
    }
    const name = (p: string) => dir.personName(p);
    const lines = [
      `${dir.issuer} ${noticeNumber(item)}`,
      `事项：${item.title}`,
      `类别：${categoryLabel(item.category)}`,
      `状态：${itemStatusText(item, tz)}`,
      `督查员：${name(ownerOf(item))}`,
      ...(await leaderLines(rt, item, dir)),
      ...(item.req ? [`要求：${item.req}`] : []),
      ...progressSetting(item),
      ...(item.amendments ?? []).map((m) => `更正：${amendmentText(m)}`),
      ...(hasLeadRule(item) ? [`牵头单位：${dir.unitName(item.lead)}（配合单位的报告报牵头单位汇总，由牵头单位的办结报告报督查室）`] : []),
      '',
      '各单位办理情况：',
      ...item.assignments.map((a) => {
        const r = latestReport(a);
        const rep = r ? `；最新报告第 ${r.version} 稿${r.final ? '（办结）' : ''}${r.signature ? `，${name(r.signature.by)}已签署` : '，未签署'}${sentBack(r)}` : '';
        const ext = a.extensions[a.extensions.length - 1];
        const refused = ext?.status === 'refused' ? `；延期申请（至 ${formatDate(ext.to)}）未获同意${ext.refuseReason ? `，理由：${ext.refuseReason}` : ''}` : '';
        const done = `；办结情况：${unitTimelinessLabel(item, a, item.assignments, now, tz)}`;
        return `· ${dir.unitName(a.unit)}${item.assignments.length > 1 ? (a.lead ? '（牵头）' : '（配合）') : ''}，负责领导${name(a.responsible)}：${jointState(item, a) ?? STATE_LABELS[a.state]}${isOverdue(a, now) ? '【逾期】' : ''}，期限 ${formatDate(a.due)}${rep}${refused}${progressNote(item, a, now, { tz, remindAt: rt.config.remindAt, calendar: rt.calendar })}${done}`;
      }),
    ];
    // Each unit's original deadline and every extension asked (who, when, from, to, why, and what became of it).
    const history = item.assignments.flatMap((a) => deadlineHistory(a, dir, tz));
    if (history.length) lines.push('', '办结时限及延期：', ...history);
    // The full text of each unit's latest report: a card may have to shorten a very long one.
    for (const a of item.assignments) {
      const r = latestReport(a);
      if (!r) continue;
      const signed = r.signature ? `${name(r.signature.by)}于 ${formatDateTime(r.signature.at, tz)} 签署` : '尚未签署';
      lines.push('', `${dir.unitName(a.unit)}第 ${r.version} 稿${r.final ? '办结' : '进展'}报告（${signed}）：`, r.text);
      // A joint item's lead unit: which 配合 units had reported when its leader signed.
      if (r.supporting) lines.push(`（签署时配合单位${supportLine(r.supporting, dir)}）`);
    }
    // Every attachment of every report, by the number /附件 takes.
    const files = item.assignments
      .flatMap((a) => a.reports.flatMap((r) => (r.attachments ?? []).map((f) => ({ f, a, r }))))
      .sort((x, y) => x.f.n - y.f.n);
    if (files.length) {
      lines.push('', `附件（发送 /附件 ${cmd.positional[0]} <序号> 取回）：`);
      for (const { f, a, r } of files) lines.push(`· ${attachmentLine(f)}，${dir.unitName(a.unit)}第 ${r.version} 稿报告，${name(f.by)} ${formatDateTime(f.at, tz)} 发送`);
    }
    lines.push('', '办理过程：');
    for (const e of await rt.store.audit(id)) {
      const unit = e.unit ? `（${dir.unitName(e.unit)}）` : '';
      const who = e.actor === 'system' ? '系统' : name(e.actor);
      lines.push(`${formatDateTime(e.at, tz)} ${who} ${ACTION_LABELS[e.action] ?? e.action}${unit}${timelineDetail(e.action, e.detail)}`);
    }
    return [ctx.reply(lines.join('\n'))];
  },
};

/** Who sent the latest report back, and why: the contact reads it here too. */
function sentBack(r: Report): string {
  if (r.status !== 'sent_back' && r.status !== 'returned') return '';
  const who = r.status === 'sent_back' ? '已退回联络员修改' : '已被督查室退回';
  return `，${who}${r.returnReason ? `（理由：${r.returnReason}）` : ''}`;
}

/** What a timeline line adds from its audit detail: the reason of a "no", the summons or visit a new one replaced. */
function timelineDetail(action: string, detail: string | undefined): string {
  let d: { reason?: unknown; replaces?: unknown; fromName?: unknown; toName?: unknown; cause?: unknown };
  try {
    d = detail ? (JSON.parse(detail) as typeof d) : {};
  } catch {
    return '';
  }
  if (typeof d.reason === 'string') return `：${d.reason}`;
  if (action === 'handover') return `：${String(d.fromName)} → ${String(d.toName)}${d.cause === 'directory' ? '（原督查员已不在督查室名录中）' : ''}`;
  if (action === 'instruct' && typeof (d as { text?: unknown }).text === 'string') return `：${(d as { text: string }).text}`;
  if (d.replaces !== undefined) return action === 'summon' ? '（替换尚未举行的原约谈）' : '（替换当日原记录）';
  return '';
}
