// /退回: the reason for a "no", typed: it completes a 退回修改, 退回 or 不同意 pressed on a card that could not take the
// reason (WeCom), or, with no such press waiting, sends back the report that waits for the person (the leader's
// report to sign, the office's signed report to review) with the reason.
import { cardKey, parseCardKey } from '../src/chat/card-key.ts';
import type { ActionName } from '../src/chat/action-token.ts';
import { ACCESS, requireAccess, whoLine } from '../src/domain/access.ts';
import { REASONS, type ReasonedAction } from '../src/domain/reasons.ts';
import { isRefusal, Refusal } from '../src/domain/refusal.ts';
import { latestReport, noticeNumber } from '../src/domain/types.ts';
import { jointRefusal } from '../src/domain/rules.ts';
import type { ActionHandler, CommandContext, CommandHandler } from '../src/dispatch/handler.ts';
import { itemIdFrom, oneUnit } from '../src/dispatch/handler-kit.ts';
import type { ReasonAsk } from '../src/dispatch/reason-ask.ts';
import { agreeExtension } from './agree-extension.ts';
import { decideExtension } from './decide-extension.ts';
import { returnReport } from './return-report.ts';
import { sendBackReport } from './send-back-report.ts';

// The unit leader's 不同意 on a contact's extension request takes its reason the same way (WeCom: /退回 after the press).
const HANDLERS: Record<ReasonedAction, ActionHandler> = {
  send_back: sendBackReport,
  return: returnReport,
  refuse_extension: decideExtension,
  disagree_extension: agreeExtension,
};

/** What the "no" is about: an action on a card, of a unit. */
type Target = Pick<ReasonAsk, 'a' | 'k' | 'unit'>;

export const returnCommand: CommandHandler = {
  command: 'return',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    requireAccess('return', ctx.person.id, dir, '退回');
    const id = await itemIdFrom(rt, cmd.positional[0]);
    const unit = cmd.lists.unit ? oneUnit(dir, cmd.lists.unit, '退回') : undefined;
    const reason = cmd.options.reason ?? '';
    const asked = await askedFor(ctx, id, unit);
    const target = asked ?? (await waitingFor(ctx, id, unit));
    const key = parseCardKey(target.k);
    if (!key) throw new Error(`bad card key ${target.k}`);
    const a: ActionName = target.a;
    try {
      const outcome = await HANDLERS[target.a].run({
        rt,
        dir,
        person: ctx.person,
        actor: ctx.actor,
        op: ctx.op,
        event: { kind: 'action', id: ctx.event.id, sender: ctx.event.sender, token: '' },
        payload: { a, k: target.k, f: ctx.person.id },
        key,
        input: { reason },
      });
      if (asked) await rt.store.dropReasonAsk(ctx.person.id, id, asked.unit);
      const item = outcome.view?.item;
      const what = item ? `：${noticeNumber(item)}「${item.title}」${dir.unitName(target.unit)}` : '';
      return [ctx.reply(`${outcome.toast ?? '已完成'}${what}。${REASONS[target.a].label}：${reason.trim()}`)];
    } catch (e) {
      // A press that can no longer be answered (decided meanwhile, replaced) waits no more.
      if (asked && isRefusal(e) && (e.code === 'wrong_state' || e.code === 'stale' || e.code === 'not_found')) {
        await rt.store.dropReasonAsk(ctx.person.id, id, asked.unit);
      }
      throw e;
    }
  },
};

/** The person's press on this item that waits for its reason (of the unit named, if one is). */
async function askedFor(ctx: CommandContext, id: string, unit: string | undefined): Promise<Target | undefined> {
  const asks = await ctx.rt.store.reasonAsks<ReasonAsk>(ctx.person.id, id);
  if (unit !== undefined) return asks.get(unit);
  if (asks.size <= 1) return [...asks.values()][0];
  const units = [...asks.keys()].map((u) => ctx.dir.unitName(u)).join('、');
  throw new Refusal('bad_syntax', `您在该事项上有 ${asks.size} 个单位待写理由（${units}），请用 单位= 指明是哪一个`);
}

/** With no press waiting: the report that waits for this person, the leader's to sign or the office's to review. */
async function waitingFor(ctx: CommandContext, id: string, unit: string | undefined): Promise<Target> {
  const { rt, dir } = ctx;
  const person = ctx.person.id;
  const found = await rt.store.getItem(id);
  if (!found) throw new Refusal('not_found', `没有编号为 ${id} 的督查事项`);
  const office = dir.isOffice(person);
  if (!office && !found.item.assignments.some((a) => a.responsible === person)) {
    throw new Refusal('wrong_unit', `${noticeNumber(found.item)}不是由您负责签署的事项，只有${whoLine(ACCESS.return)}才能退回`);
  }
  const targets: Target[] = found.item.assignments
    .filter((a) => unit === undefined || a.unit === unit)
    .flatMap((a): Target[] => {
      const r = latestReport(a);
      if (r?.status === 'pending' && a.responsible === person) {
        return [{ a: 'send_back', k: cardKey({ kind: 'sign', item: id, unit: a.unit, n: r.version }), unit: a.unit }];
      }
      // A 配合 unit's report of a joint item is not the office's (RULES.return.joint): named, it is refused as the table says.
      const theirs = unit === undefined && jointRefusal('return', found.item, a.unit, dir) !== undefined;
      if (r?.status === 'signed' && office && !theirs) return [{ a: 'return', k: cardKey({ kind: 'review', item: id, unit: a.unit, n: r.version }), unit: a.unit }];
      // A contact's extension request waiting for this leader: 不同意, with the reason typed.
      const ask = a.responsible === person ? a.extensions.find((e) => e.status === 'pending_leader') : undefined;
      if (ask) return [{ a: 'disagree_extension', k: cardKey({ kind: 'extension_ask', item: id, unit: a.unit, n: ask.id }), unit: a.unit }];
      return [];
    });
  const where = `${noticeNumber(found.item)}${unit === undefined ? '' : `的${dir.unitName(unit)}`}`;
  if (targets.length === 0) {
    throw new Refusal('wrong_state', office ? `${where}没有已签署、待受理的报告，无可退回` : `${where}没有等待您签署的报告，无可退回`);
  }
  if (targets.length > 1) {
    throw new Refusal('bad_syntax', `有 ${targets.length} 个单位的报告可退回（${targets.map((t) => dir.unitName(t.unit)).join('、')}），请用 单位= 指明是哪一个`);
  }
  return targets[0]!;
}
