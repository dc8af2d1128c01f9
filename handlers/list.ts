// /台账: the ledger, one line per item with each unit's state and deadline; heads and contacts see their own units.
import { formatDate } from '../src/domain/deadline.ts';
import { STATE_LABELS } from '../src/domain/rules.ts';
import { isKey, isOverdue, noticeNumber, type Item } from '../src/domain/types.ts';
import { STATUS_FILTERS } from '../src/chat/texts.ts';
import { Refusal } from '../src/errors.ts';
import type { CommandHandler } from '../src/handler.ts';
import { unitIdFrom } from '../src/handler-kit.ts';

const MAX_LINES = 50;

export const list: CommandHandler = {
  command: 'list',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    const office = dir.isOffice(ctx.person.id);
    const mine = dir.unitsOf(ctx.person.id);
    if (!office && mine.length === 0) throw new Refusal('not_allowed', '您不属于任何承办单位，没有可查看的台账');
    const wantUnits = (cmd.lists.unit ?? []).map((u) => unitIdFrom(dir, u));
    if (!office) {
      const foreign = wantUnits.filter((u) => !mine.includes(u));
      if (foreign.length) throw new Refusal('not_allowed', `您只能查看本单位的台账，不能查看${foreign.map((u) => dir.unitName(u)).join('、')}`);
    }
    const units = wantUnits.length ? wantUnits : office ? [] : mine;
    let status: string | undefined;
    if (cmd.options.status) {
      status = STATUS_FILTERS[cmd.options.status.trim().toLowerCase()] ?? STATUS_FILTERS[cmd.options.status.trim()];
      if (!status) throw new Refusal('bad_syntax', `状态「${cmd.options.status}」不对，可选：待签收、办理中、待签署、待受理、已退回、已办结、草稿、已取消`);
    }
    const overdueOnly = cmd.flags.includes('overdue');
    const now = rt.clock.now();
    const ids = units.length ? [...new Set((await Promise.all(units.map((u) => rt.store.itemIds(u)))).flat())] : await rt.store.itemIds();
    const items = (await rt.store.getItems(ids)).sort((a, b) => b.year - a.year || b.seq - a.seq);
    const lines: string[] = [];
    for (const item of items) {
      // Units never see what was never issued to them.
      if (!office && (item.status === 'draft' || item.status === 'cancelled')) continue;
      if (item.status === 'draft' || item.status === 'cancelled') {
        if (status !== item.status && !(status === undefined && item.status === 'draft')) continue;
        if (overdueOnly) continue;
        lines.push(`${noticeNumber(item)} ${item.title}｜${item.status === 'draft' ? '草稿（未发出）' : '已取消'}`);
        continue;
      }
      const shown = item.assignments.filter(
        (a) => (units.length === 0 || units.includes(a.unit)) && (!status || a.state === status) && (!overdueOnly || isOverdue(a, now)),
      );
      if (shown.length === 0) continue;
      lines.push(line(item, shown, now, (id) => dir.unitName(id)));
    }
    if (lines.length === 0) return [ctx.reply('台账中没有符合条件的督查事项。')];
    const head = `督查台账（共 ${lines.length} 项${lines.length > MAX_LINES ? `，显示前 ${MAX_LINES} 项` : ''}）`;
    return [ctx.reply([head, ...lines.slice(0, MAX_LINES)].join('\n'))];
  },
};

function line(item: Item, shown: Item['assignments'], now: number, unitName: (id: string) => string): string {
  const parts = shown.map(
    (a) => `${unitName(a.unit)}：${STATE_LABELS[a.state]}${isOverdue(a, now) ? '【逾期】' : ''}（期限 ${formatDate(a.due)}）`,
  );
  return `${noticeNumber(item)}${isKey(item) ? '【重点】' : ''} ${item.title}｜${parts.join('；')}`;
}
