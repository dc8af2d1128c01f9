// 受理: the office takes a signed report. A progress report sends the unit back to work; a final one completes it.
// An unsigned report is refused (不予受理), whatever the card says: see REPORT_RULES. On a joint item (牵头=) only the
// lead unit's report is the office's to take (RULES.accept.joint), and its final report completes every 配合 unit too.
import { cardKey } from '../src/chat/card-key.ts';
import type { Delivery } from '../src/delivery/delivery.ts';
import { hasReported, leadsJoint } from '../src/domain/joint.ts';
import { checkReport } from '../src/domain/report-rules.ts';
import { timeliness, TIMELINESS_LABELS } from '../src/domain/on-time.ts';
import { check } from '../src/domain/rules.ts';
import { noticeNumber, type Assignment, type ItemHeader } from '../src/domain/types.ts';
import type { Directory } from '../src/directory/directory.ts';
import type { AuditDraft } from '../src/store/apply-op.ts';
import type { ActionHandler } from '../src/dispatch/handler.ts';
import { refreshAssignmentCards, sendText } from '../src/dispatch/handler-kit.ts';
import { leadRecipients, unitsForReport } from '../src/dispatch/joint-kit.ts';
import { mutateAssignments } from '../src/store/apply-op.ts';

export const acceptReport: ActionHandler = {
  actions: ['accept'],
  run: (ctx) =>
    mutateAssignments(ctx.rt, ctx.op, ctx.key.item, unitsForReport(ctx.key.unit!), (item, [a, ...others], now) => {
      const { report: r, to: status } = checkReport('accept', a!, ctx.key.n);
      const from = a!.state;
      const to = check('accept', ctx.person.id, item, a!, ctx.dir);
      a!.state = to;
      r.status = status;
      r.reviewedBy = ctx.person.id;
      r.reviewedAt = now;
      if (to === 'completed') a!.completedAt = now;
      const unitName = ctx.dir.unitName(a!.unit);
      const done = to === 'completed' ? TIMELINESS_LABELS[timeliness(a!, now, ctx.rt.config.tz)] : '';
      const what = to === 'completed' ? `办结报告已受理，该单位事项办结（${done}）` : '进展报告已受理，请继续抓好落实';
      const notify = [...new Set([a!.responsible, r.by])];
      const audits: AuditDraft[] = [{ action: 'accept', unit: a!.unit, from, to, detail: { version: r.version, hash: r.hash, final: r.final } }];
      const deliveries: Delivery[] = [
        ...notify.map((p) => sendText(p, `${noticeNumber(item)}「${item.title}」${unitName}：${what}（${ctx.person.name}）。`)),
        ...refreshAssignmentCards(item, a!),
      ];
      // The lead unit's final report accepted: each 配合 unit completes with it, recorded on its own record and trail.
      if (to === 'completed' && leadsJoint(item, a!.unit)) {
        const signedAt = r.signature!.at;
        for (const s of others.filter((x) => x.state !== 'completed')) {
          const before = s.state;
          const reported = hasReported(s);
          s.state = check('complete_with_lead', ctx.person.id, item, s, ctx.dir);
          s.completedAt = now;
          s.completedWith = { unit: a!.unit, version: r.version, signedAt };
          audits.push({ action: 'complete_with_lead', unit: s.unit, from: before, to: s.state, detail: { lead: a!.unit, version: r.version, reported } });
          deliveries.push(...supportCompleted(item, s, unitName, ctx.dir), ...refreshAssignmentCards(item, s), ...jointCardRefresh(item.id, s));
        }
        for (const p of leadRecipients(a!, ctx.dir).filter((x) => !notify.includes(x))) {
          deliveries.push(sendText(p, `${noticeNumber(item)}「${item.title}」${unitName}（牵头）：${what}，各配合单位一并办结（${ctx.person.name}）。`));
        }
      }
      return {
        audits,
        deliveries,
        toast: to === 'completed' ? `已受理，${unitName}${leadsJoint(item, a!.unit) ? '及各配合单位' : ''}办结（${done}）` : '已受理',
      };
    }),
};

/** A 配合 unit completed with its lead: its leader and contacts are told. */
function supportCompleted(item: ItemHeader, s: Assignment, lead: string, dir: Directory): Delivery[] {
  const people = [...new Set([s.responsible, ...(dir.unit(s.unit)?.contacts ?? [])])];
  const text = `${noticeNumber(item)}「${item.title}」牵头单位${lead}的办结报告已受理，本事项办结，${dir.unitName(s.unit)}（配合）一并办结。`;
  return people.map((p) => sendText(p, text));
}

/** The lead unit's cards of this 配合 unit's reports, redrawn to say the item is done. */
function jointCardRefresh(item: string, s: Assignment): Delivery[] {
  return s.reports.slice(-2).map((r) => ({ kind: 'refresh' as const, cardKey: cardKey({ kind: 'joint', item, unit: s.unit, n: r.version }) }));
}
