// /台账 导出: the ledger with /台账's filters as an .xlsx, made on the worker (render queue): answered “正在生成…” at
// once, the file follows into the same chat. Heads, deputies and contacts get their units' rows; a leader who
// instructed items (批办领导) those items' rows.
import { unitsReached } from '../src/domain/access.ts';
import { Refusal } from '../src/domain/refusal.ts';
import { parseStatusFilter, STATUS_CHOICES } from '../src/chat/texts.ts';
import type { CommandContext } from '../src/dispatch/handler.ts';
import { unitIdFrom } from '../src/dispatch/handler-kit.ts';
import type { Delivery } from '../src/delivery/delivery.ts';
import type { LedgerFilter } from '../src/output/ledger-select.ts';
import { requestRender } from '../src/output/render-request.ts';

export async function exportLedger(ctx: CommandContext): Promise<Delivery[]> {
  const { rt, dir, cmd } = ctx;
  const { all: office, units: mine } = unitsReached('list', ctx.person.id, dir);
  const wantUnits = (cmd.lists.unit ?? []).map((u) => unitIdFrom(dir, u));
  // Someone of no unit and not of the office may still have instructed items: those are theirs to export.
  const instructor = !office && mine.length === 0;
  if (!office && !instructor) {
    const foreign = wantUnits.filter((u) => !mine.includes(u));
    if (foreign.length) throw new Refusal('not_allowed', `您只能导出本单位的台账，不能导出${foreign.map((u) => dir.unitName(u)).join('、')}的`);
  }
  let status: string | undefined;
  if (cmd.options.status) {
    status = parseStatusFilter(cmd.options.status);
    if (!status) throw new Refusal('bad_syntax', `状态「${cmd.options.status}」不对，可选：${STATUS_CHOICES}`);
  }
  if (status === 'draft' || status === 'cancelled') throw new Refusal('bad_syntax', '草稿没有交办到单位，不能导出；请去掉“状态”或换一个状态');
  const filter: LedgerFilter = {
    units: wantUnits.length ? wantUnits : office || instructor ? [] : mine,
    ...(status ? { status } : {}),
    ...(cmd.flags.includes('overdue') ? { overdue: true } : {}),
    ...(cmd.positional[0] ? { keyword: cmd.positional[0] } : {}),
    ...(instructor ? { instructedBy: ctx.person.id } : {}),
  };
  await requestRender(rt, ctx.op.id, { kind: 'ledger', person: ctx.person.id, to: ctx.event.replyTo, filter });
  const whose = instructor ? '您批办事项的' : !office ? `${filter.units.map((u) => dir.unitName(u)).join('、')}的` : '';
  return [ctx.reply(`正在生成${whose}台账表格（Excel），生成后发到本会话，请稍候。`)];
}
