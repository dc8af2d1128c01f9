// /归档 <no>: an item's archive record as a PDF, made on the worker (render queue): answered “正在生成…” at once, the
// file follows into the same chat. The office and the item's 批办领导 get the whole item; a unit's head, deputy or
// contact their unit's part.
import { reachesItem } from '../src/domain/access.ts';
import { isIssued, noticeNumber } from '../src/domain/types.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { itemIdFrom } from '../src/dispatch/handler-kit.ts';
import { PDF_FONT_MISSING, pdfFont } from '../src/output/pdf-font.ts';
import { requestRender } from '../src/output/render-request.ts';

export const archive: CommandHandler = {
  command: 'archive',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    const id = await itemIdFrom(rt, cmd.positional[0]);
    const found = await rt.store.getHeader(id);
    if (!found) throw new Refusal('not_found', '没有这个督查事项');
    const header = found.doc;
    const office = dir.isOffice(ctx.person.id);
    // A draft is the office's alone: to anyone else it does not exist yet; to the office it has nothing to archive.
    if (!isIssued(header)) {
      if (!office) throw new Refusal('not_found', `没有${noticeNumber(header)}这个督查事项`);
      throw new Refusal('wrong_state', `${noticeNumber(header)}还是草稿，尚未发出，没有可归档的办理记录`);
    }
    const assignments = header.units.map((unit) => ({ unit, responsible: '' }));
    if (!reachesItem('archive', ctx.person.id, { instructedBy: header.instructedBy, assignments }, dir)) {
      throw new Refusal('not_allowed', `${noticeNumber(header)}没有交办给您所在的单位，也不是您批办的，无权生成其归档记录`);
    }
    const whole = office || header.instructedBy === ctx.person.id;
    const units = whole ? undefined : header.units.filter((u) => dir.rolesOf(ctx.person.id).some((r) => r.role !== 'office' && r.unit === u));
    if (!pdfFont(rt.config).ok) return [ctx.reply(PDF_FONT_MISSING)];
    await requestRender(rt, ctx.op.id, { kind: 'archive', person: ctx.person.id, to: ctx.event.replyTo, itemId: id, ...(units ? { units } : {}) });
    const part = units ? `（${units.map((u) => dir.unitName(u)).join('、')}部分）` : '';
    return [ctx.reply(`正在生成${noticeNumber(header)}「${header.title}」的归档记录${part}（PDF），生成后发到本会话，请稍候。`)];
  },
};
