// /附件 <no> <n>: sends back the n-th attachment of an item's reports, as a file (a picture as an image), into the
// chat the command came from; for whoever may see the item, as /查看.
import { reaches } from '../src/domain/access.ts';
import { isIssued, noticeNumber, type Attachment } from '../src/domain/types.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { itemIdFrom } from '../src/dispatch/handler-kit.ts';

export const attachment: CommandHandler = {
  command: 'attachment',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    const id = await itemIdFrom(rt, cmd.positional[0]);
    const n = Number(cmd.positional[1]);
    const found = await rt.store.getItem(id);
    if (!found) throw new Refusal('not_found', '没有这个督查事项');
    const item = found.item;
    // A draft is the office's alone: to anyone else it does not exist yet.
    if (!dir.isOffice(ctx.person.id) && !isIssued(item)) throw new Refusal('not_found', `没有${noticeNumber(item)}这个督查事项`);
    if (!reaches('attachment', ctx.person.id, item.assignments, dir, item)) {
      throw new Refusal('not_allowed', `${noticeNumber(item)}没有交办给您所在的单位，无权查看其附件`);
    }
    const all: Attachment[] = item.assignments.flatMap((a) => a.reports.flatMap((r) => r.attachments ?? []));
    const hit = all.find((f) => f.n === n);
    if (!hit) {
      const have = all.map((f) => f.n).sort((x, y) => x - y);
      throw new Refusal(
        'not_found',
        have.length
          ? `${noticeNumber(item)}没有附件${n}。现有附件：${have.map((x) => `附件${x}`).join('、')}（/查看 ${cmd.positional[0]} 可看各附件的名称）`
          : `${noticeNumber(item)}的报告还没有附件`,
      );
    }
    return [{ kind: 'file', to: ctx.event.replyTo, file: { sha256: hit.sha256, name: hit.name, mime: hit.mime, size: hit.size } }];
  },
};
