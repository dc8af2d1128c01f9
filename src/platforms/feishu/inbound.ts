// Feishu events after authentication (webhook or long connection): challenge, messages, card presses.
// Commands are recorded and queued, and answered at once; a press is applied now and answered with the new card.
import { intakeCommand, intakeFile, runAction, type ActionAnswer } from '../../dispatch/dispatch.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { inputFromAction, toFeishuCard, tokenFromAction } from './render.ts';
import { toActionEvent, toCommandEvent, toFileEvent, type MessageEventBody } from './to-event.ts';
import { isFresh } from './verify.ts';
import { createHash } from 'node:crypto';

export interface FeishuReply {
  status: number;
  body: unknown;
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The answer Feishu shows for a press: a toast, and the card as it now stands. */
export function pressAnswer(a: ActionAnswer): Json {
  const out: Json = { toast: { type: a.toast.type, content: a.toast.text } };
  if (a.card) out.card = { type: 'raw', data: toFeishuCard(a.card) };
  return out;
}

/**
 * Handles a decrypted, authenticated body. `raw` is the webhook request as received: a legacy callback has no
 * event id, so a hash of it identifies the callback and a retry of it is still recognised. (The long connection
 * carries only 2.0 events, which have their ids.)
 */
export async function handleFeishuBody(rt: Runtime, body: Json, raw?: Buffer | string): Promise<FeishuReply> {
  if (body.type === 'url_verification') return { status: 200, body: { challenge: str(body.challenge) ?? '' } };
  const header = obj(body.header);
  const event = obj(body.event);
  if (body.schema === '2.0') {
    const eventId = str(header.event_id);
    const type = str(header.event_type);
    if (!eventId || !type) return { status: 400, body: { error: 'missing header.event_id or event_type' } };
    const created = Number(header.create_time);
    // Retries stop after ~7 h and dedup keys live 48 h: an older event is a replay, not a retry. Transport time is
    // the real clock, never the domain's (DUCHA_CLOCK moves deadlines and reminders, not replay windows).
    if (Number.isFinite(created) && created > 0 && !isFresh(created, Date.now())) {
      rt.log.warn({ event: eventId, type, created }, '飞书事件过旧，视为重放，已忽略');
      return { status: 200, body: {} };
    }
    if (type === 'im.message.receive_v1') {
      const file = toFileEvent(eventId, event as MessageEventBody);
      if (file) {
        await intakeFile(rt, file);
        rt.log.info({ event: eventId }, '已收到飞书文件');
        return { status: 200, body: {} };
      }
      const cmd = toCommandEvent(eventId, event as MessageEventBody);
      if (!cmd) return { status: 200, body: {} };
      await intakeCommand(rt, cmd);
      rt.log.info({ event: eventId }, '已收到飞书消息');
      return { status: 200, body: {} };
    }
    if (type === 'card.action.trigger') {
      return { status: 200, body: await press(rt, eventId, obj(event.operator), obj(event.action)) };
    }
    rt.log.info({ event: eventId, type }, '飞书事件无需处理，已忽略');
    return { status: 200, body: {} };
  }
  // The legacy card callback: flat, no event id.
  if (body.action && (body.open_id || body.user_id)) {
    const operator = { open_id: str(body.open_id), user_id: str(body.user_id) };
    const answer = await press(rt, `legacy-${rawIdOf(raw ?? JSON.stringify(body))}`, operator, obj(body.action));
    // Legacy callbacks do not take a 2.0 card back: the copies are redrawn by the delivery worker instead.
    return { status: 200, body: answer.toast ? { toast: answer.toast } : {} };
  }
  return { status: 200, body: {} };
}

async function press(rt: Runtime, eventId: string, operator: Json, action: Json): Promise<Json> {
  const token = tokenFromAction(action.value);
  const ev = toActionEvent(eventId, { open_id: str(operator.open_id), user_id: str(operator.user_id) }, token ?? '', inputFromAction(action.form_value));
  if (!ev || !token) return { toast: { type: 'error', content: '按钮数据无效，操作未执行' } };
  const answer = await runAction(rt, ev);
  rt.log.info({ event: eventId, toast: answer.toast.type }, '飞书卡片按钮');
  return pressAnswer(answer);
}

export function rawIdOf(raw: Buffer | string): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 32);
}
