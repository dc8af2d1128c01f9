// /报送: a unit's contact submits a progress or final report; it goes to the unit's responsible leader to sign.
import { cardKey } from '../src/chat/card-key.ts';
import { ACCESS, holdsRole, whoLine } from '../src/domain/access.ts';
import { REPLACED_BY_NEW_VERSION } from '../src/domain/report-rules.ts';
import { check } from '../src/domain/rules.ts';
import { noticeNumber, type ItemHeader } from '../src/domain/types.ts';
import { Refusal } from '../src/domain/refusal.ts';
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
    await mutateAssignment(rt, ctx.op, id, unitOf, (item, a, now) => {
      const from = a.state;
      const to = check('submit', ctx.person.id, item, a, dir);
      // Whatever waited for signature or review is replaced: the new text needs its own signature.
      const superseded = a.reports.filter((r) => REPLACED_BY_NEW_VERSION.includes(r.status));
      for (const r of superseded) r.status = 'superseded';
      const version = a.reports.length + 1;
      const hash = textHash(text);
      a.reports.push({ version, text, hash, final, by: ctx.person.id, at: now, status: 'pending' });
      a.state = to;
      const leader = dir.personName(a.responsible);
      return {
        audits: [
          { action: 'submit', unit: a.unit, from, to, detail: { version, hash, final, superseded: superseded.map((r) => r.version) } },
        ],
        deliveries: [
          { kind: 'send', person: a.responsible, cardKey: cardKey({ kind: 'sign', item: item.id, unit: a.unit, n: version }) },
          ctx.reply(
            `已将${final ? '办结' : '进展'}报告（第 ${version} 稿）送${leader}签署：${noticeNumber(item)}「${item.title}」。` +
              (superseded.length ? `此前第 ${superseded.map((r) => r.version).join('、')} 稿作废。` : ''),
          ),
          ...refreshAssignmentCards(item, a),
        ],
      };
    });
    return [];
  },
};
