// /报送: a unit's contact submits a progress or final report, with the files they sent in the minutes before
// (DUCHA_ATTACH_WINDOW); it goes to the unit's responsible leader to sign.
import { attachmentLine } from '../src/chat/attachment-texts.ts';
import { cardKey } from '../src/chat/card-key.ts';
import { ACCESS, holdsRole, whoLine } from '../src/domain/access.ts';
import { REPLACED_BY_NEW_VERSION } from '../src/domain/report-rules.ts';
import { check } from '../src/domain/rules.ts';
import { noticeNumber, type Attachment, type ItemHeader } from '../src/domain/types.ts';
import { isRefusal, Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { itemIdFrom, refreshAssignmentCards, unitOfPersonIn } from '../src/dispatch/handler-kit.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';
import { textHash } from '../src/store/audit-chain.ts';

export const report: CommandHandler = {
  command: 'report',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    const text = (cmd.rest ?? '').trim();
    if (!text) throw new Refusal('bad_syntax', '缺少报告内容');
    const final = cmd.flags.includes('final');
    // A contact reports for the unit they are contact of; anyone else is told by the rules why they may not.
    const unitOf = (item: ItemHeader) => {
      const unit = unitOfPersonIn(item, ctx.person.id, dir, 'contact');
      if (unit) return unit;
      const inOtherUnit = holdsRole('report', ctx.person.id, dir);
      throw new Refusal(inOtherUnit ? 'wrong_unit' : 'not_allowed', `${noticeNumber(item)}没有交办给您所在的单位，只有${whoLine(ACCESS.report)}才能报送`);
    };
    const id = await itemIdFrom(rt, cmd.positional[0]);
    // The files the contact sent within the window go with this report: taken once for this operation (a retry gets
    // the same ones), and given back to wait for the next /报送 if this one is refused.
    const minutes = rt.config.attachWindowMinutes;
    const taken = await rt.store.attachments.takeWaiting(ctx.op.id, ctx.person.id, id, rt.clock.now() - minutes * 60_000);
    const attachments: Attachment[] = taken.map((f) => ({ n: f.n, name: f.name, sha256: f.sha256, size: f.size, mime: f.mime, by: ctx.person.id, at: f.at }));
    try {
      await mutateAssignment(rt, ctx.op, id, unitOf, (item, a, now) => {
        const from = a.state;
        const to = check('submit', ctx.person.id, item, a, dir);
        // Whatever waited for signature or review is replaced: the new text needs its own signature.
        const superseded = a.reports.filter((r) => REPLACED_BY_NEW_VERSION.includes(r.status));
        for (const r of superseded) r.status = 'superseded';
        const version = a.reports.length + 1;
        const hash = textHash(text);
        a.reports.push({ version, text, hash, final, by: ctx.person.id, at: now, status: 'pending', ...(attachments.length ? { attachments } : {}) });
        a.state = to;
        const leader = dir.personName(a.responsible);
        const sign = cardKey({ kind: 'sign', item: item.id, unit: a.unit, n: version });
        const files = attachments.length ? `，附件 ${attachments.length} 个` : '';
        return {
          audits: [
            {
              action: 'submit',
              unit: a.unit,
              from,
              to,
              detail: { version, hash, final, superseded: superseded.map((r) => r.version), ...(attachments.length ? { attachments: attachments.map((f) => f.sha256) } : {}) },
            },
          ],
          deliveries: [
            { kind: 'send', person: a.responsible, cardKey: sign },
            {
              // A file sent in reply to this answer is added to this report while it waits for signature.
              ...ctx.reply(
                [
                  `已将${final ? '办结' : '进展'}报告（第 ${version} 稿${files}）送${leader}签署：${noticeNumber(item)}「${item.title}」。` +
                    (superseded.length ? `此前第 ${superseded.map((r) => r.version).join('、')} 稿作废。` : ''),
                  ...attachments.map(attachmentLine),
                ].join('\n'),
              ),
              about: sign,
            } as const,
            ...refreshAssignmentCards(item, a),
          ],
        };
      });
    } catch (e) {
      if (isRefusal(e) && taken.length) await rt.store.attachments.returnWaiting(ctx.op.id, ctx.person.id, id, minutes * 60 + 3600);
      throw e;
    }
    return [];
  },
};
