// The reason of a "no" (退回修改, 退回, 不同意): taken from what was typed with the press; where the platform could
// not carry text (WeCom's template cards), the press is answered with the /退回 line to send, and remembered for the
// person so that the command completes that very press.
import type { Numbered } from '../domain/item-number.ts';
import { currentYear } from './handler-kit.ts';
import { returnLine } from '../chat/command-lines.ts';
import type { Directory } from '../directory/directory.ts';
import { REASON_MAX, REASONS, type ReasonedAction } from '../domain/reasons.ts';
import { Refusal } from '../domain/refusal.ts';
import type { ItemHeader } from '../domain/types.ts';
import type { ActionContext } from './handler.ts';

/** A press that waits for its reason: which "no", on which card (its key), of which unit, since when (domain ms). */
export interface ReasonAsk {
  a: ReasonedAction;
  k: string;
  unit: string;
  at: number;
}

/** A press without the text it needs, from a platform that cannot carry text: answered with the command to send. */
export class NeedsReason extends Refusal {
  constructor(
    message: string,
    readonly ask: Omit<ReasonAsk, 'at'>,
  ) {
    super('needs_reason', message);
  }
}

/**
 * How long a press waits for its /退回: the life of the WeCom card it came from (a response code is good for 72
 * hours). Real time, as the platform counts it.
 */
export const ASK_TTL_MS = 72 * 3600_000;

/** The reason typed with the press, trimmed; a Refusal (or NeedsReason) when there is none or it is too long. */
export function reasonOf(
  ctx: Pick<ActionContext, 'input' | 'payload' | 'rt'>,
  action: ReasonedAction,
  item: Numbered & Pick<ItemHeader, 'units'>,
  unit: string,
  dir: Directory,
): string {
  const rule = REASONS[action];
  if (ctx.input === undefined) {
    throw new NeedsReason(`${rule.doing}须写明理由。请发送：${returnLine(item, unit, rule.label, dir, currentYear(ctx.rt))}（72 小时内有效，发送前不会${rule.doing}）`, {
      a: action,
      k: ctx.payload.k,
      unit,
    });
  }
  const reason = (ctx.input.reason ?? '').trim();
  if (!reason) throw new Refusal('needs_reason', `${rule.doing}须写明理由：请填写${rule.label}`);
  const length = [...reason].length;
  if (length > REASON_MAX) throw new Refusal('needs_reason', `${rule.label}最多 ${REASON_MAX} 字，现有 ${length} 字，请精简后再提交`);
  return reason;
}
